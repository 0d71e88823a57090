// HAN's MATLAB file (datasets::LoadHanMat, through libmatio): one .mat holding feature, label,
// the PAP and PLP adjacencies and train_idx / val_idx / test_idx.
#include "datasets/hetero_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  scratch.Reset();
  const std::string path =
      scratch.Write("han.mat", std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::CheckResult(datasets::LoadHanMat(path), path,
                    [](const datasets::HeteroDataset& d) { return d.Validate(); });
  return 0;
}
