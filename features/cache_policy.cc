#include "features/cache_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace streamgnn::features {

const char* CachePolicyName(CachePolicyKind kind) {
  switch (kind) {
    case CachePolicyKind::kLru: return "lru";
    case CachePolicyKind::kLfu: return "lfu";
    case CachePolicyKind::kFifo: return "fifo";
    case CachePolicyKind::kStatic: return "static";
  }
  return "?";
}

StatusOr<CachePolicyKind> ParseCachePolicy(std::string_view name) {
  for (CachePolicyKind k : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo,
                            CachePolicyKind::kStatic}) {
    if (name == CachePolicyName(k)) return k;
  }
  return Status::InvalidArgument("unknown cache policy '" + std::string(name) +
                                 "'; expected one of lru, lfu, fifo, static");
}

CachePolicy::CachePolicy(CachePolicyKind kind, int64_t num_keys, int64_t capacity)
    : kind_(kind), capacity_(capacity), slot_of_(num_keys, -1), key_of_(capacity, -1) {
  if (kind_ == CachePolicyKind::kLru) {
    prev_.assign(capacity, -1);
    next_.assign(capacity, -1);
  }
  if (kind_ == CachePolicyKind::kLfu) {
    count_.assign(capacity, 0);
    tick_.assign(capacity, 0);
  }
}

StatusOr<std::unique_ptr<CachePolicy>> CachePolicy::Create(CachePolicyKind kind, int64_t num_keys,
                                                           int64_t capacity) {
  if (num_keys < 0) {
    return Status::InvalidArgument("cache key space must be >= 0, got " + std::to_string(num_keys));
  }
  if (capacity < 0) {
    return Status::InvalidArgument("cache capacity must be >= 0, got " + std::to_string(capacity));
  }
  capacity = std::min(capacity, num_keys);
  return std::unique_ptr<CachePolicy>(new CachePolicy(kind, num_keys, capacity));
}

StatusOr<std::unique_ptr<CachePolicy>> CachePolicy::CreateWithRatio(CachePolicyKind kind,
                                                                    int64_t num_keys,
                                                                    double ratio) {
  if (!(ratio >= 0.0 && ratio <= 1.0)) {
    return Status::InvalidArgument("cache.ratio must be in [0, 1], got " + std::to_string(ratio));
  }
  return Create(kind, num_keys, static_cast<int64_t>(std::floor(ratio * num_keys)));
}

void CachePolicy::Clear() {
  for (int64_t s = 0; s < capacity_; ++s) {
    if (key_of_[s] >= 0) slot_of_[key_of_[s]] = -1;
    key_of_[s] = -1;
  }
  size_ = 0;
  head_ = tail_ = -1;
  fifo_next_ = 0;
  lfu_order_.clear();
  clock_ = 0;
}

Status CachePolicy::Fill(Span<const int64_t> keys) {
  Clear();
  for (size_t i = 0; i < keys.size() && size_ < capacity_; ++i) {
    const int64_t key = keys[i];
    if (key < 0 || key >= num_keys()) {
      Clear();
      return Status::InvalidArgument("cache fill key " + std::to_string(key) + " (position " +
                                     std::to_string(i) + ") is outside [0, " +
                                     std::to_string(num_keys()) + ")");
    }
    if (slot_of_[key] >= 0) {
      Clear();
      return Status::InvalidArgument("cache fill key " + std::to_string(key) + " is repeated (position " +
                                     std::to_string(i) + ")");
    }
    Place(key, size_);
  }
  return Status::Ok();
}

void CachePolicy::LruUnlink(int64_t s) {
  if (prev_[s] >= 0) next_[prev_[s]] = next_[s]; else head_ = next_[s];
  if (next_[s] >= 0) prev_[next_[s]] = prev_[s]; else tail_ = prev_[s];
  prev_[s] = next_[s] = -1;
}

void CachePolicy::LruPushBack(int64_t s) {
  prev_[s] = tail_;
  next_[s] = -1;
  if (tail_ >= 0) next_[tail_] = s; else head_ = s;
  tail_ = s;
}

void CachePolicy::Place(int64_t key, int64_t slot) {
  key_of_[slot] = key;
  slot_of_[key] = slot;
  ++size_;
  ++clock_;
  switch (kind_) {
    case CachePolicyKind::kLru:
      LruPushBack(slot);
      break;
    case CachePolicyKind::kLfu:
      count_[slot] = 1;
      tick_[slot] = clock_;
      lfu_order_.emplace(1, clock_, slot);
      break;
    case CachePolicyKind::kFifo:
      // Slots fill in order 0, 1, ..., so the next victim after a full fill is slot 0.
      fifo_next_ = (slot + 1) % capacity_;
      break;
    case CachePolicyKind::kStatic:
      break;
  }
}

void CachePolicy::Touch(int64_t slot) {
  ++clock_;
  switch (kind_) {
    case CachePolicyKind::kLru:
      LruUnlink(slot);
      LruPushBack(slot);
      break;
    case CachePolicyKind::kLfu:
      lfu_order_.erase({count_[slot], tick_[slot], slot});
      ++count_[slot];
      tick_[slot] = clock_;
      lfu_order_.emplace(count_[slot], tick_[slot], slot);
      break;
    case CachePolicyKind::kFifo:
    case CachePolicyKind::kStatic:
      break;
  }
}

int64_t CachePolicy::PickVictim(int64_t* evicted_key) {
  int64_t slot = -1;
  switch (kind_) {
    case CachePolicyKind::kLru:
      slot = head_;
      LruUnlink(slot);
      break;
    case CachePolicyKind::kLfu: {
      auto it = lfu_order_.begin();
      slot = std::get<2>(*it);
      lfu_order_.erase(it);
      break;
    }
    case CachePolicyKind::kFifo:
      slot = fifo_next_;
      break;
    case CachePolicyKind::kStatic:
      SG_CHECK(false, "static cache never evicts");
  }
  *evicted_key = key_of_[slot];
  slot_of_[key_of_[slot]] = -1;
  key_of_[slot] = -1;
  --size_;
  return slot;
}

CacheAccess CachePolicy::Access(int64_t key) {
  CacheAccess a;
  const int64_t slot = slot_of_[key];
  if (slot >= 0) {
    a.hit = true;
    a.slot = slot;
    Touch(slot);
    return a;
  }
  if (kind_ == CachePolicyKind::kStatic || capacity_ == 0) return a;
  if (size_ < capacity_) {
    a.slot = size_;  // slots fill densely: [0, size) are occupied while not full
  } else {
    a.slot = PickVictim(&a.evicted);
  }
  Place(key, a.slot);
  return a;
}

void CachePolicy::AccessBatch(Span<const int64_t> keys, CacheAccess* out) {
  for (size_t i = 0; i < keys.size(); ++i) {
    out[i] = CacheAccess();
    if (slot_of_[keys[i]] >= 0) out[i] = Access(keys[i]);  // hits, touched in order
  }
  // Then the misses. A hit evicted by one of these admissions stays a hit of this batch.
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!out[i].hit) out[i] = Access(keys[i]);
  }
}

StatusOr<TraceHits> SimulateBatches(CachePolicy& policy, Span<const int64_t> trace,
                                    Span<const int64_t> offsets) {
  TraceHits h;
  const int64_t n = policy.num_keys();
  std::vector<CacheAccess> out;
  std::vector<char> seen(n, 0);
  for (size_t b = 0; b + 1 < offsets.size(); ++b) {
    const int64_t lo = offsets[b], hi = offsets[b + 1];
    if (lo < 0 || hi < lo || hi > static_cast<int64_t>(trace.size())) {
      return Status::InvalidArgument("batch offsets are not ascending within the trace");
    }
    for (int64_t i = lo; i < hi; ++i) {
      if (trace[i] < 0 || trace[i] >= n) {
        return Status::InvalidArgument("trace key " + std::to_string(trace[i]) + " at position " +
                                       std::to_string(i) + " is outside [0, " + std::to_string(n) + ")");
      }
      if (seen[trace[i]]) {
        return Status::InvalidArgument("trace key " + std::to_string(trace[i]) +
                                       " repeats within batch " + std::to_string(b));
      }
      seen[trace[i]] = 1;
    }
    for (int64_t i = lo; i < hi; ++i) seen[trace[i]] = 0;
    out.assign(hi - lo, CacheAccess());
    policy.AccessBatch(trace.subspan(lo, hi - lo), out.data());
    for (const CacheAccess& a : out) h.hits += a.hit ? 1 : 0;
    h.accesses += hi - lo;
  }
  return h;
}

StatusOr<TraceHits> SimulateTrace(CachePolicy& policy, Span<const int64_t> trace) {
  TraceHits h;
  const int64_t n = policy.num_keys();
  for (size_t i = 0; i < trace.size(); ++i) {
    if (trace[i] < 0 || trace[i] >= n) {
      return Status::InvalidArgument("trace key " + std::to_string(trace[i]) + " at position " +
                                     std::to_string(i) + " is outside [0, " + std::to_string(n) + ")");
    }
    h.hits += policy.Access(trace[i]).hit ? 1 : 0;
  }
  h.accesses = static_cast<int64_t>(trace.size());
  return h;
}

StatusOr<TraceHits> SimulateBelady(Span<const int64_t> trace, int64_t num_keys, int64_t capacity,
                                   bool warm_start) {
  if (num_keys < 0 || capacity < 0) {
    return Status::InvalidArgument("Belady: num_keys and capacity must be >= 0");
  }
  const int64_t n = static_cast<int64_t>(trace.size());
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> next_use(n);
  std::vector<int64_t> last(num_keys, kNever);  // after the loop: each key's first access
  {
    for (int64_t i = n - 1; i >= 0; --i) {
      const int64_t k = trace[i];
      if (k < 0 || k >= num_keys) {
        return Status::InvalidArgument("trace key " + std::to_string(k) + " at position " +
                                       std::to_string(i) + " is outside [0, " +
                                       std::to_string(num_keys) + ")");
      }
      next_use[i] = last[k];
      last[k] = i;
    }
  }
  TraceHits h;
  h.accesses = n;
  if (capacity == 0) return h;
  // Cached keys ordered by next use; a cached key accessed at i is stored as (i, key) until then.
  std::set<std::pair<int64_t, int64_t>> cached;
  std::vector<char> in_cache(num_keys, 0);
  if (warm_start) {
    // Every key "cached" with its first access as next use, then the farthest dropped until
    // `capacity` remain: the same farthest-next-use rule applied before the first access.
    std::vector<std::pair<int64_t, int64_t>> first;
    for (int64_t k = 0; k < num_keys; ++k) {
      if (last[k] != kNever) first.emplace_back(last[k], k);
    }
    std::sort(first.begin(), first.end());
    if (static_cast<int64_t>(first.size()) > capacity) first.resize(capacity);
    for (const auto& [pos, k] : first) {
      cached.emplace(pos, k);
      in_cache[k] = 1;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = trace[i];
    if (in_cache[k]) {
      ++h.hits;
      cached.erase({i, k});
      cached.emplace(next_use[i], k);
      continue;
    }
    if (next_use[i] == kNever) continue;  // never used again: admitting it cannot help
    if (static_cast<int64_t>(cached.size()) < capacity) {
      cached.emplace(next_use[i], k);
      in_cache[k] = 1;
      continue;
    }
    auto farthest = std::prev(cached.end());
    if (farthest->first <= next_use[i]) continue;  // the incoming key is the one left out
    in_cache[farthest->second] = 0;
    cached.erase(farthest);
    cached.emplace(next_use[i], k);
    in_cache[k] = 1;
  }
  return h;
}

std::vector<int64_t> HottestKeys(Span<const int64_t> trace, int64_t num_keys, int64_t count) {
  std::vector<int64_t> freq(std::max<int64_t>(num_keys, 0), 0);
  for (int64_t k : trace) {
    if (k >= 0 && k < num_keys) ++freq[k];
  }
  std::vector<int64_t> keys = TopKeysByScore(freq, count);
  while (!keys.empty() && freq[keys.back()] == 0) keys.pop_back();
  return keys;
}

std::vector<int64_t> TopKeysByScore(Span<const int64_t> score, int64_t count) {
  std::vector<int64_t> keys(score.size());
  std::iota(keys.begin(), keys.end(), 0);
  count = std::clamp<int64_t>(count, 0, static_cast<int64_t>(keys.size()));
  auto hotter = [&](int64_t a, int64_t b) {
    return score[a] != score[b] ? score[a] > score[b] : a < b;
  };
  std::partial_sort(keys.begin(), keys.begin() + count, keys.end(), hotter);
  keys.resize(count);
  return keys;
}

}  // namespace streamgnn::features
