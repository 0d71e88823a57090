// PRES: the prediction-correction math against a hand-computed reference, the filter's MLE
// moments, and the coherence objective's gradient (non-zero into the memory updater's
// parameters; zero when detached, as in the public code).
#include "models/pres.h"

#include <gtest/gtest.h>

#include "models/modules.h"

namespace streamgnn::models {
namespace {

torch::Tensor Ids(std::vector<int64_t> v) { return torch::tensor(v, torch::kInt64); }

TEST(PresFilter, MomentsAreTheMaximumLikelihoodGaussian) {
  PresFilter f(4, 2);
  // Node 1 sees transitions (1, 2) and (3, -2); node 2 sees (5, 5).
  f.Observe(Ids({1, 2}), torch::zeros({2, 2}), torch::tensor({1.f, 2.f, 5.f, 5.f}).view({2, 2}));
  f.Observe(Ids({1}), torch::ones({1, 2}), torch::tensor({4.f, -1.f}).view({1, 2}));
  const torch::Tensor mean = f.Mean(Ids({0, 1, 2}));
  const torch::Tensor var = f.Variance(Ids({1}));
  EXPECT_TRUE(torch::allclose(mean, torch::tensor({0.f, 0.f, 2.f, 0.f, 5.f, 5.f}).view({3, 2})));
  // Var of {1, 3} = 1, of {2, -2} = 4 (MLE, divide by n).
  EXPECT_TRUE(torch::allclose(var, torch::tensor({1.f, 4.f}).view({1, 2})));
  EXPECT_EQ(f.Count(Ids({0, 1, 2})).sum().item<int64_t>(), 3);
  f.Reset();
  EXPECT_EQ(f.Count(Ids({1})).item<int64_t>(), 0);
}

TEST(PresFilter, CorrectionMatchesAReferenceComputation) {
  PresFilter f(5, 3);
  const torch::Tensor nodes = Ids({0, 1, 2, 3});
  // Filter means: node 0 (0.5, 0, -1), node 1 (1, 1, 1), node 2 (2, 2, 2); node 3 unobserved.
  f.Observe(Ids({0, 1, 2}), torch::zeros({3, 3}),
            torch::tensor({0.5f, 0.f, -1.f, 1.f, 1.f, 1.f, 2.f, 2.f, 2.f}).view({3, 3}));
  const torch::Tensor prev = torch::arange(12, torch::kFloat32).view({4, 3}) / 10;
  const torch::Tensor computed = torch::full({4, 3}, 3.f);
  const torch::Tensor events = Ids({3, 1, 2, 4});
  const double gamma = 0.9;
  const torch::Tensor got = f.Correct(nodes, prev, computed, events, gamma);
  // Reference, row by row: m >= 2 and observed -> gamma * (prev + mu) + (1 - gamma) * computed.
  const float p[4][3] = {{0, .1f, .2f}, {.3f, .4f, .5f}, {.6f, .7f, .8f}, {.9f, 1.f, 1.1f}};
  const float mu[4][3] = {{.5f, 0, -1}, {1, 1, 1}, {2, 2, 2}, {0, 0, 0}};
  const int m[4] = {3, 1, 2, 4};
  const bool observed[4] = {true, true, true, false};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 3; ++j) {
      const float expect = m[i] >= 2 && observed[i]
                                ? 0.9f * (p[i][j] + mu[i][j]) + 0.1f * 3.f
                                : 3.f;  // one event, or nothing observed yet: the computed update
      EXPECT_NEAR(got[i][j].item<float>(), expect, 1e-5) << i << "," << j;
    }
  }
  // gamma 0 is the plain computed update.
  EXPECT_TRUE(torch::equal(f.Correct(nodes, prev, computed, events, 0.0), computed));
}

TEST(PresFilter, CheckpointRoundTripAndShapeCheck) {
  PresFilter f(3, 2);
  f.Observe(Ids({2}), torch::zeros({1, 2}), torch::ones({1, 2}));
  torch::serialize::OutputArchive out;
  f.Save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  PresFilter g(3, 2);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  ASSERT_TRUE(g.Load(in).ok());
  EXPECT_TRUE(torch::equal(g.Mean(Ids({2})), f.Mean(Ids({2}))));
  PresFilter wrong(3, 5);
  std::stringstream buffer2;
  out.save_to(buffer2);
  torch::serialize::InputArchive in2;
  in2.load_from(buffer2);
  EXPECT_FALSE(wrong.Load(in2).ok());
}

TEST(CoherenceLoss, ValueIsOneMinusMeanCosineOverRowsWithAPreviousState) {
  const torch::Tensor computed = torch::tensor({1.f, 0.f, 0.f, 1.f, 5.f, 5.f}).view({3, 2});
  const torch::Tensor prev = torch::tensor({1.f, 0.f, 1.f, 0.f, 0.f, 0.f}).view({3, 2});
  // Rows 0 and 1 count (cos 1 and 0); row 2 has no previous state.
  EXPECT_NEAR(CoherenceLoss(computed, prev).item<float>(), 0.5f, 1e-6);
  EXPECT_EQ(CoherenceLoss(computed, torch::zeros({3, 2})).item<float>(), 0.f);
}

// The coherence term of a GRU memory update reaches the updater's parameters; detached, nothing.
TEST(CoherenceLoss, GradientReachesTheMemoryUpdater) {
  torch::manual_seed(1);
  MemoryUpdaterImpl::Options o;
  o.kind = memory::MemoryUpdate::kGru;
  o.dim_memory = 8;
  o.dim_mail = 6;
  o.dim_time = 4;
  o.dropout = 0;
  MemoryUpdater updater(o);
  const torch::Tensor prev = torch::randn({5, 8});
  const torch::Tensor mails = torch::randn({5, 1, 6});
  const torch::Tensor dt = torch::rand({5, 1});
  const torch::Tensor valid = torch::ones({5, 1}, torch::kBool);
  for (bool detach : {false, true}) {
    SCOPED_TRACE(detach);
    updater->zero_grad();
    const torch::Tensor computed = updater->forward(prev, mails, dt, valid);
    torch::Tensor loss = 0.1 * CoherenceLoss(computed, prev);
    if (detach) loss = loss.detach().requires_grad_(true);
    loss.backward();
    double norm = 0;
    int64_t with_grad = 0;
    for (const auto& p : updater->parameters()) {
      if (!p.grad().defined()) continue;
      ++with_grad;
      norm += p.grad().norm().item<double>();
    }
    if (detach) {
      EXPECT_EQ(norm, 0.0);
    } else {
      EXPECT_GT(with_grad, 0);
      EXPECT_GT(norm, 1e-6);
    }
  }
}

}  // namespace
}  // namespace streamgnn::models
