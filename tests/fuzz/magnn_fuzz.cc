// MAGNN's preprocessed folder (datasets::LoadMagnn): node_types.npy, adjM.npz, features_0..2.npz,
// labels.npy and train_val_test_idx.npz joined by fuzz::kFileSeparator.
#include "datasets/hetero_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {"node_types.npy", "adjM.npz",   "features_0.npz",
                                       "features_1.npz", "features_2.npz", "labels.npy",
                                       "train_val_test_idx.npz"};
  const auto parts = fuzz::SplitFiles(data, size, 7);
  for (size_t i = 0; i < parts.size(); ++i) scratch.Write(kFiles[i], parts[i]);
  fuzz::CheckResult(datasets::LoadMagnn(dir), dir,
                    [](const datasets::HeteroDataset& d) { return d.Validate(); });
  return 0;
}
