// The event split's statistics: JODIE's time shifts (TGN's compute_time_statistics).
#include "trainers/temporal_split.h"

#include <gtest/gtest.h>

#include <cmath>

namespace streamgnn::trainers {
namespace {

TEST(ComputeTimeShiftStats, PerSideShiftsOfTheGivenEventsOnly) {
  datasets::TemporalDataset ds;
  ds.num_nodes = 3;
  ds.src = {0, 0, 1, 2};
  ds.dst = {1, 2, 2, 0};
  ds.ts = {2, 5, 6, 100};
  // Events 0-2 (the training events): as sources 0, 0, 1 -> shifts 2, 3, 6; as destinations
  // 1, 2, 2 -> shifts 2, 5, 1 (a node's first event counts from 0). Event 3 is left out.
  const TimeShiftStats s = ComputeTimeShiftStats(ds, {0, 1, 2});
  EXPECT_NEAR(s.src_mean, 11.0 / 3, 1e-12);
  EXPECT_NEAR(s.src_std, std::sqrt(26.0) / 3, 1e-12);
  EXPECT_NEAR(s.dst_mean, 8.0 / 3, 1e-12);
  EXPECT_NEAR(s.dst_std, std::sqrt(26.0) / 3, 1e-12);
  const TimeShiftStats all = ComputeTimeShiftStats(ds, {0, 1, 2, 3});
  EXPECT_NEAR(all.src_mean, (2 + 3 + 6 + 100) / 4.0, 1e-12);
  // No spread: std 1, so that standardising divides by something.
  const TimeShiftStats one = ComputeTimeShiftStats(ds, {0});
  EXPECT_EQ(one.src_std, 1.0);
  EXPECT_EQ(one.src_mean, 2.0);
}

}  // namespace
}  // namespace streamgnn::trainers
