#include "sampling/temporal_sampler.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <map>
#include <random>

#include "sampling/negative_sampler.h"
#include "tests/testing/reference_graph.h"

namespace streamgnn::sampling {
namespace {

using graph::Neighbor;
using testing::ReferenceGraph;

struct Fixture {
  graph::TemporalGraph graph;
  ReferenceGraph ref{true};
  std::vector<NodeId> roots;
  std::vector<Timestamp> times;

  explicit Fixture(uint64_t seed, int64_t nodes = 300, int64_t edges = 6000) {
    std::mt19937_64 gen(seed);
    std::vector<NodeId> src, dst;
    std::vector<Timestamp> ts;
    for (int64_t i = 0; i < edges; ++i) {
      // Skewed endpoints so some nodes have many blocks.
      src.push_back(static_cast<NodeId>((gen() % nodes) * (gen() % nodes) / nodes));
      dst.push_back(static_cast<NodeId>(gen() % nodes));
      ts.push_back(static_cast<Timestamp>(i / 3));  // ties
    }
    for (size_t b = 0; b < src.size(); b += 500) {
      const size_t n = std::min<size_t>(500, src.size() - b);
      auto r = graph.AppendEdges(Span<const NodeId>(src.data() + b, n),
                                 Span<const NodeId>(dst.data() + b, n),
                                 Span<const Timestamp>(ts.data() + b, n));
      SG_CHECK(r.ok(), r.status().ToString());
    }
    for (size_t i = 0; i < src.size(); ++i) ref.Add(src[i], dst[i], ts[i]);
    for (int i = 0; i < 1000; ++i) {
      // A few roots outside the id space: they have no neighbours.
      const bool absent = i % 97 == 0;
      roots.push_back(absent ? (i % 2 ? -1 : nodes + 7) : static_cast<NodeId>(gen() % nodes));
      times.push_back(static_cast<Timestamp>(gen() % (edges / 3 + 5)));
    }
  }
};

void ExpectRecentMatchesReference(const Fixture& f, const SampleResult& result,
                                  const std::vector<int>& fanouts, EdgeId watermark) {
  ASSERT_EQ(result.layers.size(), fanouts.size());
  for (size_t l = 0; l < fanouts.size(); ++l) {
    const SampledBlock& block = result.layers[l];
    ASSERT_EQ(block.offsets.size(), block.root_nodes.size() + 1);
    for (int64_t r = 0; r < block.num_roots(); ++r) {
      const auto expected = f.ref.Recent(block.root_nodes[r], block.root_times[r], fanouts[l],
                                         watermark, -INFINITY);
      ASSERT_EQ(block.offsets[r + 1] - block.offsets[r], static_cast<int64_t>(expected.size()))
          << "layer " << l << " root " << r;
      for (size_t i = 0; i < expected.size(); ++i) {
        const int64_t j = block.offsets[r] + static_cast<int64_t>(i);
        ASSERT_EQ(block.neighbors[j], expected[i].node);
        ASSERT_EQ(block.edges[j], expected[i].edge);
        ASSERT_EQ(block.times[j], expected[i].time);
        ASSERT_FLOAT_EQ(block.dt[j], static_cast<float>(block.root_times[r] - expected[i].time));
      }
    }
    if (l > 0) {  // layer l is rooted at layer l-1's neighbours, at their edge times
      const SampledBlock& prev = result.layers[l - 1];
      ASSERT_EQ(block.root_nodes, prev.neighbors);
      ASSERT_EQ(block.root_times, prev.times);
    }
  }
}

TEST(TemporalSamplerTest, RecentEqualsBruteForceOneAndTwoLayers) {
  Fixture f(1);
  graph::Snapshot snap = f.graph.GetSnapshot();
  for (const std::vector<int>& fanouts : {std::vector<int>{10}, std::vector<int>{10, 10},
                                          std::vector<int>{3, 5}}) {
    TemporalSamplerOptions o;
    o.fanouts = fanouts;
    o.grain = 64;
    auto sampler = TemporalSampler::Create(o);
    ASSERT_TRUE(sampler.ok());
    SampleResult result;
    sampler->Sample(snap, f.roots, f.times, 7, &result);
    ExpectRecentMatchesReference(f, result, fanouts, snap.watermark());
    EXPECT_GT(result.total_sampled(), 0);
  }
}

TEST(TemporalSamplerTest, PropTimeKeepsTheRootTime) {
  Fixture f(2);
  graph::Snapshot snap = f.graph.GetSnapshot();
  TemporalSamplerOptions o;
  o.fanouts = {4, 4};
  o.prop_time = true;
  auto sampler = TemporalSampler::Create(o);
  ASSERT_TRUE(sampler.ok());
  SampleResult result;
  sampler->Sample(snap, f.roots, f.times, 0, &result);
  const SampledBlock& l0 = result.layers[0];
  const SampledBlock& l1 = result.layers[1];
  for (int64_t r = 0; r < l0.num_roots(); ++r) {
    for (int64_t j = l0.offsets[r]; j < l0.offsets[r + 1]; ++j) {
      ASSERT_EQ(l1.root_times[j], l0.root_times[r]);
    }
  }
}

// Every candidate edge is drawn with probability k/n: chi-square over the n candidates.
TEST(TemporalSamplerTest, UniformPassesChiSquare) {
  graph::TemporalGraph graph;
  const int n = 40, k = 5;
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> ts;
  for (int i = 0; i < n + 10; ++i) {  // 10 edges after the query time must never be drawn
    src.push_back(0);
    dst.push_back(1 + i);
    ts.push_back(i);
  }
  // Two batches so the candidates span several blocks.
  ASSERT_TRUE(graph.AppendEdges(Span<const NodeId>(src.data(), 17), Span<const NodeId>(dst.data(), 17),
                                Span<const Timestamp>(ts.data(), 17)).ok());
  ASSERT_TRUE(graph.AppendEdges(Span<const NodeId>(src.data() + 17, src.size() - 17),
                                Span<const NodeId>(dst.data() + 17, dst.size() - 17),
                                Span<const Timestamp>(ts.data() + 17, ts.size() - 17)).ok());
  graph::Snapshot snap = graph.GetSnapshot();
  const int trials = 20000;
  std::vector<NodeId> roots(trials, 0);
  std::vector<Timestamp> times(trials, n);  // edges at times 0..n-1 qualify
  TemporalSamplerOptions o;
  o.fanouts = {k};
  o.strategy = Strategy::kUniform;
  o.seed = 99;
  auto sampler = TemporalSampler::Create(o);
  ASSERT_TRUE(sampler.ok());
  SampleResult result;
  sampler->Sample(snap, roots, times, 1, &result);
  std::vector<int64_t> hits(n + 10, 0);
  const SampledBlock& b = result.layers[0];
  for (int64_t r = 0; r < trials; ++r) {
    ASSERT_EQ(b.offsets[r + 1] - b.offsets[r], k);
    for (int64_t j = b.offsets[r]; j < b.offsets[r + 1]; ++j) {
      ASSERT_LT(b.times[j], n);
      if (j > b.offsets[r]) {
        ASSERT_GT(b.times[j - 1], b.times[j]);  // distinct
      }
      hits[b.edges[j]]++;
    }
  }
  const double expected = static_cast<double>(trials) * k / n;
  double chi2 = 0;
  for (int e = 0; e < n; ++e) chi2 += (hits[e] - expected) * (hits[e] - expected) / expected;
  // 39 degrees of freedom: P(chi2 > 72.1) = 0.001.
  EXPECT_LT(chi2, 72.1);
  for (int e = n; e < n + 10; ++e) EXPECT_EQ(hits[e], 0);
}

TEST(TemporalSamplerTest, OutputIndependentOfThreadCount) {
  Fixture f(3, 500, 20000);
  graph::Snapshot snap = f.graph.GetSnapshot();
  for (Strategy strategy : {Strategy::kRecent, Strategy::kUniform}) {
    TemporalSamplerOptions o;
    o.fanouts = {10, 10};
    o.strategy = strategy;
    o.grain = 16;
    auto sampler = TemporalSampler::Create(o);
    ASSERT_TRUE(sampler.ok());
    SampleResult one, two;
    tbb::task_arena(1).execute([&] { sampler->Sample(snap, f.roots, f.times, 5, &one); });
    tbb::task_arena(2).execute([&] { sampler->Sample(snap, f.roots, f.times, 5, &two); });
    for (size_t l = 0; l < 2; ++l) {
      EXPECT_EQ(one.layers[l].offsets, two.layers[l].offsets);
      EXPECT_EQ(one.layers[l].neighbors, two.layers[l].neighbors);
      EXPECT_EQ(one.layers[l].edges, two.layers[l].edges);
      EXPECT_EQ(one.layers[l].dt, two.layers[l].dt);
    }
    // A different batch key changes uniform draws, never recent ones.
    SampleResult other;
    sampler->Sample(snap, f.roots, f.times, 6, &other);
    if (strategy == Strategy::kUniform) {
      EXPECT_NE(one.layers[0].edges, other.layers[0].edges);
    } else {
      EXPECT_EQ(one.layers[0].edges, other.layers[0].edges);
    }
  }
}

TEST(TemporalSamplerTest, RejectsBadOptions) {
  TemporalSamplerOptions o;
  o.fanouts = {};
  EXPECT_FALSE(TemporalSampler::Create(o).ok());
  o.fanouts = {10, 0};
  auto r = TemporalSampler::Create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("layer 1"), std::string::npos);
  EXPECT_STREQ(StrategyName(Strategy::kUniform), "uniform");
}

TEST(NegativeSamplerTest, RangeIsUniformAndDeterministic) {
  auto s = NegativeSampler::FromRange(10, 20, 5);
  ASSERT_TRUE(s.ok());
  std::vector<NodeId> a(50000), b(50000);
  s->Sample(3, a);
  s->Sample(3, b);
  EXPECT_EQ(a, b);  // a fixed evaluation set is a fixed (seed, batch)
  std::map<NodeId, int64_t> hits;
  for (NodeId v : a) {
    ASSERT_GE(v, 10);
    ASSERT_LT(v, 20);
    hits[v]++;
  }
  double chi2 = 0;
  for (auto& [v, h] : hits) chi2 += (h - 5000.0) * (h - 5000.0) / 5000.0;
  EXPECT_LT(chi2, 27.9);  // 9 dof, p = 0.001
  s->Sample(4, b);
  EXPECT_NE(a, b);
}

TEST(NegativeSamplerTest, CandidatesOnlyAndErrors) {
  auto s = NegativeSampler::FromCandidates({7, 3, 7, 9}, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->num_candidates(), 3);
  std::vector<NodeId> out(1000);
  s->Sample(0, out);
  for (NodeId v : out) EXPECT_TRUE(v == 7 || v == 3 || v == 9);
  EXPECT_FALSE(NegativeSampler::FromCandidates({}, 1).ok());
  EXPECT_FALSE(NegativeSampler::FromCandidates({-1}, 1).ok());
  EXPECT_FALSE(NegativeSampler::FromRange(5, 5, 1).ok());
}

}  // namespace
}  // namespace streamgnn::sampling
