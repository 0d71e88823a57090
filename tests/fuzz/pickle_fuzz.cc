// The pickle virtual machine (datasets/pickle.h) and its NumPy / SciPy conversions, applied to
// the result and, for a dict, to each value.
#include "datasets/pickle.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  namespace pickle = datasets::pickle;
  const auto root = pickle::Parse(fuzz::Bytes(data, size), "fuzz.pkl");
  fuzz::CheckError(root.status(), "fuzz.pkl");
  if (!root.ok()) return 0;  // an object graph has no invariant of its own: its conversions do
  std::vector<pickle::Ref> objects = {*root};
  for (const auto& [key, value] : (*root)->entries) objects.push_back(value);
  for (const pickle::Ref& object : objects) {
    fuzz::CheckResult(pickle::ToArray(object, "fuzz.pkl: x"), "fuzz.pkl", [](const pickle::Array& a) {
      int64_t n = 1;
      for (int64_t d : a.shape) n *= d;
      return n == static_cast<int64_t>(a.values.size()) ? Status::Ok()
                                                        : Status::Internal("shape != values");
    });
    fuzz::CheckResult(pickle::ToCsr(object, "fuzz.pkl: x"), "fuzz.pkl", fuzz::CsrWellFormed<pickle::Csr>);
  }
  return 0;
}
