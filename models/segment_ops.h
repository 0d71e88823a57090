// Differentiable attention primitives over packed neighbour segments: the slots of root r are
// rows [offsets[r], offsets[r+1]) of a slot tensor, so roots with few neighbours carry no
// padding (the shapes of DGL's SDDMM and SpMM on a CSR block). TemporalAttention is written on
// these three; docs/models.md gives the formulation.
//
// offsets: int64 [R + 1], non-decreasing, offsets[0] = 0, offsets[R] = S, on the values' device.
// Values are float32 or float64. One dispatch point per op: on the CPU fused kernels (one pass
// over each segment, written here); on any other device (CUDA) the same op composed from
// LibTorch operators (index_select, index_add, scatter_reduce), which LibTorch runs as its own
// device kernels without a host synchronisation (offsets are not read back, so their values
// are trusted there). Rows of an empty segment get zeros (SegmentMix) and no slots
// (SegmentDot, SegmentSoftmax).
#pragma once

#include <torch/torch.h>

namespace streamgnn::models {

// out[s, h] = q[r(s), h, :] . x[s, :]          q [R, H, D], x [S, D] -> [S, H]
torch::Tensor SegmentDot(const torch::Tensor& q, const torch::Tensor& x, const torch::Tensor& offsets);

// out[r, h, :] = sum_{s in r} a[s, h] x[s, :]   a [S, H], x [S, D] -> [R, H, D]
torch::Tensor SegmentMix(const torch::Tensor& a, const torch::Tensor& x, const torch::Tensor& offsets);

// Softmax over the slots of each segment, per column h.   scores [S, H] -> [S, H]
torch::Tensor SegmentSoftmax(const torch::Tensor& scores, const torch::Tensor& offsets);

// Root index of every slot: int64 [S] (for gathers and tests).
torch::Tensor SegmentIds(const torch::Tensor& offsets);

// The composed versions on any device (what the three ops run off the CPU); the CPU kernels are
// tested against them.
namespace composed {
torch::Tensor SegmentDot(const torch::Tensor& q, const torch::Tensor& x, const torch::Tensor& offsets);
torch::Tensor SegmentMix(const torch::Tensor& a, const torch::Tensor& x, const torch::Tensor& offsets);
torch::Tensor SegmentSoftmax(const torch::Tensor& scores, const torch::Tensor& offsets);
}  // namespace composed

}  // namespace streamgnn::models
