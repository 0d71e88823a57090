// Typed fan-out sampling on a HeteroGraph (issue 19): the message-flow blocks of
// neighbor_sampler.h with node types and relations, as DGL's sample_neighbors with one fan-out
// per relation and PyG's NeighborLoader on a HeteroData.
//
// A mini-batch for an L-layer model is L blocks. In block l each node type t has its own src
// nodes (local ids of t) whose first num_dst[t] are its dst nodes, in the same order; block l's
// dst nodes of every type are block l+1's src nodes of that type. Every relation r
// (src_type -> dst_type) keeps, for each dst node of dst_type, the positions of its sampled
// in-neighbours among block l's src nodes of src_type. Seeds are nodes of one type (the type
// whose labels are trained); a node of another type enters when a relation reaches it.
//
// fanouts[l] applies to each relation separately: every dst node draws up to fanouts[l]
// in-neighbours from each relation that ends at its type, uniformly without replacement; -1
// takes them all. FullGraph() is every node of every type a dst node and every relation whole.
//
// Determinism: a draw comes from Philox keyed by (seed, batch_key, layer, relation, node), and
// new src nodes are numbered by first appearance (relation order, then dst order, then CSR
// order), whatever the thread count. Thread-safety: immutable; Sample() may run concurrently.
// LibTorch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/hetero_graph.h"
#include "sampling/neighbor_sampler.h"

namespace streamgnn::sampling {

struct HeteroMessageFlowBlock {
  // The sampled edges of one relation.
  struct RelationBlock {
    // dst i (of the relation's dst type) reads positions indices[offsets[i], offsets[i+1]) of
    // src_nodes[src type].
    std::vector<int64_t> offsets;
    std::vector<int64_t> indices;
    // Each dst node's in-degree in this relation over the whole graph (for unbiased rescaling).
    std::vector<int64_t> full_in_degree;

    int64_t num_edges() const { return static_cast<int64_t>(indices.size()); }
  };

  std::vector<std::vector<NodeId>> src_nodes;  // per type, local ids; dst nodes first
  std::vector<int64_t> num_dst;                // per type
  std::vector<RelationBlock> relations;        // per relation of the graph, in its order

  int num_types() const { return static_cast<int>(num_dst.size()); }
  int64_t num_src(int t) const { return static_cast<int64_t>(src_nodes[t].size()); }
  int64_t num_edges() const;
};

struct HeteroMiniBatch {
  int seed_type = 0;  // -1 for FullGraph() (every type)
  std::vector<NodeId> seeds;
  std::vector<HeteroMessageFlowBlock> blocks;
};

class HeteroNeighborSampler {
 public:
  // InvalidArgument unless there is at least one layer and every fanout is >= 1 or -1.
  // `graph` must outlive the sampler.
  static StatusOr<HeteroNeighborSampler> Create(const graph::HeteroGraph* graph,
                                                NeighborSamplerOptions options);

  // The blocks for `seeds`: distinct local ids of node type `seed_type` (InvalidArgument
  // otherwise). `batch_key` distinguishes batches (e.g. StreamKey(epoch, batch)).
  StatusOr<HeteroMiniBatch> Sample(int seed_type, Span<const NodeId> seeds,
                                   uint64_t batch_key) const;

  // Every node of every type a dst node, every relation whole, in every block.
  HeteroMiniBatch FullGraph() const;

  const NeighborSamplerOptions& options() const { return options_; }
  bool samples_all() const;

 private:
  HeteroNeighborSampler(const graph::HeteroGraph* graph, NeighborSamplerOptions options)
      : graph_(graph), options_(std::move(options)) {}

  const graph::HeteroGraph* graph_;
  NeighborSamplerOptions options_;
};

}  // namespace streamgnn::sampling
