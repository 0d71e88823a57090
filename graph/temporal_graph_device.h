// DeviceTemporalGraph: the temporal block store mirrored in GPU memory (GNNFlow's device graph,
// DESIGN.md "Temporal block store" / "Samplers: GPU via CUDA kernels over device-resident
// blocks"). Raw CUDA, no LibTorch; this header includes no CUDA header, so plain C++ code and
// tests use it. Compiled only when nvcc is found (STREAMGNN_CUDA_ENABLED); without a device,
// Create() returns FailedPrecondition.
//
// Layout on the device. Every node owns a chain of blocks, linked from its tail (newest) block
// to its head (GNNFlow's per-node list). A block is a run of one node's entries — timestamp,
// edge id, neighbour — in ascending (time, edge id) order inside three arena arrays, plus its
// size, capacity, min/max time, its first position in the node's sequence and its predecessor.
// Block capacity grows geometrically with the node's degree exactly as the CPU store's
// (graph/temporal_graph.h), and every block but the tail is full.
//
// Appends. AppendEdges assigns edge ids in input order (the same ids as TemporalGraph for the
// same batches), groups the batch by node, plans on the host (which keeps a copy of the block
// metadata, as GNNFlow does) where each entry goes — the tail's free room first, then new
// blocks — and then writes the entries and the changed block metadata on the device with one
// upload and scatter kernels: blocks are appended on the device as edges arrive. The arena
// grows by doubling (a device-to-device copy).
//
// Limits (documented, checked): edges must arrive in time order per node — an edge older than
// its node's newest edge is refused with FailedPrecondition and nothing is stored (the CPU
// store's in-place insert is not mirrored); there is no eviction window or snapshot watermark:
// samplers see every appended edge. Not thread-safe: one thread appends and samples.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/temporal_graph.h"

namespace streamgnn::graph {

struct DeviceGraphView;  // device pointers for kernels: graph/temporal_graph_device.cuh

struct DeviceTemporalGraphOptions {
  bool undirected = true;  // store (u, v) for both endpoints, like TemporalGraphOptions
  int32_t min_block_capacity = 8;
  int32_t max_block_capacity = 4096;
  // Arena entries allocated up front (grown by doubling). >= 1.
  int64_t initial_entry_capacity = int64_t{1} << 20;
};

class DeviceTemporalGraph {
 public:
  // Errors: bad options (InvalidArgument), no CUDA device (FailedPrecondition), allocation
  // failures (ResourceExhausted).
  static StatusOr<std::unique_ptr<DeviceTemporalGraph>> Create(DeviceTemporalGraphOptions options = {});
  ~DeviceTemporalGraph();
  DeviceTemporalGraph(const DeviceTemporalGraph&) = delete;
  DeviceTemporalGraph& operator=(const DeviceTemporalGraph&) = delete;

  // Appends a batch; see the header comment. Errors: those of TemporalGraph::AppendEdges (size
  // mismatch, bad id, non-finite time), out-of-order edges (FailedPrecondition), CUDA errors
  // (Internal). On error nothing is stored.
  StatusOr<AppendResult> AppendEdges(Span<const NodeId> src, Span<const NodeId> dst,
                                     Span<const Timestamp> time);

  int64_t num_nodes() const;
  int64_t num_edges() const;
  int64_t num_entries() const;
  int64_t num_blocks() const;
  // Device memory held: arena, block metadata, node table.
  int64_t device_bytes() const;
  // A node's entries in ascending (time, edge id) order, read back from the device (tests).
  StatusOr<std::vector<Neighbor>> Edges(NodeId node) const;

  // Device pointers for kernels (sampling/temporal_sampler.cu). Valid until the next append.
  const DeviceGraphView& view() const;

 private:
  struct Rep;
  explicit DeviceTemporalGraph(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace streamgnn::graph
