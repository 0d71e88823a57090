// Ranking metrics for link prediction: average precision, ROC-AUC and mean reciprocal rank,
// with the same tie handling as scikit-learn (average_precision_score, roc_auc_score), which TGN,
// TGL and DyGLib call.
#pragma once

#include <cstdint>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/span.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {

// AP = sum_n (R_n - R_{n-1}) P_n over the distinct score thresholds, descending (scikit-learn's
// definition; tied scores form one threshold). labels: 1 positive, 0 negative. NaN when there
// is no positive.
double AveragePrecision(Span<const float> scores, Span<const uint8_t> labels);

// ROC-AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie). NaN when
// either class is empty.
double RocAuc(Span<const float> scores, Span<const uint8_t> labels);

// The rank of a positive scored `pos` among `count` negatives: 1 + #{neg > pos} +
// 0.5 #{neg == pos}, TGB's 0.5 (optimistic + pessimistic) + 1.
double RankAmong(float pos, const float* neg, int64_t count);

// Mean over positives i of 1 / rank_i (RankAmong over row i of neg, row-major
// [num_pos, num_neg]). NaN without positives.
double MeanReciprocalRank(Span<const float> pos, Span<const float> neg, int64_t num_neg);

// One evaluation pass's scores as LinkMetrics: AP and ROC-AUC per batch, averaged over batches
// (ap_mode batch_mean, TGN's), or over all scores at once (pooled); MRR over the positives.
class LinkMetricAccumulator {
 public:
  explicit LinkMetricAccumulator(trainers::ApMode mode) : mode_(mode) {}
  // One batch: a score per positive and one per (aligned) negative.
  void AddBatch(const std::vector<float>& pos, const std::vector<float>& neg);
  // The same positives against num_neg negatives each (row-major [pos.size(), num_neg]); with
  // `counts`, positive i only against the first counts[i] of its row (TGB's lists may be
  // shorter than the longest). hits_k > 0 also counts ranks <= hits_k (Hits@k).
  void AddRanks(const std::vector<float>& pos, const std::vector<float>& neg, int64_t num_neg,
                const std::vector<int64_t>* counts = nullptr, int64_t hits_k = 0);
  LinkMetrics Result(bool with_mrr) const;

 private:
  trainers::ApMode mode_;
  double ap_sum_ = 0, auc_sum_ = 0;  // batch_mean
  int64_t batches_ = 0;
  std::vector<float> scores_;  // pooled
  std::vector<uint8_t> labels_;
  double rr_sum_ = 0;  // MRR
  double hits_sum_ = 0;  // Hits@k
  bool with_hits_ = false;
  int64_t events_ = 0;
};

}  // namespace streamgnn::trainers
