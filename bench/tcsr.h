// The baseline layout: one time-sorted CSR built from all edges at once (T-CSR, the layout TGL
// samples from). Rebuilt from scratch whenever edges arrive. Sampling uses the same per-root
// algorithms as the block store (binary search on time, newest-k or Floyd's uniform draw), so
// the comparison isolates the storage layout.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/span.h"
#include "core/types.h"
#include "graph/temporal_graph.h"

namespace streamgnn::bench {

class TCsr {
 public:
  // Builds from a chronological edge list (counting sort by node; per-node order is then time
  // order, ties by edge id). `undirected` stores each edge for both endpoints.
  static TCsr Build(Span<const NodeId> src, Span<const NodeId> dst, Span<const Timestamp> time,
                    bool undirected);

  int Recent(NodeId node, Timestamp t, int k, graph::Neighbor* out) const;
  int Uniform(NodeId node, Timestamp t, int k, core::RngStream& rng, graph::Neighbor* out) const;
  // Batched forms with the same contract as graph::Snapshot's, prefetching the next roots'
  // index entries and time arrays the same way.
  void RecentBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                   graph::Neighbor* out, int32_t* counts) const;
  void UniformBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                    uint64_t seed, uint64_t stream, uint64_t first_item, graph::Neighbor* out,
                    int32_t* counts) const;
  int64_t bytes() const;

 private:
  template <typename One>
  void Pipelined(const NodeId* nodes, int64_t count, One&& one) const;

  std::vector<int64_t> indptr_;
  std::vector<NodeId> indices_;
  std::vector<EdgeId> eid_;
  std::vector<Timestamp> ts_;
};

}  // namespace streamgnn::bench
