// EarlyStopping (trainers/early_stopping.h): the best evaluation by score, ties to the lower
// tiebreak, improvements smaller than min_delta ignored, stop after `patience` evaluations
// without one (never with patience 0), and a restored state that continues as the original.
#include "trainers/early_stopping.h"

#include <gtest/gtest.h>

namespace streamgnn::trainers {
namespace {

TEST(EarlyStopping, TracksTheBestAndStopsAfterPatience) {
  EarlyStopping e(2);
  EXPECT_FALSE(e.stop());
  EXPECT_EQ(e.best_step(), 0);
  EXPECT_TRUE(e.Update(1, 0.50));  // the first evaluation is the best so far, whatever its score
  EXPECT_TRUE(e.Update(2, 0.70));
  EXPECT_FALSE(e.Update(3, 0.60));
  EXPECT_FALSE(e.stop());
  EXPECT_FALSE(e.Update(4, 0.70));  // equal, same tiebreak: not better
  EXPECT_TRUE(e.stop());
  EXPECT_EQ(e.best_step(), 2);
  EXPECT_EQ(e.since_best(), 2);
}

TEST(EarlyStopping, TiesGoToTheLowerTiebreakAndSmallGainsDoNotCount) {
  EarlyStopping ties(0);
  ties.Update(1, 0.8, /*tiebreak=*/0.5);
  EXPECT_TRUE(ties.Update(2, 0.8, 0.4));
  EXPECT_FALSE(ties.Update(3, 0.8, 0.45));
  EXPECT_EQ(ties.best_step(), 2);
  for (int64_t step = 4; step < 100; ++step) ties.Update(step, 0.1);
  EXPECT_FALSE(ties.stop());  // patience 0: never

  EarlyStopping delta(1, 1e-3);
  delta.Update(1, 0.9000);
  EXPECT_FALSE(delta.Update(2, 0.9005));
  EXPECT_TRUE(delta.stop());
}

TEST(EarlyStopping, ARestoredStateContinuesAsTheOriginal) {
  EarlyStopping original(3), restored(3);
  for (const auto& [step, score] : {std::pair<int64_t, double>{1, 0.6}, {2, 0.9}, {3, 0.8}}) {
    original.Update(step, score);
  }
  restored.Restore(original.best_step(), 0.9, original.since_best());
  for (int64_t step = 4; step <= 5; ++step) {
    EXPECT_EQ(restored.Update(step, 0.85), original.Update(step, 0.85));
    EXPECT_EQ(restored.stop(), original.stop());
  }
  EXPECT_TRUE(restored.stop());
  EXPECT_EQ(restored.best_step(), 2);
}

}  // namespace
}  // namespace streamgnn::trainers
