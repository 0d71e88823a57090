#include "sampling/neighbor_sampler.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <map>
#include <random>
#include <set>

namespace streamgnn::sampling {
namespace {

graph::CsrGraph RandomGraph(int64_t n, int64_t m, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<NodeId> src, dst;
  for (int64_t i = 0; i < m; ++i) {
    src.push_back(static_cast<NodeId>(gen() % n));
    dst.push_back(static_cast<NodeId>(gen() % n * (gen() % n) / n));  // skewed in-degrees
  }
  return *graph::CsrGraph::FromEdges(n, src, dst, {true, false, true, true});
}

// Structural invariants every batch must satisfy.
void CheckBlocks(const graph::CsrGraph& g, const MiniBatch& b, const std::vector<int64_t>& fanouts) {
  ASSERT_EQ(b.blocks.size(), fanouts.size());
  for (size_t l = 0; l < b.blocks.size(); ++l) {
    const MessageFlowBlock& blk = b.blocks[l];
    if (l + 1 < b.blocks.size()) {
      const auto& next = b.blocks[l + 1];
      ASSERT_EQ(blk.num_dst, next.num_src());
      EXPECT_TRUE(std::equal(next.src_nodes.begin(), next.src_nodes.end(), blk.src_nodes.begin()));
    } else {
      EXPECT_TRUE(std::equal(b.seeds.begin(), b.seeds.end(), blk.src_nodes.begin()));
      ASSERT_EQ(blk.num_dst, static_cast<int64_t>(b.seeds.size()));
    }
    std::set<NodeId> distinct(blk.src_nodes.begin(), blk.src_nodes.end());
    EXPECT_EQ(distinct.size(), blk.src_nodes.size()) << "src nodes repeat";
    for (int64_t i = 0; i < blk.num_dst; ++i) {
      const NodeId v = blk.src_nodes[i];
      const auto row = g.InNeighbors(v);
      const int64_t k = blk.offsets[i + 1] - blk.offsets[i];
      EXPECT_EQ(blk.full_in_degree[i], static_cast<int64_t>(row.size()));
      EXPECT_EQ(k, fanouts[l] < 0 ? static_cast<int64_t>(row.size())
                                  : std::min<int64_t>(fanouts[l], row.size()));
      std::set<NodeId> got;
      for (int64_t e = blk.offsets[i]; e < blk.offsets[i + 1]; ++e) {
        ASSERT_GE(blk.indices[e], 0);
        ASSERT_LT(blk.indices[e], blk.num_src());
        const NodeId u = blk.src_nodes[blk.indices[e]];
        EXPECT_TRUE(std::binary_search(row.begin(), row.end(), u)) << u << " is no neighbour of " << v;
        got.insert(u);
      }
      EXPECT_EQ(static_cast<int64_t>(got.size()), k) << "neighbours repeat";
    }
  }
}

TEST(NeighborSampler, FanoutAllIsTheFullNeighbourhood) {
  const auto g = RandomGraph(400, 3000, 1);
  auto s = NeighborSampler::Create(&g, {{-1, -1}, 9});
  ASSERT_TRUE(s.ok());
  const std::vector<NodeId> seeds = {5, 17, 3, 250};
  auto b = s->Sample(seeds, 0);
  ASSERT_TRUE(b.ok());
  CheckBlocks(g, *b, {-1, -1});
  // Block 0's dst nodes are exactly the 1-hop closure of the seeds.
  std::set<NodeId> hop1(seeds.begin(), seeds.end());
  for (NodeId v : seeds) {
    for (NodeId u : g.InNeighbors(v)) hop1.insert(u);
  }
  EXPECT_EQ(std::set<NodeId>(b->blocks[0].src_nodes.begin(),
                             b->blocks[0].src_nodes.begin() + b->blocks[0].num_dst),
            hop1);
  EXPECT_TRUE(s->samples_all());
}

TEST(NeighborSampler, FanoutKGivesKDistinctNeighbours) {
  const auto g = RandomGraph(500, 8000, 2);
  auto s = NeighborSampler::Create(&g, {{3, 5, 2}, 4});
  ASSERT_TRUE(s.ok());
  std::vector<NodeId> seeds;
  for (NodeId v = 0; v < 500; v += 7) seeds.push_back(v);
  auto b = s->Sample(seeds, 42);
  ASSERT_TRUE(b.ok());
  CheckBlocks(g, *b, {3, 5, 2});
}

TEST(NeighborSampler, DrawsAreUniform) {
  // Node 0 has 20 in-neighbours; fanout 5 over 4000 batches: each neighbour is drawn
  // 4000 * 5 / 20 = 1000 times in expectation. Chi-square with 19 degrees of freedom.
  std::vector<NodeId> src, dst;
  for (NodeId u = 1; u <= 20; ++u) {
    src.push_back(u);
    dst.push_back(0);
  }
  auto g = *graph::CsrGraph::FromEdges(21, src, dst, {});
  auto s = NeighborSampler::Create(&g, {{5}, 123});
  ASSERT_TRUE(s.ok());
  std::map<NodeId, int64_t> counts;
  std::map<std::pair<NodeId, NodeId>, int64_t> pairs;
  const int kBatches = 4000;
  for (int batch = 0; batch < kBatches; ++batch) {
    auto b = s->Sample(std::vector<NodeId>{0}, static_cast<uint64_t>(batch));
    ASSERT_TRUE(b.ok());
    const auto& blk = b->blocks[0];
    std::vector<NodeId> got;
    for (int64_t e = 0; e < blk.num_edges(); ++e) got.push_back(blk.src_nodes[blk.indices[e]]);
    for (NodeId u : got) counts[u]++;
    pairs[{got[0], got[1]}]++;
  }
  ASSERT_EQ(counts.size(), 20u);
  const double expected = kBatches * 5.0 / 20.0;
  double chi2 = 0;
  for (const auto& [u, c] : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 43.82);  // p = 0.001 for 19 dof
  // Pairs are spread too (not one fixed subset): many distinct (first, second) pairs.
  EXPECT_GT(pairs.size(), 100u);
}

TEST(NeighborSampler, SameOutputWhateverTheThreadCount) {
  const auto g = RandomGraph(3000, 60000, 3);
  std::vector<NodeId> seeds;
  for (NodeId v = 0; v < 3000; v += 3) seeds.push_back(v);
  NeighborSamplerOptions o{{10, 5}, 77, 8};
  auto s = NeighborSampler::Create(&g, o);
  ASSERT_TRUE(s.ok());
  StatusOr<MiniBatch> one = Status::Internal("unset"), many = Status::Internal("unset");
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    one = s->Sample(seeds, 5);
  }
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 4);
    many = s->Sample(seeds, 5);
  }
  ASSERT_TRUE(one.ok() && many.ok());
  for (size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(one->blocks[l].src_nodes, many->blocks[l].src_nodes);
    EXPECT_EQ(one->blocks[l].offsets, many->blocks[l].offsets);
    EXPECT_EQ(one->blocks[l].indices, many->blocks[l].indices);
  }
  // Another batch key or seed gives another draw.
  auto other = s->Sample(seeds, 6);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->blocks[0].indices, one->blocks[0].indices);
}

TEST(NeighborSampler, FullGraphIsTheGraph) {
  const auto g = RandomGraph(100, 500, 4);
  auto s = NeighborSampler::Create(&g, {{-1, -1, -1}, 0});
  ASSERT_TRUE(s.ok());
  const MiniBatch b = s->FullGraph();
  ASSERT_EQ(b.num_layers(), 3);
  EXPECT_EQ(b.seeds.size(), 100u);
  CheckBlocks(g, b, {-1, -1, -1});
  EXPECT_EQ(b.blocks[1].offsets, g.offsets());
}

TEST(NeighborSampler, RejectsBadInput) {
  const auto g = RandomGraph(10, 20, 5);
  EXPECT_FALSE(NeighborSampler::Create(&g, {{}, 0}).ok());
  EXPECT_FALSE(NeighborSampler::Create(&g, {{5, 0}, 0}).ok());
  EXPECT_FALSE(NeighborSampler::Create(&g, {{-2}, 0}).ok());
  auto s = NeighborSampler::Create(&g, {{2}, 0});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->Sample(std::vector<NodeId>{1, 1}, 0).ok());
  EXPECT_FALSE(s->Sample(std::vector<NodeId>{10}, 0).ok());
}

}  // namespace
}  // namespace streamgnn::sampling
