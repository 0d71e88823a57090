#include "sampling/hetero_neighbor_sampler.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "sampling/fanout.h"

namespace streamgnn::sampling {
int64_t HeteroMessageFlowBlock::num_edges() const {
  int64_t e = 0;
  for (const RelationBlock& r : relations) e += r.num_edges();
  return e;
}

StatusOr<HeteroNeighborSampler> HeteroNeighborSampler::Create(const graph::HeteroGraph* graph,
                                                              NeighborSamplerOptions options) {
  if (graph == nullptr) return Status::InvalidArgument("HeteroNeighborSampler: graph is null");
  SG_RETURN_IF_ERROR(CheckFanouts("HeteroNeighborSampler", options.fanouts));
  if (options.grain < 1) options.grain = 1;
  return HeteroNeighborSampler(graph, std::move(options));
}

bool HeteroNeighborSampler::samples_all() const {
  return std::all_of(options_.fanouts.begin(), options_.fanouts.end(),
                     [](int64_t f) { return f == kAllNeighbors; });
}

StatusOr<HeteroMiniBatch> HeteroNeighborSampler::Sample(int seed_type, Span<const NodeId> seeds,
                                                        uint64_t batch_key) const {
  const graph::HeteroGraph& g = *graph_;
  const int types = g.num_node_types();
  if (seed_type < 0 || seed_type >= types) {
    return Status::InvalidArgument("HeteroNeighborSampler: seed type " + std::to_string(seed_type) +
                                   " is not one of the graph's " + std::to_string(types) + " types");
  }
  const int64_t count = g.node_type(seed_type).count;
  // Local ids of every type seen so far -> position among that type's src nodes; a block's src
  // nodes extend its dst nodes, so the numbering carries from one layer down to the next.
  std::vector<std::unordered_map<NodeId, int64_t>> local(types);
  local[seed_type].reserve(seeds.size() * 2);
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (seeds[i] < 0 || seeds[i] >= count) {
      return Status::InvalidArgument("HeteroNeighborSampler: seed " + std::to_string(seeds[i]) +
                                     " is outside type '" + g.node_type(seed_type).name +
                                     "' [0, " + std::to_string(count) + ")");
    }
    if (!local[seed_type].emplace(seeds[i], static_cast<int64_t>(i)).second) {
      return Status::InvalidArgument("HeteroNeighborSampler: seed " + std::to_string(seeds[i]) +
                                     " appears twice in the batch");
    }
  }
  HeteroMiniBatch batch;
  batch.seed_type = seed_type;
  batch.seeds.assign(seeds.begin(), seeds.end());
  const int64_t layers = static_cast<int64_t>(options_.fanouts.size());
  batch.blocks.resize(layers);
  std::vector<std::vector<NodeId>> dst(types);
  dst[seed_type] = batch.seeds;
  const int relations = g.num_relations();
  for (int64_t l = layers - 1; l >= 0; --l) {
    HeteroMessageFlowBlock& block = batch.blocks[l];
    block.relations.resize(relations);
    std::vector<std::vector<NodeId>> picked(relations);
    tbb::parallel_for(0, relations, [&](int r) {
      const graph::Relation& rel = g.relation(r);
      HeteroMessageFlowBlock::RelationBlock& rb = block.relations[r];
      DrawNeighbors(rel.csr, dst[rel.dst_type], options_.fanouts[l], options_.seed,
                    core::StreamKey(batch_key, static_cast<uint64_t>(l), static_cast<uint64_t>(r)),
                    options_.grain, &rb.offsets, &rb.full_in_degree, &picked[r]);
    });
    // Relabel: dst nodes keep their positions; new sources by first appearance.
    block.src_nodes = dst;
    for (int t = 0; t < types; ++t) block.num_dst.push_back(static_cast<int64_t>(dst[t].size()));
    for (int r = 0; r < relations; ++r) {
      const int s = g.relation(r).src_type;
      std::vector<int64_t>& indices = block.relations[r].indices;
      indices.resize(picked[r].size());
      for (size_t e = 0; e < picked[r].size(); ++e) {
        const NodeId u = picked[r][e];
        auto [it, inserted] = local[s].emplace(u, static_cast<int64_t>(block.src_nodes[s].size()));
        if (inserted) block.src_nodes[s].push_back(u);
        indices[e] = it->second;
      }
    }
    dst = block.src_nodes;
  }
  return batch;
}

HeteroMiniBatch HeteroNeighborSampler::FullGraph() const {
  const graph::HeteroGraph& g = *graph_;
  HeteroMiniBatch batch;
  batch.seed_type = -1;
  HeteroMessageFlowBlock block;
  for (int t = 0; t < g.num_node_types(); ++t) {
    const int64_t n = g.node_type(t).count;
    block.src_nodes.emplace_back(static_cast<size_t>(n));
    std::iota(block.src_nodes.back().begin(), block.src_nodes.back().end(), NodeId{0});
    block.num_dst.push_back(n);
  }
  for (int r = 0; r < g.num_relations(); ++r) {
    const graph::Relation& rel = g.relation(r);
    const int64_t n = block.num_dst[rel.dst_type];
    // A relation's CSR has max(src, dst) rows; the rows past the dst type's count are empty.
    HeteroMessageFlowBlock::RelationBlock rb;
    const auto& offsets = rel.csr.offsets();
    rb.offsets.assign(offsets.begin(), offsets.begin() + n + 1);
    rb.indices.assign(rel.csr.indices().begin(), rel.csr.indices().begin() + rb.offsets.back());
    rb.full_in_degree.resize(n);
    for (int64_t v = 0; v < n; ++v) rb.full_in_degree[v] = offsets[v + 1] - offsets[v];
    block.relations.push_back(std::move(rb));
  }
  batch.blocks.assign(options_.fanouts.size(), block);
  return batch;
}

}  // namespace streamgnn::sampling
