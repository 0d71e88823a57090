// The LibTorch face of FeatureStore: gather(ids) -> tensor (DESIGN.md, Memory: sampler output
// becomes a tensor at the memory/models boundary). Everything else in features/feature_store.h is
// torch-free.
#pragma once

#include <torch/torch.h>

#include "core/status.h"
#include "features/feature_store.h"

namespace streamgnn::features {

// Rows of `ids` as a float32 tensor of shape [ids.numel(), store.dim()] on the CPU.
// Takes: a 1-D int64 (or int32) tensor of row ids on the CPU (any contiguity).
// Errors: wrong dtype, rank or device (InvalidArgument), and those of store.Gather.
StatusOr<torch::Tensor> GatherTensor(FeatureStore& store, const torch::Tensor& ids);

}  // namespace streamgnn::features
