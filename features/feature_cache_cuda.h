// CudaFeatureCache: hot feature rows in GPU memory, the rest in pinned host memory (GNNFlow's
// GPU feature cache; DESIGN.md, Memory). Raw CUDA, no LibTorch, no CUDA header here; compiled
// only when nvcc is found. Without a device, Create() returns FailedPrecondition.
//
// Gather(ids) on the device:
//   1. the distinct ids of the call (first-appearance order) are uploaded and a kernel looks
//      each one up in the device-resident slot table (row -> cache slot or -1);
//   2. the misses the kernel found come back to the host, which copies their rows out of the
//      pinned host table into a pinned staging buffer and sends them up in one batched copy;
//   3. a kernel writes every requested row into the caller's device buffer — hits from the
//      cache, misses from the staging rows — and then the rows the policy admitted are copied
//      into their slots and the slot table is updated.
// Which rows to keep is decided by the shared CachePolicy (features/cache_policy.h), the same code
// as the CPU FeatureCache, so its counters equal the CPU cache's on the same calls. The policy's
// hits and the device lookup must agree on every call; a disagreement is reported as Internal.
//
// Not thread-safe: one Gather at a time (device buffers and the policy are shared state).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "features/feature_cache.h"

namespace streamgnn::features {

class CudaFeatureCache {
 public:
  // Copies `table` (num_rows x dim floats, row-major) into pinned host memory and allocates
  // floor(options.ratio * num_rows) cache rows on the device. Errors: bad sizes or ratio
  // (InvalidArgument), no device (FailedPrecondition), allocation failures.
  static StatusOr<std::unique_ptr<CudaFeatureCache>> Create(Span<const float> table,
                                                            int64_t num_rows, int64_t dim,
                                                            const FeatureCacheOptions& options);
  ~CudaFeatureCache();
  CudaFeatureCache(const CudaFeatureCache&) = delete;
  CudaFeatureCache& operator=(const CudaFeatureCache&) = delete;

  // Writes the rows of `ids` (host array) to device memory out_device[0 .. ids.size() * dim).
  // Returns when the rows are in place. Errors: ids out of range (OutOfRange, nothing counted),
  // CUDA errors (Internal).
  Status Gather(Span<const int64_t> ids, float* out_device);
  // Gather into a device buffer of its own, then copy to host memory (tests and tools).
  Status GatherToHost(Span<const int64_t> ids, float* out_host);
  // Replaces the content with `keys` (see FeatureCache::Fill).
  Status Fill(Span<const int64_t> keys);

  CacheStats stats() const { return stats_; }
  CacheStats TakeStats();
  // Misses found by the device lookup in the last Gather (equals that call's policy misses).
  int64_t last_device_misses() const { return last_device_misses_; }
  const CachePolicy& policy() const { return *policy_; }
  int64_t num_rows() const { return num_rows_; }
  int64_t dim() const { return dim_; }

 private:
  struct Rep;
  CudaFeatureCache(int64_t num_rows, int64_t dim, std::unique_ptr<CachePolicy> policy,
                   std::unique_ptr<Rep> rep);

  int64_t num_rows_, dim_;
  std::unique_ptr<CachePolicy> policy_;
  std::unique_ptr<Rep> rep_;
  CacheStats stats_;
  int64_t last_device_misses_ = 0;
};

}  // namespace streamgnn::features
