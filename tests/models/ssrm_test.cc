// SSRM's multi-bandwidth MMD: equal to a direct double loop, zero for identical sets, growing
// with the shift between them, and with finite-difference gradients in both arguments.
#include "models/ssrm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/models/grad_check.h"

namespace streamgnn::models {
namespace {

double Direct(const torch::Tensor& x, const torch::Tensor& y) {
  const auto mean_k = [](const torch::Tensor& a, const torch::Tensor& b) {
    double s = 0;
    for (int64_t i = 0; i < a.size(0); ++i) {
      for (int64_t j = 0; j < b.size(0); ++j) {
        const double d = (a[i] - b[j]).pow(2).sum().item<double>();
        s += std::exp(-d) + std::exp(-0.1 * d) + std::exp(-0.001 * d);
      }
    }
    return s / static_cast<double>(a.size(0) * b.size(0));
  };
  return mean_k(x, x) - 2 * mean_k(x, y) + mean_k(y, y);
}

TEST(Ssrm, MmdEqualsTheDirectSum) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({7, 4}, torch::kFloat64);
  const torch::Tensor y = torch::randn({5, 4}, torch::kFloat64) + 0.5;
  EXPECT_NEAR(MultiBandwidthMmd(x, y).item<double>(), Direct(x, y), 1e-10);
  EXPECT_NEAR(MultiBandwidthMmd(x, x).item<double>(), 0.0, 1e-10);
  // A larger shift, a larger discrepancy.
  EXPECT_GT(MultiBandwidthMmd(x, x + 2).item<double>(), MultiBandwidthMmd(x, x + 0.5).item<double>());
}

TEST(Ssrm, MmdGradientsMatchFiniteDifferences) {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({6, 3}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor y = (torch::randn({4, 3}, torch::kFloat64) + 1).requires_grad_(true);
  testing::ExpectGradientsMatchFiniteDifferences([&] { return MultiBandwidthMmd(x, y); }, {x, y});
}

TEST(Ssrm, MismatchedShapesAreRefused) {
  EXPECT_THROW(MultiBandwidthMmd(torch::zeros({3, 2}), torch::zeros({3, 4})), c10::Error);
  EXPECT_THROW(MultiBandwidthMmd(torch::zeros({0, 2}), torch::zeros({3, 2})), c10::Error);
}

}  // namespace
}  // namespace streamgnn::models
