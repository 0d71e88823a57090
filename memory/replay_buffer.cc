#include "memory/replay_buffer.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "core/rng.h"

namespace streamgnn::memory {
namespace {

constexpr uint64_t kReplayStream = 0x7e91a7;

double SquaredDistance(const float* a, const float* b, int64_t dim) {
  double s = 0;
  for (int64_t k = 0; k < dim; ++k) {
    const double d = static_cast<double>(a[k]) - static_cast<double>(b[k]);
    s += d * d;
  }
  return s;
}

// The `budget` positions (of `members`) with the smallest score; ties by the lower node id.
std::vector<size_t> Smallest(const std::vector<size_t>& members, const std::vector<double>& score,
                             Span<const NodeId> ids, int64_t budget) {
  std::vector<size_t> order = members;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return score[a] != score[b] ? score[a] < score[b] : ids[a] < ids[b];
  });
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(budget)));
  return order;
}

std::vector<size_t> Random(const std::vector<size_t>& members, Span<const NodeId> ids, int64_t cls,
                           const ReplaySelectOptions& o) {
  std::vector<double> key(ids.size());
  for (const size_t i : members) {
    core::RngStream rng(o.seed, core::StreamKey(kReplayStream, static_cast<uint64_t>(cls)),
                        static_cast<uint64_t>(ids[i]));
    key[i] = rng.Uniform();
  }
  return Smallest(members, key, ids, o.per_class_budget);
}

std::vector<size_t> Reservoir(const std::vector<size_t>& members, int64_t cls,
                              const ReplaySelectOptions& o) {
  const size_t budget = static_cast<size_t>(o.per_class_budget);
  std::vector<size_t> kept;
  core::RngStream rng(o.seed, core::StreamKey(kReplayStream + 1, static_cast<uint64_t>(cls)), 0);
  for (size_t k = 0; k < members.size(); ++k) {
    if (kept.size() < budget) {
      kept.push_back(members[k]);
      continue;
    }
    const uint64_t slot = rng.Below(static_cast<uint64_t>(k + 1));
    if (slot < budget) kept[slot] = members[k];
  }
  return kept;
}

// Coverage of every candidate: other-class candidates within the distance.
std::vector<double> Coverage(Span<const int64_t> classes, Span<const float> rows, int64_t dim,
                             double distance) {
  const size_t n = classes.size();
  const double d2 = distance * distance;
  std::vector<double> count(n, 0);
  tbb::parallel_for(size_t{0}, n, [&](size_t i) {
    for (size_t j = 0; j < n; ++j) {
      if (classes[j] != classes[i] &&
          SquaredDistance(rows.data() + i * dim, rows.data() + j * dim, dim) < d2) {
        ++count[i];
      }
    }
  });
  return count;
}

// The coverage radius the options ask for on these rows.
double CoverageRadius(Span<const float> rows, int64_t dim, const ReplaySelectOptions& o) {
  if (o.coverage_scale == CoverageScale::kAbsolute) return o.coverage_distance;
  return o.coverage_distance * MedianPairDistance(rows, dim, o.seed);
}

// Squared distance of every member to its class's mean row.
void DistanceToMean(const std::vector<size_t>& members, Span<const float> rows, int64_t dim,
                    std::vector<double>* out) {
  std::vector<double> mean(static_cast<size_t>(dim), 0);
  for (const size_t i : members) {
    for (int64_t k = 0; k < dim; ++k) mean[k] += rows[i * dim + k];
  }
  for (double& m : mean) m /= static_cast<double>(members.size());
  for (const size_t i : members) {
    double s = 0;
    for (int64_t k = 0; k < dim; ++k) s += (rows[i * dim + k] - mean[k]) * (rows[i * dim + k] - mean[k]);
    (*out)[i] = s;
  }
}

}  // namespace

double MedianPairDistance(Span<const float> rows, int64_t dim, uint64_t seed) {
  const int64_t n = dim > 0 ? static_cast<int64_t>(rows.size()) / dim : 0;
  if (n < 2) return 0;
  std::vector<double> d2;
  if (n * (n - 1) / 2 <= kMedianPairs) {
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = i + 1; j < n; ++j) d2.push_back(SquaredDistance(&rows[i * dim], &rows[j * dim], dim));
    }
  } else {
    core::RngStream rng(seed, core::StreamKey(kReplayStream + 2, 0), 0);
    d2.resize(kMedianPairs);
    for (double& d : d2) {
      const auto i = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(n)));
      // j uniform among the other n - 1 rows.
      auto j = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(n - 1)));
      if (j >= i) ++j;
      d = SquaredDistance(&rows[i * dim], &rows[j * dim], dim);
    }
  }
  const auto mid = d2.begin() + static_cast<std::ptrdiff_t>(d2.size() / 2);
  std::nth_element(d2.begin(), mid, d2.end());
  return std::sqrt(*mid);
}

StatusOr<std::vector<NodeId>> SelectReplay(Span<const NodeId> candidates,
                                           Span<const int64_t> classes, Span<const float> rows,
                                           int64_t dim, const ReplaySelectOptions& o) {
  const size_t n = candidates.size();
  if (classes.size() != n) {
    return Status::InvalidArgument("SelectReplay: " + std::to_string(n) + " candidates but " +
                                   std::to_string(classes.size()) + " classes");
  }
  if (o.per_class_budget < 0) return Status::InvalidArgument("SelectReplay: negative budget");
  const bool needs_rows = o.selection == ReplaySelection::kCoverage || o.selection == ReplaySelection::kMean;
  if (needs_rows && (dim < 1 || rows.size() != n * static_cast<size_t>(dim))) {
    return Status::InvalidArgument("SelectReplay: coverage and mean need one row of width dim (" +
                                   std::to_string(dim) + ") per candidate; got " +
                                   std::to_string(rows.size()) + " values for " +
                                   std::to_string(n) + " candidates");
  }
  std::map<int64_t, std::vector<size_t>> members;  // class -> positions, in the given order
  for (size_t i = 0; i < n; ++i) {
    if (classes[i] < 0) {
      return Status::InvalidArgument("SelectReplay: candidate " + std::to_string(candidates[i]) +
                                     " has no class (" + std::to_string(classes[i]) + ")");
    }
    members[classes[i]].push_back(i);
  }
  std::vector<double> score(n, 0);
  if (o.selection == ReplaySelection::kCoverage) score = Coverage(classes, rows, dim, CoverageRadius(rows, dim, o));
  std::vector<NodeId> kept;
  for (const auto& [cls, m] : members) {
    std::vector<size_t> pick;
    switch (o.selection) {
      case ReplaySelection::kRandom:
        pick = Random(m, candidates, cls, o);
        break;
      case ReplaySelection::kReservoir:
        pick = Reservoir(m, cls, o);
        break;
      case ReplaySelection::kCoverage:
        pick = Smallest(m, score, candidates, o.per_class_budget);
        break;
      case ReplaySelection::kMean:
        DistanceToMean(m, rows, dim, &score);
        pick = Smallest(m, score, candidates, o.per_class_budget);
        break;
    }
    for (const size_t i : pick) kept.push_back(candidates[i]);
  }
  return kept;
}

void ReplayBuffer::Add(int task, Span<const NodeId> nodes) {
  nodes_.insert(nodes_.end(), nodes.begin(), nodes.end());
  tasks_.insert(tasks_.end(), nodes.size(), task);
}

}  // namespace streamgnn::memory
