#include "trainers/temporal_device_sampling.h"

#include <fmt/format.h>

#include "trainers/stage_streams.h"

#if defined(STREAMGNN_WITH_CUDA)
#include "graph/temporal_graph_device.h"
#include "sampling/temporal_sampler_cuda.h"
#endif

namespace streamgnn::trainers {

#if defined(STREAMGNN_WITH_CUDA)

struct DeviceEventStore::Rep {
  std::unique_ptr<graph::DeviceTemporalGraph> graph;
  torch::Tensor event_of_edge;  // int64 [max_events] on the device; [0, edges) filled
  int64_t edges = 0;
};

struct DeviceShardSampler::Rep {
  std::unique_ptr<sampling::CudaTemporalSampler> sampler;
  torch::Device device{torch::kCPU};
};

StatusOr<std::unique_ptr<DeviceEventStore>> DeviceEventStore::Create(
    const graph::TemporalGraphOptions& options, int64_t max_events, torch::Device device) {
  if (options.eviction_window > 0) {
    return Status::InvalidArgument(
        "graph.eviction_window: the device store keeps every edge; use 0 with runtime.device: cuda");
  }
  graph::DeviceTemporalGraphOptions go;
  go.undirected = options.undirected;
  go.min_block_capacity = options.min_block_capacity;
  go.max_block_capacity = options.max_block_capacity;
  go.initial_entry_capacity = std::max<int64_t>(1, (options.undirected ? 2 : 1) * max_events);
  auto rep = std::make_unique<Rep>();
  SG_ASSIGN_OR_RETURN(rep->graph, graph::DeviceTemporalGraph::Create(go));
  rep->event_of_edge = torch::empty({max_events}, torch::TensorOptions(torch::kInt64).device(device));
  return std::unique_ptr<DeviceEventStore>(new DeviceEventStore(std::move(rep)));
}

Status DeviceEventStore::Append(Span<const NodeId> src, Span<const NodeId> dst,
                                Span<const Timestamp> time, const int64_t* events) {
  const int64_t n = static_cast<int64_t>(src.size());
  if (rep_->edges + n > rep_->event_of_edge.size(0)) {
    return Status::Internal(fmt::format("device store: {} edges exceed its {} slots", rep_->edges + n,
                                        rep_->event_of_edge.size(0)));
  }
  SG_RETURN_IF_ERROR(rep_->graph->AppendEdges(src, dst, time).status());
  rep_->event_of_edge.narrow(0, rep_->edges, n)
      .copy_(torch::from_blob(const_cast<int64_t*>(events), {n}, torch::kInt64));
  rep_->edges += n;
  return Status::Ok();
}

StatusOr<std::unique_ptr<DeviceShardSampler>> DeviceShardSampler::Create(
    const sampling::TemporalSamplerOptions& options, torch::Device device) {
  auto rep = std::make_unique<Rep>();
  SG_ASSIGN_OR_RETURN(rep->sampler, sampling::CudaTemporalSampler::Create(options));
  rep->device = device;
  return std::unique_ptr<DeviceShardSampler>(new DeviceShardSampler(std::move(rep)));
}

Status DeviceShardSampler::Sample(const DeviceEventStore& store, int64_t roots, int64_t levels,
                                  uint64_t key, bool host_copy, BatchShard* shard) {
  SG_RETURN_IF_ERROR(rep_->sampler->Sample(*store.rep_->graph, Span<const NodeId>(shard->roots.data(), roots),
                                           Span<const Timestamp>(shard->times.data(), roots), key,
                                           host_copy ? &shard->sample : nullptr));
  const torch::Device device = rep_->device;
  const auto i64 = torch::TensorOptions(torch::kInt64).device(device);
  // The sampler's buffers are reused by its next call (the next batch is sampled while this one
  // waits): every tensor taken from them is a copy.
  const auto copy = [&](const void* data, int64_t n, torch::TensorOptions options) {
    return n == 0 ? torch::empty({0}, options) : torch::from_blob(const_cast<void*>(data), {n}, options).clone();
  };
  models::BatchInputs& in = shard->in;
  const int64_t all_roots = static_cast<int64_t>(shard->roots.size());
  std::vector<torch::Tensor> level_nodes = {
      torch::from_blob(shard->roots.data(), {all_roots}, torch::kInt64).to(device)};
  shard->edge_events.clear();
  for (int64_t d = 0; d + 1 < levels; ++d) {
    const sampling::DeviceSampledLayer layer = rep_->sampler->last_layer(static_cast<size_t>(d));
    const torch::Tensor counts = copy(layer.counts_scan, layer.num_roots, i64);
    in.offsets.push_back(torch::cat({torch::zeros({1}, i64), counts}));
    in.dt.push_back(copy(layer.dt, layer.num_sampled, i64.dtype(torch::kFloat32)));
    level_nodes.push_back(copy(layer.neighbors, layer.num_sampled, i64));
    const torch::Tensor edges = copy(layer.edges, layer.num_sampled, i64);
    shard->edge_events.push_back(store.rep_->event_of_edge.index_select(0, edges));
  }
  IndexLevels(level_nodes, &in);
  in.root_times = torch::from_blob(shard->times.data(), {all_roots}, torch::kFloat64).to(device);
  in.num_sources = shard->n;
  // The copies above are queued on this thread's stream, the sampler's next call writes its
  // buffers on the sampler's own (non-blocking) stream: they must be done first.
  StageStream::SyncCurrent(device);
  return Status::Ok();
}

#else  // the CUDA kernels are not compiled in

struct DeviceEventStore::Rep {};
struct DeviceShardSampler::Rep {};

namespace {
Status NotBuilt() {
  return Status::FailedPrecondition(
      "runtime.device: cuda samples with the CUDA kernels (device store, temporal sampler), which "
      "this build lacks: configure where nvcc is found (STREAMGNN_WITH_CUDA)");
}
}  // namespace

StatusOr<std::unique_ptr<DeviceEventStore>> DeviceEventStore::Create(const graph::TemporalGraphOptions&,
                                                                     int64_t, torch::Device) {
  return NotBuilt();
}
Status DeviceEventStore::Append(Span<const NodeId>, Span<const NodeId>, Span<const Timestamp>,
                                const int64_t*) {
  return NotBuilt();
}
StatusOr<std::unique_ptr<DeviceShardSampler>> DeviceShardSampler::Create(
    const sampling::TemporalSamplerOptions&, torch::Device) {
  return NotBuilt();
}
Status DeviceShardSampler::Sample(const DeviceEventStore&, int64_t, int64_t, uint64_t, bool, BatchShard*) {
  return NotBuilt();
}

#endif

DeviceEventStore::DeviceEventStore(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
DeviceEventStore::~DeviceEventStore() = default;
DeviceShardSampler::DeviceShardSampler(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
DeviceShardSampler::~DeviceShardSampler() = default;

}  // namespace streamgnn::trainers
