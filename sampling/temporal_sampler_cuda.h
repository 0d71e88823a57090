// CudaTemporalSampler: the temporal sampler as CUDA kernels over DeviceTemporalGraph (GNNFlow's
// GPU sampling kernel; DESIGN.md, Samplers). Raw CUDA, no LibTorch, no CUDA header here.
// Compiled only when nvcc is found; without a device, Create() returns FailedPrecondition.
//
// Same semantics and output as TemporalSampler (sampling/temporal_sampler.h) on a snapshot that
// holds the same edges:
//   recent  for each root the k newest edges strictly before the root time, newest first, ties
//           by larger edge id first;
//   uniform k distinct edges drawn with Floyd's algorithm from RngStream(seed,
//           StreamKey(batch_key, layer), root index) — the very draws of the CPU sampler, so the
//           two agree edge for edge — listed newest first; all of them when there are <= k.
// Layer l+1 is rooted at layer l's neighbours at their edge times (prop_time: at their root's
// time). One thread per root: it walks its node's blocks from the tail, binary-searches the
// block that holds the root time and, for uniform, maps the sorted draws to positions by walking
// back through block start positions. Floyd's draw and the sort of the k picks cost O(k^2) per
// root (fine for GNN fan-outs; the CPU sampler does the same).
//
// Not thread-safe (device buffers are reused across calls); one sampler per thread.
#pragma once

#include <cstdint>
#include <memory>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/temporal_graph_device.h"
#include "sampling/temporal_sampler.h"

namespace streamgnn::sampling {

// One layer of the last Sample() call, in device memory owned by the sampler (valid until the
// next call): what GPU training builds its model inputs from without a trip through the host.
struct DeviceSampledLayer {
  int64_t num_roots = 0;
  int64_t num_sampled = 0;
  const int64_t* counts_scan = nullptr;  // [num_roots]: inclusive scan of the per-root counts
                                         // (TemporalSampler's offsets without the leading 0)
  const int64_t* neighbors = nullptr;    // [num_sampled]
  const int64_t* edges = nullptr;        // [num_sampled] edge ids
  const float* dt = nullptr;             // [num_sampled] root time - edge time
};

class CudaTemporalSampler {
 public:
  // Validates as TemporalSampler::Create; FailedPrecondition without a CUDA device.
  static StatusOr<std::unique_ptr<CudaTemporalSampler>> Create(TemporalSamplerOptions options);
  ~CudaTemporalSampler();
  CudaTemporalSampler(const CudaTemporalSampler&) = delete;
  CudaTemporalSampler& operator=(const CudaTemporalSampler&) = delete;

  // Uploads the roots, samples every layer on the device (results stay there for GPU training)
  // and, when `out` is not null, copies them into `out` in TemporalSampler's layout. Requires
  // roots.size() == times.size() (InvalidArgument). CUDA errors: Internal.
  Status Sample(const graph::DeviceTemporalGraph& graph, Span<const NodeId> roots,
                Span<const Timestamp> times, uint64_t batch_key, SampleResult* out);

  // Neighbours sampled by the last call, all layers.
  int64_t last_total_sampled() const;
  // Layer l (< fanouts.size()) of the last call; Sample() has synchronised its stream, so the
  // buffers are complete for work on any stream.
  DeviceSampledLayer last_layer(size_t l) const;
  const TemporalSamplerOptions& options() const;

 private:
  struct Rep;
  explicit CudaTemporalSampler(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace streamgnn::sampling
