#include "trainers/temporal_split.h"

#include <algorithm>

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

TemporalSplit MakeTemporalSplit(const datasets::TemporalDataset& ds, const core::TrainConfig& tc) {
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

double MeanNodeGap(const datasets::TemporalDataset& ds, const std::vector<int64_t>& events) {
  std::vector<double> last(static_cast<size_t>(ds.num_nodes), -1);
  double sum = 0;
  int64_t count = 0;
  for (int64_t e : events) {
    for (NodeId v : {ds.src[e], ds.dst[e]}) {
      if (last[v] >= 0) {
        sum += ds.ts[e] - last[v];
        ++count;
      }
      last[v] = ds.ts[e];
    }
  }
  const double mean = count > 0 ? sum / static_cast<double>(count) : 0;
  return mean > 0 ? mean : 1.0;
}

}  // namespace streamgnn::trainers
