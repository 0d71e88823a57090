// An OGB node-property folder (datasets::LoadOgbNodeProperty): raw/edge.csv, raw/node-label.csv,
// raw/node-feat.csv, raw/num-node-list.csv, split/s/{train,valid,test}.csv joined by
// fuzz::kFileSeparator.
#include "datasets/static_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {"raw/edge.csv", "raw/node-label.csv", "raw/node-feat.csv",
                                       "raw/num-node-list.csv", "split/s/train.csv",
                                       "split/s/valid.csv", "split/s/test.csv"};
  const auto parts = fuzz::SplitFiles(data, size, 7);
  for (size_t i = 0; i < parts.size(); ++i) scratch.Write(kFiles[i], parts[i]);
  fuzz::CheckResult(datasets::LoadOgbNodeProperty(dir), dir,
                    [](const datasets::StaticDataset& d) { return d.Validate(); });
  return 0;
}
