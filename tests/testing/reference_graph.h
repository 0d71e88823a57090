// A brute-force temporal graph (a plain edge vector) that the block store and the samplers are
// checked against.
#pragma once

#include <algorithm>
#include <tuple>
#include <vector>

#include "core/types.h"
#include "graph/temporal_graph.h"

namespace streamgnn::testing {

struct RefEdge {
  NodeId src, dst;
  EdgeId id;
  Timestamp time;
};

class ReferenceGraph {
 public:
  explicit ReferenceGraph(bool undirected) : undirected_(undirected) {}

  void Add(NodeId u, NodeId v, Timestamp t) { edges_.push_back({u, v, static_cast<EdgeId>(edges_.size()), t}); }
  int64_t size() const { return static_cast<int64_t>(edges_.size()); }
  const std::vector<RefEdge>& edges() const { return edges_; }

  // Visible edges of `node` before t in ascending (time, id) order.
  std::vector<graph::Neighbor> Edges(NodeId node, Timestamp t, EdgeId watermark,
                                     Timestamp evict_before) const {
    std::vector<graph::Neighbor> out;
    for (const RefEdge& e : edges_) {
      if (e.id >= watermark || e.time >= t || e.time < evict_before) continue;
      if (e.src == node) {
        out.push_back({e.dst, e.id, e.time});
      } else if (undirected_ && e.dst == node) {
        out.push_back({e.src, e.id, e.time});
      }
    }
    std::sort(out.begin(), out.end(), [](const graph::Neighbor& a, const graph::Neighbor& b) {
      return std::tie(a.time, a.edge) < std::tie(b.time, b.edge);
    });
    return out;
  }

  // The k newest, newest first.
  std::vector<graph::Neighbor> Recent(NodeId node, Timestamp t, int k, EdgeId watermark,
                                      Timestamp evict_before) const {
    std::vector<graph::Neighbor> all = Edges(node, t, watermark, evict_before);
    std::vector<graph::Neighbor> out;
    for (auto it = all.rbegin(); it != all.rend() && static_cast<int>(out.size()) < k; ++it) {
      out.push_back(*it);
    }
    return out;
  }

 private:
  bool undirected_;
  std::vector<RefEdge> edges_;
};

inline bool SameNeighbors(const std::vector<graph::Neighbor>& a,
                          const std::vector<graph::Neighbor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].node != b[i].node || a[i].edge != b[i].edge || a[i].time != b[i].time) return false;
  }
  return true;
}

}  // namespace streamgnn::testing
