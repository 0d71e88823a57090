#include "features/feature_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/temporal_trace.h"
#include "datasets/synthetic.h"

namespace streamgnn::features {
namespace {

using bench::RecordTemporalTrace;
using bench::TemporalTraceOptions;
using bench::TemporalTraces;

namespace fs = std::filesystem;

constexpr CachePolicyKind kAllPolicies[] = {CachePolicyKind::kLru, CachePolicyKind::kLfu,
                                            CachePolicyKind::kFifo, CachePolicyKind::kStatic};

std::vector<float> Table(int64_t rows, int64_t dim) {
  std::vector<float> t(static_cast<size_t>(rows * dim));
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i) * 0.5f - 3.0f;
  return t;
}

// A store that fails on one chosen row, to check error handling.
class FlakyStore final : public FeatureStore {
 public:
  FlakyStore(FeatureStore* inner, int64_t bad_row)
      : FeatureStore(inner->num_rows(), inner->dim()), inner_(inner), bad_row_(bad_row) {}
  Status Gather(Span<const int64_t> ids, float* out) override {
    ++calls;
    for (int64_t id : ids) {
      if (id == bad_row_) return Status::IOError("disk on fire at row " + std::to_string(id));
    }
    return inner_->Gather(ids, out);
  }
  std::string Describe() const override { return "flaky"; }
  int64_t calls = 0;

 private:
  FeatureStore* inner_;
  int64_t bad_row_;
};

struct TraceSetup {
  datasets::TemporalDataset ds;
  TemporalTraces traces;
  TraceSetup() {
    datasets::SyntheticOptions so;
    so.num_nodes = 300;
    so.num_edges = 4000;
    so.seed = 3;
    ds = *datasets::GenerateSynthetic(so);
    TemporalTraceOptions to;
    to.batch_size = 100;
    traces = *RecordTemporalTrace(ds, to);
  }
};

const TraceSetup& Shared() {
  static const TraceSetup* s = new TraceSetup();
  return *s;
}

TEST(RecordTemporalTrace, BatchesHoldDistinctRootsAndNeighbours) {
  const TraceSetup& s = Shared();
  const AccessTrace& nodes = s.traces.nodes;
  const AccessTrace& edges = s.traces.edges;
  EXPECT_EQ(nodes.num_keys, s.ds.num_nodes);
  EXPECT_EQ(edges.num_keys, s.ds.num_events());
  ASSERT_EQ(nodes.num_batches(), 40);
  ASSERT_EQ(edges.num_batches(), 40);
  size_t distinct_roots = 0;
  for (int64_t b = 0; b < nodes.num_batches(); ++b) {
    std::set<int64_t> roots;
    for (int64_t i = b * 100; i < (b + 1) * 100; ++i) {
      roots.insert(s.ds.src[i]);
      roots.insert(s.ds.dst[i]);
    }
    distinct_roots += roots.size();
    std::set<int64_t> n(nodes.keys.begin() + nodes.batch_offsets[b],
                        nodes.keys.begin() + nodes.batch_offsets[b + 1]);
    EXPECT_EQ(static_cast<int64_t>(n.size()), nodes.batch_offsets[b + 1] - nodes.batch_offsets[b]);
    std::set<int64_t> e(edges.keys.begin() + edges.batch_offsets[b],
                        edges.keys.begin() + edges.batch_offsets[b + 1]);
    EXPECT_EQ(static_cast<int64_t>(e.size()), edges.batch_offsets[b + 1] - edges.batch_offsets[b]);
    for (int64_t i = b * 100; i < (b + 1) * 100; ++i) {
      ASSERT_TRUE(n.count(s.ds.src[i]) && n.count(s.ds.dst[i])) << "batch " << b;
      ASSERT_TRUE(e.count(i));
    }
    // Sampled edges are strictly older than the batch's newest edge (no leakage).
    for (int64_t id : e) ASSERT_LT(id, (b + 1) * 100);
  }
  // Batches read sampled neighbours too: more rows than the positive roots alone.
  EXPECT_GT(nodes.keys.size(), distinct_roots);
  EXPECT_GT(edges.keys.size(), 2u * 4000);

  TemporalTraceOptions bad;
  bad.batch_size = 0;
  EXPECT_EQ(RecordTemporalTrace(s.ds, bad).status().code(), StatusCode::kInvalidArgument);
  bad = TemporalTraceOptions();
  bad.end_event = s.ds.num_events() + 1;
  EXPECT_EQ(RecordTemporalTrace(s.ds, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(FeatureCache, ReturnsBackingRowsAndCountsLikeThePolicy) {
  const TraceSetup& s = Shared();
  const AccessTrace& trace = s.traces.nodes;
  const int64_t dim = 3;
  auto ram = InMemoryFeatureStore::Create(trace.num_keys, dim, Table(trace.num_keys, dim));
  ASSERT_TRUE(ram.ok());
  for (CachePolicyKind kind : kAllPolicies) {
    for (double ratio : {0.0, 0.05, 0.2}) {
      FeatureCacheOptions o;
      o.policy = kind;
      o.ratio = ratio;
      auto cache = FeatureCache::Create(ram->get(), o);
      ASSERT_TRUE(cache.ok());
      auto policy = CachePolicy::CreateWithRatio(kind, trace.num_keys, ratio);
      ASSERT_TRUE(policy.ok());
      if (kind == CachePolicyKind::kStatic) {
        const std::vector<int64_t> hot = HottestKeys(trace.keys, trace.num_keys, (*cache)->capacity());
        ASSERT_TRUE((*cache)->Fill(hot).ok());
        ASSERT_TRUE((*policy)->Fill(hot).ok());
      }
      const auto sim = SimulateBatches(**policy, trace.keys, trace.batch_offsets);
      ASSERT_TRUE(sim.ok());
      std::vector<float> got, want;
      for (int64_t b = 0; b < trace.num_batches(); ++b) {
        // Ask for the batch with duplicates: each distinct row counts once.
        std::vector<int64_t> ids(trace.keys.begin() + trace.batch_offsets[b],
                                 trace.keys.begin() + trace.batch_offsets[b + 1]);
        const size_t distinct = ids.size();
        for (size_t i = 0; i < distinct; i += 3) ids.push_back(ids[i]);
        got.assign(ids.size() * dim, 0.0f);
        want.assign(ids.size() * dim, 1.0f);
        ASSERT_TRUE((*cache)->Gather(ids, got.data()).ok());
        ASSERT_TRUE((*ram)->Gather(ids, want.data()).ok());
        ASSERT_EQ(got, want) << CachePolicyName(kind) << " ratio " << ratio << " batch " << b;
      }
      const CacheStats st = (*cache)->TakeStats();
      EXPECT_EQ(st.accesses(), static_cast<int64_t>(trace.keys.size()));
      EXPECT_EQ(st.hits, sim->hits) << CachePolicyName(kind) << " ratio " << ratio;
      if (ratio == 0.0) {
        EXPECT_EQ(st.hits, 0);
      }
      if (ratio > 0.0) {
        EXPECT_GT(st.hits, 0) << CachePolicyName(kind);
      }
      EXPECT_EQ((*cache)->stats().accesses(), 0);  // TakeStats zeroed the counters
    }
  }
}

TEST(FeatureCache, InFrontOfTheDiskTier) {
  if (!RocksDbAvailable()) GTEST_SKIP() << "built without RocksDB";
  const TraceSetup& s = Shared();
  const AccessTrace& trace = s.traces.edges;
  const int64_t dim = 4;
  const std::vector<float> table = Table(trace.num_keys, dim);
  auto ram = InMemoryFeatureStore::Create(trace.num_keys, dim, table);
  const fs::path dir = fs::temp_directory_path() / ("sg_feature_cache_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  RocksDbFeatureStoreOptions ro;
  ro.path = dir.string();
  ro.rows_per_chunk = 8;
  auto disk = RocksDbFeatureStore::Build(ro, trace.num_keys, dim, table);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  FeatureCacheOptions o;
  o.policy = CachePolicyKind::kLru;
  o.ratio = 0.1;
  auto cache = FeatureCache::Create(disk->get(), o);
  ASSERT_TRUE(cache.ok());
  for (int64_t b = 0; b < trace.num_batches(); ++b) {
    std::vector<int64_t> ids(trace.keys.begin() + trace.batch_offsets[b],
                             trace.keys.begin() + trace.batch_offsets[b + 1]);
    std::vector<float> got(ids.size() * dim), want(ids.size() * dim);
    ASSERT_TRUE((*cache)->Gather(ids, got.data()).ok());
    ASSERT_TRUE((*ram)->Gather(ids, want.data()).ok());
    ASSERT_EQ(got, want) << "batch " << b;
  }
  EXPECT_GT((*cache)->stats().hits, 0);
  EXPECT_NE((*cache)->Describe().find("rocksdb"), std::string::npos);
  disk->reset();
  fs::remove_all(dir);
}

TEST(FeatureCache, BackingErrorsLeaveTheCacheConsistent) {
  const int64_t rows = 50, dim = 2;
  const std::vector<float> table = Table(rows, dim);
  auto ram = InMemoryFeatureStore::Create(rows, dim, table);
  FlakyStore flaky(ram->get(), 13);
  FeatureCacheOptions o;
  o.policy = CachePolicyKind::kLru;
  o.ratio = 0.2;  // 10 rows
  auto cache = FeatureCache::Create(&flaky, o);
  ASSERT_TRUE(cache.ok());
  std::vector<float> out(20 * dim);
  const std::vector<int64_t> warm = {1, 2, 3};
  ASSERT_TRUE((*cache)->Gather(warm, out.data()).ok());
  const std::vector<int64_t> failing = {4, 13, 5};
  const Status s = (*cache)->Gather(failing, out.data());
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("disk on fire"), std::string::npos);
  EXPECT_EQ((*cache)->policy().size(), 0);  // rows 4 and 5 were admitted but never loaded
  // Afterwards every row is still right.
  const std::vector<int64_t> after = {4, 5, 1, 4};
  ASSERT_TRUE((*cache)->Gather(after, out.data()).ok());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(out[i * dim], table[after[i] * dim]);
    EXPECT_EQ(out[i * dim + 1], table[after[i] * dim + 1]);
  }
  // Out-of-range ids are refused before anything is counted.
  const CacheStats before = (*cache)->stats();
  const std::vector<int64_t> bad = {1, 50};
  EXPECT_EQ((*cache)->Gather(bad, out.data()).code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*cache)->stats().accesses(), before.accesses());
  // Hits never reach the backing store.
  const int64_t calls = flaky.calls;
  const std::vector<int64_t> hits = {4, 5};
  ASSERT_TRUE((*cache)->Gather(hits, out.data()).ok());
  EXPECT_EQ(flaky.calls, calls);
}

TEST(FeatureCache, StaticFillAndErrors) {
  const int64_t rows = 40, dim = 2;
  const std::vector<float> table = Table(rows, dim);
  auto ram = InMemoryFeatureStore::Create(rows, dim, table);
  FeatureCacheOptions o;
  o.policy = CachePolicyKind::kStatic;
  o.ratio = 0.1;  // 4 rows
  auto cache = FeatureCache::Create(ram->get(), o);
  ASSERT_TRUE(cache.ok());
  const std::vector<int64_t> degree = {0, 9, 1, 8, 0, 7, 0, 6, 5};  // ids 1, 3, 5, 7 hottest
  std::vector<int64_t> score(rows, 0);
  std::copy(degree.begin(), degree.end(), score.begin());
  ASSERT_TRUE((*cache)->Fill(TopKeysByScore(score, (*cache)->capacity())).ok());
  std::vector<float> out(6 * dim);
  const std::vector<int64_t> ids = {1, 3, 5, 7, 8, 0};
  ASSERT_TRUE((*cache)->Gather(ids, out.data()).ok());
  EXPECT_EQ((*cache)->stats().hits, 4);
  EXPECT_EQ((*cache)->stats().misses, 2);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(out[i * dim + 1], table[ids[i] * dim + 1]);
  // The static content does not change with misses.
  ASSERT_TRUE((*cache)->Gather(ids, out.data()).ok());
  EXPECT_EQ((*cache)->stats().hits, 8);

  EXPECT_EQ(FeatureCache::Create(nullptr, o).status().code(), StatusCode::kInvalidArgument);
  o.ratio = 2.0;
  EXPECT_EQ(FeatureCache::Create(ram->get(), o).status().code(), StatusCode::kInvalidArgument);
  const std::vector<int64_t> out_of_range = {41};
  EXPECT_EQ((*cache)->Fill(out_of_range).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace streamgnn::features
