// CudaFeatureCache against the CPU FeatureCache (same shared policy code) and the table itself.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "bench/temporal_trace.h"
#include "datasets/synthetic.h"
#include "features/feature_cache.h"
#include "features/feature_cache_cuda.h"
#include "tests/gpu/gpu_test_util.h"

namespace streamgnn::features {
namespace {

using bench::RecordTemporalTrace;
using bench::TemporalTraceOptions;
using bench::TemporalTraces;

std::vector<float> Table(int64_t rows, int64_t dim) {
  std::vector<float> t(static_cast<size_t>(rows * dim));
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i % 9973) * 0.25f - 7.0f;
  return t;
}

TEST(CudaFeatureCache, MatchesTheTableAndTheCpuCache) {
  SG_REQUIRE_GPU();
  datasets::SyntheticOptions so;
  so.num_nodes = 2000;
  so.num_edges = 30000;
  so.seed = 4;
  auto ds = datasets::GenerateSynthetic(so);
  ASSERT_TRUE(ds.ok());
  TemporalTraceOptions to;
  auto traces = RecordTemporalTrace(*ds, to);
  ASSERT_TRUE(traces.ok());
  const AccessTrace& trace = traces->nodes;
  const int64_t dim = 37;  // not a multiple of the warp width
  const std::vector<float> table = Table(trace.num_keys, dim);
  auto ram = InMemoryFeatureStore::Create(trace.num_keys, dim, table);
  ASSERT_TRUE(ram.ok());
  for (CachePolicyKind kind : {CachePolicyKind::kLru, CachePolicyKind::kLfu, CachePolicyKind::kFifo,
                               CachePolicyKind::kStatic}) {
    for (double ratio : {0.0, 0.01, 0.1}) {
      FeatureCacheOptions o;
      o.policy = kind;
      o.ratio = ratio;
      auto gpu = CudaFeatureCache::Create(table, trace.num_keys, dim, o);
      ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
      auto cpu = FeatureCache::Create(ram->get(), o);
      ASSERT_TRUE(cpu.ok());
      if (kind == CachePolicyKind::kStatic) {
        const auto hot = HottestKeys(trace.keys, trace.num_keys, (*cpu)->capacity());
        ASSERT_TRUE((*gpu)->Fill(hot).ok());
        ASSERT_TRUE((*cpu)->Fill(hot).ok());
      }
      std::vector<float> got, want;
      for (int64_t b = 0; b < trace.num_batches(); ++b) {
        std::vector<int64_t> ids(trace.keys.begin() + trace.batch_offsets[b],
                                 trace.keys.begin() + trace.batch_offsets[b + 1]);
        const size_t distinct = ids.size();
        for (size_t i = 0; i < distinct; i += 5) ids.push_back(ids[i]);  // duplicates
        got.assign(ids.size() * dim, 0.0f);
        want.assign(ids.size() * dim, 1.0f);
        const CacheStats before = (*cpu)->stats();
        const Status s = (*gpu)->GatherToHost(ids, got.data());
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_TRUE((*cpu)->Gather(ids, want.data()).ok());
        ASSERT_EQ(got, want) << CachePolicyName(kind) << " ratio " << ratio << " batch " << b;
        ASSERT_EQ((*gpu)->last_device_misses(), (*cpu)->stats().misses - before.misses);
      }
      const CacheStats g = (*gpu)->TakeStats();
      const CacheStats c = (*cpu)->TakeStats();
      EXPECT_EQ(g.hits, c.hits) << CachePolicyName(kind) << " ratio " << ratio;
      EXPECT_EQ(g.misses, c.misses);
      if (ratio > 0.0) {
        EXPECT_GT(g.hits, 0) << CachePolicyName(kind);
      }
      EXPECT_EQ((*gpu)->stats().accesses(), 0);
    }
  }
}

TEST(CudaFeatureCache, Errors) {
  SG_REQUIRE_GPU();
  FeatureCacheOptions o;
  EXPECT_EQ(CudaFeatureCache::Create(std::vector<float>(5), 2, 3, o).status().code(),
            StatusCode::kInvalidArgument);
  o.ratio = 3;
  EXPECT_EQ(CudaFeatureCache::Create(std::vector<float>(6), 2, 3, o).status().code(),
            StatusCode::kInvalidArgument);
  o.ratio = 0.5;
  const std::vector<float> table = Table(10, 2);
  auto cache = CudaFeatureCache::Create(table, 10, 2, o);
  ASSERT_TRUE(cache.ok());
  std::vector<float> out(4);
  const std::vector<int64_t> bad = {3, 10};
  EXPECT_EQ((*cache)->GatherToHost(bad, out.data()).code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*cache)->stats().accesses(), 0);
  const std::vector<int64_t> ok = {3, 9};
  ASSERT_TRUE((*cache)->GatherToHost(ok, out.data()).ok());
  EXPECT_EQ(out, (std::vector<float>{table[6], table[7], table[18], table[19]}));
  ASSERT_TRUE((*cache)->GatherToHost(ok, out.data()).ok());
  EXPECT_EQ((*cache)->stats().hits, 2);
  EXPECT_EQ((*cache)->last_device_misses(), 0);
}

}  // namespace
}  // namespace streamgnn::features
