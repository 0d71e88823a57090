// DyGLib ml_<name>.csv with its two .npy companions (datasets::LoadMlCsv).
// Input: csv, edge-feature npy, node-feature npy, joined by fuzz::kFileSeparator.
#include "datasets/loaders.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const auto parts = fuzz::SplitFiles(data, size, 3);
  const std::string csv = scratch.Write("ml_fz.csv", parts[0]);
  const std::vector<std::string> companions = datasets::MlCompanionPaths(csv);
  for (size_t i = 1; i < parts.size(); ++i) {
    scratch.Write(std::filesystem::path(companions[i - 1]).filename().string(), parts[i]);
  }
  fuzz::CheckResult(datasets::LoadMlCsv(csv), dir, datasets::Validate);
  return 0;
}
