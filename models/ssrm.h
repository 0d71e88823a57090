// SSRM (issue 20; ../shared/PAPERS.md section 6b): the structural-shift risk regulariser for
// graph continual learning on evolving graphs. Old-task nodes' representations computed on the
// graph as it was when their task ended (h_old) and on the grown graph (h_new) are pulled
// together by the multi-bandwidth RBF MMD
//
//   MMD(X, Y) = mean k(X, X) - 2 mean k(X, Y) + mean k(Y, Y),   k(a, b) = sum_s exp(-s |a - b|^2)
//
// with s in {1, 0.1, 0.001} (the code's bandwidths), added to the task loss as
// L = alpha L_task + (1 - alpha) MMD, alpha 0.99 by default. The means run over all pairs,
// diagonal included (the biased V-statistic, as the code computes it). Differentiable in both.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace streamgnn::models {

inline const std::vector<double> kSsrmBandwidths = {1.0, 0.1, 0.001};

// x: [n, d], y: [m, d] (same dtype and device). A scalar tensor.
torch::Tensor MultiBandwidthMmd(const torch::Tensor& x, const torch::Tensor& y,
                                const std::vector<double>& bandwidths = kSsrmBandwidths);

}  // namespace streamgnn::models
