// JODIE CSV (datasets::LoadJodieCsv).
#include "datasets/loaders.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string path = scratch.Write("wikipedia.csv", fuzz::Bytes(data, size));
  fuzz::CheckResult(datasets::LoadJodieCsv(path), dir, datasets::Validate);
  return 0;
}
