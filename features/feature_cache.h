// FeatureCache: hot feature rows on the fast tier in front of any FeatureStore (DESIGN.md,
// Memory; GNNFlow's feature cache, GNNLab's static cache).
//
// A FeatureCache is itself a FeatureStore: Gather(ids) serves the rows it holds from its own RAM
// and fetches all the others with one Gather of the backing store (one RocksDB MultiGet for the
// disk tier), then admits them as its CachePolicy (features/cache_policy.h) decides. The same
// policy code drives the CUDA cache (features/feature_cache_cuda.h).
//
// Counting. Within one Gather, a row asked for several times is fetched once and counted once:
// hits + misses per call = the number of distinct ids of the call. The distinct ids of a call
// go to the policy as one batch (CachePolicy::AccessBatch, in order of first appearance): the
// rows held when the call starts are its hits, then its misses are admitted. The CUDA cache
// uses the same semantics, so both count alike. TakeStats() returns the counters and
// zeroes them, so a trainer calls it at each epoch end to log hits/misses per epoch.
//
// Thread-safety: none (one Gather at a time); the backing store is only called from Gather.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "features/cache_policy.h"
#include "features/feature_store.h"

namespace streamgnn::features {

// The `cache` section of a run (see docs/features.md for the YAML form).
struct FeatureCacheOptions {
  CachePolicyKind policy = CachePolicyKind::kLru;
  // Fraction of the backing store's rows kept in the cache: capacity = floor(ratio * num_rows).
  // Requires 0 <= ratio <= 1. 0 turns caching off (every access is a miss).
  double ratio = 0.1;
};

struct CacheStats {
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t accesses() const { return hits + misses; }
  double hit_rate() const { return accesses() ? static_cast<double>(hits) / accesses() : 0.0; }
};

class FeatureCache final : public FeatureStore {
 public:
  // `backing` must outlive the cache. Errors: null backing, bad ratio (InvalidArgument).
  static StatusOr<std::unique_ptr<FeatureCache>> Create(FeatureStore* backing,
                                                        const FeatureCacheOptions& options);

  // Rows of `ids` into out (see FeatureStore::Gather). Errors: out-of-range ids (nothing is
  // counted or admitted then), errors of the backing store (the cache stays consistent: when the
  // failed call had admitted rows, the cache is emptied; a static cache keeps its content).
  Status Gather(Span<const int64_t> ids, float* out) override;
  std::string Describe() const override;

  // Replaces the content with `keys` in order (up to capacity), reading their rows from the
  // backing store. Static policy: the fixed content (pre-sampling hotness, HottestKeys(), or
  // degree, TopKeysByScore()). Others: the initial content (GNNFlow restores the edge cache to
  // the earliest edges at every epoch start). Errors as CachePolicy::Fill and the backing's.
  Status Fill(Span<const int64_t> keys);

  CacheStats stats() const { return stats_; }
  // Returns the counters and zeroes them (call once per epoch).
  CacheStats TakeStats();
  const CachePolicy& policy() const { return *policy_; }
  int64_t capacity() const { return policy_->capacity(); }

 private:
  FeatureCache(FeatureStore* backing, std::unique_ptr<CachePolicy> policy);

  FeatureStore* backing_;
  std::unique_ptr<CachePolicy> policy_;
  std::vector<float> slots_;  // capacity x dim
  CacheStats stats_;
  // Scratch reused across calls.
  std::vector<int64_t> unique_, inverse_, miss_keys_, miss_pos_, admit_slot_;
  std::vector<CacheAccess> accesses_;
  std::vector<float> unique_rows_, miss_rows_;
};

// ---- feature-access traces ------------------------------------------------------------------

// The rows one epoch reads, batch after batch. Keys are distinct within a batch, in order of
// first appearance (what a cache is asked per batch). bench/temporal_trace.h records the trace of
// a TGN-style epoch.
struct AccessTrace {
  int64_t num_keys = 0;
  std::vector<int64_t> keys;
  std::vector<int64_t> batch_offsets = {0};  // batch b is keys[offsets[b], offsets[b+1])
  int64_t num_batches() const { return static_cast<int64_t>(batch_offsets.size()) - 1; }
};

}  // namespace streamgnn::features
