// Planetoid as downloaded: ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}, eight pickles
// and one text file joined by fuzz::kFileSeparator (datasets::LoadPlanetoidPickles).
#include "datasets/static_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {"x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"};
  const auto parts = fuzz::SplitFiles(data, size, 8);
  for (size_t i = 0; i < parts.size(); ++i) {
    scratch.Write(std::string("ind.fz.") + kFiles[i], parts[i]);
  }
  fuzz::CheckResult(datasets::LoadPlanetoidPickles(dir, "fz"), dir,
                    [](const datasets::StaticDataset& d) { return d.Validate(); });
  return 0;
}
