#include "sampling/neighbor_sampler.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/rng.h"

namespace streamgnn::sampling {
namespace {

// k distinct positions of [0, d), ascending (Floyd's algorithm: k draws, O(k) expected).
void DrawDistinct(core::RngStream& rng, int64_t d, int64_t k, int64_t* out) {
  if (k <= 64) {
    int64_t n = 0;
    for (int64_t j = d - k; j < d; ++j) {
      const int64_t t = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
      const bool fresh = std::find(out, out + n, t) == out + n;
      out[n++] = fresh ? t : j;
    }
  } else {
    std::unordered_set<int64_t> chosen;
    chosen.reserve(static_cast<size_t>(k) * 2);
    for (int64_t j = d - k; j < d; ++j) {
      const int64_t t = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
      chosen.insert(chosen.count(t) ? j : t);
    }
    std::copy(chosen.begin(), chosen.end(), out);
  }
  std::sort(out, out + k);
}

}  // namespace

StatusOr<NeighborSampler> NeighborSampler::Create(const graph::CsrGraph* graph,
                                                  NeighborSamplerOptions options) {
  if (graph == nullptr) return Status::InvalidArgument("NeighborSampler: graph is null");
  if (options.fanouts.empty()) {
    return Status::InvalidArgument("NeighborSampler: fanouts must have one entry per layer");
  }
  for (size_t l = 0; l < options.fanouts.size(); ++l) {
    if (options.fanouts[l] < 1 && options.fanouts[l] != kAllNeighbors) {
      return Status::InvalidArgument("NeighborSampler: fanouts[" + std::to_string(l) + "] = " +
                                     std::to_string(options.fanouts[l]) +
                                     ", expected >= 1 or -1 (all)");
    }
  }
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
  const auto& offsets = graph_->offsets();
  const auto& indices = graph_->indices();
  for (int64_t l = layers - 1; l >= 0; --l) {
    MessageFlowBlock& block = batch.blocks[l];
    const int64_t fanout = options_.fanouts[l];
    const int64_t num_dst = static_cast<int64_t>(dst.size());
    block.num_dst = num_dst;
    block.full_in_degree.resize(num_dst);
    block.offsets.assign(num_dst + 1, 0);
    for (int64_t i = 0; i < num_dst; ++i) {
      const int64_t deg = offsets[dst[i] + 1] - offsets[dst[i]];
      block.full_in_degree[i] = deg;
      block.offsets[i + 1] =
          block.offsets[i] + (fanout == kAllNeighbors ? deg : std::min(fanout, deg));
    }
    // Global ids of the picked neighbours, in parallel (each dst writes its own range).
    std::vector<NodeId> picked(block.offsets.back());
    const uint64_t stream = core::StreamKey(batch_key, static_cast<uint64_t>(l));
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, num_dst, options_.grain), [&](const auto& r) {
          std::vector<int64_t> pos;
          for (int64_t i = r.begin(); i != r.end(); ++i) {
            const int64_t row = offsets[dst[i]];
            const int64_t deg = block.full_in_degree[i];
            const int64_t k = block.offsets[i + 1] - block.offsets[i];
            NodeId* out = picked.data() + block.offsets[i];
            if (k == deg) {
              std::copy_n(indices.data() + row, deg, out);
              continue;
            }
            core::RngStream rng(options_.seed, stream, static_cast<uint64_t>(dst[i]));
            pos.resize(k);
            DrawDistinct(rng, deg, k, pos.data());
            for (int64_t j = 0; j < k; ++j) out[j] = indices[row + pos[j]];
          }
        });
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
