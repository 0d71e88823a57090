#include "sampling/temporal_sampler.h"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "core/rng.h"

namespace streamgnn::sampling {

StatusOr<Strategy> ParseStrategy(const std::string& name) {
  if (name == "recent") return Strategy::kRecent;
  if (name == "uniform") return Strategy::kUniform;
  return Status::InvalidArgument("unknown sampling strategy '" + name +
                                 "': expected 'recent' or 'uniform'");
}

const char* StrategyName(Strategy strategy) {
  return strategy == Strategy::kRecent ? "recent" : "uniform";
}

int64_t SampleResult::total_sampled() const {
  int64_t total = 0;
  for (const SampledBlock& b : layers) total += b.num_sampled();
  return total;
}

StatusOr<TemporalSampler> TemporalSampler::Create(TemporalSamplerOptions options) {
  if (options.fanouts.empty()) {
    return Status::InvalidArgument("temporal sampler needs at least one layer (fanouts is empty)");
  }
  for (size_t l = 0; l < options.fanouts.size(); ++l) {
    if (options.fanouts[l] < 1 || options.fanouts[l] > 100000) {
      return Status::InvalidArgument("fanout of layer " + std::to_string(l) + " must be in [1, 100000], got " +
                                     std::to_string(options.fanouts[l]));
    }
  }
  if (options.grain < 1) options.grain = 1;
  return TemporalSampler(std::move(options));
}

void TemporalSampler::Sample(const graph::Snapshot& snapshot, Span<const NodeId> roots,
                             Span<const Timestamp> times, uint64_t batch_key,
                             SampleResult* out) const {
  SG_CHECK(roots.size() == times.size(), "roots and times differ in length");
  const size_t num_layers = options_.fanouts.size();
  out->layers.resize(num_layers);
  for (size_t l = 0; l < num_layers; ++l) {
    SampledBlock& block = out->layers[l];
    if (l == 0) {
      block.root_nodes.assign(roots.begin(), roots.end());
      block.root_times.assign(times.begin(), times.end());
    } else {
      const SampledBlock& prev = out->layers[l - 1];
      block.root_nodes.assign(prev.neighbors.begin(), prev.neighbors.end());
      if (options_.prop_time) {
        block.root_times.resize(prev.neighbors.size());
        for (int64_t r = 0; r < prev.num_roots(); ++r) {
          std::fill(block.root_times.begin() + prev.offsets[r],
                    block.root_times.begin() + prev.offsets[r + 1], prev.root_times[r]);
        }
      } else {
        block.root_times.assign(prev.times.begin(), prev.times.end());
      }
    }
    SampleLayer(snapshot, static_cast<int>(l), batch_key, &block);
  }
}

void TemporalSampler::SampleLayer(const graph::Snapshot& snapshot, int layer, uint64_t batch_key,
                                  SampledBlock* block) const {
  const int k = options_.fanouts[layer];
  const int64_t num_roots = block->num_roots();
  block->offsets.resize(num_roots + 1);
  // Pass 1: each root writes up to k neighbours into its own padded slots.
  std::vector<int32_t> counts(num_roots);
  std::vector<graph::Neighbor> padded(static_cast<size_t>(num_roots) * k);
  const uint64_t stream = core::StreamKey(batch_key, static_cast<uint64_t>(layer));
  auto sample_range = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      graph::Neighbor* slots = padded.data() + r * k;
      if (options_.strategy == Strategy::kRecent) {
        counts[r] = snapshot.Recent(block->root_nodes[r], block->root_times[r], k, slots);
      } else {
        core::RngStream rng(options_.seed, stream, static_cast<uint64_t>(r));
        counts[r] = snapshot.Uniform(block->root_nodes[r], block->root_times[r], k, rng, slots);
      }
    }
  };
  const bool parallel = num_roots > options_.grain;
  if (parallel) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_roots, options_.grain),
                      [&](const tbb::blocked_range<int64_t>& r) { sample_range(r.begin(), r.end()); });
  } else {
    sample_range(0, num_roots);
  }
  // Pass 2: prefix sum and compaction into the CSR arrays.
  block->offsets[0] = 0;
  for (int64_t r = 0; r < num_roots; ++r) block->offsets[r + 1] = block->offsets[r] + counts[r];
  const int64_t total = block->offsets[num_roots];
  block->neighbors.resize(total);
  block->edges.resize(total);
  block->times.resize(total);
  block->dt.resize(total);
  auto compact_range = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const graph::Neighbor* slots = padded.data() + r * k;
      const int64_t base = block->offsets[r];
      const Timestamp root_time = block->root_times[r];
      for (int32_t i = 0; i < counts[r]; ++i) {
        block->neighbors[base + i] = slots[i].node;
        block->edges[base + i] = slots[i].edge;
        block->times[base + i] = slots[i].time;
        block->dt[base + i] = static_cast<float>(root_time - slots[i].time);
      }
    }
  };
  if (parallel) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_roots, options_.grain * 4),
                      [&](const tbb::blocked_range<int64_t>& r) { compact_range(r.begin(), r.end()); });
  } else {
    compact_range(0, num_roots);
  }
}

}  // namespace streamgnn::sampling
