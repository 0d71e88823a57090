// Sampling on the GPU for the temporal trainer (runtime.device: cuda; docs/models.md, "On a
// GPU"): each event store keeps a device mirror of its block store (graph/temporal_graph_device.h)
// appended with the same batches, the CUDA sampler draws over it exactly the neighbours the CPU
// sampler would (sampling/temporal_sampler_cuda.h), and a shard's model index tensors are built
// on the device from the sampler's buffers, as BuildShardInputs builds them from a host sample.
//
// Built with the CUDA kernels (STREAMGNN_WITH_CUDA); in a build without them Create() returns
// FailedPrecondition saying so. Not thread-safe: one thread samples (the pass's sample stage).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/temporal_graph.h"
#include "sampling/temporal_sampler.h"
#include "trainers/temporal_batch.h"

namespace streamgnn::trainers {

// The device side of one event store: the block store's mirror and the dataset event of every
// edge id, on the training device.
class DeviceEventStore {
 public:
  // `max_events`: the most events the store will take (sizes the edge -> event table).
  // InvalidArgument for a graph option the mirror lacks (graph.eviction_window);
  // FailedPrecondition without the CUDA kernels or a device.
  static StatusOr<std::unique_ptr<DeviceEventStore>> Create(const graph::TemporalGraphOptions& options,
                                                            int64_t max_events, torch::Device device);
  ~DeviceEventStore();
  DeviceEventStore(const DeviceEventStore&) = delete;
  DeviceEventStore& operator=(const DeviceEventStore&) = delete;

  // The batch the host store just took (same order, so the same edge ids) and its events.
  Status Append(Span<const NodeId> src, Span<const NodeId> dst, Span<const Timestamp> time,
                const int64_t* events);

 private:
  friend class DeviceShardSampler;
  struct Rep;
  explicit DeviceEventStore(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

class DeviceShardSampler {
 public:
  // As TemporalSampler::Create, plus FailedPrecondition without the CUDA kernels or a device.
  static StatusOr<std::unique_ptr<DeviceShardSampler>> Create(const sampling::TemporalSamplerOptions& options,
                                                              torch::Device device);
  ~DeviceShardSampler();
  DeviceShardSampler(const DeviceShardSampler&) = delete;
  DeviceShardSampler& operator=(const DeviceShardSampler&) = delete;

  // Samples the shard's first `roots` roots over `store` with batch key `key` and fills, on the
  // device, shard->in (nodes, level_index, root_times, offsets, dt, num_sources) and
  // shard->edge_events for `levels` levels. With `host_copy` it also fills shard->sample (the
  // pass reads APAN's mail recipients from it on the host).
  Status Sample(const DeviceEventStore& store, int64_t roots, int64_t levels, uint64_t key,
                bool host_copy, BatchShard* shard);

 private:
  struct Rep;
  explicit DeviceShardSampler(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace streamgnn::trainers
