// The LibTorch device a config's device key names (runtime.device, in both configs): the one place a trainer turns "cuda" into a device, so every
// trainer refuses a missing GPU with the same message.
#pragma once

#include <torch/torch.h>

#include <string>

#include "core/config_enums.h"
#include "core/status.h"

namespace streamgnn::trainers {

// kCpu: the CPU. kCuda: CUDA device 0 (CUDA_VISIBLE_DEVICES picks the GPU), or
// FailedPrecondition naming `key` when LibTorch sees no CUDA device (a CPU-only LibTorch, or
// no GPU visible).
StatusOr<torch::Device> TorchDevice(core::DeviceKind kind, const std::string& key);

}  // namespace streamgnn::trainers
