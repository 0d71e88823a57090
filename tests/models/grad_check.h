// Central differences of a scalar objective against autograd, for every entry of `params`
// (float64 tensors that require grad). A parameter autograd leaves without a gradient (one the
// objective does not use) must have zero numeric gradients. Shared by the model tests.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <vector>

namespace streamgnn::models::testing {

inline void ExpectGradientsMatchFiniteDifferences(const std::function<torch::Tensor()>& objective,
                                                  std::vector<torch::Tensor> params,
                                                  double eps = 1e-6) {
  for (auto& p : params) {
    if (p.grad().defined()) p.grad().zero_();
  }
  objective().backward();
  for (auto& p : params) {
    const torch::Tensor grad = p.grad().defined() ? p.grad().clone() : torch::zeros_like(p);
    torch::NoGradGuard guard;
    auto flat = p.view(-1);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double old = flat[i].item<double>();
      flat[i] = old + eps;
      const double up = objective().item<double>();
      flat[i] = old - eps;
      const double down = objective().item<double>();
      flat[i] = old;
      const double numeric = (up - down) / (2 * eps);
      EXPECT_NEAR(grad.view(-1)[i].item<double>(), numeric, 1e-5 + 1e-4 * std::abs(numeric))
          << "parameter of shape " << p.sizes() << ", entry " << i;
    }
  }
}

}  // namespace streamgnn::models::testing
