// Fan-out neighbour sampling on a static CsrGraph (GraphSAGE style), producing message-flow
// blocks, and the full-graph special case (DESIGN.md, Samplers; issue 7).
//
// A mini-batch for an L-layer model is L blocks. Block l maps the node representations of its
// src nodes (layer l's input) to those of its dst nodes (layer l's output): blocks[0] reads the
// input features of MiniBatch::input_nodes(), blocks[L-1] produces the seeds. In every block the
// dst nodes are the first num_dst src nodes, in the same order (so a layer can read a dst
// node's own representation as src row i), and block l's dst nodes are block l+1's src nodes.
//
// fanouts[l] is the number of in-neighbours each dst node of block l draws, uniformly without
// replacement; -1 (or a fanout >= the degree) takes every in-neighbour. Full-graph training is
// the same code with every fanout -1 and every node a seed; FullGraph() builds that batch
// directly (each block is the whole graph).
//
// Determinism: a dst node's draw comes from Philox keyed by (seed, batch_key, layer, node id),
// and new src nodes are numbered in order of first appearance (dst order, then ascending
// position in the CSR row), so the output is the same whatever the thread count.
// Thread-safety: a NeighborSampler is immutable; Sample() may run concurrently.
// LibTorch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"

namespace streamgnn::sampling {

inline constexpr int64_t kAllNeighbors = -1;

struct NeighborSamplerOptions {
  // One entry per layer, blocks[0] (the input layer) first. Each >= 1, or -1 for all.
  std::vector<int64_t> fanouts = {25, 10};
  uint64_t seed = 0;
  // dst nodes per parallel task.
  int64_t grain = 512;
};

struct MessageFlowBlock {
  std::vector<NodeId> src_nodes;  // global ids; src_nodes[0, num_dst) are the dst nodes
  int64_t num_dst = 0;
  // dst i's sampled in-neighbours are indices[offsets[i], offsets[i+1]): local src ids.
  std::vector<int64_t> offsets;
  std::vector<int64_t> indices;
  // Each dst node's in-degree in the full graph (the sampled count is offsets[i+1]-offsets[i]);
  // models rescale by it so that sampled aggregation estimates the full one without bias.
  std::vector<int64_t> full_in_degree;

  int64_t num_src() const { return static_cast<int64_t>(src_nodes.size()); }
  int64_t num_edges() const { return static_cast<int64_t>(indices.size()); }
};

struct MiniBatch {
  std::vector<NodeId> seeds;
  std::vector<MessageFlowBlock> blocks;

  const std::vector<NodeId>& input_nodes() const { return blocks.front().src_nodes; }
  int64_t num_layers() const { return static_cast<int64_t>(blocks.size()); }
};

class NeighborSampler {
 public:
  // InvalidArgument unless there is at least one layer and every fanout is >= 1 or -1.
  // `graph` must outlive the sampler.
  static StatusOr<NeighborSampler> Create(const graph::CsrGraph* graph,
                                          NeighborSamplerOptions options);

  // Samples the blocks for `seeds` (distinct ids in [0, num_nodes); InvalidArgument otherwise).
  // `batch_key` distinguishes batches (e.g. StreamKey(epoch, batch)).
  StatusOr<MiniBatch> Sample(Span<const NodeId> seeds, uint64_t batch_key) const;

  // Every node a seed, every block the whole graph (no sampling, no relabelling).
  MiniBatch FullGraph() const;

  const NeighborSamplerOptions& options() const { return options_; }
  bool samples_all() const;  // every fanout is -1

 private:
  NeighborSampler(const graph::CsrGraph* graph, NeighborSamplerOptions options)
      : graph_(graph), options_(std::move(options)) {}

  const graph::CsrGraph* graph_;
  NeighborSamplerOptions options_;
};

}  // namespace streamgnn::sampling
