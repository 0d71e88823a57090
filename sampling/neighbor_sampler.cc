#include "sampling/neighbor_sampler.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "core/rng.h"
#include "sampling/fanout.h"

namespace streamgnn::sampling {

StatusOr<NeighborSampler> NeighborSampler::Create(const graph::CsrGraph* graph,
                                                  NeighborSamplerOptions options) {
  if (graph == nullptr) return Status::InvalidArgument("NeighborSampler: graph is null");
  SG_RETURN_IF_ERROR(CheckFanouts("NeighborSampler", options.fanouts));
  if (options.grain < 1) options.grain = 1;
  return NeighborSampler(graph, std::move(options));
}

bool NeighborSampler::samples_all() const {
  return std::all_of(options_.fanouts.begin(), options_.fanouts.end(),
                     [](int64_t f) { return f == kAllNeighbors; });
}

StatusOr<MiniBatch> NeighborSampler::Sample(Span<const NodeId> seeds, uint64_t batch_key) const {
  const int64_t n = graph_->num_nodes();
  const int64_t layers = static_cast<int64_t>(options_.fanouts.size());
  MiniBatch batch;
  batch.seeds.assign(seeds.begin(), seeds.end());
  batch.blocks.resize(layers);
  std::unordered_map<NodeId, int64_t> local;
  local.reserve(seeds.size() * 2);
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (seeds[i] < 0 || seeds[i] >= n) {
      return Status::InvalidArgument("NeighborSampler: seed " + std::to_string(seeds[i]) +
                                     " is outside [0, " + std::to_string(n) + ")");
    }
    if (!local.emplace(seeds[i], static_cast<int64_t>(i)).second) {
      return Status::InvalidArgument("NeighborSampler: seed " + std::to_string(seeds[i]) +
                                     " appears twice in the batch");
    }
  }
  std::vector<NodeId> dst(seeds.begin(), seeds.end());
  for (int64_t l = layers - 1; l >= 0; --l) {
    MessageFlowBlock& block = batch.blocks[l];
    block.num_dst = static_cast<int64_t>(dst.size());
    std::vector<NodeId> picked;
    DrawNeighbors(*graph_, dst, options_.fanouts[l], options_.seed,
                  core::StreamKey(batch_key, static_cast<uint64_t>(l)), options_.grain,
                  &block.offsets, &block.full_in_degree, &picked);
    // Relabel: dst nodes keep 0..num_dst-1; new sources are numbered by first appearance.
    block.src_nodes = dst;
    block.indices.resize(picked.size());
    for (size_t e = 0; e < picked.size(); ++e) {
      auto [it, inserted] = local.emplace(picked[e], static_cast<int64_t>(block.src_nodes.size()));
      if (inserted) block.src_nodes.push_back(picked[e]);
      block.indices[e] = it->second;
    }
    dst = block.src_nodes;
  }
  return batch;
}

MiniBatch NeighborSampler::FullGraph() const {
  const int64_t n = graph_->num_nodes();
  MiniBatch batch;
  batch.seeds.resize(n);
  std::iota(batch.seeds.begin(), batch.seeds.end(), NodeId{0});
  MessageFlowBlock block;
  block.src_nodes = batch.seeds;
  block.num_dst = n;
  block.offsets = graph_->offsets();
  block.indices.assign(graph_->indices().begin(), graph_->indices().end());
  block.full_in_degree.resize(n);
  for (int64_t v = 0; v < n; ++v) block.full_in_degree[v] = graph_->InDegree(v);
  batch.blocks.assign(options_.fanouts.size(), block);
  return batch;
}

}  // namespace streamgnn::sampling
