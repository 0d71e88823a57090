// .npy images: the generic reader (datasets::ParseNpy and the conversions) and the float
// matrix reader (datasets::ReadNpyMatrix).
#include "datasets/npy.h"
#include "datasets/npz.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string bytes(fuzz::Bytes(data, size));
  const auto array = datasets::ParseNpy(bytes, "fuzz.npy");
  fuzz::CheckResult(array, "fuzz.npy", [](const datasets::NpyArray& a) {
    for (const int64_t d : a.shape) {
      if (d < 0) return Status::Internal("negative dimension");
    }
    return Status::Ok();
  });
  if (array.ok()) {
    // A conversion gives one value per element of the shape.
    const auto one_per_element = [&](const auto& values) {
      return static_cast<int64_t>(values.size()) == array->size() ? Status::Ok()
                                                                  : Status::Internal("values != elements");
    };
    fuzz::CheckResult(array->ToInt64("fuzz.npy"), "fuzz.npy", one_per_element);
    fuzz::CheckResult(array->ToDouble("fuzz.npy"), "fuzz.npy", one_per_element);
  }
  const std::string path = scratch.Write("matrix.npy", bytes);
  fuzz::CheckResult(datasets::ReadNpyMatrix(path), dir, [](const datasets::NpyMatrix& m) {
    return static_cast<int64_t>(m.data.size()) == m.rows * m.cols
               ? Status::Ok()
               : Status::Internal("rows * cols != data size");
  });
  return 0;
}
