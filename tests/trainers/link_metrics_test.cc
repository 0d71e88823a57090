// AP, ROC-AUC and MRR against values computed by hand / by scikit-learn's definitions.
#include "trainers/link_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace streamgnn::trainers {
namespace {

struct Case {
  std::vector<float> scores;
  std::vector<uint8_t> labels;
  double ap, auc;
};

TEST(LinkMetrics, MatchScikitLearnDefinitions) {
  const Case cases[] = {
      // perfect ranking
      {{0.9f, 0.8f, 0.1f, 0.2f}, {1, 1, 0, 0}, 1.0, 1.0},
      // sklearn: average_precision_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.8333...,
      // roc_auc_score = 0.75
      {{0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}, 0.8333333333333333, 0.75},
      // all tied: AP = positive share, AUC = 0.5
      {{0.5f, 0.5f, 0.5f, 0.5f}, {1, 0, 0, 0}, 0.25, 0.5},
      // worst ranking
      {{0.1f, 0.9f}, {1, 0}, 0.5, 0.0},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(AveragePrecision(c.scores, c.labels), c.ap, 1e-12);
    EXPECT_NEAR(RocAuc(c.scores, c.labels), c.auc, 1e-12);
  }
  const std::vector<float> s = {0.3f};
  const std::vector<uint8_t> only_negative = {0};
  EXPECT_TRUE(std::isnan(AveragePrecision(s, only_negative)));
  EXPECT_TRUE(std::isnan(RocAuc(s, only_negative)));
}

TEST(LinkMetrics, MeanReciprocalRank) {
  // positive 0 beats both negatives (rank 1); positive 1 is beaten by one and ties one
  // (rank 1 + 1 + 0.5 = 2.5).
  const std::vector<float> pos = {0.9f, 0.5f};
  const std::vector<float> neg = {0.1f, 0.2f, 0.7f, 0.5f};
  EXPECT_NEAR(MeanReciprocalRank(pos, neg, 2), (1.0 + 1.0 / 2.5) / 2, 1e-12);
}

// TGB's rows may be shorter than the longest: the padding after counts[i] is never ranked.
TEST(LinkMetrics, RanksWithPerRowCountsAndHitsAtK) {
  LinkMetricAccumulator acc(ApMode::kPooled);
  const std::vector<float> pos = {0.5f, 0.5f, 0.1f};
  // Row 0: 3 negatives, one above and one tied: rank 2.5. Row 1: only 1 of its 3 counts (the
  // padding 0.9s would push it to rank 3.5): rank 1. Row 2: 3 above: rank 4.
  const std::vector<float> neg = {0.7f, 0.5f, 0.2f, 0.1f, 0.9f, 0.9f, 0.2f, 0.3f, 0.4f};
  const std::vector<int64_t> counts = {3, 1, 3};
  acc.AddBatch(pos, {0.0f, 0.0f, 0.0f});
  acc.AddRanks(pos, neg, 3, &counts, 2);
  const LinkMetrics m = acc.Result(true);
  EXPECT_NEAR(m.mrr, (1 / 2.5 + 1.0 + 1 / 4.0) / 3, 1e-12);
  EXPECT_NEAR(m.hits, 1.0 / 3, 1e-12);  // only row 1 within rank 2 (2.5 is not)
  LinkMetricAccumulator plain(ApMode::kPooled);
  plain.AddBatch(pos, {0.0f, 0.0f, 0.0f});
  plain.AddRanks(pos, neg, 3);
  EXPECT_TRUE(std::isnan(plain.Result(true).hits));
}

}  // namespace
}  // namespace streamgnn::trainers
