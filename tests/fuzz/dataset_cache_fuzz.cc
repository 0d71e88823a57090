// The binary dataset cache (.sgds, datasets/cache.h), read with the key its seeds were written
// under (tests/fuzz/README.md says how to make them).
#include "datasets/cache.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string path = scratch.Write("fz.sgds", fuzz::Bytes(data, size));
  fuzz::CheckResult(datasets::ReadDatasetCache(path, fuzz::kCacheKey), dir, datasets::Validate);
  return 0;
}
