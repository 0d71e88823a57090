#include "datasets/temporal_dataset.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace streamgnn::datasets {

int64_t TemporalDataset::CountActiveNodes() const {
  const int64_t n = num_events();
  if (n == 0) return 0;
  // A bitmap over the id space is the fast path; fall back to sort + unique when the id space is
  // much larger than the events (sparse ids) or an id is out of range (unvalidated data).
  bool dense = num_nodes > 0 && num_nodes <= 8 * n + (int64_t{1} << 20);
  if (dense) {
    for (int64_t i = 0; i < n && dense; ++i) {
      dense = src[i] >= 0 && src[i] < num_nodes && dst[i] >= 0 && dst[i] < num_nodes;
    }
  }
  if (dense) {
    std::vector<uint8_t> seen(static_cast<size_t>(num_nodes), 0);
    for (int64_t i = 0; i < n; ++i) seen[src[i]] = seen[dst[i]] = 1;
    int64_t count = 0;
    for (uint8_t s : seen) count += s;
    return count;
  }
  std::vector<NodeId> ids;
  ids.reserve(2 * src.size());
  ids.insert(ids.end(), src.begin(), src.end());
  ids.insert(ids.end(), dst.begin(), dst.end());
  std::sort(ids.begin(), ids.end());
  return std::unique(ids.begin(), ids.end()) - ids.begin();
}

Status Validate(const TemporalDataset& ds) {
  const int64_t n = ds.num_events();
  auto fail = [&](const std::string& what) {
    return Status::InvalidArgument("dataset '" + ds.name + "': " + what);
  };
  if (ds.num_nodes < 0) return fail("negative num_nodes");
  if (static_cast<int64_t>(ds.dst.size()) != n || static_cast<int64_t>(ds.ts.size()) != n) {
    return fail("src, dst and ts differ in length");
  }
  if (!ds.labels.empty() && static_cast<int64_t>(ds.labels.size()) != n) {
    return fail("labels has " + std::to_string(ds.labels.size()) + " entries, expected " +
                std::to_string(n));
  }
  if (!ds.split.empty() && static_cast<int64_t>(ds.split.size()) != n) {
    return fail("split has " + std::to_string(ds.split.size()) + " entries, expected " +
                std::to_string(n));
  }
  if (ds.edge_feat_dim < 0 || ds.node_feat_dim < 0) return fail("negative feature width");
  if (static_cast<int64_t>(ds.edge_feat.size()) != n * ds.edge_feat_dim) {
    return fail("edge_feat has " + std::to_string(ds.edge_feat.size()) + " floats, expected " +
                std::to_string(n) + " x " + std::to_string(ds.edge_feat_dim));
  }
  if (static_cast<int64_t>(ds.node_feat.size()) != ds.num_nodes * ds.node_feat_dim) {
    return fail("node_feat has " + std::to_string(ds.node_feat.size()) + " floats, expected " +
                std::to_string(ds.num_nodes) + " x " + std::to_string(ds.node_feat_dim));
  }
  if (!ds.original_node_ids.empty() &&
      static_cast<int64_t>(ds.original_node_ids.size()) != ds.num_nodes) {
    return fail("original_node_ids has " + std::to_string(ds.original_node_ids.size()) +
                " entries, expected num_nodes = " + std::to_string(ds.num_nodes));
  }
  if (ds.num_users < 0 || ds.num_users > ds.num_nodes) return fail("num_users out of range");
  for (int64_t i = 0; i < n; ++i) {
    if (ds.src[i] < 0 || ds.src[i] >= ds.num_nodes || ds.dst[i] < 0 || ds.dst[i] >= ds.num_nodes) {
      return fail("event " + std::to_string(i) + " has a node id outside [0, " +
                  std::to_string(ds.num_nodes) + ")");
    }
    if (!std::isfinite(ds.ts[i]))
      return fail("event " + std::to_string(i) + " has a non-finite time");
    if (i > 0 && ds.ts[i] < ds.ts[i - 1]) {
      return fail("event " + std::to_string(i) + " is older than event " + std::to_string(i - 1));
    }
    if (!ds.split.empty() && (ds.split[i] < 0 || ds.split[i] > 2)) {
      return fail("event " + std::to_string(i) + " has split value " + std::to_string(ds.split[i]) +
                  ", expected 0, 1 or 2");
    }
  }
  return Status::Ok();
}

namespace {

// numpy.quantile's default ("linear") on sorted data.
double SortedQuantile(const std::vector<Timestamp>& ts, double q) {
  const double pos = q * static_cast<double>(ts.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, ts.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return ts[lo] + (ts[hi] - ts[lo]) * frac;
}

}  // namespace

std::vector<int8_t> ChronologicalSplit(const std::vector<Timestamp>& ts, double val_fraction,
                                       double test_fraction) {
  SG_CHECK(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1,
           "split fractions must be >= 0 and sum to < 1");
  std::vector<int8_t> split(ts.size(), 0);
  if (ts.empty()) return split;
  const double tv = SortedQuantile(ts, 1.0 - val_fraction - test_fraction);
  const double tt = SortedQuantile(ts, 1.0 - test_fraction);
  for (size_t i = 0; i < ts.size(); ++i) split[i] = ts[i] <= tv ? 0 : (ts[i] <= tt ? 1 : 2);
  return split;
}

}  // namespace streamgnn::datasets
