#include "models/ssrm.h"

namespace streamgnn::models {
namespace {

// mean over all pairs of sum_s exp(-s |a_i - b_j|^2).
torch::Tensor MeanKernel(const torch::Tensor& a, const torch::Tensor& b,
                         const std::vector<double>& bandwidths) {
  // |a - b|^2 from the expansion, clamped: rounding can make it slightly negative.
  const torch::Tensor d = (a.pow(2).sum(1, true) + b.pow(2).sum(1).unsqueeze(0) -
                           2 * torch::mm(a, b.t()))
                              .clamp_min(0);
  torch::Tensor k = torch::zeros_like(d);
  for (const double s : bandwidths) k = k + torch::exp(-s * d);
  return k.mean();
}

}  // namespace

torch::Tensor MultiBandwidthMmd(const torch::Tensor& x, const torch::Tensor& y,
                                const std::vector<double>& bandwidths) {
  TORCH_CHECK(x.dim() == 2 && y.dim() == 2 && x.size(1) == y.size(1) && x.size(0) > 0 &&
                  y.size(0) > 0,
              "MultiBandwidthMmd: expected non-empty [n, d] and [m, d], got ", x.sizes(), " and ",
              y.sizes());
  return MeanKernel(x, x, bandwidths) - 2 * MeanKernel(x, y, bandwidths) +
         MeanKernel(y, y, bandwidths);
}

}  // namespace streamgnn::models
