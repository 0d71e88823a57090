#include "features/feature_cache_cuda.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/device.h"
#include "core/cuda_util.cuh"

namespace streamgnn::features {
namespace {

constexpr int kThreads = 256;
int GridFor(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

// Device-side lookup: slot of each distinct id, and the list of misses.
__global__ void LookupKernel(int64_t u, const int64_t* __restrict__ unique,
                             const int32_t* __restrict__ slot_of, int32_t* slot,
                             int64_t* miss_list, unsigned long long* miss_count) {
  const int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (j >= u) return;
  const int32_t s = slot_of[unique[j]];
  slot[j] = s;
  if (s < 0) miss_list[atomicAdd(miss_count, 1ULL)] = j;
}

__global__ void MissRowKernel(int64_t m, const int64_t* __restrict__ miss_unique, int32_t* miss_row) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < m) miss_row[miss_unique[i]] = static_cast<int32_t>(i);
}

// out[i] = row of ids[i]: from the cache on a hit, from the staged miss rows otherwise.
__global__ void GatherOutKernel(int64_t n, int64_t dim, const int64_t* __restrict__ inverse,
                                const int32_t* __restrict__ slot, const int32_t* __restrict__ miss_row,
                                const float* __restrict__ cache, const float* __restrict__ staged,
                                float* out) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (x >= n * dim) return;
  const int64_t i = x / dim, c = x - i * dim;
  const int64_t j = inverse[i];
  const int32_t s = slot[j];
  out[x] = s >= 0 ? cache[s * dim + c] : staged[static_cast<int64_t>(miss_row[j]) * dim + c];
}

__global__ void ClearKernel(int64_t n, const int64_t* __restrict__ keys, int32_t* slot_of) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) slot_of[keys[i]] = -1;
}

// Admission a: staged row `row[a]` goes to cache slot `slot[a]`, which now holds `key[a]`.
__global__ void AdmitKernel(int64_t n, int64_t dim, const int64_t* __restrict__ key,
                            const int64_t* __restrict__ slot, const int64_t* __restrict__ row,
                            const float* __restrict__ staged, float* cache, int32_t* slot_of) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (x >= n * dim) return;
  const int64_t a = x / dim, c = x - a * dim;
  cache[slot[a] * dim + c] = staged[row[a] * dim + c];
  if (c == 0) slot_of[key[a]] = static_cast<int32_t>(slot[a]);
}

}  // namespace

struct CudaFeatureCache::Rep {
  cudaStream_t stream = nullptr;
  PinnedArray<float> table;      // the whole feature table, pinned
  DeviceArray<float> cache;      // capacity x dim
  DeviceArray<int32_t> slot_of;  // num_rows
  // Per-call scratch.
  PinnedArray<int64_t> h_ids;    // unique ids, then inverse
  DeviceArray<int64_t> d_ids;
  DeviceArray<int32_t> d_slot, d_miss_row;
  DeviceArray<int64_t> d_miss_list;
  DeviceArray<unsigned long long> d_miss_count;
  PinnedArray<int64_t> h_miss;   // miss count + miss list back from the device
  PinnedArray<float> h_staged;   // miss rows
  DeviceArray<float> d_staged;
  PinnedArray<int64_t> h_meta;   // miss unique positions, clears, admissions
  DeviceArray<int64_t> d_meta;
  DeviceArray<float> d_out;      // GatherToHost
  std::vector<int64_t> unique, inverse;
  ~Rep() {
    if (stream) cudaStreamDestroy(stream);
  }

  // Writes `admit_*` (staged row -> slot) and clears the slot-table entries of `clears`.
  Status Apply(int64_t dim, const std::vector<int64_t>& miss_unique,
               const std::vector<int64_t>& clears, const std::vector<int64_t>& admit_key,
               const std::vector<int64_t>& admit_slot, const std::vector<int64_t>& admit_row,
               int64_t meta_offset);
};

CudaFeatureCache::CudaFeatureCache(int64_t num_rows, int64_t dim,
                                   std::unique_ptr<CachePolicy> policy, std::unique_ptr<Rep> rep)
    : num_rows_(num_rows), dim_(dim), policy_(std::move(policy)), rep_(std::move(rep)) {}
CudaFeatureCache::~CudaFeatureCache() = default;

StatusOr<std::unique_ptr<CudaFeatureCache>> CudaFeatureCache::Create(
    Span<const float> table, int64_t num_rows, int64_t dim, const FeatureCacheOptions& options) {
  if (num_rows < 0 || dim < 1 || static_cast<int64_t>(table.size()) != num_rows * dim) {
    return Status::InvalidArgument("device feature cache: table has " + std::to_string(table.size()) +
                                   " floats, expected " + std::to_string(num_rows) + " x " +
                                   std::to_string(dim) + " (dim >= 1)");
  }
  if (num_rows >= (int64_t{1} << 31)) {
    return Status::InvalidArgument("device feature cache: more than 2^31 rows");
  }
  SG_ASSIGN_OR_RETURN(std::unique_ptr<CachePolicy> policy,
                      CachePolicy::CreateWithRatio(options.policy, num_rows, options.ratio));
  if (core::CudaDeviceCount() == 0) {
    return Status::FailedPrecondition("no CUDA device (" + core::DeviceSummary() + ")");
  }
  auto rep = std::make_unique<Rep>();
  SG_CUDA_RETURN(cudaStreamCreateWithFlags(&rep->stream, cudaStreamNonBlocking));
  SG_RETURN_IF_ERROR(rep->table.Reserve(std::max<int64_t>(1, num_rows * dim)));
  std::memcpy(rep->table.data(), table.data(), table.size() * sizeof(float));
  SG_RETURN_IF_ERROR(rep->cache.Reserve(std::max<int64_t>(1, policy->capacity() * dim)));
  SG_RETURN_IF_ERROR(rep->slot_of.Reserve(std::max<int64_t>(1, num_rows)));
  SG_CUDA_RETURN(cudaMemset(rep->slot_of.data(), 0xff, std::max<int64_t>(1, num_rows) * sizeof(int32_t)));
  SG_RETURN_IF_ERROR(rep->d_miss_count.Reserve(1));
  return std::unique_ptr<CudaFeatureCache>(
      new CudaFeatureCache(num_rows, dim, std::move(policy), std::move(rep)));
}

CacheStats CudaFeatureCache::TakeStats() {
  const CacheStats s = stats_;
  stats_ = CacheStats();
  return s;
}

Status CudaFeatureCache::Rep::Apply(int64_t dim, const std::vector<int64_t>& miss_unique,
                                    const std::vector<int64_t>& clears,
                                    const std::vector<int64_t>& admit_key,
                                    const std::vector<int64_t>& admit_slot,
                                    const std::vector<int64_t>& admit_row, int64_t) {
  const int64_t m = static_cast<int64_t>(miss_unique.size());
  const int64_t c = static_cast<int64_t>(clears.size());
  const int64_t a = static_cast<int64_t>(admit_key.size());
  const int64_t total = m + c + 3 * a;
  if (total == 0) return Status::Ok();
  SG_RETURN_IF_ERROR(h_meta.Reserve(total));
  SG_RETURN_IF_ERROR(d_meta.Reserve(total));
  int64_t* h = h_meta.data();
  std::copy(miss_unique.begin(), miss_unique.end(), h);
  std::copy(clears.begin(), clears.end(), h + m);
  std::copy(admit_key.begin(), admit_key.end(), h + m + c);
  std::copy(admit_slot.begin(), admit_slot.end(), h + m + c + a);
  std::copy(admit_row.begin(), admit_row.end(), h + m + c + 2 * a);
  SG_CUDA_RETURN(cudaMemcpyAsync(d_meta.data(), h, total * sizeof(int64_t), cudaMemcpyHostToDevice, stream));
  const int64_t* d = d_meta.data();
  if (c > 0) ClearKernel<<<GridFor(c), kThreads, 0, stream>>>(c, d + m, slot_of.data());
  if (a > 0) {
    AdmitKernel<<<GridFor(a * dim), kThreads, 0, stream>>>(a, dim, d + m + c, d + m + c + a,
                                                          d + m + c + 2 * a, d_staged.data(),
                                                          cache.data(), slot_of.data());
  }
  SG_CUDA_RETURN(cudaGetLastError());
  return Status::Ok();
}

Status CudaFeatureCache::Fill(Span<const int64_t> keys) {
  SG_RETURN_IF_ERROR(policy_->Fill(keys));
  Rep& r = *rep_;
  const int64_t n = policy_->size();
  SG_CUDA_RETURN(cudaMemsetAsync(r.slot_of.data(), 0xff, std::max<int64_t>(1, num_rows_) * sizeof(int32_t), r.stream));
  if (n > 0) {
    SG_RETURN_IF_ERROR(r.h_staged.Reserve(n * dim_));
    SG_RETURN_IF_ERROR(r.d_staged.Reserve(n * dim_));
    std::vector<int64_t> key(n), slot(n), row(n);
    for (int64_t i = 0; i < n; ++i) {
      key[i] = keys[i];
      slot[i] = policy_->Find(keys[i]);
      row[i] = i;
      std::memcpy(r.h_staged.data() + i * dim_, r.table.data() + keys[i] * dim_, dim_ * sizeof(float));
    }
    SG_CUDA_RETURN(cudaMemcpyAsync(r.d_staged.data(), r.h_staged.data(), n * dim_ * sizeof(float),
                                   cudaMemcpyHostToDevice, r.stream));
    SG_RETURN_IF_ERROR(r.Apply(dim_, {}, {}, key, slot, row, 0));
  }
  SG_CUDA_RETURN(cudaStreamSynchronize(r.stream));
  return Status::Ok();
}

Status CudaFeatureCache::Gather(Span<const int64_t> ids, float* out_device) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= num_rows_) {
      return Status::OutOfRange("feature row id " + std::to_string(ids[i]) + " (position " +
                                std::to_string(i) + ") is outside [0, " + std::to_string(num_rows_) + ")");
    }
  }
  last_device_misses_ = 0;
  if (ids.empty()) return Status::Ok();
  Rep& r = *rep_;
  const cudaStream_t s = r.stream;
  const int64_t n = static_cast<int64_t>(ids.size());
  // 1. Distinct ids, uploaded with the inverse map in one copy; device lookup.
  r.unique.clear();
  r.inverse.resize(n);
  {
    std::unordered_map<int64_t, int64_t> index;
    index.reserve(n * 2);
    for (int64_t i = 0; i < n; ++i) {
      auto [it, inserted] = index.emplace(ids[i], static_cast<int64_t>(r.unique.size()));
      if (inserted) r.unique.push_back(ids[i]);
      r.inverse[i] = it->second;
    }
  }
  const int64_t u = static_cast<int64_t>(r.unique.size());
  SG_RETURN_IF_ERROR(r.h_ids.Reserve(u + n));
  SG_RETURN_IF_ERROR(r.d_ids.Reserve(u + n));
  SG_RETURN_IF_ERROR(r.d_slot.Reserve(u));
  SG_RETURN_IF_ERROR(r.d_miss_row.Reserve(u));
  SG_RETURN_IF_ERROR(r.d_miss_list.Reserve(u));
  SG_RETURN_IF_ERROR(r.h_miss.Reserve(u + 1));
  std::copy(r.unique.begin(), r.unique.end(), r.h_ids.data());
  std::copy(r.inverse.begin(), r.inverse.end(), r.h_ids.data() + u);
  SG_CUDA_RETURN(cudaMemcpyAsync(r.d_ids.data(), r.h_ids.data(), (u + n) * sizeof(int64_t),
                                 cudaMemcpyHostToDevice, s));
  SG_CUDA_RETURN(cudaMemsetAsync(r.d_miss_count.data(), 0, sizeof(unsigned long long), s));
  LookupKernel<<<GridFor(u), kThreads, 0, s>>>(u, r.d_ids.data(), r.slot_of.data(), r.d_slot.data(),
                                               r.d_miss_list.data(), r.d_miss_count.data());
  SG_CUDA_RETURN(cudaGetLastError());
  SG_CUDA_RETURN(cudaMemcpyAsync(r.h_miss.data(), r.d_miss_count.data(), sizeof(int64_t),
                                 cudaMemcpyDeviceToHost, s));
  SG_CUDA_RETURN(cudaMemcpyAsync(r.h_miss.data() + 1, r.d_miss_list.data(), u * sizeof(int64_t),
                                 cudaMemcpyDeviceToHost, s));
  SG_CUDA_RETURN(cudaStreamSynchronize(s));
  const int64_t device_misses = r.h_miss.data()[0];
  std::vector<int64_t> miss_unique(r.h_miss.data() + 1, r.h_miss.data() + 1 + device_misses);
  std::sort(miss_unique.begin(), miss_unique.end());  // first-appearance order
  last_device_misses_ = device_misses;

  // 2. The shared policy decides admissions; it must agree with the device lookup.
  std::vector<int64_t> clears, admit_key, admit_slot, admit_row;
  int64_t hits = 0;
  size_t next_miss = 0;
  std::vector<CacheAccess> accesses(u);
  policy_->AccessBatch(r.unique, accesses.data());
  for (int64_t j = 0; j < u; ++j) {
    const CacheAccess& a = accesses[j];
    const bool device_miss = next_miss < miss_unique.size() && miss_unique[next_miss] == j;
    if (a.hit == device_miss) {
      policy_->Clear();
      SG_CUDA_RETURN(cudaMemsetAsync(r.slot_of.data(), 0xff, num_rows_ * sizeof(int32_t), s));
      SG_CUDA_RETURN(cudaStreamSynchronize(s));
      return Status::Internal("device feature cache: policy and device slot table disagree on row " +
                              std::to_string(r.unique[j]) + "; cache emptied");
    }
    if (a.hit) {
      ++hits;
      continue;
    }
    if (a.evicted >= 0) clears.push_back(a.evicted);
    if (a.slot >= 0) {
      admit_key.push_back(r.unique[j]);
      admit_slot.push_back(a.slot);
      admit_row.push_back(static_cast<int64_t>(next_miss));
    }
    ++next_miss;
  }
  // Keep only the admissions still in place at the end of the call (a later miss of this call
  // may have taken the slot again).
  {
    size_t w = 0;
    for (size_t i = 0; i < admit_key.size(); ++i) {
      if (policy_->KeyAt(admit_slot[i]) != admit_key[i]) continue;
      admit_key[w] = admit_key[i];
      admit_slot[w] = admit_slot[i];
      admit_row[w] = admit_row[i];
      ++w;
    }
    admit_key.resize(w);
    admit_slot.resize(w);
    admit_row.resize(w);
  }

  // 3. Miss rows from the pinned table, up in one batched copy.
  const int64_t m = device_misses;
  if (m > 0) {
    SG_RETURN_IF_ERROR(r.h_staged.Reserve(m * dim_));
    SG_RETURN_IF_ERROR(r.d_staged.Reserve(m * dim_));
    for (int64_t i = 0; i < m; ++i) {
      std::memcpy(r.h_staged.data() + i * dim_, r.table.data() + r.unique[miss_unique[i]] * dim_,
                  dim_ * sizeof(float));
    }
    SG_CUDA_RETURN(cudaMemcpyAsync(r.d_staged.data(), r.h_staged.data(), m * dim_ * sizeof(float),
                                   cudaMemcpyHostToDevice, s));
  }
  // Miss positions go up with the admissions (one copy); hits and misses are written out before
  // any slot is overwritten.
  const int64_t meta = m;
  SG_RETURN_IF_ERROR(r.h_meta.Reserve(std::max<int64_t>(1, meta)));
  SG_RETURN_IF_ERROR(r.d_meta.Reserve(std::max<int64_t>(1, meta)));
  if (m > 0) {
    std::copy(miss_unique.begin(), miss_unique.end(), r.h_meta.data());
    SG_CUDA_RETURN(cudaMemcpyAsync(r.d_meta.data(), r.h_meta.data(), m * sizeof(int64_t),
                                   cudaMemcpyHostToDevice, s));
    MissRowKernel<<<GridFor(m), kThreads, 0, s>>>(m, r.d_meta.data(), r.d_miss_row.data());
  }
  GatherOutKernel<<<GridFor(n * dim_), kThreads, 0, s>>>(n, dim_, r.d_ids.data() + u, r.d_slot.data(),
                                                         r.d_miss_row.data(), r.cache.data(),
                                                         r.d_staged.data(), out_device);
  SG_CUDA_RETURN(cudaGetLastError());
  // The meta buffer is reused by Apply: wait until the kernels above have read it.
  SG_CUDA_RETURN(cudaStreamSynchronize(s));
  SG_RETURN_IF_ERROR(r.Apply(dim_, {}, clears, admit_key, admit_slot, admit_row, 0));
  SG_CUDA_RETURN(cudaStreamSynchronize(s));
  stats_.hits += hits;
  stats_.misses += u - hits;
  return Status::Ok();
}

Status CudaFeatureCache::GatherToHost(Span<const int64_t> ids, float* out_host) {
  const int64_t n = static_cast<int64_t>(ids.size());
  SG_RETURN_IF_ERROR(rep_->d_out.Reserve(std::max<int64_t>(1, n * dim_)));
  SG_RETURN_IF_ERROR(Gather(ids, rep_->d_out.data()));
  if (n > 0) {
    SG_CUDA_RETURN(cudaMemcpy(out_host, rep_->d_out.data(), n * dim_ * sizeof(float), cudaMemcpyDeviceToHost));
  }
  return Status::Ok();
}

}  // namespace streamgnn::features
