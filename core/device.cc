#include "core/device.h"

#include <mutex>

namespace streamgnn::core {

#if defined(STREAMGNN_WITH_CUDA)
namespace internal {
// Defined in device_cuda.cu. Never throws; fills `summary` with the devices or the error.
int ProbeCudaDevices(std::string* summary);
}  // namespace internal
#endif

namespace {

struct Probe {
  int count = 0;
  std::string summary;
};

const Probe& GetProbe() {
  static const Probe probe = [] {
    Probe p;
#if defined(STREAMGNN_WITH_CUDA)
    p.count = internal::ProbeCudaDevices(&p.summary);
#else
    p.summary = "cuda: not compiled in";
#endif
    return p;
  }();
  return probe;
}

}  // namespace

int CudaDeviceCount() { return GetProbe().count; }

std::string DeviceSummary() { return GetProbe().summary; }

bool CudaCompiledIn() {
#if defined(STREAMGNN_WITH_CUDA)
  return true;
#else
  return false;
#endif
}

}  // namespace streamgnn::core
