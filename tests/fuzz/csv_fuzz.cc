// The generic delimited loader (datasets::LoadCsv). The first byte picks the options (header,
// delimiter, id remapping, label / split / feature columns); the rest is the file.
#include "datasets/loaders.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  if (size == 0) return 0;
  const uint8_t bits = data[0];
  datasets::CsvOptions options;
  options.header = bits & 1;
  options.delimiter = (bits & 2) ? ' ' : ',';
  options.remap_ids = bits & 4;
  if (bits & 8) options.label_col = 3;
  if (bits & 16) options.split_col = 4;
  if (bits & 32) options.feat_begin = 5;
  if (bits & 64) options.feat_end = 7;
  if (bits & 128) std::swap(options.src_col, options.time_col);
  const std::string path = scratch.Write("events.csv", fuzz::Bytes(data + 1, size - 1));
  fuzz::CheckResult(datasets::LoadCsv(path, options), dir, datasets::Validate);
  return 0;
}
