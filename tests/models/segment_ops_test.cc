// The fused CPU segment kernels against the same ops composed from LibTorch operators (what
// runs on other devices), values and gradients, on random segments with empty ones among them.
#include "models/segment_ops.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <vector>

namespace streamgnn::models {
namespace {

// Offsets of `roots` segments of 0..max_len slots each (a quarter of them empty).
torch::Tensor RandomOffsets(int64_t roots, int64_t max_len) {
  std::vector<int64_t> off = {0};
  const torch::Tensor lens = torch::randint(1, max_len + 1, {roots}, torch::kInt64);
  const torch::Tensor empty = torch::rand({roots}) < 0.25;
  for (int64_t r = 0; r < roots; ++r) {
    off.push_back(off.back() + (empty[r].item<bool>() ? 0 : lens[r].item<int64_t>()));
  }
  return torch::tensor(off, torch::kInt64);
}

using Op = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

// Runs both ops on copies of `inputs` with the same upstream gradient and compares the outputs
// and every input's gradient.
void ExpectSameValuesAndGradients(const Op& fused, const Op& composed,
                                  const std::vector<torch::Tensor>& inputs, double tol) {
  std::vector<torch::Tensor> a, b;
  for (const torch::Tensor& t : inputs) {
    a.push_back(t.clone().requires_grad_(true));
    b.push_back(t.clone().requires_grad_(true));
  }
  const torch::Tensor out_a = fused(a), out_b = composed(b);
  ASSERT_EQ(out_a.sizes(), out_b.sizes());
  EXPECT_TRUE(torch::allclose(out_a, out_b, tol, tol)) << (out_a - out_b).abs().max();
  const torch::Tensor g = torch::randn_like(out_a);
  out_a.backward(g);
  out_b.backward(g);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i].grad().defined() && b[i].grad().defined()) << "input " << i;
    EXPECT_TRUE(torch::allclose(a[i].grad(), b[i].grad(), tol, tol))
        << "input " << i << ": " << (a[i].grad() - b[i].grad()).abs().max();
  }
}

class SegmentOps : public ::testing::TestWithParam<torch::ScalarType> {
 protected:
  void SetUp() override { torch::manual_seed(7); }
  torch::TensorOptions values() const { return torch::TensorOptions().dtype(GetParam()); }
  double tol() const { return GetParam() == torch::kFloat64 ? 1e-10 : 1e-5; }
};

TEST_P(SegmentOps, DotEqualsTheComposedOp) {
  const torch::Tensor off = RandomOffsets(37, 9);
  const int64_t slots = off[-1].item<int64_t>();
  ExpectSameValuesAndGradients(
      [&](const auto& t) { return SegmentDot(t[0], t[1], off); },
      [&](const auto& t) { return composed::SegmentDot(t[0], t[1], off); },
      {torch::randn({37, 2, 19}, values()), torch::randn({slots, 19}, values())}, tol());
}

TEST_P(SegmentOps, MixEqualsTheComposedOpAndZeroesEmptySegments) {
  const torch::Tensor off = RandomOffsets(37, 9);
  const int64_t slots = off[-1].item<int64_t>();
  const torch::Tensor a = torch::randn({slots, 3}, values()), x = torch::randn({slots, 21}, values());
  ExpectSameValuesAndGradients([&](const auto& t) { return SegmentMix(t[0], t[1], off); },
                               [&](const auto& t) { return composed::SegmentMix(t[0], t[1], off); },
                               {a, x}, tol());
  const torch::Tensor out = SegmentMix(a, x, off);
  const torch::Tensor empty = (off.narrow(0, 1, 37) == off.narrow(0, 0, 37)).nonzero().squeeze(1);
  ASSERT_GT(empty.size(0), 0);
  EXPECT_EQ(out.index_select(0, empty).abs().max().item<double>(), 0.0);
}

TEST_P(SegmentOps, SoftmaxEqualsTheComposedOpAndSumsToOnePerSegment) {
  const torch::Tensor off = RandomOffsets(37, 9);
  const int64_t slots = off[-1].item<int64_t>();
  // Large scores: the per-segment maximum must be subtracted for a finite result.
  const torch::Tensor scores = 50 * torch::randn({slots, 2}, values());
  ExpectSameValuesAndGradients([&](const auto& t) { return SegmentSoftmax(t[0], off); },
                               [&](const auto& t) { return composed::SegmentSoftmax(t[0], off); },
                               {scores}, tol());
  const torch::Tensor p = SegmentSoftmax(scores, off);
  const torch::Tensor sums = torch::zeros({37, 2}, values()).index_add(0, SegmentIds(off), p);
  const torch::Tensor nonempty = (off.narrow(0, 1, 37) > off.narrow(0, 0, 37)).nonzero().squeeze(1);
  EXPECT_TRUE(torch::allclose(sums.index_select(0, nonempty),
                              torch::ones({nonempty.size(0), 2}, values()), tol(), tol()));
}

INSTANTIATE_TEST_SUITE_P(Types, SegmentOps, ::testing::Values(torch::kFloat32, torch::kFloat64),
                         [](const auto& info) {
                           return std::string(info.param == torch::kFloat32 ? "Float32" : "Float64");
                         });

TEST(SegmentOpsErrors, OffsetsThatDoNotCoverTheSlotsAreRefused) {
  const torch::Tensor off = torch::tensor({0, 2, 5}, torch::kInt64);
  try {
    SegmentSoftmax(torch::randn({4, 2}), off);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("offsets must run from 0 to the number of slots (4)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(SegmentDot(torch::randn({2, 1, 3}), torch::randn({5, 3}), off.to(torch::kInt32)),
               c10::Error);
  EXPECT_THROW(SegmentMix(torch::randn({5, 1}).to(torch::kFloat16), torch::randn({5, 3}), off), c10::Error);
}

}  // namespace
}  // namespace streamgnn::models
