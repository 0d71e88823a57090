// SEA-ER's kernel-mean-matching weights: they satisfy the QP's constraints, beat uniform weights
// and random feasible weights on its objective, and move weight towards the replayed rows that
// look like the current ones.
#include "memory/importance_weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace streamgnn::memory {
namespace {

// z: 24 rows, half near the origin and half near (2, 2, ...); x: 40 rows near (2, 2, ...).
void Rows(std::vector<float>* z, std::vector<float>* x, int64_t dim) {
  std::mt19937 gen(3);
  std::normal_distribution<float> n(0, 0.3f);
  for (int i = 0; i < 24; ++i) {
    for (int64_t k = 0; k < dim; ++k) z->push_back(n(gen) + (i % 2 ? 2.0f : 0.0f));
  }
  for (int i = 0; i < 40; ++i) {
    for (int64_t k = 0; k < dim; ++k) x->push_back(n(gen) + 2.0f);
  }
}

class Kmm : public ::testing::TestWithParam<KmmKernel> {};

TEST_P(Kmm, WeightsAreFeasibleOptimalAndFavourTheCurrentDistribution) {
  if (!KernelMeanMatchingAvailable()) GTEST_SKIP() << "built without Ipopt";
  const int64_t dim = 3;
  std::vector<float> z, x;
  Rows(&z, &x, dim);
  KmmOptions o;
  o.kernel = GetParam();
  const auto r = KernelMeanMatching(z, x, dim, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int64_t n = 24;
  ASSERT_EQ(r->weights.size(), static_cast<size_t>(n));
  const double eps = 1.0 / std::sqrt(24.0), sum = std::accumulate(r->weights.begin(), r->weights.end(), 0.0);
  for (const double b : r->weights) {
    EXPECT_GE(b, -1e-7);
    EXPECT_LE(b, 1 + 1e-7);
  }
  EXPECT_LE(std::abs(sum - n), n * eps + 1e-6);
  EXPECT_NEAR(r->objective, KmmObjective(z, x, dim, o, r->weights), 1e-6 * (1 + std::abs(r->objective)));
  // Uniform weights (feasible) and random feasible weights score no better.
  const std::vector<double> uniform(n, 1.0);
  EXPECT_LT(r->objective, KmmObjective(z, x, dim, o, uniform) - 1e-6);
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> beta(n);
    for (double& b : beta) b = u(gen);
    const double s = std::accumulate(beta.begin(), beta.end(), 0.0);
    if (std::abs(s - n) > n * eps) continue;  // infeasible draw
    EXPECT_GE(KmmObjective(z, x, dim, o, beta), r->objective - 1e-7);
  }
  // The rows near the current ones (odd) reach the bound B = 1; the others (even) share only
  // what the sum constraint (sum >= n_z (1 - eps) = 19.1) still asks for.
  double odd = 0, even = 0, min_odd = 1e9, max_even = 0;
  for (int64_t i = 0; i < n; ++i) {
    (i % 2 ? odd : even) += r->weights[i];
    if (i % 2) min_odd = std::min(min_odd, r->weights[i]);
    else max_even = std::max(max_even, r->weights[i]);
  }
  EXPECT_NEAR(odd, 12.0, 1e-4);
  EXPECT_GE(min_odd, max_even - 1e-6);
  EXPECT_NEAR(odd + even, n * (1 - eps), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Kernels, Kmm, ::testing::Values(KmmKernel::kLinear, KmmKernel::kRbf),
                         [](const auto& info) {
                           return std::string(info.param == KmmKernel::kLinear ? "linear" : "rbf");
                         });

TEST(Kmm, BadInputIsRefused) {
  const std::vector<float> z = {1, 2, 3}, x = {1, 2};
  EXPECT_EQ(KernelMeanMatching(z, x, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KernelMeanMatching({}, x, 2).status().code(), StatusCode::kInvalidArgument);
  if (!KernelMeanMatchingAvailable()) {
    const std::vector<float> ok = {1, 2};
    EXPECT_EQ(KernelMeanMatching(ok, ok, 2).status().code(), StatusCode::kUnimplemented);
  }
}

}  // namespace
}  // namespace streamgnn::memory
