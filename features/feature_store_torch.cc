#include "features/feature_store_torch.h"

namespace streamgnn::features {

StatusOr<torch::Tensor> GatherTensor(FeatureStore& store, const torch::Tensor& ids) {
  if (ids.dim() != 1) {
    return Status::InvalidArgument("gather: ids must be a 1-D tensor, got " +
                                   std::to_string(ids.dim()) + " dimensions");
  }
  if (!ids.device().is_cpu()) {
    return Status::InvalidArgument("gather: ids must be on the CPU (feature stores are host-side)");
  }
  if (ids.scalar_type() != torch::kInt64 && ids.scalar_type() != torch::kInt32) {
    return Status::InvalidArgument(std::string("gather: ids must be int64 or int32, got ") +
                                   c10::toString(ids.scalar_type()));
  }
  const torch::Tensor keys = ids.to(torch::kInt64).contiguous();
  torch::Tensor out = torch::empty({keys.size(0), store.dim()}, torch::kFloat32);
  SG_RETURN_IF_ERROR(store.Gather(
      Span<const int64_t>(keys.data_ptr<int64_t>(), static_cast<size_t>(keys.size(0))),
      out.data_ptr<float>()));
  return out;
}

}  // namespace streamgnn::features
