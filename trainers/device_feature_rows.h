// Feature rows for training on a GPU when the tables stay in host memory: GNNFlow's device
// feature cache (memory/feature_cache_cuda.h: hot rows in GPU memory, the rest in pinned host
// memory, LRU) behind a LibTorch face, for runtime.feature_cache_ratio < 1 (docs/models.md, "On a
// GPU"). Built with the CUDA kernels (STREAMGNN_WITH_CUDA); without them Create() says so.
// Not thread-safe: one thread gathers (the pass's features stage).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "core/status.h"

namespace streamgnn::trainers {

class DeviceFeatureRows {
 public:
  // Caches floor(ratio * rows) of the `rows` x `dim` row-major `table` (copied) on CUDA device 0.
  static StatusOr<std::unique_ptr<DeviceFeatureRows>> Create(const float* table, int64_t rows,
                                                             int64_t dim, double ratio,
                                                             torch::Device device);
  ~DeviceFeatureRows();
  DeviceFeatureRows(const DeviceFeatureRows&) = delete;
  DeviceFeatureRows& operator=(const DeviceFeatureRows&) = delete;

  // The rows of `ids` (int64, on any device) as a float32 [n, dim] tensor on the device.
  StatusOr<torch::Tensor> Gather(const torch::Tensor& ids);

 private:
  struct Rep;
  explicit DeviceFeatureRows(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace streamgnn::trainers
