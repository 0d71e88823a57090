// Descriptive statistics of a TemporalDataset, for `streamgnn dataset info` and for checking a
// load against published counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets {

struct DatasetSummary {
  std::string name;
  int64_t num_events = 0;
  int64_t num_nodes = 0;       // id space
  int64_t active_nodes = 0;    // distinct ids in src/dst
  int64_t num_users = 0;       // > 0 for bipartite data
  int64_t distinct_pairs = 0;  // distinct directed (src, dst)
  int64_t self_loops = 0;
  Timestamp time_min = 0, time_max = 0, time_span = 0;  // 0 when there are no events
  int64_t distinct_timestamps = 0;
  int64_t unsorted = 0;  // events older than their predecessor (0 for every loader's output)
  int64_t tied = 0;      // events with the same time as their predecessor
  int64_t edge_feat_dim = 0;
  int64_t node_feat_dim = 0;
  bool remapped_ids = false;                              // original_node_ids is present
  std::vector<std::pair<int32_t, int64_t>> label_counts;  // (label, count), by label; empty if none
  bool has_split = false;
  std::array<int64_t, 3> split_counts = {0, 0, 0};  // train, val, test
};

// O(E log E) (distinct pairs and timestamps sort copies). Works on any dataset, valid or not,
// as long as src, dst and ts have the same length.
DatasetSummary Summarize(const TemporalDataset& ds);

// Human-readable, one "key  value" line per item.
std::string FormatSummary(const DatasetSummary& s);

// One JSON object with the fields of DatasetSummary (label_counts as {"label": count}).
std::string SummaryJson(const DatasetSummary& s);

}  // namespace streamgnn::datasets
