#include "trainers/link_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace streamgnn::trainers {

namespace {

// Indices sorted by score, descending (stable, so the result does not depend on the sort).
std::vector<int64_t> OrderDescending(Span<const float> scores) {
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

double AveragePrecision(Span<const float> scores, Span<const uint8_t> labels) {
  const int64_t n = static_cast<int64_t>(scores.size());
  const int64_t positives = std::count_if(labels.begin(), labels.end(), [](uint8_t l) { return l != 0; });
  if (positives == 0) return std::numeric_limits<double>::quiet_NaN();
  const std::vector<int64_t> order = OrderDescending(scores);
  double ap = 0, prev_recall = 0;
  int64_t tp = 0, seen = 0;
  for (int64_t i = 0; i < n;) {
    const float threshold = scores[order[i]];
    while (i < n && scores[order[i]] == threshold) {
      tp += labels[order[i]] != 0;
      ++seen;
      ++i;
    }
    const double recall = static_cast<double>(tp) / static_cast<double>(positives);
    const double precision = static_cast<double>(tp) / static_cast<double>(seen);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
  }
  return ap;
}

double RocAuc(Span<const float> scores, Span<const uint8_t> labels) {
  const int64_t n = static_cast<int64_t>(scores.size());
  const int64_t positives = std::count_if(labels.begin(), labels.end(), [](uint8_t l) { return l != 0; });
  const int64_t negatives = n - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  // Mann-Whitney U with average ranks for ties (ascending ranks).
  std::vector<int64_t> order = OrderDescending(scores);
  std::reverse(order.begin(), order.end());
  double rank_sum = 0;
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1..j
    for (int64_t t = i; t < j; ++t) {
      if (labels[order[t]] != 0) rank_sum += average_rank;
    }
    i = j;
  }
  const double p = static_cast<double>(positives), q = static_cast<double>(negatives);
  return (rank_sum - p * (p + 1) / 2) / (p * q);
}

double RankAmong(float pos, const float* neg, int64_t count) {
  double rank = 1;
  for (int64_t j = 0; j < count; ++j) rank += neg[j] > pos ? 1.0 : (neg[j] == pos ? 0.5 : 0.0);
  return rank;
}

double MeanReciprocalRank(Span<const float> pos, Span<const float> neg, int64_t num_neg) {
  const int64_t n = static_cast<int64_t>(pos.size());
  if (n == 0 || num_neg <= 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += 1.0 / RankAmong(pos[i], neg.data() + i * num_neg, num_neg);
  return sum / static_cast<double>(n);
}

void LinkMetricAccumulator::AddBatch(const std::vector<float>& pos, const std::vector<float>& neg) {
  if (pos.empty()) return;
  events_ += static_cast<int64_t>(pos.size());
  std::vector<float> s(pos);
  s.insert(s.end(), neg.begin(), neg.end());
  std::vector<uint8_t> l(pos.size(), 1);
  l.resize(s.size(), 0);
  if (mode_ == trainers::ApMode::kBatchMean) {
    ap_sum_ += AveragePrecision(s, l);
    auc_sum_ += RocAuc(s, l);
    ++batches_;
  } else {
    scores_.insert(scores_.end(), s.begin(), s.end());
    labels_.insert(labels_.end(), l.begin(), l.end());
  }
}

void LinkMetricAccumulator::AddRanks(const std::vector<float>& pos, const std::vector<float>& neg,
                                     int64_t num_neg, const std::vector<int64_t>* counts, int64_t hits_k) {
  with_hits_ = with_hits_ || hits_k > 0;
  for (size_t i = 0; i < pos.size(); ++i) {
    const int64_t count = counts != nullptr ? (*counts)[i] : num_neg;
    const double rank = RankAmong(pos[i], neg.data() + static_cast<int64_t>(i) * num_neg, count);
    rr_sum_ += 1.0 / rank;
    if (hits_k > 0 && rank <= static_cast<double>(hits_k)) hits_sum_ += 1;
  }
}

LinkMetrics LinkMetricAccumulator::Result(bool with_mrr) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  LinkMetrics m;
  m.events = events_;
  if (mode_ == trainers::ApMode::kBatchMean) {
    m.ap = batches_ ? ap_sum_ / static_cast<double>(batches_) : kNaN;
    m.auc = batches_ ? auc_sum_ / static_cast<double>(batches_) : kNaN;
  } else {
    m.ap = AveragePrecision(scores_, labels_);
    m.auc = RocAuc(scores_, labels_);
  }
  m.mrr = with_mrr && events_ ? rr_sum_ / static_cast<double>(events_) : kNaN;
  m.hits = with_hits_ && events_ ? hits_sum_ / static_cast<double>(events_) : kNaN;
  return m;
}

}  // namespace streamgnn::trainers
