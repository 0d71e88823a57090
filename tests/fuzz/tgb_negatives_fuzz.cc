// TGB's pickled evaluation negatives (datasets::TgbNegatives::Load).
#include "datasets/tgb_negatives.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string path = scratch.Write("tgbl-fz_val_ns.pkl", fuzz::Bytes(data, size));
  fuzz::CheckResult(datasets::TgbNegatives::Load(path), dir, [](const datasets::TgbNegatives& n) {
    return n.size() >= 0 && n.max_count() >= 0 ? Status::Ok() : Status::Internal("negative sizes");
  });
  return 0;
}
