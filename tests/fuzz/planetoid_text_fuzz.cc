// Planetoid's plain-text conversion: edges.tsv, features.tsv, labels.tsv, train_idx.txt,
// val_idx.txt, test_idx.txt joined by fuzz::kFileSeparator (datasets::LoadPlanetoidConverted).
#include "datasets/static_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {"edges.tsv", "features.tsv", "labels.tsv",
                                       "train_idx.txt", "val_idx.txt", "test_idx.txt"};
  const auto parts = fuzz::SplitFiles(data, size, 6);
  for (size_t i = 0; i < parts.size(); ++i) scratch.Write(kFiles[i], parts[i]);
  fuzz::CheckResult(datasets::LoadPlanetoidConverted(dir), dir,
                    [](const datasets::StaticDataset& d) { return d.Validate(); });
  return 0;
}
