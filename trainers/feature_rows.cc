#include "trainers/feature_rows.h"

#if defined(STREAMGNN_WITH_CUDA)
#include "features/feature_cache_cuda.h"
#endif

namespace streamgnn::trainers {

#if defined(STREAMGNN_WITH_CUDA)

struct FeatureRows::Cache {
  std::unique_ptr<features::CudaFeatureCache> cache;
  torch::Device device{torch::kCPU};
};

Status FeatureRows::FillCache(const float* table, int64_t rows, int64_t dim, double ratio,
                              torch::Device device, Cache* c) {
  features::FeatureCacheOptions options;
  options.ratio = ratio;
  SG_ASSIGN_OR_RETURN(c->cache, features::CudaFeatureCache::Create(
                                    Span<const float>(table, static_cast<size_t>(rows * dim)), rows, dim, options));
  c->device = device;
  return Status::Ok();
}

StatusOr<torch::Tensor> FeatureRows::GatherCached(const torch::Tensor& ids) {
  // The cache looks its ids up from the host (its policy lives there).
  const torch::Tensor host = ids.to(torch::kCPU, torch::kInt64).contiguous();
  torch::Tensor out = torch::empty({host.size(0), cache_->cache->dim()},
                                   torch::TensorOptions(torch::kFloat32).device(cache_->device));
  if (host.size(0) == 0) return out;
  SG_RETURN_IF_ERROR(cache_->cache->Gather(
      Span<const int64_t>(host.data_ptr<int64_t>(), static_cast<size_t>(host.size(0))), out.data_ptr<float>()));
  return out;
}

#else  // the CUDA kernels are not compiled in

struct FeatureRows::Cache {};

Status FeatureRows::FillCache(const float*, int64_t, int64_t, double, torch::Device, Cache*) {
  return Status::FailedPrecondition(
      "runtime.feature_cache_ratio < 1 uses the CUDA feature cache, which this build lacks: "
      "configure where nvcc is found (STREAMGNN_WITH_CUDA)");
}

StatusOr<torch::Tensor> FeatureRows::GatherCached(const torch::Tensor&) {
  return Status::FailedPrecondition("the CUDA feature cache is not compiled in");
}

#endif

StatusOr<torch::Tensor> FeatureRows::Gather(const torch::Tensor& ids) {
  if (!cache_) return table_.index_select(0, ids.to(table_.device()));
  return GatherCached(ids);
}

StatusOr<FeatureRows> FeatureRows::Create(const float* table, int64_t rows, int64_t dim, double ratio,
                                          torch::Device device) {
  FeatureRows f;
  if (ratio < 1 && dim > 0) {
    f.cache_ = std::make_unique<Cache>();
    SG_RETURN_IF_ERROR(FillCache(table, rows, dim, ratio, device, f.cache_.get()));
    return f;
  }
  f.table_ = (dim > 0 ? torch::from_blob(const_cast<float*>(table), {rows, dim}, torch::kFloat32)
                      : torch::zeros({rows, 0}, torch::kFloat32))
                 .to(device);
  return f;
}

FeatureRows::FeatureRows() = default;
FeatureRows::FeatureRows(FeatureRows&&) noexcept = default;
FeatureRows& FeatureRows::operator=(FeatureRows&&) noexcept = default;
FeatureRows::~FeatureRows() = default;

}  // namespace streamgnn::trainers
