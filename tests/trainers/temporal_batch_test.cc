// MakeShards: a batch's roots (sources, destinations, negatives, then each event's MRR
// candidates) each at its own event's time, for any number of shards.
#include "trainers/temporal_batch.h"

#include <gtest/gtest.h>

namespace streamgnn::trainers {
namespace {

TEST(MakeShards, EveryRootIsAtItsEventsTime) {
  datasets::TemporalDataset ds;
  ds.num_nodes = 100;
  ds.src = {1, 2, 3, 4, 5};
  ds.dst = {11, 12, 13, 14, 15};
  ds.ts = {10, 20, 30, 40, 50};
  const std::vector<int64_t> events = {0, 1, 2, 3, 4};
  constexpr int64_t kCandidates = 3;
  for (int64_t shards : {1, 2, 5}) {
    SCOPED_TRACE(shards);
    BatchWork w;
    w.n = 5;
    w.ev = events.data();
    w.neg = {21, 22, 23, 24, 25};
    for (int64_t i = 0; i < w.n; ++i) {
      for (int64_t c = 0; c < kCandidates; ++c) w.mrr_neg.push_back(100 * (i + 1) + c);
    }
    MakeShards(ds, shards, kCandidates, &w);
    ASSERT_EQ(static_cast<int64_t>(w.shards.size()), shards);
    int64_t covered = 0;
    for (const BatchShard& s : w.shards) {
      ASSERT_EQ(s.first, covered);
      covered += s.n;
      ASSERT_EQ(s.roots.size(), s.times.size());
      ASSERT_EQ(static_cast<int64_t>(s.roots.size()), s.n * (3 + kCandidates));
      for (int64_t i = 0; i < s.n; ++i) {
        const int64_t e = s.first + i;
        const Timestamp t = ds.ts[e];
        EXPECT_EQ(s.roots[i], ds.src[e]);
        EXPECT_EQ(s.roots[s.n + i], ds.dst[e]);
        EXPECT_EQ(s.roots[2 * s.n + i], w.neg[e]);
        for (int64_t r = 0; r < 3; ++r) EXPECT_EQ(s.times[r * s.n + i], t);
        for (int64_t c = 0; c < kCandidates; ++c) {
          const int64_t root = 3 * s.n + i * kCandidates + c;
          EXPECT_EQ(s.roots[root], 100 * (e + 1) + c);
          EXPECT_EQ(s.times[root], t) << "candidate " << c << " of event " << e;
        }
      }
    }
    EXPECT_EQ(covered, w.n);
  }
}

}  // namespace
}  // namespace streamgnn::trainers
