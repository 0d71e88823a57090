#include "core/rng.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace streamgnn::core {
namespace {

TEST(RngStream, SameKeyGivesSameSequence) {
  RngStream a(42, StreamKey(1, 2, 3), 7);
  RngStream b(42, StreamKey(1, 2, 3), 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.NextU64(), b.NextU64()) << "draw " << i;
}

TEST(RngStream, DifferentSeedStreamOrItemDiffer) {
  const uint64_t base = RngStream(42, StreamKey(1, 2), 7).NextU64();
  EXPECT_NE(base, RngStream(43, StreamKey(1, 2), 7).NextU64());
  EXPECT_NE(base, RngStream(42, StreamKey(1, 3), 7).NextU64());
  EXPECT_NE(base, RngStream(42, StreamKey(1, 2), 8).NextU64());
  EXPECT_NE(StreamKey(1, 2), StreamKey(2, 1));
}

TEST(RngStream, DrawsDoNotDependOnOrderOfItems) {
  // The value for item i is the same whether items are visited forwards or backwards (as
  // threads would in any order).
  std::vector<uint64_t> forward(64), backward(64);
  for (int i = 0; i < 64; ++i) forward[i] = RngStream(5, 9, i).Below(1000);
  for (int i = 63; i >= 0; --i) backward[i] = RngStream(5, 9, i).Below(1000);
  EXPECT_EQ(forward, backward);
}

TEST(RngStream, UniformInUnitInterval) {
  RngStream rng(1, 2, 3);
  double sum = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.01);
}

TEST(RngStream, BelowStaysInRange) {
  const uint64_t bounds[] = {1, 2, 3, 7, 10, 1000003, (uint64_t{1} << 63) + 12345, UINT64_MAX};
  for (const uint64_t n : bounds) {
    RngStream rng(7, n, 0);
    for (int i = 0; i < 2000; ++i) ASSERT_LT(rng.Below(n), n) << "n = " << n;
  }
  RngStream one(7, 0, 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(one.Below(1), 0u);
}

TEST(RngStream, BelowIsUniformChiSquare) {
  // 10 buckets (not a power of two), 100k draws. The chi-square statistic with 9 degrees of
  // freedom exceeds 27.88 with probability 0.001; the draw is deterministic, so no flakiness.
  constexpr int kBuckets = 10;
  constexpr int kDraws = 100000;
  std::vector<int> counts(kBuckets, 0);
  RngStream rng(2024, StreamKey(3, 1), 11);
  for (int i = 0; i < kDraws; ++i) ++counts[rng.Below(kBuckets)];
  const double expected = static_cast<double>(kDraws) / kBuckets;
  double chi2 = 0;
  for (const int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 27.88);
}

TEST(RngStream, IndependentItemsAreUniformChiSquare) {
  // One draw per item, as parallel samplers use it.
  constexpr int kBuckets = 16;
  constexpr int kItems = 64000;
  std::vector<int> counts(kBuckets, 0);
  for (int i = 0; i < kItems; ++i) ++counts[RngStream(9, 1, i).Below(kBuckets)];
  const double expected = static_cast<double>(kItems) / kBuckets;
  double chi2 = 0;
  for (const int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 37.70);  // 15 degrees of freedom, p = 0.001
}

}  // namespace
}  // namespace streamgnn::core
