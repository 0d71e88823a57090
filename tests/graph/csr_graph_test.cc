#include "graph/csr_graph.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace streamgnn::graph {
namespace {

// Brute force: multiset of (dst, src) pairs after the options are applied.
std::map<std::pair<NodeId, NodeId>, int64_t> Reference(int64_t n, const std::vector<NodeId>& src,
                                                       const std::vector<NodeId>& dst,
                                                       const CsrBuildOptions& o) {
  std::map<std::pair<NodeId, NodeId>, int64_t> adj;
  for (size_t i = 0; i < src.size(); ++i) {
    if ((o.add_self_loops || o.remove_self_loops) && src[i] == dst[i]) continue;
    adj[{dst[i], src[i]}]++;
    if (o.symmetrize && src[i] != dst[i]) adj[{src[i], dst[i]}]++;
  }
  if (o.add_self_loops) {
    for (NodeId v = 0; v < n; ++v) adj[{v, v}] = 1;
  }
  if (o.remove_duplicates) {
    for (auto& [k, c] : adj) c = 1;
  }
  return adj;
}

struct Case {
  const char* name;
  CsrBuildOptions options;
};

const Case kCases[] = {
    {"plain", {}},
    {"symmetrize", {true, false, false, true, EdgeNorm::kNone}},
    {"self_loops", {false, true, false, true, EdgeNorm::kNone}},
    {"sym_loops_gcn", {true, true, false, true, EdgeNorm::kGcn}},
    {"multi_edges", {false, false, false, false, EdgeNorm::kNone}},
    {"no_loops_mean", {true, false, true, true, EdgeNorm::kMean}},
    {"multi_sym_loops", {true, true, false, false, EdgeNorm::kGcn}},
};

class CsrGraphCases : public ::testing::TestWithParam<Case> {};

TEST_P(CsrGraphCases, MatchesBruteForceAdjacency) {
  const Case& c = GetParam();
  std::mt19937_64 gen(7);
  const int64_t n = 200;
  std::vector<NodeId> src, dst;
  for (int i = 0; i < 3000; ++i) {
    // Skewed, with duplicates and self-loops.
    src.push_back(static_cast<NodeId>(gen() % n * (gen() % n) / n));
    dst.push_back(static_cast<NodeId>(gen() % n));
  }
  src.push_back(5);
  dst.push_back(5);
  auto g = CsrGraph::FromEdges(n, src, dst, c.options);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const auto ref = Reference(n, src, dst, c.options);

  std::map<std::pair<NodeId, NodeId>, int64_t> got;
  std::vector<int64_t> in_deg(n, 0), out_deg(n, 0);
  for (const auto& [k, cnt] : ref) {
    in_deg[k.first] += cnt;
    out_deg[k.second] += cnt;
  }
  ASSERT_EQ(g->num_nodes(), n);
  for (NodeId v = 0; v < n; ++v) {
    auto row = g->InNeighbors(v);
    EXPECT_TRUE(std::is_sorted(row.begin(), row.end()));
    EXPECT_EQ(g->InDegree(v), in_deg[v]);
    for (size_t j = 0; j < row.size(); ++j) {
      got[{v, row[j]}]++;
      const int64_t e = g->offsets()[v] + static_cast<int64_t>(j);
      if (c.options.norm == EdgeNorm::kGcn) {
        EXPECT_FLOAT_EQ(g->weights()[e],
                        static_cast<float>(1.0 / std::sqrt(double(out_deg[row[j]]) * in_deg[v])));
      } else if (c.options.norm == EdgeNorm::kMean) {
        EXPECT_FLOAT_EQ(g->weights()[e], static_cast<float>(1.0 / in_deg[v]));
      }
    }
  }
  EXPECT_EQ(got, ref);
  EXPECT_EQ(g->has_weights(), c.options.norm != EdgeNorm::kNone);
  EXPECT_EQ(g->OutDegrees(), out_deg);
  if (c.options.symmetrize) {
    EXPECT_TRUE(g->IsSymmetric());
  }
}

INSTANTIATE_TEST_SUITE_P(Options, CsrGraphCases, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CsrGraph, SameResultWhateverTheThreadCount) {
  std::mt19937_64 gen(3);
  const int64_t n = 5000;
  std::vector<NodeId> src, dst;
  for (int i = 0; i < 200000; ++i) {
    src.push_back(static_cast<NodeId>(gen() % n));
    dst.push_back(static_cast<NodeId>(gen() % n));
  }
  const CsrBuildOptions o{true, true, false, false, EdgeNorm::kGcn};
  CsrGraph one, many;
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    one = *CsrGraph::FromEdges(n, src, dst, o);
  }
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 4);
    many = *CsrGraph::FromEdges(n, src, dst, o);
  }
  EXPECT_EQ(one.offsets(), many.offsets());
  EXPECT_EQ(one.indices(), many.indices());
  EXPECT_EQ(one.weights(), many.weights());
}

TEST(CsrGraph, TransposeReversesEdges) {
  const std::vector<NodeId> src = {0, 0, 1, 3}, dst = {1, 2, 2, 0};
  auto g = CsrGraph::FromEdges(4, src, dst, {});
  ASSERT_TRUE(g.ok());
  CsrGraph t = g->Transposed();
  EXPECT_EQ(t.offsets(), (std::vector<int64_t>{0, 2, 3, 3, 4}));
  EXPECT_EQ(t.indices(), (std::vector<NodeId>{1, 2, 2, 0}));
  EXPECT_FALSE(g->IsSymmetric());
}

TEST(CsrGraph, RejectsBadInput) {
  const std::vector<NodeId> src = {0, 1, 7}, dst = {1, 2, 0};
  auto g = CsrGraph::FromEdges(4, src, dst, {});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("edge 2 (7 -> 0)"), std::string::npos) << g.status().message();
  auto mismatch = CsrGraph::FromEdges(4, std::vector<NodeId>{0}, std::vector<NodeId>{}, {});
  EXPECT_FALSE(mismatch.ok());
  EXPECT_FALSE(CsrGraph::FromCsr(2, {0, 2, 1}, {0, 1}).ok());
  EXPECT_FALSE(CsrGraph::FromCsr(2, {0, 1, 2}, {0, 5}).ok());
  EXPECT_TRUE(CsrGraph::FromCsr(2, {0, 1, 2}, {1, 0}).ok());
}

TEST(CsrGraph, EmptyGraph) {
  auto g = CsrGraph::FromEdges(3, std::vector<NodeId>{}, std::vector<NodeId>{},
                               {false, true, false, true, EdgeNorm::kGcn});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->num_edges(), 3);
  EXPECT_FLOAT_EQ(g->weights()[1], 1.0f);
}

}  // namespace
}  // namespace streamgnn::graph
