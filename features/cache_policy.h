// Replacement policies of the feature cache (DESIGN.md, Memory; GNNFlow's cache, GNNLab's static
// cache) and Belady's offline optimum, over an abstract key space [0, num_keys) (feature rows).
//
// This is the one place where cache decisions are made: the CPU FeatureCache
// (features/feature_cache.h) and the CUDA cache (features/feature_cache_cuda.h) both ask a
// CachePolicy which rows to keep, so the policy logic is tested on every machine. No LibTorch,
// no CUDA: plain C++17.
//
// Policies (one key per slot, `capacity` slots):
//   lru    on a miss, evict the key whose last access is oldest.
//   lfu    on a miss, evict the key with the fewest accesses since it was admitted; ties go to
//          the least recently accessed (LFU with LRU tie-break). A new key starts at count 1.
//   fifo   on a miss, evict the key admitted earliest; hits do not change the order.
//   static the content is fixed by Fill() (pre-sampling hotness as in GNNLab, or degree); misses
//          are never admitted.
// Every dynamic policy admits every missed key (evicting when full).
//
// Thread-safety: none; one CachePolicy is driven by one thread (the cache serialises batches).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/span.h"
#include "core/status.h"

namespace streamgnn::features {

enum class CachePolicyKind { kLru, kLfu, kFifo, kStatic };

// "lru", "lfu", "fifo", "static".
const char* CachePolicyName(CachePolicyKind kind);
// Inverse of CachePolicyName; InvalidArgument listing the choices otherwise.
StatusOr<CachePolicyKind> ParseCachePolicy(std::string_view name);

// What one access did.
struct CacheAccess {
  bool hit = false;
  int64_t slot = -1;     // slot that holds the key after the access; -1: a miss not admitted
  int64_t evicted = -1;  // key evicted from `slot` to make room, or -1
};

class CachePolicy {
 public:
  // Requires num_keys >= 0 and 0 <= capacity (capacity above num_keys is clamped to it).
  static StatusOr<std::unique_ptr<CachePolicy>> Create(CachePolicyKind kind, int64_t num_keys,
                                                       int64_t capacity);
  // Capacity from a ratio of the key space: floor(ratio * num_keys). Requires 0 <= ratio <= 1.
  static StatusOr<std::unique_ptr<CachePolicy>> CreateWithRatio(CachePolicyKind kind,
                                                                int64_t num_keys, double ratio);

  CachePolicyKind kind() const { return kind_; }
  int64_t num_keys() const { return static_cast<int64_t>(slot_of_.size()); }
  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }

  // Slot of `key`, or -1; changes nothing. Requires 0 <= key < num_keys().
  int64_t Find(int64_t key) const { return slot_of_[key]; }
  // Key held in `slot`, or -1. Requires 0 <= slot < capacity().
  int64_t KeyAt(int64_t slot) const { return key_of_[slot]; }

  // One access of `key` (requires 0 <= key < num_keys()): a hit updates the policy's state; a
  // miss admits the key (evicting when full) unless the policy is static.
  CacheAccess Access(int64_t key);

  // One batch of distinct keys with batch semantics, as the feature caches use it: the keys
  // present when the batch starts are its hits (touched in order), then its misses are admitted
  // in order, so an admission never turns a later key of the same batch into a miss. out[i] is
  // keys[i]'s result. Requires distinct keys in range.
  void AccessBatch(Span<const int64_t> keys, CacheAccess* out);

  // Empties the cache, then admits `keys` in order until it is full (later keys are ignored).
  // For static this is the fixed content; for the others the initial content (GNNFlow restores
  // the edge cache to the first rows at every epoch start). Errors: a key out of range or
  // repeated (InvalidArgument; the cache is then empty).
  Status Fill(Span<const int64_t> keys);
  // Empties the cache (all policies).
  void Clear();

 private:
  CachePolicy(CachePolicyKind kind, int64_t num_keys, int64_t capacity);
  int64_t PickVictim(int64_t* evicted_key);  // dynamic policies, full cache; frees a slot
  void Place(int64_t key, int64_t slot);  // admits key into a free or just-emptied slot
  void Touch(int64_t slot);             // hit bookkeeping
  void LruUnlink(int64_t slot);
  void LruPushBack(int64_t slot);       // most recent at the back

  CachePolicyKind kind_;
  int64_t capacity_;
  int64_t size_ = 0;
  std::vector<int64_t> slot_of_;  // key -> slot or -1
  std::vector<int64_t> key_of_;   // slot -> key or -1
  // lru: doubly linked list over slots, least recent at head_.
  std::vector<int64_t> prev_, next_;
  int64_t head_ = -1, tail_ = -1;
  // fifo: slots are filled 0, 1, ... and then reused round-robin, which is insertion order.
  int64_t fifo_next_ = 0;
  // lfu: (count, last access tick, slot), smallest first.
  std::vector<int64_t> count_, tick_;
  std::set<std::tuple<int64_t, int64_t, int64_t>> lfu_order_;
  int64_t clock_ = 0;
};

// Hits of one simulated pass over a trace.
struct TraceHits {
  int64_t accesses = 0;
  int64_t hits = 0;
  double hit_rate() const { return accesses ? static_cast<double>(hits) / accesses : 0.0; }
};

// Runs every key of `trace` through `policy` (its current content is kept). Requires keys in
// range (checked: InvalidArgument naming the position).
StatusOr<TraceHits> SimulateTrace(CachePolicy& policy, Span<const int64_t> trace);

// The same batch by batch with AccessBatch: batch b is trace[offsets[b], offsets[b+1]), keys
// distinct within a batch (checked: InvalidArgument). What FeatureCache counts.
StatusOr<TraceHits> SimulateBatches(CachePolicy& policy, Span<const int64_t> trace,
                                    Span<const int64_t> offsets);

// Belady's MIN with optional admission, offline: on a miss with a full cache, the key (cached
// or incoming) whose next use lies farthest in the future is the one left out. This is the
// most hits any replacement policy with `capacity` slots can get on the trace (the physical
// limit the online policies are compared with). Starts empty. O(n log capacity) time,
// O(n + num_keys) memory. Errors: key out of range, bad sizes (InvalidArgument).
//
// warm_start = false: the cache starts empty, as the online lru/lfu/fifo policies do.
// warm_start = true: the cache starts with the best possible content for free — the `capacity`
// keys whose first access comes soonest — which bounds pre-filled caches (static, or a dynamic
// cache restored at epoch start) too.
StatusOr<TraceHits> SimulateBelady(Span<const int64_t> trace, int64_t num_keys, int64_t capacity,
                                   bool warm_start = false);

// The `count` keys accessed most often in `trace` (a pre-sampling pass, as GNNLab does),
// hottest first, ties by smaller key; keys never accessed are not returned. Out-of-range keys
// are ignored.
std::vector<int64_t> HottestKeys(Span<const int64_t> trace, int64_t num_keys, int64_t count);
// The `count` keys with the largest score (e.g. degree), largest first, ties by smaller key.
std::vector<int64_t> TopKeysByScore(Span<const int64_t> score, int64_t count);

}  // namespace streamgnn::features
