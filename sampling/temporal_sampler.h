// Temporal neighbour sampling over a TemporalGraph snapshot (DESIGN.md, Samplers).
//
// Roots are (node, time) pairs. Layer 0 takes, for each root, up to fanouts[0] neighbours whose
// edge time is strictly before the root's time: `recent` = the newest ones (ties: larger edge id
// first), `uniform` = drawn uniformly without replacement among all of them. Layer l+1 is rooted
// at layer l's sampled neighbours, at their edge times (or at their root's time with
// prop_time, as in TGL). Each layer is a CSR-shaped block.
//
// Determinism: uniform draws come from Philox keyed by (seed, batch_key, layer, root index), so
// the output is identical whatever the thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/temporal_graph.h"
#include "sampling/sampling_config.h"

namespace streamgnn::sampling {

// recent | uniform (sampling.strategy in the config).
const char* StrategyName(Strategy strategy);

struct TemporalSamplerOptions {
  std::vector<int> fanouts = {10};  // one entry per layer, each >= 1
  Strategy strategy = Strategy::kRecent;
  bool prop_time = false;  // layer l+1 roots keep their layer-0 root's time (TGL's prop_time)
  uint64_t seed = 0;
  // Roots per parallel task; small batches run on the calling thread.
  int64_t grain = 256;
};

// One layer of sampled neighbours. For root r, its neighbours are the index range
// [offsets[r], offsets[r+1]) of neighbors / edges / times / dt, newest first.
struct SampledBlock {
  std::vector<NodeId> root_nodes;
  std::vector<Timestamp> root_times;
  std::vector<int64_t> offsets;       // root_nodes.size() + 1 entries
  std::vector<NodeId> neighbors;
  std::vector<EdgeId> edges;
  std::vector<Timestamp> times;       // edge times
  std::vector<float> dt;              // root time - edge time (>= 0), float32 for the models

  int64_t num_roots() const { return static_cast<int64_t>(root_nodes.size()); }
  int64_t num_sampled() const { return static_cast<int64_t>(neighbors.size()); }
};

struct SampleResult {
  std::vector<SampledBlock> layers;
  int64_t total_sampled() const;

  // Scratch reused across calls: every root's padded neighbour slots and counts.
  std::vector<graph::Neighbor> scratch_padded;
  std::vector<int32_t> scratch_counts;
};

class TemporalSampler {
 public:
  // Validates options: at least one layer, every fanout in [1, 100000].
  static StatusOr<TemporalSampler> Create(TemporalSamplerOptions options);

  // Samples all layers for the given roots. Reuses `out`'s buffers (no reallocation once they
  // are large enough). Thread-safe: many threads may sample concurrently with their own `out`.
  // Requires roots.size() == times.size().
  void Sample(const graph::Snapshot& snapshot, Span<const NodeId> roots,
              Span<const Timestamp> times, uint64_t batch_key, SampleResult* out) const {
    SampleFrom(snapshot, roots, times, batch_key, out);
  }

  // The same over any neighbour source with graph::Snapshot's batched methods
  //   RecentBatch(nodes, times, count, k, out, counts) and
  //   UniformBatch(nodes, times, count, k, seed, stream, first_item, out, counts)
  // (the benchmarks run the T-CSR baseline through it). Defined in temporal_sampler_impl.h;
  // instantiated for graph::Snapshot.
  template <typename Source>
  void SampleFrom(const Source& source, Span<const NodeId> roots, Span<const Timestamp> times,
                  uint64_t batch_key, SampleResult* out) const;

  const TemporalSamplerOptions& options() const { return options_; }

 private:
  explicit TemporalSampler(TemporalSamplerOptions options) : options_(std::move(options)) {}
  template <typename Source>
  void SampleLayer(const Source& source, int layer, uint64_t batch_key, SampledBlock* block,
                   SampleResult* scratch) const;

  TemporalSamplerOptions options_;
};

}  // namespace streamgnn::sampling
