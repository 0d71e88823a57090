// Template definitions of TemporalSampler::SampleFrom; include only where a new neighbour
// source is instantiated (the sampler's own .cc, the benchmarks).
#pragma once

#include <tbb/parallel_for.h>

#include <algorithm>

#include "core/rng.h"
#include "sampling/temporal_sampler.h"

namespace streamgnn::sampling {

template <typename Source>
void TemporalSampler::SampleFrom(const Source& source, Span<const NodeId> roots,
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
    SampleLayer(source, static_cast<int>(l), batch_key, &block, out);
  }
}

template <typename Source>
void TemporalSampler::SampleLayer(const Source& source, int layer, uint64_t batch_key,
                                  SampledBlock* block, SampleResult* scratch) const {
  const int k = options_.fanouts[layer];
  const int64_t num_roots = block->num_roots();
  block->offsets.resize(num_roots + 1);
  // Pass 1: each root writes up to k neighbours into its own padded slots.
  // resize() value-initialises only new elements: steady state is allocation- and memset-free.
  if (scratch->scratch_counts.size() < static_cast<size_t>(num_roots)) scratch->scratch_counts.resize(num_roots);
  if (scratch->scratch_padded.size() < static_cast<size_t>(num_roots) * k) {
    scratch->scratch_padded.resize(static_cast<size_t>(num_roots) * k);
  }
  int32_t* counts = scratch->scratch_counts.data();
  graph::Neighbor* padded = scratch->scratch_padded.data();
  const uint64_t stream = core::StreamKey(batch_key, static_cast<uint64_t>(layer));
  auto sample_range = [&](int64_t r0, int64_t r1) {
    const NodeId* nodes = block->root_nodes.data() + r0;
    const Timestamp* times = block->root_times.data() + r0;
    if (options_.strategy == Strategy::kRecent) {
      source.RecentBatch(nodes, times, r1 - r0, k, padded + r0 * k, counts + r0);
    } else {
      source.UniformBatch(nodes, times, r1 - r0, k, options_.seed, stream,
                          static_cast<uint64_t>(r0), padded + r0 * k, counts + r0);
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
      const graph::Neighbor* slots = padded + r * k;
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
