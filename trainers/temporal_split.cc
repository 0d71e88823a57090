#include "trainers/temporal_split.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace streamgnn::trainers {

namespace {

// Seed of the inductive draw (independent of train.seed, as TGN's random.seed(2020)).
constexpr uint64_t kInductiveSeed = 2020;

std::vector<NodeId> UniqueSorted(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

TemporalSplit MakeTemporalSplit(const datasets::TemporalDataset& ds, const trainers::TrainConfig& tc) {
  TemporalSplit s;
  const int64_t n = ds.num_events();
  const std::vector<int8_t> split =
      ds.split.empty() ? datasets::ChronologicalSplit(ds.ts, tc.val_fraction, tc.test_fraction)
                       : ds.split;
  // TGN's inductive masking: int(fraction * #nodes) nodes drawn among those active after the
  // training period lose all their training events.
  std::vector<NodeId> all_nodes, later_nodes;
  for (int64_t i = 0; i < n; ++i) {
    all_nodes.push_back(ds.src[i]);
    all_nodes.push_back(ds.dst[i]);
    if (split[i] != 0) {
      later_nodes.push_back(ds.src[i]);
      later_nodes.push_back(ds.dst[i]);
    }
  }
  all_nodes = UniqueSorted(std::move(all_nodes));
  later_nodes = UniqueSorted(std::move(later_nodes));
  const int64_t k = std::min<int64_t>(
      static_cast<int64_t>(tc.inductive_fraction * static_cast<double>(all_nodes.size())),
      static_cast<int64_t>(later_nodes.size()));
  std::vector<uint8_t> masked(static_cast<size_t>(ds.num_nodes), 0);
  core::RngStream rng(kInductiveSeed, 0, 0);
  for (int64_t i = 0; i < k; ++i) {  // partial Fisher-Yates
    const int64_t j = i + static_cast<int64_t>(rng.Below(later_nodes.size() - i));
    std::swap(later_nodes[i], later_nodes[j]);
    masked[later_nodes[i]] = 1;
  }
  s.masked_nodes = k;
  std::vector<uint8_t> seen(static_cast<size_t>(ds.num_nodes), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (split[i] == 0) {
      s.train_all.push_back(i);
      if (!masked[ds.src[i]] && !masked[ds.dst[i]]) {
        s.train.push_back(i);
        seen[ds.src[i]] = seen[ds.dst[i]] = 1;
        s.train_destinations.push_back(ds.dst[i]);
      }
    } else {
      (split[i] == 1 ? s.val : s.test).push_back(i);
    }
    s.all_destinations.push_back(ds.dst[i]);
  }
  s.inductive.assign(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (split[i] != 0) s.inductive[i] = !seen[ds.src[i]] || !seen[ds.dst[i]];
  }
  s.train_destinations = UniqueSorted(std::move(s.train_destinations));
  s.all_destinations = UniqueSorted(std::move(s.all_destinations));
  return s;
}

TimeShiftStats ComputeTimeShiftStats(const datasets::TemporalDataset& ds,
                                     const std::vector<int64_t>& events) {
  std::vector<double> last_as_src(static_cast<size_t>(ds.num_nodes), 0);
  std::vector<double> last_as_dst(static_cast<size_t>(ds.num_nodes), 0);
  double src_sum = 0, src_sq = 0, dst_sum = 0, dst_sq = 0;
  for (int64_t e : events) {
    const double src_shift = ds.ts[e] - last_as_src[ds.src[e]];
    const double dst_shift = ds.ts[e] - last_as_dst[ds.dst[e]];
    src_sum += src_shift;
    src_sq += src_shift * src_shift;
    dst_sum += dst_shift;
    dst_sq += dst_shift * dst_shift;
    last_as_src[ds.src[e]] = ds.ts[e];
    last_as_dst[ds.dst[e]] = ds.ts[e];
  }
  TimeShiftStats stats;
  if (events.empty()) return stats;
  const double n = static_cast<double>(events.size());
  const auto std_of = [n](double sum, double sq) {
    const double var = std::max(0.0, sq / n - (sum / n) * (sum / n));
    return var > 0 ? std::sqrt(var) : 1.0;
  };
  stats.src_mean = src_sum / n;
  stats.dst_mean = dst_sum / n;
  stats.src_std = std_of(src_sum, src_sq);
  stats.dst_std = std_of(dst_sum, dst_sq);
  return stats;
}

}  // namespace streamgnn::trainers
