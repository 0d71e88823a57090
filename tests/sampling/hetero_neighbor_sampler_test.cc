// Typed fan-out sampling: every block's invariants (dst nodes first, blocks chained per type,
// sampled edges are edges of their relation, min(fan-out, degree) draws without repeats),
// determinism, the full-graph case and bad seeds.
#include "sampling/hetero_neighbor_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace streamgnn::sampling {
namespace {

// Three types (author 40, paper 60, venue 5) and four relations with skewed degrees.
graph::HeteroGraph RandomTypedGraph(uint64_t seed) {
  std::mt19937_64 gen(seed);
  const auto edges = [&](const char* s, const char* name, const char* d, int64_t ns, int64_t nd,
                         int64_t m) {
    graph::RelationEdges r{s, name, d, {}, {}};
    for (int64_t i = 0; i < m; ++i) {
      r.src.push_back(static_cast<NodeId>(gen() % ns));
      r.dst.push_back(static_cast<NodeId>(gen() % nd * (gen() % nd) / nd));
    }
    return r;
  };
  graph::HeteroBuildOptions o;
  o.add_reverse = true;
  return *graph::HeteroGraph::Build({{"author", 40}, {"paper", 60}, {"venue", 5}},
                                    {edges("author", "writes", "paper", 40, 60, 300),
                                     edges("paper", "cites", "paper", 60, 60, 400)},
                                    o);
}

void CheckBatch(const graph::HeteroGraph& g, const HeteroMiniBatch& b, const std::vector<int64_t>& fanouts) {
  ASSERT_EQ(b.blocks.size(), fanouts.size());
  for (size_t l = 0; l < b.blocks.size(); ++l) {
    const HeteroMessageFlowBlock& blk = b.blocks[l];
    ASSERT_EQ(blk.num_types(), g.num_node_types());
    ASSERT_EQ(static_cast<int>(blk.relations.size()), g.num_relations());
    for (int t = 0; t < g.num_node_types(); ++t) {
      const std::set<NodeId> distinct(blk.src_nodes[t].begin(), blk.src_nodes[t].end());
      EXPECT_EQ(distinct.size(), blk.src_nodes[t].size()) << "src nodes repeat";
      if (l + 1 < b.blocks.size()) {  // block l's dst nodes are block l+1's src nodes
        const auto& next = b.blocks[l + 1].src_nodes[t];
        ASSERT_EQ(blk.num_dst[t], static_cast<int64_t>(next.size()));
        EXPECT_TRUE(std::equal(next.begin(), next.end(), blk.src_nodes[t].begin()));
      } else if (t == b.seed_type) {
        ASSERT_EQ(blk.num_dst[t], static_cast<int64_t>(b.seeds.size()));
        EXPECT_TRUE(std::equal(b.seeds.begin(), b.seeds.end(), blk.src_nodes[t].begin()));
      } else {
        EXPECT_EQ(blk.num_dst[t], 0);
      }
    }
    for (int r = 0; r < g.num_relations(); ++r) {
      const graph::Relation& rel = g.relation(r);
      const auto& rb = blk.relations[r];
      ASSERT_EQ(static_cast<int64_t>(rb.offsets.size()), blk.num_dst[rel.dst_type] + 1);
      for (int64_t i = 0; i < blk.num_dst[rel.dst_type]; ++i) {
        const NodeId v = blk.src_nodes[rel.dst_type][i];
        const auto row = rel.csr.InNeighbors(v);
        const std::set<NodeId> neighbours(row.begin(), row.end());
        const int64_t deg = static_cast<int64_t>(row.size());
        EXPECT_EQ(rb.full_in_degree[i], deg);
        const int64_t k = rb.offsets[i + 1] - rb.offsets[i];
        EXPECT_EQ(k, fanouts[l] == -1 ? deg : std::min(fanouts[l], deg));
        std::set<NodeId> drawn;
        for (int64_t j = rb.offsets[i]; j < rb.offsets[i + 1]; ++j) {
          ASSERT_LT(rb.indices[j], blk.num_src(rel.src_type));
          const NodeId u = blk.src_nodes[rel.src_type][rb.indices[j]];
          EXPECT_TRUE(neighbours.count(u)) << g.RelationName(r) << ": " << u << " -> " << v;
          drawn.insert(u);
        }
        EXPECT_EQ(static_cast<int64_t>(drawn.size()), k) << "a neighbour drawn twice";
      }
    }
  }
}

TEST(HeteroNeighborSampler, BlocksAreChainedTypedSamplesOfTheirRelations) {
  const graph::HeteroGraph g = RandomTypedGraph(1);
  for (const std::vector<int64_t>& fanouts : std::vector<std::vector<int64_t>>{{3, 2}, {-1, 4}, {1}}) {
    const auto s = *HeteroNeighborSampler::Create(&g, {fanouts, 9});
    const std::vector<NodeId> seeds = {5, 0, 59, 17, 33};
    const auto b = s.Sample(g.NodeTypeId("paper"), seeds, 7);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    CheckBatch(g, *b, fanouts);
    // The reverse relations reach authors from papers.
    EXPECT_GT(b->blocks.front().num_src(g.NodeTypeId("author")), 0);
  }
}

TEST(HeteroNeighborSampler, SameKeySameBatchOtherKeyOtherDraws) {
  const graph::HeteroGraph g = RandomTypedGraph(2);
  const auto s = *HeteroNeighborSampler::Create(&g, {{2, 2}, 3});
  const std::vector<NodeId> seeds = {1, 2, 3, 4, 5, 6, 7, 8};
  const int paper = g.NodeTypeId("paper");
  const auto a = *s.Sample(paper, seeds, 11), b = *s.Sample(paper, seeds, 11), c = *s.Sample(paper, seeds, 12);
  bool differs = false;
  for (size_t l = 0; l < a.blocks.size(); ++l) {
    EXPECT_EQ(a.blocks[l].src_nodes, b.blocks[l].src_nodes);
    for (int r = 0; r < g.num_relations(); ++r) {
      EXPECT_EQ(a.blocks[l].relations[r].indices, b.blocks[l].relations[r].indices);
    }
    differs = differs || a.blocks[l].src_nodes != c.blocks[l].src_nodes;
  }
  EXPECT_TRUE(differs);
}

TEST(HeteroNeighborSampler, FullGraphIsEveryRelationWhole) {
  const graph::HeteroGraph g = RandomTypedGraph(3);
  const auto s = *HeteroNeighborSampler::Create(&g, {{-1, -1}, 0});
  const HeteroMiniBatch b = s.FullGraph();
  ASSERT_EQ(b.blocks.size(), 2u);
  const HeteroMessageFlowBlock& blk = b.blocks[0];
  for (int t = 0; t < g.num_node_types(); ++t) {
    EXPECT_EQ(blk.num_dst[t], g.node_type(t).count);
    EXPECT_EQ(blk.num_src(t), g.node_type(t).count);
  }
  int64_t edges = 0;
  for (int r = 0; r < g.num_relations(); ++r) edges += g.relation(r).num_edges();
  EXPECT_EQ(blk.num_edges(), edges);
  // Sampling every node of one type with every neighbour gives the same rows.
  std::vector<NodeId> all(60);
  for (NodeId i = 0; i < 60; ++i) all[i] = i;
  const auto sampled = *s.Sample(g.NodeTypeId("paper"), all, 1);
  CheckBatch(g, sampled, {-1, -1});
}

TEST(HeteroNeighborSampler, BadSeedsAndFanoutsAreRefused) {
  const graph::HeteroGraph g = RandomTypedGraph(4);
  EXPECT_FALSE(HeteroNeighborSampler::Create(&g, {{0}, 0}).ok());
  EXPECT_FALSE(HeteroNeighborSampler::Create(&g, {{}, 0}).ok());
  EXPECT_FALSE(HeteroNeighborSampler::Create(nullptr, {{2}, 0}).ok());
  const auto s = *HeteroNeighborSampler::Create(&g, {{2}, 0});
  const std::vector<NodeId> out_of_type = {4, 5};  // venue has 5 nodes
  const auto bad = s.Sample(g.NodeTypeId("venue"), out_of_type, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("outside type 'venue' [0, 5)"), std::string::npos)
      << bad.status().message();
  const std::vector<NodeId> twice = {3, 3};
  EXPECT_NE(s.Sample(0, twice, 0).status().message().find("appears twice"), std::string::npos);
  EXPECT_FALSE(s.Sample(3, {}, 0).ok());  // no type 3
}

}  // namespace
}  // namespace streamgnn::sampling
