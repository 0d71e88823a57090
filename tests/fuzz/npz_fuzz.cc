// .npz archives (datasets::ReadNpz, CsrFromNpz) and the gnn-benchmark loader on top of them.
#include "datasets/npz.h"
#include "datasets/static_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string path = scratch.Write("graph.npz", fuzz::Bytes(data, size));
  const auto npz = datasets::ReadNpz(path);
  fuzz::CheckError(npz.status(), dir);
  if (npz.ok()) {
    for (const char* prefix : {"", "adj_", "attr_"}) {
      fuzz::CheckResult(datasets::CsrFromNpz(*npz, prefix, path), dir,
                        fuzz::CsrWellFormed<datasets::NpzCsr>);
    }
  }
  fuzz::CheckResult(datasets::LoadGnnBenchmarkNpz(path, {}), dir,
                    [](const datasets::StaticDataset& d) { return d.Validate(); });
  return 0;
}
