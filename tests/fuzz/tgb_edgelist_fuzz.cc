// TGB's link-prediction edge lists (datasets::LoadTgbEdgelist). The first byte picks the
// layout (wiki-like, coin/review-like, comment); the rest is the file.
#include "datasets/loaders.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  if (size == 0) return 0;
  static const char* const kNames[] = {"tgbl-wiki", "tgbl-coin", "tgbl-comment", "tgbl-review"};
  const std::string name = kNames[data[0] % 4];
  const std::string path = scratch.Write(name + "_edgelist.csv", fuzz::Bytes(data + 1, size - 1));
  fuzz::CheckResult(datasets::LoadTgbEdgelist(path, name), dir, datasets::Validate);
  return 0;
}
