#include "graph/partition.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace streamgnn::graph {
namespace {

// Two dense communities per part-to-be plus a few random cross edges: METIS should find a small
// cut.
CsrGraph ClusteredGraph(int64_t n, int64_t clusters, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<NodeId> src, dst;
  for (int64_t i = 0; i < n * 4; ++i) {
    const NodeId u = static_cast<NodeId>(gen() % n);
    const bool cross = gen() % 20 == 0;
    NodeId w = cross ? static_cast<NodeId>(gen() % n)
                     : static_cast<NodeId>((u % clusters) + clusters * (gen() % (n / clusters)));
    src.push_back(u);
    dst.push_back(w);
  }
  return *CsrGraph::FromEdges(n, src, dst, {true, false, true, true});
}

void CheckBook(const CsrGraph& g, const PartitionBook& book) {
  const int64_t n = g.num_nodes();
  std::vector<int> inner_count(n, 0);
  for (int64_t pi = 0; pi < book.num_parts(); ++pi) {
    const LocalPartition& p = book.partition(pi);
    ASSERT_EQ(static_cast<int64_t>(p.local_to_global.size()), p.num_local());
    std::set<NodeId> halo_ref;
    for (int64_t i = 0; i < p.num_inner(); ++i) {
      const NodeId v = p.local_to_global[i];
      EXPECT_EQ(book.owner(v), pi);
      EXPECT_EQ(book.local_id(v), i);
      inner_count[v]++;
      bool has_remote = false;
      for (NodeId u : g.InNeighbors(v)) {
        if (book.owner(u) != pi) {
          has_remote = true;
          halo_ref.insert(u);
        }
      }
      EXPECT_EQ(has_remote, i >= p.num_central) << "node " << v << " local " << i;
      if (i > 0 && i != p.num_central) {
        EXPECT_LT(p.local_to_global[i - 1], v) << "central/marginal not ascending";
      }
    }
    // Halo = remote in-neighbours, grouped by owner, each once.
    std::set<NodeId> halo(p.local_to_global.begin() + p.num_inner(), p.local_to_global.end());
    EXPECT_EQ(halo, halo_ref);
    EXPECT_EQ(static_cast<int64_t>(halo.size()), p.num_halo);
    for (int64_t i = 0; i < p.num_halo; ++i) {
      const NodeId u = p.local_to_global[p.num_inner() + i];
      EXPECT_EQ(p.halo_owner[i], book.owner(u));
      if (i > 0) {
        const auto prev = std::make_pair(p.halo_owner[i - 1], p.local_to_global[p.num_inner() + i - 1]);
        EXPECT_LT(prev, std::make_pair(p.halo_owner[i], u));
      }
      const auto [b, e] = p.recv[p.halo_owner[i]];
      EXPECT_GE(p.num_inner() + i, b);
      EXPECT_LT(p.num_inner() + i, e);
    }
    // Local CSR = the global rows of the inner nodes.
    ASSERT_EQ(static_cast<int64_t>(p.offsets.size()), p.num_inner() + 1);
    for (int64_t i = 0; i < p.num_inner(); ++i) {
      const auto row = g.InNeighbors(p.local_to_global[i]);
      ASSERT_EQ(p.offsets[i + 1] - p.offsets[i], static_cast<int64_t>(row.size()));
      for (size_t j = 0; j < row.size(); ++j) {
        EXPECT_EQ(p.local_to_global[p.indices[p.offsets[i] + j]], row[j]);
      }
    }
    // What p sends to q is exactly q's halo range owned by p, in order.
    for (int64_t qi = 0; qi < book.num_parts(); ++qi) {
      const LocalPartition& q = book.partition(qi);
      const auto [b, e] = q.recv[pi];
      ASSERT_EQ(static_cast<int64_t>(p.send[qi].size()), e - b);
      for (int64_t k = 0; k < e - b; ++k) {
        EXPECT_EQ(p.local_to_global[p.send[qi][k]], q.local_to_global[b + k]);
        EXPECT_LT(p.send[qi][k], p.num_inner());
      }
    }
  }
  for (NodeId v = 0; v < n; ++v) EXPECT_EQ(inner_count[v], 1) << "node " << v;
}

TEST(Partition, MetisCutsFewEdgesAndBalances) {
  if (!MetisAvailable()) GTEST_SKIP() << "this build has no libmetis (scripts/setup installs it)";
  const CsrGraph g = ClusteredGraph(2000, 4, 1);
  auto owner = MetisKway(g, {4, 7, 1.05});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  std::vector<int64_t> sizes(4, 0);
  for (int64_t p : *owner) {
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 4);
    sizes[p]++;
  }
  for (int64_t s : sizes) EXPECT_LE(s, 2000 / 4 * 1.1);
  auto book = PartitionBook::Build(g, *owner, 4);
  ASSERT_TRUE(book.ok());
  // A random assignment cuts about 3/4 of the edges; the planted clusters allow ~5 %.
  EXPECT_LT(book->edge_cut(), g.num_edges() / 5);
  CheckBook(g, *book);
}

TEST(Partition, BookIsConsistentForAnyAssignment) {
  const CsrGraph g = ClusteredGraph(600, 3, 2);
  std::mt19937_64 gen(3);
  std::vector<int64_t> owner(600);
  for (auto& o : owner) o = static_cast<int64_t>(gen() % 5);
  auto book = PartitionBook::Build(g, owner, 5);
  ASSERT_TRUE(book.ok());
  CheckBook(g, *book);
  int64_t cut = 0;
  for (NodeId v = 0; v < 600; ++v) {
    for (NodeId u : g.InNeighbors(v)) cut += owner[u] != owner[v];
  }
  EXPECT_EQ(book->edge_cut(), cut);
}

TEST(Partition, HandWorkedExample) {
  // Path 0-1-2-3, parts {0,1} and {2,3}: 0 central, 1 marginal (needs 2); 3 central, 2 marginal.
  const std::vector<NodeId> src = {0, 1, 2}, dst = {1, 2, 3};
  const CsrGraph g = *CsrGraph::FromEdges(4, src, dst, {true, false, true, true});
  auto book = PartitionBook::Build(g, {0, 0, 1, 1}, 2);
  ASSERT_TRUE(book.ok());
  const LocalPartition& p0 = book->partition(0);
  EXPECT_EQ(p0.local_to_global, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_EQ(p0.num_central, 1);
  EXPECT_EQ(p0.num_marginal, 1);
  EXPECT_EQ(p0.num_halo, 1);
  EXPECT_EQ(p0.send[1], (std::vector<int64_t>{1}));
  const LocalPartition& p1 = book->partition(1);
  EXPECT_EQ(p1.local_to_global, (std::vector<NodeId>{3, 2, 1}));
  EXPECT_EQ(book->edge_cut(), 2);
  CheckBook(g, *book);
}

TEST(Partition, RejectsBadInput) {
  const std::vector<NodeId> src = {0, 1}, dst = {1, 2};
  const CsrGraph directed = *CsrGraph::FromEdges(3, src, dst, {});
  EXPECT_FALSE(MetisKway(directed, {2, 0}).ok());
  EXPECT_FALSE(MetisKway(directed, {0, 0}).ok());
  auto one = MetisKway(directed, {1, 0});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_FALSE(PartitionBook::Build(directed, {0, 1}, 2).ok());
  EXPECT_FALSE(PartitionBook::Build(directed, {0, 1, 2}, 2).ok());
}

}  // namespace
}  // namespace streamgnn::graph
