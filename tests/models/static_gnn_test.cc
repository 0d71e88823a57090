// GCN / SAGE / GAT on message-flow blocks: aggregation against a dense reference, finite-
// difference gradient checks in double, and the full-fanout == full-graph identity.
#include "models/static_gnn.h"

#include <gtest/gtest.h>

#include <random>

#include "graph/csr_graph.h"
#include "tests/models/grad_check.h"

namespace streamgnn::models {
namespace {

struct Fixture {
  graph::CsrGraph g;
  std::vector<int64_t> out_degree;

  explicit Fixture(bool self_loops, int64_t n = 12, int64_t m = 30) {
    std::mt19937_64 gen(5);
    std::vector<NodeId> src, dst;
    for (int64_t i = 0; i < m; ++i) {
      src.push_back(static_cast<NodeId>(gen() % n));
      dst.push_back(static_cast<NodeId>(gen() % n));
    }
    g = *graph::CsrGraph::FromEdges(n, src, dst, {true, self_loops, !self_loops, true});
    out_degree = g.OutDegrees();
  }
  std::vector<BlockTensors> FullBlocks(int64_t layers) const {
    auto s = *sampling::NeighborSampler::Create(&g, {std::vector<int64_t>(layers, -1), 0});
    auto b = s.FullGraph();
    std::vector<BlockTensors> out;
    for (const auto& blk : b.blocks) out.push_back(MakeBlockTensors(blk, out_degree));
    return out;
  }
};

TEST(StaticGnn, GcnBlockMatrixIsSymmetricNormalisation) {
  Fixture f(true);
  const BlockTensors b = f.FullBlocks(1)[0];
  const int64_t n = f.g.num_nodes();
  torch::Tensor dense = torch::zeros({n, n});
  for (NodeId v = 0; v < n; ++v) {
    for (NodeId u : f.g.InNeighbors(v)) {
      dense[v][u] = 1.0 / std::sqrt(double(f.out_degree[u]) * f.g.InDegree(v));
    }
  }
  EXPECT_TRUE(torch::allclose(b.adj_gcn.to_dense(), dense, 1e-6, 1e-6));
  const torch::Tensor x = torch::randn({n, 3});
  EXPECT_TRUE(torch::allclose(torch::mm(b.adj_gcn, x), torch::mm(dense, x), 1e-5, 1e-5));
  // Mean weights: each row sums to 1.
  EXPECT_TRUE(torch::allclose(b.adj_mean.to_dense().sum(1), torch::ones({n})));
}

TEST(StaticGnn, SampledWeightsAreRescaled) {
  Fixture f(true, 30, 200);
  auto s = *sampling::NeighborSampler::Create(&f.g, {{2}, 1});
  auto mb = *s.Sample(std::vector<NodeId>{0, 1, 2}, 0);
  const auto& blk = mb.blocks[0];
  const BlockTensors b = MakeBlockTensors(blk, f.out_degree);
  const torch::Tensor dense = b.adj_gcn.to_dense();
  for (int64_t i = 0; i < blk.num_dst; ++i) {
    const int64_t k = blk.offsets[i + 1] - blk.offsets[i];
    for (int64_t e = blk.offsets[i]; e < blk.offsets[i + 1]; ++e) {
      const NodeId u = blk.src_nodes[blk.indices[e]];
      const double d = blk.full_in_degree[i];
      EXPECT_NEAR(dense[i][blk.indices[e]].item<double>(),
                  d / k / std::sqrt(double(f.out_degree[u]) * d), 1e-6);
    }
  }
}

// Gradients of sum(out * probe) for every parameter and the input.
void GradCheck(StaticModelKind kind) {
  torch::manual_seed(3);
  Fixture f(kind != StaticModelKind::kSage);
  StaticGnnOptions o;
  o.kind = kind;
  o.in_dim = 4;
  o.hidden_dim = 3;
  o.out_dim = 2;
  o.num_layers = 2;
  o.heads = 2;
  o.out_heads = 2;
  StaticGnn model(o);
  model->to(torch::kFloat64);
  model->eval();  // no dropout
  std::vector<BlockTensors> blocks = f.FullBlocks(2);
  for (auto& b : blocks) {
    b.adj_gcn = b.adj_gcn.to(torch::kFloat64);
    b.adj_mean = b.adj_mean.to(torch::kFloat64);
  }
  const int64_t n = f.g.num_nodes();
  torch::Tensor x = torch::randn({n, 4}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor probe = torch::randn({n, 2}, torch::kFloat64);
  std::vector<torch::Tensor> params = model->parameters();
  params.push_back(x);
  testing::ExpectGradientsMatchFiniteDifferences(
      [&] { return (model->forward(x, blocks) * probe).sum(); }, params);
}

TEST(StaticGnn, GcnGradientsMatchFiniteDifferences) { GradCheck(StaticModelKind::kGcn); }
TEST(StaticGnn, SageGradientsMatchFiniteDifferences) { GradCheck(StaticModelKind::kSage); }
TEST(StaticGnn, GatGradientsMatchFiniteDifferences) { GradCheck(StaticModelKind::kGat); }

TEST(StaticGnn, GatAttentionIsASoftmaxOverIncomingEdges) {
  // With equal source features every attention weight of a node is 1/in_degree, so GAT reduces
  // to mean aggregation of identical rows: the output equals the transformed row.
  torch::manual_seed(1);
  Fixture f(true);
  StaticGnnOptions o;
  o.kind = StaticModelKind::kGat;
  o.in_dim = 3;
  o.out_dim = 2;
  o.num_layers = 1;
  o.out_heads = 3;
  StaticGnn model(o);
  model->eval();
  const int64_t n = f.g.num_nodes();
  const torch::Tensor x = torch::ones({n, 3});
  const torch::Tensor out = model->forward(x, f.FullBlocks(1));
  EXPECT_TRUE(torch::allclose(out, out[0].expand({n, 2}), 1e-5, 1e-5));
}

TEST(StaticGnn, FullFanoutBatchEqualsFullGraphRows) {
  for (StaticModelKind kind :
       {StaticModelKind::kGcn, StaticModelKind::kSage, StaticModelKind::kGat}) {
    torch::manual_seed(2);
    Fixture f(kind != StaticModelKind::kSage, 40, 120);
    StaticGnnOptions o;
    o.kind = kind;
    o.in_dim = 5;
    o.out_dim = 3;
    o.num_layers = 2;
    StaticGnn model(o);
    model->eval();
    const torch::Tensor x = torch::randn({40, 5});
    const torch::Tensor full = model->forward(x, f.FullBlocks(2));
    auto s = *sampling::NeighborSampler::Create(&f.g, {{-1, -1}, 0});
    const std::vector<NodeId> seeds = {7, 3, 31};
    auto mb = *s.Sample(seeds, 0);
    std::vector<BlockTensors> blocks;
    for (const auto& blk : mb.blocks) blocks.push_back(MakeBlockTensors(blk, f.out_degree));
    const torch::Tensor ids =
        torch::tensor(std::vector<int64_t>(mb.input_nodes().begin(), mb.input_nodes().end()));
    const torch::Tensor part = model->forward(x.index_select(0, ids), blocks);
    EXPECT_TRUE(torch::allclose(part, full.index_select(0, torch::tensor(seeds)), 1e-5, 1e-5))
        << static_cast<int>(kind);
  }
}

TEST(StaticGnn, SparseInputMatchesDense) {
  for (StaticModelKind kind :
       {StaticModelKind::kGcn, StaticModelKind::kSage, StaticModelKind::kGat}) {
    torch::manual_seed(4);
    Fixture f(kind != StaticModelKind::kSage);
    StaticGnnOptions o;
    o.kind = kind;
    o.in_dim = 6;
    o.out_dim = 3;
    StaticGnn model(o);
    model->eval();
    const torch::Tensor x = torch::randn({f.g.num_nodes(), 6}) * (torch::rand({f.g.num_nodes(), 6}) < 0.3);
    const auto blocks = f.FullBlocks(2);
    EXPECT_TRUE(torch::allclose(model->forward(x.to_sparse(), blocks), model->forward(x, blocks),
                                1e-5, 1e-5))
        << static_cast<int>(kind);
  }
}

}  // namespace
}  // namespace streamgnn::models
