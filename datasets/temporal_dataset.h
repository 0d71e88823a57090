// An in-memory temporal graph: a chronological stream of events (src, dst, time) with optional
// per-event labels, edge features, train/val/test split, and per-node features. Every loader,
// generator and the binary cache produce this one type; graph/ builds its stores from it.
//
// Invariants (checked by Validate(), guaranteed by every loader and generator):
//   - src, dst, ts have num_events() entries; ids lie in [0, num_nodes).
//   - ts is finite and non-decreasing; event i has edge id i.
//   - labels and split are empty or have one entry per event; split values are 0, 1 or 2.
//   - edge_feat has num_events() * edge_feat_dim floats, node_feat num_nodes * node_feat_dim.
//   - original_node_ids is empty or has num_nodes entries.
//   - 0 <= num_users <= num_nodes.
// Not thread-safe for writing; concurrent const access is fine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace streamgnn::datasets {

struct TemporalDataset {
  std::string name;       // e.g. "wikipedia"
  int64_t num_nodes = 0;  // id space [0, num_nodes); ids are contiguous after loading
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> ts;    // non-decreasing; event i has edge id i
  std::vector<int32_t> labels;  // per event (JODIE state label), empty if none
  int64_t edge_feat_dim = 0;
  std::vector<float> edge_feat;  // row-major, row i = event i
  int64_t node_feat_dim = 0;
  std::vector<float> node_feat;  // row-major, row v = node v
  // Per event 0/1/2 = train/val/test when the file carries it (TGL ext_roll), else empty.
  std::vector<int8_t> split;
  // Original id of node v when the loader remapped ids (SNAP, CSV with remap), else empty.
  std::vector<int64_t> original_node_ids;
  // > 0 for bipartite (JODIE / ml) data: users are [0, num_users), items [num_users, num_nodes).
  int64_t num_users = 0;

  int64_t num_events() const { return static_cast<int64_t>(src.size()); }
  // Number of distinct ids appearing in src or dst (the id space may have holes, e.g. the
  // padding id 0 of DyGLib files). O(num_events + num_nodes).
  int64_t CountActiveNodes() const;
};

// Checks every invariant listed at the top of this file. Returns InvalidArgument naming the
// first violation (event index, field). O(num_events + sizes of the arrays).
Status Validate(const TemporalDataset& ds);

// Chronological split by time quantiles, as DyGLib does: with tv = quantile(ts, 1 - val - test)
// and tt = quantile(ts, 1 - test) (linear interpolation, numpy's default), events with
// ts <= tv are train (0), tv < ts <= tt val (1), the rest test (2). Requires ts sorted and
// 0 <= val, test, val + test < 1. Returns one value per event.
std::vector<int8_t> ChronologicalSplit(const std::vector<Timestamp>& ts, double val_fraction,
                                       double test_fraction);

}  // namespace streamgnn::datasets
