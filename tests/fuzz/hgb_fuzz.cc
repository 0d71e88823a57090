// HGB's heterogeneous benchmark folder (datasets::LoadHgb): node.dat, link.dat, label.dat and
// label.dat.test joined by fuzz::kFileSeparator.
#include "datasets/hetero_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {"node.dat", "link.dat", "label.dat", "label.dat.test"};
  const auto parts = fuzz::SplitFiles(data, size, 4);
  for (size_t i = 0; i < parts.size(); ++i) scratch.Write(kFiles[i], parts[i]);
  fuzz::CheckResult(datasets::LoadHgb(dir), dir,
                    [](const datasets::HeteroDataset& d) { return d.Validate(); });
  return 0;
}
