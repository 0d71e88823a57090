#include "features/cache_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bench/temporal_trace.h"
#include "datasets/synthetic.h"
#include "features/feature_cache.h"

namespace streamgnn::features {
namespace {

using bench::RecordTemporalTrace;
using bench::TemporalTraceOptions;
using bench::TemporalTraces;

// ---- reference simulation: a plain list of entries, victims found by linear scan ----------

class RefCache {
 public:
  RefCache(CachePolicyKind kind, int64_t capacity) : kind_(kind), capacity_(capacity) {}

  void Fill(const std::vector<int64_t>& keys) {
    for (int64_t k : keys) {
      if (static_cast<int64_t>(entries_.size()) == capacity_) break;
      ++clock_;
      entries_.push_back({k, clock_, clock_, 1});
    }
  }

  // Returns whether it hit; *evicted = the evicted key or -1.
  bool Access(int64_t key, int64_t* evicted) {
    ++clock_;
    *evicted = -1;
    for (Entry& e : entries_) {
      if (e.key == key) {
        e.last = clock_;
        ++e.count;
        return true;
      }
    }
    if (kind_ == CachePolicyKind::kStatic || capacity_ == 0) return false;
    if (static_cast<int64_t>(entries_.size()) < capacity_) {
      entries_.push_back({key, clock_, clock_, 1});
      return false;
    }
    size_t victim = 0;
    for (size_t i = 1; i < entries_.size(); ++i) {
      const Entry& a = entries_[i];
      const Entry& v = entries_[victim];
      bool better = false;
      switch (kind_) {
        case CachePolicyKind::kLru: better = a.last < v.last; break;
        case CachePolicyKind::kFifo: better = a.inserted < v.inserted; break;
        case CachePolicyKind::kLfu:
          better = a.count < v.count || (a.count == v.count && a.last < v.last);
          break;
        case CachePolicyKind::kStatic: break;
      }
      if (better) victim = i;
    }
    *evicted = entries_[victim].key;
    entries_[victim] = {key, clock_, clock_, 1};
    return false;
  }

  bool Contains(int64_t key) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
  }

 private:
  struct Entry {
    int64_t key, inserted, last, count;
  };
  CachePolicyKind kind_;
  int64_t capacity_;
  std::vector<Entry> entries_;
  int64_t clock_ = 0;
};

// Belady by brute force: the best hit count over every admission/eviction choice. Tiny traces.
int64_t BruteForceOptimal(const std::vector<int64_t>& trace, size_t pos, std::vector<int64_t> cache,
                          int64_t capacity) {
  if (pos == trace.size()) return 0;
  const int64_t k = trace[pos];
  if (std::find(cache.begin(), cache.end(), k) != cache.end()) {
    return 1 + BruteForceOptimal(trace, pos + 1, cache, capacity);
  }
  int64_t best = BruteForceOptimal(trace, pos + 1, cache, capacity);  // do not admit
  if (static_cast<int64_t>(cache.size()) < capacity) {
    std::vector<int64_t> c = cache;
    c.push_back(k);
    best = std::max(best, BruteForceOptimal(trace, pos + 1, c, capacity));
  } else {
    for (size_t v = 0; v < cache.size(); ++v) {
      std::vector<int64_t> c = cache;
      c[v] = k;
      best = std::max(best, BruteForceOptimal(trace, pos + 1, c, capacity));
    }
  }
  return best;
}

std::unique_ptr<CachePolicy> Make(CachePolicyKind kind, int64_t keys, int64_t capacity) {
  auto p = CachePolicy::Create(kind, keys, capacity);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

std::string Pattern(CachePolicy& policy, const std::vector<int64_t>& trace) {
  std::string s;
  for (int64_t k : trace) s += policy.Access(k).hit ? 'H' : 'M';
  return s;
}

// ---- hand-computed cases --------------------------------------------------------------------

TEST(CachePolicy, HandComputedPatterns) {
  const std::vector<int64_t> trace = {1, 2, 3, 1, 4, 1, 2, 5, 1, 2, 3, 4, 5};
  const struct {
    CachePolicyKind kind;
    std::vector<int64_t> fill;
    const char* pattern;
  } cases[] = {
      {CachePolicyKind::kLru, {}, "MMMHMHMMHHMMM"},
      {CachePolicyKind::kFifo, {}, "MMMHMMMMHHMMH"},
      {CachePolicyKind::kLfu, {}, "MMMHMHMMHHMMM"},
      {CachePolicyKind::kStatic, {1, 2}, "HHMHMHHMHHMMM"},
  };
  for (const auto& c : cases) {
    auto policy = Make(c.kind, 8, 3);
    ASSERT_TRUE(policy->Fill(c.fill).ok());
    EXPECT_EQ(Pattern(*policy, trace), c.pattern) << CachePolicyName(c.kind);
  }
  // Belady on the same trace: bypasses 4 and 5, keeps 1, 2, 3 (worked out by hand: 6 hits).
  auto opt = SimulateBelady(trace, 8, 3);
  ASSERT_TRUE(opt.ok());
  EXPECT_EQ(opt->hits, 6);
  EXPECT_EQ(opt->accesses, 13);
  // Warm: 1, 2, 3 cached for free, so their first accesses hit too.
  EXPECT_EQ(SimulateBelady(trace, 8, 3, /*warm_start=*/true)->hits, 9);
}

TEST(CachePolicy, AccessReportsSlotsAndEvictions) {
  auto lru = Make(CachePolicyKind::kLru, 10, 2);
  CacheAccess a = lru->Access(4);
  EXPECT_FALSE(a.hit);
  EXPECT_EQ(a.slot, 0);
  EXPECT_EQ(a.evicted, -1);
  a = lru->Access(5);
  EXPECT_EQ(a.slot, 1);
  a = lru->Access(4);
  EXPECT_TRUE(a.hit);
  EXPECT_EQ(a.slot, 0);
  a = lru->Access(6);  // evicts 5 (least recent), reusing its slot
  EXPECT_FALSE(a.hit);
  EXPECT_EQ(a.slot, 1);
  EXPECT_EQ(a.evicted, 5);
  EXPECT_EQ(lru->Find(5), -1);
  EXPECT_EQ(lru->Find(6), 1);
  EXPECT_EQ(lru->KeyAt(1), 6);
  EXPECT_EQ(lru->size(), 2);
  lru->Clear();
  EXPECT_EQ(lru->size(), 0);
  EXPECT_EQ(lru->Find(4), -1);
  EXPECT_FALSE(lru->Access(4).hit);
}

TEST(CachePolicy, ZeroCapacityNeverHits) {
  for (auto kind : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo,
                    CachePolicyKind::kStatic}) {
    auto p = Make(kind, 5, 0);
    EXPECT_EQ(Pattern(*p, {1, 1, 1}), "MMM");
    EXPECT_EQ(p->Access(2).slot, -1);
  }
}

TEST(CachePolicy, CapacityClampedToKeySpace) {
  auto p = Make(CachePolicyKind::kLru, 3, 100);
  EXPECT_EQ(p->capacity(), 3);
  EXPECT_EQ(Pattern(*p, {0, 1, 2, 0, 1, 2}), "MMMHHH");
}

TEST(CachePolicy, Errors) {
  EXPECT_FALSE(ParseCachePolicy("arc").ok());
  EXPECT_EQ(ParseCachePolicy("arc").status().code(), StatusCode::kInvalidArgument);
  for (auto kind : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo,
                    CachePolicyKind::kStatic}) {
    auto parsed = ParseCachePolicy(CachePolicyName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(CachePolicy::Create(CachePolicyKind::kLru, -1, 1).ok());
  EXPECT_FALSE(CachePolicy::Create(CachePolicyKind::kLru, 4, -1).ok());
  EXPECT_FALSE(CachePolicy::CreateWithRatio(CachePolicyKind::kLru, 4, 1.5).ok());
  EXPECT_FALSE(CachePolicy::CreateWithRatio(CachePolicyKind::kLru, 4, -0.1).ok());
  auto ratio = CachePolicy::CreateWithRatio(CachePolicyKind::kLru, 1000, 0.05);
  ASSERT_TRUE(ratio.ok());
  EXPECT_EQ((*ratio)->capacity(), 50);

  auto p = Make(CachePolicyKind::kStatic, 10, 4);
  const std::vector<int64_t> out_of_range = {1, 10};
  EXPECT_EQ(p->Fill(out_of_range).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p->size(), 0);
  const std::vector<int64_t> repeated = {1, 2, 1};
  EXPECT_EQ(p->Fill(repeated).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p->size(), 0);
  const std::vector<int64_t> bad_trace = {1, -3};
  EXPECT_EQ(SimulateTrace(*p, bad_trace).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SimulateBelady(bad_trace, 10, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(SimulateBelady(bad_trace, 10, -2).ok());
}

TEST(CachePolicy, FillKeepsOnlyCapacityKeys) {
  auto p = Make(CachePolicyKind::kStatic, 10, 2);
  const std::vector<int64_t> keys = {7, 3, 5};
  ASSERT_TRUE(p->Fill(keys).ok());
  EXPECT_EQ(p->size(), 2);
  EXPECT_GE(p->Find(7), 0);
  EXPECT_GE(p->Find(3), 0);
  EXPECT_EQ(p->Find(5), -1);
}

TEST(CachePolicy, HottestAndTopKeys) {
  const std::vector<int64_t> trace = {4, 2, 4, 9, 2, 4, 7, 99, -1};
  EXPECT_EQ(HottestKeys(trace, 10, 3), (std::vector<int64_t>{4, 2, 7}));  // ties: smaller key
  EXPECT_EQ(HottestKeys(trace, 10, 10), (std::vector<int64_t>{4, 2, 7, 9}));  // unseen dropped
  const std::vector<int64_t> degree = {3, 8, 8, 0, 5};
  EXPECT_EQ(TopKeysByScore(degree, 3), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(TopKeysByScore(degree, 0), (std::vector<int64_t>{}));
}

// ---- against the reference on recorded and random traces -----------------------------------

struct Trace {
  std::string name;
  int64_t num_keys;
  std::vector<int64_t> keys;
  std::vector<int64_t> offsets = {};  // batches, for recorded traces
};

std::vector<Trace> RecordedTraces() {
  std::vector<Trace> traces;
  datasets::SyntheticOptions so;
  so.num_nodes = 400;
  so.num_edges = 6000;
  so.seed = 7;
  auto ds = datasets::GenerateSynthetic(so);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  TemporalTraceOptions to;
  to.batch_size = 100;
  auto rec = RecordTemporalTrace(*ds, to);
  EXPECT_TRUE(rec.ok()) << rec.status().ToString();
  traces.push_back({"synthetic-nodes", rec->nodes.num_keys, rec->nodes.keys, rec->nodes.batch_offsets});
  traces.push_back({"synthetic-edges", rec->edges.num_keys, rec->edges.keys, rec->edges.batch_offsets});
  const datasets::TemporalDataset w1 = datasets::GenerateZipfStream(2000, 8000, 1.0, 3);
  auto rec_w1 = RecordTemporalTrace(w1, to);
  EXPECT_TRUE(rec_w1.ok());
  traces.push_back({"zipf-nodes", rec_w1->nodes.num_keys, rec_w1->nodes.keys, rec_w1->nodes.batch_offsets});
  // A plain random trace with a shifting hot set (recency matters, frequency misleads).
  std::mt19937_64 gen(11);
  Trace shifting{"shifting", 500, {}};
  for (int phase = 0; phase < 10; ++phase) {
    for (int i = 0; i < 2000; ++i) {
      const int64_t hot = phase * 40 + static_cast<int64_t>(gen() % 40);
      shifting.keys.push_back(gen() % 4 ? hot : static_cast<int64_t>(gen() % 500));
    }
  }
  traces.push_back(shifting);
  return traces;
}

TEST(CachePolicy, MatchesReferenceOnRecordedTraces) {
  for (const Trace& t : RecordedTraces()) {
    ASSERT_GT(t.keys.size(), 1000u) << t.name;
    for (int64_t capacity : {int64_t{1}, int64_t{7}, t.num_keys / 20, t.num_keys / 5}) {
      for (auto kind : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo,
                        CachePolicyKind::kStatic}) {
        auto policy = Make(kind, t.num_keys, capacity);
        RefCache ref(kind, capacity);
        if (kind == CachePolicyKind::kStatic) {
          const std::vector<int64_t> hot = HottestKeys(t.keys, t.num_keys, capacity);
          ASSERT_TRUE(policy->Fill(hot).ok());
          ref.Fill(hot);
        }
        int64_t hits = 0;
        for (size_t i = 0; i < t.keys.size(); ++i) {
          int64_t ref_evicted;
          const bool ref_hit = ref.Access(t.keys[i], &ref_evicted);
          const CacheAccess a = policy->Access(t.keys[i]);
          ASSERT_EQ(a.hit, ref_hit) << t.name << " " << CachePolicyName(kind) << " capacity "
                                    << capacity << " access " << i;
          ASSERT_EQ(a.evicted, ref_evicted) << t.name << " " << CachePolicyName(kind) << " access " << i;
          if (a.slot >= 0) {
            ASSERT_EQ(policy->KeyAt(a.slot), t.keys[i]);
          }
          ASSERT_EQ(policy->Find(t.keys[i]) >= 0, ref.Contains(t.keys[i]));
          hits += a.hit;
        }
        ASSERT_LE(policy->size(), capacity);
        // The trace simulation agrees with access-by-access driving.
        auto again = Make(kind, t.num_keys, capacity);
        if (kind == CachePolicyKind::kStatic) {
          ASSERT_TRUE(again->Fill(HottestKeys(t.keys, t.num_keys, capacity)).ok());
        }
        auto sim = SimulateTrace(*again, t.keys);
        ASSERT_TRUE(sim.ok());
        EXPECT_EQ(sim->hits, hits);
        // No policy beats Belady: from an empty cache for the dynamic policies, from the best
        // free initial content for the pre-filled static cache.
        auto cold = SimulateBelady(t.keys, t.num_keys, capacity);
        auto warm = SimulateBelady(t.keys, t.num_keys, capacity, /*warm_start=*/true);
        ASSERT_TRUE(cold.ok() && warm.ok());
        EXPECT_LE(cold->hits, warm->hits);
        EXPECT_LE(hits, kind == CachePolicyKind::kStatic ? warm->hits : cold->hits)
            << t.name << " " << CachePolicyName(kind);
      }
    }
  }
}

// Batch semantics: the reference touches the keys present at the batch start, then admits the
// others, both in order.
TEST(CachePolicy, AccessBatchMatchesReferenceOnRecordedTraces) {
  for (const Trace& t : RecordedTraces()) {
    if (t.offsets.empty()) continue;
    for (int64_t capacity : {int64_t{3}, t.num_keys / 20, t.num_keys / 5}) {
      for (auto kind : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo}) {
        auto policy = Make(kind, t.num_keys, capacity);
        RefCache ref(kind, capacity);
        int64_t hits = 0, hits_in_batch_evicted = 0;
        std::vector<CacheAccess> out;
        for (size_t b = 0; b + 1 < t.offsets.size(); ++b) {
          const std::vector<int64_t> keys(t.keys.begin() + t.offsets[b], t.keys.begin() + t.offsets[b + 1]);
          std::vector<bool> present(keys.size());
          for (size_t i = 0; i < keys.size(); ++i) present[i] = ref.Contains(keys[i]);
          std::vector<int64_t> ref_evicted(keys.size(), -1);
          for (int phase = 0; phase < 2; ++phase) {
            for (size_t i = 0; i < keys.size(); ++i) {
              if (present[i] == (phase == 0)) ref.Access(keys[i], &ref_evicted[i]);
            }
          }
          out.resize(keys.size());
          policy->AccessBatch(keys, out.data());
          for (size_t i = 0; i < keys.size(); ++i) {
            ASSERT_EQ(out[i].hit, static_cast<bool>(present[i])) << t.name << " batch " << b;
            ASSERT_EQ(out[i].evicted, ref_evicted[i]) << t.name << " batch " << b;
            hits += out[i].hit;
            // A hit may be evicted later in its own batch and still count.
            if (out[i].hit && policy->Find(keys[i]) < 0) ++hits_in_batch_evicted;
          }
        }
        auto again = Make(kind, t.num_keys, capacity);
        auto sim = SimulateBatches(*again, t.keys, t.offsets);
        ASSERT_TRUE(sim.ok());
        EXPECT_EQ(sim->hits, hits);
        if (capacity == 3) {
          EXPECT_GT(hits_in_batch_evicted, 0) << t.name << " " << CachePolicyName(kind);
        }
      }
    }
  }
  auto p = Make(CachePolicyKind::kLru, 10, 2);
  const std::vector<int64_t> keys = {1, 2, 1}, offsets = {0, 3};
  EXPECT_EQ(SimulateBatches(*p, keys, offsets).status().code(), StatusCode::kInvalidArgument);
}

TEST(CachePolicy, PoliciesDifferOnTheShiftingTrace) {
  // Guards against the policies collapsing into one: on a trace with a moving hot set LRU beats
  // LFU (stale counts pin old keys), and Belady beats both.
  const Trace t = RecordedTraces().back();
  auto lru = Make(CachePolicyKind::kLru, t.num_keys, 50);
  auto lfu = Make(CachePolicyKind::kLfu, t.num_keys, 50);
  const int64_t lru_hits = SimulateTrace(*lru, t.keys)->hits;
  const int64_t lfu_hits = SimulateTrace(*lfu, t.keys)->hits;
  EXPECT_GT(lru_hits, lfu_hits);
  EXPECT_GT(SimulateBelady(t.keys, t.num_keys, 50)->hits, lru_hits);
}

// The best over every initial content of at most `capacity` keys.
int64_t BruteForceOptimalWarm(const std::vector<int64_t>& trace, int64_t keys, int64_t capacity) {
  int64_t best = 0;
  for (uint32_t mask = 0; mask < (1u << keys); ++mask) {
    std::vector<int64_t> cache;
    for (int64_t k = 0; k < keys; ++k) {
      if (mask & (1u << k)) cache.push_back(k);
    }
    if (static_cast<int64_t>(cache.size()) > capacity) continue;
    best = std::max(best, BruteForceOptimal(trace, 0, cache, capacity));
  }
  return best;
}

TEST(CachePolicy, BeladyIsOptimalOnSmallTraces) {
  std::mt19937_64 gen(5);
  for (int round = 0; round < 60; ++round) {
    const int64_t keys = 2 + static_cast<int64_t>(gen() % 4);
    const int64_t capacity = 1 + static_cast<int64_t>(gen() % 3);
    std::vector<int64_t> trace(6 + gen() % 7);
    for (auto& k : trace) k = static_cast<int64_t>(gen() % keys);
    auto opt = SimulateBelady(trace, keys, capacity);
    ASSERT_TRUE(opt.ok());
    EXPECT_EQ(opt->hits, BruteForceOptimal(trace, 0, {}, capacity)) << "round " << round;
    auto warm = SimulateBelady(trace, keys, capacity, /*warm_start=*/true);
    ASSERT_TRUE(warm.ok());
    EXPECT_EQ(warm->hits, BruteForceOptimalWarm(trace, keys, capacity)) << "round " << round;
  }
}

}  // namespace
}  // namespace streamgnn::features
