// Ranking metrics for link prediction: average precision, ROC-AUC and mean reciprocal rank,
// with the same tie handling as scikit-learn (average_precision_score, roc_auc_score), which TGN,
// TGL and DyGLib call.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"

namespace streamgnn::trainers {

// AP = sum_n (R_n - R_{n-1}) P_n over the distinct score thresholds, descending (scikit-learn's
// definition; tied scores form one threshold). labels: 1 positive, 0 negative. NaN when there
// is no positive.
double AveragePrecision(Span<const float> scores, Span<const uint8_t> labels);

// ROC-AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie). NaN when
// either class is empty.
double RocAuc(Span<const float> scores, Span<const uint8_t> labels);

// Mean over positives i of 1 / rank_i, rank_i = 1 + #{j : neg[i][j] > pos[i]} +
// 0.5 #{j : neg[i][j] == pos[i]} (ties count half, as in TGB's evaluator with optimistic and
// pessimistic ranks averaged). neg is row-major [num_pos, num_neg]. NaN without positives.
double MeanReciprocalRank(Span<const float> pos, Span<const float> neg, int64_t num_neg);

}  // namespace streamgnn::trainers
