// A feature table as the temporal trainer gathers from it: on the CPU a view of the dataset's
// buffer; on a GPU a copy in device memory, or, for runtime.feature_cache_ratio < 1, GNNFlow's
// device feature cache (features/feature_cache_cuda.h: that fraction of the rows in GPU memory, the
// table in pinned host memory, LRU; docs/models.md, "On a GPU"). The cache is built with the
// CUDA kernels (STREAMGNN_WITH_CUDA); without them Create() says so.
// Not thread-safe: one thread gathers (the pass's features stage).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "core/status.h"

namespace streamgnn::trainers {

class FeatureRows {
 public:
  // `table`: rows x dim floats, row-major, alive as long as this (a CPU table is a view of it).
  // ratio in (0, 1]; below 1 only on a CUDA device.
  static StatusOr<FeatureRows> Create(const float* table, int64_t rows, int64_t dim, double ratio,
                                      torch::Device device);
  FeatureRows();
  FeatureRows(FeatureRows&&) noexcept;
  FeatureRows& operator=(FeatureRows&&) noexcept;
  ~FeatureRows();

  // The rows of `ids` (int64, on any device) as float32 [n, dim] on the table's device.
  StatusOr<torch::Tensor> Gather(const torch::Tensor& ids);

 private:
  struct Cache;  // the CUDA cache and its device
  // Fills `cache`; FailedPrecondition in a build without the CUDA kernels.
  static Status FillCache(const float* table, int64_t rows, int64_t dim, double ratio,
                          torch::Device device, Cache* cache);
  StatusOr<torch::Tensor> GatherCached(const torch::Tensor& ids);

  torch::Tensor table_;           // [rows, dim] on the device; undefined behind the cache
  std::unique_ptr<Cache> cache_;  // ratio < 1
};

}  // namespace streamgnn::trainers
