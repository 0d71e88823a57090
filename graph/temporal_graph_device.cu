#include "graph/temporal_graph_device.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "core/device.h"
#include "graph/temporal_graph_device.cuh"

namespace streamgnn::graph {
namespace {

constexpr Timestamp kNoTime = -std::numeric_limits<Timestamp>::infinity();
constexpr int kThreads = 256;

int32_t NextPow2(int64_t x) {
  int64_t p = 1;
  while (p < x && p < (int64_t{1} << 30)) p <<= 1;
  return static_cast<int32_t>(p);
}

int Blocks(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

__global__ void ScatterEntries(int64_t n, const int64_t* __restrict__ dest,
                               const double* __restrict__ ts_in, const int64_t* __restrict__ eid_in,
                               const int64_t* __restrict__ nbr_in, double* ts, int64_t* eid,
                               int64_t* nbr) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t d = dest[i];
  ts[d] = ts_in[i];
  eid[d] = eid_in[i];
  nbr[d] = nbr_in[i];
}

__global__ void ScatterBlocks(int64_t n, const int32_t* __restrict__ index,
                              const DeviceBlock* __restrict__ in, DeviceBlock* blocks) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) blocks[index[i]] = in[i];
}

__global__ void ScatterTails(int64_t n, const int64_t* __restrict__ nodes,
                             const int32_t* __restrict__ in, int32_t* tail) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) tail[nodes[i]] = in[i];
}

std::string FormatTime(Timestamp t) {
  std::ostringstream os;
  os.precision(17);
  os << t;
  return os.str();
}

}  // namespace

struct DeviceTemporalGraph::Rep {
  DeviceTemporalGraphOptions options;
  cudaStream_t stream = nullptr;
  // Host copy of the metadata (GNNFlow keeps one too): plans appends without device reads.
  std::vector<DeviceBlock> blocks_h;
  std::vector<int32_t> tail_h;
  std::vector<Timestamp> newest_h;
  std::vector<int64_t> total_h;
  int64_t arena_used = 0;
  int64_t next_edge = 0;
  int64_t entries = 0;
  // Device.
  DeviceArray<double> ts;
  DeviceArray<int64_t> eid, nbr;
  DeviceArray<DeviceBlock> blocks;
  DeviceArray<int32_t> tail;
  // Upload staging (pinned) and its device twin.
  PinnedArray<char> staging;
  DeviceArray<char> upload;
  DeviceGraphView view;

  ~Rep() {
    if (stream) cudaStreamDestroy(stream);
  }
};

DeviceTemporalGraph::DeviceTemporalGraph(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
DeviceTemporalGraph::~DeviceTemporalGraph() = default;

StatusOr<std::unique_ptr<DeviceTemporalGraph>> DeviceTemporalGraph::Create(
    DeviceTemporalGraphOptions options) {
  TemporalGraphOptions cpu;
  cpu.min_block_capacity = options.min_block_capacity;
  cpu.max_block_capacity = options.max_block_capacity;
  SG_RETURN_IF_ERROR(TemporalGraph::ValidateOptions(cpu));
  if (options.initial_entry_capacity < 1) {
    return Status::InvalidArgument("initial_entry_capacity must be >= 1");
  }
  if (core::CudaDeviceCount() == 0) {
    return Status::FailedPrecondition("no CUDA device (" + core::DeviceSummary() + ")");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  SG_CUDA_RETURN(cudaStreamCreateWithFlags(&rep->stream, cudaStreamNonBlocking));
  SG_RETURN_IF_ERROR(rep->ts.Reserve(options.initial_entry_capacity));
  SG_RETURN_IF_ERROR(rep->eid.Reserve(options.initial_entry_capacity));
  SG_RETURN_IF_ERROR(rep->nbr.Reserve(options.initial_entry_capacity));
  SG_RETURN_IF_ERROR(rep->blocks.Reserve(1024));
  SG_RETURN_IF_ERROR(rep->tail.Reserve(1024));
  return std::unique_ptr<DeviceTemporalGraph>(new DeviceTemporalGraph(std::move(rep)));
}

StatusOr<AppendResult> DeviceTemporalGraph::AppendEdges(Span<const NodeId> src,
                                                        Span<const NodeId> dst,
                                                        Span<const Timestamp> time) {
  Rep& r = *rep_;
  if (src.size() != dst.size() || src.size() != time.size()) {
    return Status::InvalidArgument("edge batch arrays differ in length");
  }
  const int64_t n = static_cast<int64_t>(src.size());
  for (int64_t i = 0; i < n; ++i) {
    if (src[i] < 0 || src[i] >= TemporalGraph::kMaxNodes || dst[i] < 0 ||
        dst[i] >= TemporalGraph::kMaxNodes) {
      return Status::InvalidArgument("edge " + std::to_string(i) + " of the batch: node id outside [0, 2^32)");
    }
    if (!std::isfinite(time[i])) {
      return Status::InvalidArgument("edge " + std::to_string(i) + " of the batch: time is not finite");
    }
  }
  AppendResult result;
  result.first_edge_id = r.next_edge;
  result.count = n;
  if (n == 0) return result;

  struct Entry {
    NodeId node, nbr;
    EdgeId eid;
    Timestamp ts;
  };
  std::vector<Entry> entries;
  entries.reserve(r.options.undirected ? 2 * n : n);
  NodeId max_node = 0;
  for (int64_t i = 0; i < n; ++i) {
    const EdgeId e = r.next_edge + i;
    entries.push_back({src[i], dst[i], e, time[i]});
    if (r.options.undirected && src[i] != dst[i]) entries.push_back({dst[i], src[i], e, time[i]});
    max_node = std::max(max_node, std::max(src[i], dst[i]));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.node != b.node) return a.node < b.node;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.eid < b.eid;
  });
  const int64_t old_nodes = static_cast<int64_t>(r.tail_h.size());
  for (const Entry& en : entries) {
    if (en.node < old_nodes && en.ts < r.newest_h[en.node]) {
      return Status::FailedPrecondition(
          "edge " + std::to_string(en.eid - r.next_edge) + " of the batch (time " + FormatTime(en.ts) +
          ") is older than the newest edge of node " + std::to_string(en.node) + " (time " +
          FormatTime(r.newest_h[en.node]) +
          "); the device graph stores edges in time order per node only; batch refused, nothing stored");
    }
  }

  // Plan on the host copy. The host state is committed only after the device writes succeed.
  const int64_t num_nodes = std::max(old_nodes, max_node + 1);
  std::vector<int32_t> tail_h = r.tail_h;
  std::vector<Timestamp> newest_h = r.newest_h;
  std::vector<int64_t> total_h = r.total_h;
  tail_h.resize(num_nodes, -1);
  newest_h.resize(num_nodes, kNoTime);
  total_h.resize(num_nodes, 0);
  std::vector<DeviceBlock> new_blocks;
  std::vector<int32_t> changed_index;        // blocks whose metadata changed (tails filled)
  std::vector<DeviceBlock> changed_blocks;
  std::vector<int64_t> tail_nodes;
  std::vector<int32_t> tail_values;
  std::vector<int64_t> dest(entries.size());
  const int64_t first_new_block = static_cast<int64_t>(r.blocks_h.size());
  int64_t arena = r.arena_used;
  auto block_at = [&](int32_t b) -> DeviceBlock& {
    return b < first_new_block ? r.blocks_h[b] : new_blocks[b - first_new_block];
  };
  std::vector<DeviceBlock> saved_tails;  // old tail metadata, restored on failure
  std::vector<int32_t> saved_tail_index;
  for (size_t g0 = 0; g0 < entries.size();) {
    const NodeId node = entries[g0].node;
    size_t g1 = g0;
    while (g1 < entries.size() && entries[g1].node == node) ++g1;
    const int64_t count = static_cast<int64_t>(g1 - g0);
    int64_t done = 0;
    int32_t t = tail_h[node];
    if (t >= 0) {
      DeviceBlock& tail = block_at(t);
      const int64_t take = std::min<int64_t>(tail.capacity - tail.size, count);
      if (take > 0) {
        if (t < first_new_block) {
          saved_tails.push_back(tail);
          saved_tail_index.push_back(t);
        }
        for (int64_t i = 0; i < take; ++i) dest[g0 + i] = tail.offset + tail.size + i;
        tail.size += static_cast<int32_t>(take);
        tail.max_ts = entries[g0 + take - 1].ts;
        if (t < first_new_block) {
          changed_index.push_back(t);
          changed_blocks.push_back(tail);
        }
        done = take;
      }
    }
    while (done < count) {
      const int64_t remaining = count - done;
      const int64_t want = std::max<int64_t>(remaining, total_h[node] + done);
      const int32_t capacity = std::clamp<int32_t>(NextPow2(want), r.options.min_block_capacity,
                                                   r.options.max_block_capacity);
      const int64_t take = std::min<int64_t>(capacity, remaining);
      DeviceBlock b{};
      b.offset = arena;
      b.capacity = capacity;
      b.size = static_cast<int32_t>(take);
      b.min_ts = entries[g0 + done].ts;
      b.max_ts = entries[g0 + done + take - 1].ts;
      b.prev = t;
      b.start = t >= 0 ? block_at(t).start + block_at(t).size : 0;
      for (int64_t i = 0; i < take; ++i) dest[g0 + done + i] = arena + i;
      arena += capacity;
      t = static_cast<int32_t>(first_new_block + static_cast<int64_t>(new_blocks.size()));
      new_blocks.push_back(b);
      done += take;
    }
    if (t != tail_h[node]) {
      tail_h[node] = t;
      tail_nodes.push_back(node);
      tail_values.push_back(t);
    }
    newest_h[node] = std::max(newest_h[node], entries[g1 - 1].ts);
    total_h[node] += count;
    g0 = g1;
  }
  auto restore = [&] {
    for (size_t i = 0; i < saved_tails.size(); ++i) r.blocks_h[saved_tail_index[i]] = saved_tails[i];
  };
  if (first_new_block + static_cast<int64_t>(new_blocks.size()) >= std::numeric_limits<int32_t>::max()) {
    restore();
    return Status::ResourceExhausted("device graph: more than 2^31 blocks");
  }

  // Device writes: grow, one upload of everything, scatter kernels.
  auto device_part = [&]() -> Status {
    const int64_t total_blocks = first_new_block + static_cast<int64_t>(new_blocks.size());
    SG_RETURN_IF_ERROR(r.ts.Reserve(arena, r.arena_used, r.stream));
    SG_RETURN_IF_ERROR(r.eid.Reserve(arena, r.arena_used, r.stream));
    SG_RETURN_IF_ERROR(r.nbr.Reserve(arena, r.arena_used, r.stream));
    SG_RETURN_IF_ERROR(r.blocks.Reserve(total_blocks, first_new_block, r.stream));
    SG_RETURN_IF_ERROR(r.tail.Reserve(num_nodes, old_nodes, r.stream));
    if (num_nodes > old_nodes) {
      SG_CUDA_RETURN(cudaMemsetAsync(r.tail.data() + old_nodes, 0xff,
                                     static_cast<size_t>(num_nodes - old_nodes) * sizeof(int32_t),
                                     r.stream));
    }
    // Pack: dest, ts, eid, nbr (entries); index + block (changed and new blocks); node + tail.
    const int64_t ne = static_cast<int64_t>(entries.size());
    const int64_t nb = static_cast<int64_t>(changed_index.size() + new_blocks.size());
    const int64_t nt = static_cast<int64_t>(tail_nodes.size());
    auto align = [](int64_t x) { return (x + 15) / 16 * 16; };
    const int64_t o_dest = 0, o_ts = align(o_dest + ne * 8), o_eid = align(o_ts + ne * 8),
                  o_nbr = align(o_eid + ne * 8), o_bidx = align(o_nbr + ne * 8),
                  o_blk = align(o_bidx + nb * 4), o_tnode = align(o_blk + nb * static_cast<int64_t>(sizeof(DeviceBlock))),
                  o_tval = align(o_tnode + nt * 8), bytes = align(o_tval + nt * 4);
    SG_RETURN_IF_ERROR(r.staging.Reserve(bytes));
    SG_RETURN_IF_ERROR(r.upload.Reserve(bytes));
    char* h = r.staging.data();
    for (int64_t i = 0; i < ne; ++i) {
      reinterpret_cast<int64_t*>(h + o_dest)[i] = dest[i];
      reinterpret_cast<double*>(h + o_ts)[i] = entries[i].ts;
      reinterpret_cast<int64_t*>(h + o_eid)[i] = entries[i].eid;
      reinterpret_cast<int64_t*>(h + o_nbr)[i] = entries[i].nbr;
    }
    int64_t k = 0;
    for (size_t i = 0; i < changed_index.size(); ++i, ++k) {
      reinterpret_cast<int32_t*>(h + o_bidx)[k] = changed_index[i];
      reinterpret_cast<DeviceBlock*>(h + o_blk)[k] = changed_blocks[i];
    }
    for (size_t i = 0; i < new_blocks.size(); ++i, ++k) {
      reinterpret_cast<int32_t*>(h + o_bidx)[k] = static_cast<int32_t>(first_new_block + i);
      reinterpret_cast<DeviceBlock*>(h + o_blk)[k] = new_blocks[i];
    }
    std::memcpy(h + o_tnode, tail_nodes.data(), nt * 8);
    std::memcpy(h + o_tval, tail_values.data(), nt * 4);
    char* d = r.upload.data();
    SG_CUDA_RETURN(cudaMemcpyAsync(d, h, bytes, cudaMemcpyHostToDevice, r.stream));
    if (ne > 0) {
      ScatterEntries<<<Blocks(ne), kThreads, 0, r.stream>>>(
          ne, reinterpret_cast<const int64_t*>(d + o_dest), reinterpret_cast<const double*>(d + o_ts),
          reinterpret_cast<const int64_t*>(d + o_eid), reinterpret_cast<const int64_t*>(d + o_nbr),
          r.ts.data(), r.eid.data(), r.nbr.data());
    }
    if (nb > 0) {
      ScatterBlocks<<<Blocks(nb), kThreads, 0, r.stream>>>(
          nb, reinterpret_cast<const int32_t*>(d + o_bidx),
          reinterpret_cast<const DeviceBlock*>(d + o_blk), r.blocks.data());
    }
    if (nt > 0) {
      ScatterTails<<<Blocks(nt), kThreads, 0, r.stream>>>(
          nt, reinterpret_cast<const int64_t*>(d + o_tnode),
          reinterpret_cast<const int32_t*>(d + o_tval), r.tail.data());
    }
    SG_CUDA_RETURN(cudaGetLastError());
    SG_CUDA_RETURN(cudaStreamSynchronize(r.stream));
    return Status::Ok();
  };
  const Status s = device_part();
  if (!s.ok()) {
    restore();
    return s.WithPrefix("device graph append");
  }
  r.blocks_h.insert(r.blocks_h.end(), new_blocks.begin(), new_blocks.end());
  r.tail_h = std::move(tail_h);
  r.newest_h = std::move(newest_h);
  r.total_h = std::move(total_h);
  r.arena_used = arena;
  r.next_edge += n;
  r.entries += static_cast<int64_t>(entries.size());
  r.view.ts = r.ts.data();
  r.view.eid = r.eid.data();
  r.view.nbr = r.nbr.data();
  r.view.blocks = r.blocks.data();
  r.view.tail = r.tail.data();
  r.view.num_nodes = num_nodes;
  return result;
}

int64_t DeviceTemporalGraph::num_nodes() const { return static_cast<int64_t>(rep_->tail_h.size()); }
int64_t DeviceTemporalGraph::num_edges() const { return rep_->next_edge; }
int64_t DeviceTemporalGraph::num_entries() const { return rep_->entries; }
int64_t DeviceTemporalGraph::num_blocks() const { return static_cast<int64_t>(rep_->blocks_h.size()); }
int64_t DeviceTemporalGraph::device_bytes() const {
  const Rep& r = *rep_;
  return r.ts.bytes() + r.eid.bytes() + r.nbr.bytes() + r.blocks.bytes() + r.tail.bytes() +
         r.upload.bytes();
}
const DeviceGraphView& DeviceTemporalGraph::view() const { return rep_->view; }

StatusOr<std::vector<Neighbor>> DeviceTemporalGraph::Edges(NodeId node) const {
  const Rep& r = *rep_;
  std::vector<Neighbor> out;
  if (node < 0 || node >= num_nodes()) return out;
  std::vector<int32_t> chain;
  for (int32_t b = r.tail_h[node]; b >= 0; b = r.blocks_h[b].prev) chain.push_back(b);
  std::reverse(chain.begin(), chain.end());
  for (int32_t b : chain) {
    const DeviceBlock& blk = r.blocks_h[b];
    std::vector<double> ts(blk.size);
    std::vector<int64_t> eid(blk.size), nbr(blk.size);
    SG_CUDA_RETURN(cudaMemcpy(ts.data(), r.ts.data() + blk.offset, blk.size * sizeof(double), cudaMemcpyDeviceToHost));
    SG_CUDA_RETURN(cudaMemcpy(eid.data(), r.eid.data() + blk.offset, blk.size * sizeof(int64_t), cudaMemcpyDeviceToHost));
    SG_CUDA_RETURN(cudaMemcpy(nbr.data(), r.nbr.data() + blk.offset, blk.size * sizeof(int64_t), cudaMemcpyDeviceToHost));
    for (int32_t i = 0; i < blk.size; ++i) out.push_back({nbr[i], eid[i], ts[i]});
  }
  return out;
}

}  // namespace streamgnn::graph
