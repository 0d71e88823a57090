#include "trainers/device_feature_rows.h"

#if defined(STREAMGNN_WITH_CUDA)
#include "memory/feature_cache_cuda.h"
#endif

namespace streamgnn::trainers {

#if defined(STREAMGNN_WITH_CUDA)

struct DeviceFeatureRows::Rep {
  std::unique_ptr<memory::CudaFeatureCache> cache;
  torch::Device device{torch::kCPU};
};

StatusOr<std::unique_ptr<DeviceFeatureRows>> DeviceFeatureRows::Create(const float* table, int64_t rows,
                                                                       int64_t dim, double ratio,
                                                                       torch::Device device) {
  memory::FeatureCacheOptions options;
  options.ratio = ratio;
  auto rep = std::make_unique<Rep>();
  SG_ASSIGN_OR_RETURN(rep->cache, memory::CudaFeatureCache::Create(
                                      Span<const float>(table, static_cast<size_t>(rows * dim)), rows,
                                      dim, options));
  rep->device = device;
  return std::unique_ptr<DeviceFeatureRows>(new DeviceFeatureRows(std::move(rep)));
}

StatusOr<torch::Tensor> DeviceFeatureRows::Gather(const torch::Tensor& ids) {
  // The cache looks its ids up from the host (its policy lives there).
  const torch::Tensor host = ids.to(torch::kCPU, torch::kInt64).contiguous();
  torch::Tensor out = torch::empty({host.size(0), rep_->cache->dim()},
                                   torch::TensorOptions(torch::kFloat32).device(rep_->device));
  if (host.size(0) == 0) return out;
  SG_RETURN_IF_ERROR(rep_->cache->Gather(
      Span<const int64_t>(host.data_ptr<int64_t>(), static_cast<size_t>(host.size(0))), out.data_ptr<float>()));
  return out;
}

#else  // the CUDA kernels are not compiled in

struct DeviceFeatureRows::Rep {};

StatusOr<std::unique_ptr<DeviceFeatureRows>> DeviceFeatureRows::Create(const float*, int64_t, int64_t,
                                                                       double, torch::Device) {
  return Status::FailedPrecondition(
      "runtime.feature_cache_ratio < 1 uses the CUDA feature cache, which this build lacks: "
      "configure where nvcc is found (STREAMGNN_WITH_CUDA)");
}
StatusOr<torch::Tensor> DeviceFeatureRows::Gather(const torch::Tensor&) {
  return Status::FailedPrecondition("the CUDA feature cache is not compiled in");
}

#endif

DeviceFeatureRows::DeviceFeatureRows(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
DeviceFeatureRows::~DeviceFeatureRows() = default;

}  // namespace streamgnn::trainers
