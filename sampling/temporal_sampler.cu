// CUDA kernels of the temporal sampler (sampling/temporal_sampler_cuda.h).
#include <cub/cub.cuh>

#include <vector>

#include "core/device.h"
#include "core/rng.h"
#include "graph/temporal_graph_device.cuh"
#include "sampling/temporal_sampler_cuda.h"

namespace streamgnn::sampling {
namespace {

using graph::DeviceBlock;
using graph::DeviceGraphView;

constexpr int kThreads = 128;

int GridFor(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

// First position of block `blk` whose time is >= t (lower_bound), in [0, size].
__device__ int32_t LowerBound(const double* ts, const DeviceBlock& blk, double t) {
  if (blk.max_ts < t) return blk.size;
  int32_t lo = 0, hi = blk.size;
  const double* base = ts + blk.offset;
  while (lo < hi) {
    const int32_t mid = (lo + hi) >> 1;
    if (base[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Newest k entries of `node` before t, newest first (ties: larger edge id first, since entries
// ascend by (time, edge id) and are walked backwards).
__device__ int RecentOne(const DeviceGraphView& g, int64_t node, double t, int k, int64_t* nbr,
                         int64_t* eid, double* ts) {
  if (node < 0 || node >= g.num_nodes || k <= 0) return 0;
  int got = 0;
  for (int32_t b = g.tail[node]; b >= 0 && got < k;) {
    const DeviceBlock blk = g.blocks[b];
    if (blk.min_ts < t) {
      const int32_t hi = LowerBound(g.ts, blk, t);
      for (int32_t i = hi - 1; i >= 0 && got < k; --i) {
        const int64_t at = blk.offset + i;
        nbr[got] = g.nbr[at];
        eid[got] = g.eid[at];
        ts[got] = g.ts[at];
        ++got;
      }
    }
    b = blk.prev;
  }
  return got;
}

__global__ void RecentKernel(DeviceGraphView g, const int64_t* __restrict__ roots,
                             const double* __restrict__ times, int64_t num_roots, int k,
                             int64_t* nbr, int64_t* eid, double* ts, int64_t* counts) {
  const int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (r >= num_roots) return;
  counts[r] = RecentOne(g, roots[r], times[r], k, nbr + r * k, eid + r * k, ts + r * k);
}

// Uniform without replacement, exactly as Snapshot::Uniform (graph/temporal_graph.cc) for a
// snapshot that sees every edge: candidates are positions [0, count) of the node's sequence with
// time < t; Floyd's algorithm picks k of them from RngStream(seed, stream, item); the picks are
// listed in descending position order.
__global__ void UniformKernel(DeviceGraphView g, const int64_t* __restrict__ roots,
                              const double* __restrict__ times, int64_t num_roots, int k,
                              uint64_t seed, uint64_t stream, int64_t* nbr, int64_t* eid,
                              double* ts, int64_t* counts) {
  const int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (r >= num_roots) return;
  const int64_t node = roots[r];
  const double t = times[r];
  int64_t* out_nbr = nbr + r * k;
  int64_t* out_eid = eid + r * k;
  double* out_ts = ts + r * k;
  counts[r] = 0;
  if (node < 0 || node >= g.num_nodes || k <= 0) return;
  // The newest block with an entry before t, and the candidate count.
  int32_t b = g.tail[node];
  DeviceBlock blk{};
  while (b >= 0) {
    blk = g.blocks[b];
    if (blk.min_ts < t) break;
    b = blk.prev;
  }
  if (b < 0) return;
  const int64_t count = blk.start + LowerBound(g.ts, blk, t);
  if (count <= k) {
    counts[r] = RecentOne(g, node, t, k, out_nbr, out_eid, out_ts);
    return;
  }
  // Floyd's algorithm; the picks live in out_eid until they are resolved.
  core::RngStream rng(seed, stream, static_cast<uint64_t>(r));
  int chosen = 0;
  for (int64_t j = count - k; j < count; ++j) {
    const int64_t pick = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
    bool seen = false;
    for (int c = 0; c < chosen; ++c) {
      if (out_eid[c] == pick) {
        seen = true;
        break;
      }
    }
    out_eid[chosen++] = seen ? j : pick;
  }
  for (int i = 1; i < k; ++i) {  // insertion sort, descending
    const int64_t v = out_eid[i];
    int j = i - 1;
    while (j >= 0 && out_eid[j] < v) {
      out_eid[j + 1] = out_eid[j];
      --j;
    }
    out_eid[j + 1] = v;
  }
  for (int i = 0; i < k; ++i) {
    const int64_t p = out_eid[i];
    while (blk.start > p) {
      b = blk.prev;
      blk = g.blocks[b];
    }
    const int64_t at = blk.offset + (p - blk.start);
    out_nbr[i] = g.nbr[at];
    out_eid[i] = g.eid[at];
    out_ts[i] = g.ts[at];
  }
  counts[r] = k;
}

// Padded slots -> CSR arrays; also writes the next layer's root times (edge times, or the
// root's own time with prop_time).
__global__ void CompactKernel(int64_t num_roots, int k, const int64_t* __restrict__ offsets,
                              const double* __restrict__ root_times,
                              const int64_t* __restrict__ pnbr, const int64_t* __restrict__ peid,
                              const double* __restrict__ pts, int64_t* nbr, int64_t* eid,
                              double* ts, float* dt, double* next_times, bool prop_time) {
  const int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (r >= num_roots) return;
  const int64_t base = r == 0 ? 0 : offsets[r - 1];  // inclusive scan
  const int64_t n = offsets[r] - base;
  const double rt = root_times[r];
  for (int64_t i = 0; i < n; ++i) {
    const int64_t from = r * k + i;
    nbr[base + i] = pnbr[from];
    eid[base + i] = peid[from];
    ts[base + i] = pts[from];
    dt[base + i] = static_cast<float>(rt - pts[from]);
    next_times[base + i] = prop_time ? rt : pts[from];
  }
}

}  // namespace

// One layer on the device. roots/times of layer l+1 alias layer l's neighbors/next_times.
struct DeviceLayer {
  DeviceArray<int64_t> counts_scan;  // inclusive scan of the per-root counts
  DeviceArray<int64_t> pad_nbr, pad_eid;
  DeviceArray<double> pad_ts;
  DeviceArray<int64_t> nbr, eid;
  DeviceArray<double> ts, next_times;
  DeviceArray<float> dt;
  int64_t num_roots = 0;
  int64_t num_sampled = 0;
};

struct CudaTemporalSampler::Rep {
  TemporalSamplerOptions options;
  cudaStream_t stream = nullptr;
  DeviceArray<int64_t> roots;
  DeviceArray<double> times;
  DeviceArray<int64_t> counts;
  DeviceArray<char> scan_temp;
  std::vector<DeviceLayer> layers;
  int64_t last_total = 0;
  ~Rep() {
    if (stream) cudaStreamDestroy(stream);
  }
};

CudaTemporalSampler::CudaTemporalSampler(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
CudaTemporalSampler::~CudaTemporalSampler() = default;

StatusOr<std::unique_ptr<CudaTemporalSampler>> CudaTemporalSampler::Create(
    TemporalSamplerOptions options) {
  SG_ASSIGN_OR_RETURN(TemporalSampler cpu, TemporalSampler::Create(options));
  if (core::CudaDeviceCount() == 0) {
    return Status::FailedPrecondition("no CUDA device (" + core::DeviceSummary() + ")");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = cpu.options();
  rep->layers.resize(rep->options.fanouts.size());
  SG_CUDA_RETURN(cudaStreamCreateWithFlags(&rep->stream, cudaStreamNonBlocking));
  return std::unique_ptr<CudaTemporalSampler>(new CudaTemporalSampler(std::move(rep)));
}

int64_t CudaTemporalSampler::last_total_sampled() const { return rep_->last_total; }

DeviceSampledLayer CudaTemporalSampler::last_layer(size_t l) const {
  const DeviceLayer& L = rep_->layers.at(l);
  DeviceSampledLayer out;
  out.num_roots = L.num_roots;
  out.num_sampled = L.num_sampled;
  out.counts_scan = L.counts_scan.data();
  out.neighbors = L.nbr.data();
  out.edges = L.eid.data();
  out.dt = L.dt.data();
  return out;
}
const TemporalSamplerOptions& CudaTemporalSampler::options() const { return rep_->options; }

Status CudaTemporalSampler::Sample(const graph::DeviceTemporalGraph& graph,
                                   Span<const NodeId> roots, Span<const Timestamp> times,
                                   uint64_t batch_key, SampleResult* out) {
  if (roots.size() != times.size()) {
    return Status::InvalidArgument("roots and times differ in length");
  }
  Rep& r = *rep_;
  const cudaStream_t s = r.stream;
  const DeviceGraphView g = graph.view();
  int64_t num_roots = static_cast<int64_t>(roots.size());
  SG_RETURN_IF_ERROR(r.roots.Reserve(num_roots));
  SG_RETURN_IF_ERROR(r.times.Reserve(num_roots));
  if (num_roots > 0) {
    SG_CUDA_RETURN(cudaMemcpyAsync(r.roots.data(), roots.data(), num_roots * sizeof(int64_t),
                                   cudaMemcpyHostToDevice, s));
    SG_CUDA_RETURN(cudaMemcpyAsync(r.times.data(), times.data(), num_roots * sizeof(double),
                                   cudaMemcpyHostToDevice, s));
  }
  const int64_t* layer_roots = r.roots.data();
  const double* layer_times = r.times.data();
  r.last_total = 0;
  for (size_t l = 0; l < r.layers.size(); ++l) {
    DeviceLayer& L = r.layers[l];
    const int k = r.options.fanouts[l];
    L.num_roots = num_roots;
    L.num_sampled = 0;
    if (num_roots > 0) {
      const int64_t slots = num_roots * k;
      SG_RETURN_IF_ERROR(L.pad_nbr.Reserve(slots));
      SG_RETURN_IF_ERROR(L.pad_eid.Reserve(slots));
      SG_RETURN_IF_ERROR(L.pad_ts.Reserve(slots));
      SG_RETURN_IF_ERROR(r.counts.Reserve(num_roots));
      SG_RETURN_IF_ERROR(L.counts_scan.Reserve(num_roots));
      const uint64_t stream_key = core::StreamKey(batch_key, static_cast<uint64_t>(l));
      if (r.options.strategy == Strategy::kRecent) {
        RecentKernel<<<GridFor(num_roots), kThreads, 0, s>>>(g, layer_roots, layer_times, num_roots, k,
                                                             L.pad_nbr.data(), L.pad_eid.data(),
                                                             L.pad_ts.data(), r.counts.data());
      } else {
        UniformKernel<<<GridFor(num_roots), kThreads, 0, s>>>(
            g, layer_roots, layer_times, num_roots, k, r.options.seed, stream_key, L.pad_nbr.data(),
            L.pad_eid.data(), L.pad_ts.data(), r.counts.data());
      }
      SG_CUDA_RETURN(cudaGetLastError());
      size_t temp_bytes = 0;
      SG_CUDA_RETURN(cub::DeviceScan::InclusiveSum(nullptr, temp_bytes, r.counts.data(),
                                                   L.counts_scan.data(), num_roots, s));
      SG_RETURN_IF_ERROR(r.scan_temp.Reserve(static_cast<int64_t>(temp_bytes)));
      SG_CUDA_RETURN(cub::DeviceScan::InclusiveSum(r.scan_temp.data(), temp_bytes, r.counts.data(),
                                                   L.counts_scan.data(), num_roots, s));
      SG_CUDA_RETURN(cudaMemcpyAsync(&L.num_sampled, L.counts_scan.data() + num_roots - 1,
                                     sizeof(int64_t), cudaMemcpyDeviceToHost, s));
      SG_CUDA_RETURN(cudaStreamSynchronize(s));
      const int64_t total = L.num_sampled;
      SG_RETURN_IF_ERROR(L.nbr.Reserve(std::max<int64_t>(total, 1)));
      SG_RETURN_IF_ERROR(L.eid.Reserve(std::max<int64_t>(total, 1)));
      SG_RETURN_IF_ERROR(L.ts.Reserve(std::max<int64_t>(total, 1)));
      SG_RETURN_IF_ERROR(L.dt.Reserve(std::max<int64_t>(total, 1)));
      SG_RETURN_IF_ERROR(L.next_times.Reserve(std::max<int64_t>(total, 1)));
      CompactKernel<<<GridFor(num_roots), kThreads, 0, s>>>(
          num_roots, k, L.counts_scan.data(), layer_times, L.pad_nbr.data(), L.pad_eid.data(),
          L.pad_ts.data(), L.nbr.data(), L.eid.data(), L.ts.data(), L.dt.data(),
          L.next_times.data(), r.options.prop_time);
      SG_CUDA_RETURN(cudaGetLastError());
    }
    r.last_total += L.num_sampled;
    layer_roots = L.nbr.data();
    layer_times = L.next_times.data();
    num_roots = L.num_sampled;
  }
  SG_CUDA_RETURN(cudaStreamSynchronize(s));
  if (out == nullptr) return Status::Ok();

  // Copy back in TemporalSampler's layout.
  out->layers.resize(r.layers.size());
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const DeviceLayer& L = r.layers[l];
    SampledBlock& block = out->layers[l];
    if (l == 0) {
      block.root_nodes.assign(roots.begin(), roots.end());
      block.root_times.assign(times.begin(), times.end());
    } else {
      const SampledBlock& prev = out->layers[l - 1];
      block.root_nodes = prev.neighbors;
      if (r.options.prop_time) {
        block.root_times.resize(prev.neighbors.size());
        for (int64_t i = 0; i < prev.num_roots(); ++i) {
          std::fill(block.root_times.begin() + prev.offsets[i],
                    block.root_times.begin() + prev.offsets[i + 1], prev.root_times[i]);
        }
      } else {
        block.root_times = prev.times;
      }
    }
    block.offsets.assign(L.num_roots + 1, 0);
    block.neighbors.resize(L.num_sampled);
    block.edges.resize(L.num_sampled);
    block.times.resize(L.num_sampled);
    block.dt.resize(L.num_sampled);
    if (L.num_roots > 0) {
      SG_CUDA_RETURN(cudaMemcpyAsync(block.offsets.data() + 1, L.counts_scan.data(),
                                     L.num_roots * sizeof(int64_t), cudaMemcpyDeviceToHost, s));
    }
    if (L.num_sampled > 0) {
      SG_CUDA_RETURN(cudaMemcpyAsync(block.neighbors.data(), L.nbr.data(), L.num_sampled * sizeof(int64_t),
                                     cudaMemcpyDeviceToHost, s));
      SG_CUDA_RETURN(cudaMemcpyAsync(block.edges.data(), L.eid.data(), L.num_sampled * sizeof(int64_t),
                                     cudaMemcpyDeviceToHost, s));
      SG_CUDA_RETURN(cudaMemcpyAsync(block.times.data(), L.ts.data(), L.num_sampled * sizeof(double),
                                     cudaMemcpyDeviceToHost, s));
      SG_CUDA_RETURN(cudaMemcpyAsync(block.dt.data(), L.dt.data(), L.num_sampled * sizeof(float),
                                     cudaMemcpyDeviceToHost, s));
    }
  }
  SG_CUDA_RETURN(cudaStreamSynchronize(s));
  return Status::Ok();
}

}  // namespace streamgnn::sampling
