// CUDA half of core/device.cc: compiled only when nvcc is found (STREAMGNN_CUDA_ENABLED).
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

namespace streamgnn::core::internal {

int ProbeCudaDevices(std::string* summary) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    *summary = std::string("cuda: 0 devices (") + cudaGetErrorName(err) + ": " +
               cudaGetErrorString(err) + ")";
    cudaGetLastError();  // reset the last-error state so later CUDA calls start clean
    return 0;
  }
  *summary = "cuda: " + std::to_string(count) + (count == 1 ? " device" : " devices");
  std::string details;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    char buffer[256];
    std::snprintf(buffer, sizeof(buffer), "%s%d: %s, sm_%d%d, %.1f GiB",
                  details.empty() ? "" : "; ", i, prop.name, prop.major, prop.minor,
                  static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
    details += buffer;
  }
  if (!details.empty()) *summary += " (" + details + ")";
  return count;
}

}  // namespace streamgnn::core::internal
