#include "trainers/torch_device.h"

#include <fmt/format.h>

#include "core/device.h"

namespace streamgnn::trainers {

StatusOr<torch::Device> TorchDevice(core::DeviceKind kind, const std::string& key) {
  if (kind == core::DeviceKind::kCpu) return torch::Device(torch::kCPU);
  if (!torch::cuda::is_available()) {
    return Status::FailedPrecondition(fmt::format(
        "{}: cuda, but LibTorch sees no CUDA device (its build is CPU-only, or no GPU is visible; "
        "{}); use {}: cpu",
        key, core::DeviceSummary(), key));
  }
  return torch::Device(torch::kCUDA, 0);
}

}  // namespace streamgnn::trainers
