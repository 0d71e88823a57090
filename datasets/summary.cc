#include "datasets/summary.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace streamgnn::datasets {

namespace {

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

// Shortest exact form; "null" when not finite.
std::string Number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

}  // namespace

DatasetSummary Summarize(const TemporalDataset& ds) {
  DatasetSummary s;
  s.name = ds.name;
  s.num_events = ds.num_events();
  s.num_nodes = ds.num_nodes;
  s.num_users = ds.num_users;
  s.active_nodes = ds.CountActiveNodes();
  s.edge_feat_dim = ds.edge_feat_dim;
  s.node_feat_dim = ds.node_feat_dim;
  s.remapped_ids = !ds.original_node_ids.empty();
  const int64_t n = s.num_events;
  if (n > 0) {
    const auto [mn, mx] = std::minmax_element(ds.ts.begin(), ds.ts.end());
    s.time_min = *mn;
    s.time_max = *mx;
    s.time_span = *mx - *mn;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (ds.src[i] == ds.dst[i]) ++s.self_loops;
    if (i > 0 && ds.ts[i] < ds.ts[i - 1]) ++s.unsorted;
    if (i > 0 && ds.ts[i] == ds.ts[i - 1]) ++s.tied;
  }
  std::vector<Timestamp> times(ds.ts);
  std::sort(times.begin(), times.end());
  s.distinct_timestamps = std::unique(times.begin(), times.end()) - times.begin();
  std::vector<std::pair<NodeId, NodeId>> pairs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) pairs[i] = {ds.src[i], ds.dst[i]};
  std::sort(pairs.begin(), pairs.end());
  s.distinct_pairs = std::unique(pairs.begin(), pairs.end()) - pairs.begin();
  if (!ds.labels.empty()) {
    std::map<int32_t, int64_t> counts;
    for (int32_t l : ds.labels) ++counts[l];
    s.label_counts.assign(counts.begin(), counts.end());
  }
  if (!ds.split.empty()) {
    s.has_split = true;
    for (int8_t v : ds.split) {
      if (v >= 0 && v <= 2) ++s.split_counts[v];
    }
  }
  return s;
}

std::string FormatSummary(const DatasetSummary& s) {
  std::string out;
  auto line = [&](const char* key, const std::string& value) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%-16s", key);
    out += buf + value + "\n";
  };
  line("dataset", s.name.empty() ? "(unnamed)" : s.name);
  line("events", Thousands(s.num_events));
  std::string nodes = Thousands(s.active_nodes) + " active, id space " + Thousands(s.num_nodes);
  if (s.num_users > 0) {
    nodes += " (bipartite: " + Thousands(s.num_users) + " users, " +
             Thousands(s.num_nodes - s.num_users) + " items)";
  }
  if (s.remapped_ids) nodes += ", remapped from the file's ids";
  line("nodes", nodes);
  line("pairs",
       Thousands(s.distinct_pairs) + " distinct, " + Thousands(s.self_loops) + " self-loops");
  line("time", Number(s.time_min) + " .. " + Number(s.time_max) + " (span " + Number(s.time_span) +
                   "; " + Number(std::round(s.time_span / 8640.0) / 10.0) + " days if seconds)");
  line("timestamps", Thousands(s.distinct_timestamps) + " distinct, " + Thousands(s.tied) +
                         " ties, " + Thousands(s.unsorted) + " out of order");
  line("edge features", s.edge_feat_dim > 0 ? std::to_string(s.edge_feat_dim) : "none");
  line("node features", s.node_feat_dim > 0 ? std::to_string(s.node_feat_dim) : "none");
  std::string labels;
  for (const auto& [label, count] : s.label_counts) {
    labels += (labels.empty() ? "" : ", ") + std::to_string(label) + ": " + Thousands(count);
  }
  line("labels", labels.empty() ? "none" : labels);
  line("split", s.has_split
                    ? "train " + Thousands(s.split_counts[0]) + ", val " +
                          Thousands(s.split_counts[1]) + ", test " + Thousands(s.split_counts[2])
                    : "none");
  return out;
}

std::string SummaryJson(const DatasetSummary& s) {
  nlohmann::ordered_json labels = nlohmann::ordered_json::object();
  for (const auto& [label, count] : s.label_counts) labels[std::to_string(label)] = count;
  nlohmann::ordered_json split = nullptr;
  if (s.has_split) {
    split = {{"train", s.split_counts[0]}, {"val", s.split_counts[1]}, {"test", s.split_counts[2]}};
  }
  const nlohmann::ordered_json j = {
      {"name", s.name}, {"num_events", s.num_events}, {"num_nodes", s.num_nodes},
      {"active_nodes", s.active_nodes}, {"num_users", s.num_users},
      {"distinct_pairs", s.distinct_pairs}, {"self_loops", s.self_loops},
      {"time_min", s.time_min}, {"time_max", s.time_max}, {"time_span", s.time_span},
      {"distinct_timestamps", s.distinct_timestamps}, {"unsorted", s.unsorted}, {"tied", s.tied},
      {"edge_feat_dim", s.edge_feat_dim}, {"node_feat_dim", s.node_feat_dim},
      {"remapped_ids", s.remapped_ids}, {"label_counts", labels}, {"split_counts", split}};
  // Non-finite times become null (JSON has no NaN); invalid UTF-8 in a name is replaced.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace streamgnn::datasets
