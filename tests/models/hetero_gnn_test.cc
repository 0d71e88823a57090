// R-GCN, HGT and BG-HGNN: R-GCN with one relation equals GCN, finite-difference gradients of
// the typed layers and of BG-HGNN's fusion, the blend's parts against a direct computation,
// parameter counts that do (R-GCN, HGT) and do not (BG-HGNN) grow with the relations, and
// learning on a typed SBM.
#include "models/hetero_gnn.h"

#include <gtest/gtest.h>

#include <random>

#include "datasets/hetero_dataset.h"
#include "tests/models/grad_check.h"

namespace streamgnn::models {
namespace {

// Two types (5 and 4 nodes, 3 and 2 features) and three relations.
graph::HeteroGraph SmallGraph() {
  std::vector<graph::RelationEdges> rels = {
      {"a", "aa", "a", {0, 1, 2, 3, 4, 4}, {1, 2, 3, 4, 0, 2}},
      {"a", "ab", "b", {0, 1, 2, 3, 4}, {0, 1, 1, 2, 3}},
      {"b", "ba", "a", {0, 1, 2, 3, 3}, {4, 3, 2, 1, 0}}};
  return *graph::HeteroGraph::Build({{"a", 5}, {"b", 4}}, rels);
}

HeteroGnnOptions SmallOptions() {
  HeteroGnnOptions o;
  o.in_dims = {3, 2};
  o.num_relations = 3;
  o.hidden_dim = 4;
  o.out_dim = 2;
  o.num_layers = 2;
  o.dropout = 0;
  o.heads = 2;
  o.rank = 2;
  o.fused_dim = 3;
  o.code_dim = 4;
  return o;
}

HeteroBlocks DoubleTensors(HeteroBlocks blocks) {
  for (auto& t : blocks) {
    for (auto& r : t.relations) r.adj = r.adj.to(torch::kFloat64);
    t.homogeneous.adj_gcn = t.homogeneous.adj_gcn.to(torch::kFloat64);
    t.homogeneous.adj_mean = t.homogeneous.adj_mean.to(torch::kFloat64);
  }
  return blocks;
}

HeteroBlocks SmallBlocks() { return DoubleTensors(FullGraphBlocks(SmallGraph(), RelationNorm::kMean, 2)); }

void CheckModelGradients(HeteroModule& model, const HeteroBlocks& g) {
  model.to(torch::kFloat64);
  model.eval();
  std::vector<torch::Tensor> x = {torch::randn({5, 3}, torch::kFloat64).requires_grad_(true),
                                  torch::randn({4, 2}, torch::kFloat64).requires_grad_(true)};
  const torch::Tensor probe = torch::randn({5, 2}, torch::kFloat64);
  std::vector<torch::Tensor> params = model.parameters();
  params.insert(params.end(), x.begin(), x.end());
  testing::ExpectGradientsMatchFiniteDifferences([&] { return (model.forward(x, g) * probe).sum(); },
                                                 params);
}

TEST(Rgcn, GradientsMatchFiniteDifferences) {
  torch::manual_seed(1);
  const HeteroBlocks g = SmallBlocks();
  HeteroGnnOptions o = SmallOptions();
  o.num_bases = 2;  // with basis decomposition
  Rgcn model(o);
  CheckModelGradients(model, g);
}

TEST(Hgt, GradientsMatchFiniteDifferences) {
  torch::manual_seed(2);
  const HeteroBlocks g = SmallBlocks();
  Hgt model(SmallOptions());
  CheckModelGradients(model, g);
}

TEST(BgHgnn, GradientsMatchFiniteDifferences) {
  torch::manual_seed(3);
  const HeteroBlocks g = SmallBlocks();
  BgHgnn model(SmallOptions(), SmallGraph());
  CheckModelGradients(model, g);
}

TEST(BgHgnn, FusionIsTheRankRProductAndItsGradientsAreRight) {
  torch::manual_seed(4);
  BgHgnn model(SmallOptions(), SmallGraph());
  model.to(torch::kFloat64);
  const torch::Tensor xc = torch::randn({6, 4}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor xt = torch::randn({6, 5}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor xr = torch::randn({6, 5}, torch::kFloat64).requires_grad_(true);
  // Direct: sum_k w_k (xc Wc^k) * (xt Wt^k) * (xr Wr^k) + b, then ReLU.
  auto p = model.named_parameters();
  torch::Tensor direct = torch::zeros({6, 3}, torch::kFloat64);
  for (int64_t k = 0; k < 2; ++k) {
    const auto slice = [&](const char* name) { return p[name].narrow(1, k * 3, 3); };
    direct += p["rank_weight"][k] * torch::mm(xc, slice("w_c")) * torch::mm(xt, slice("w_t")) *
              torch::mm(xr, slice("w_r"));
  }
  direct = torch::relu(direct + p["fusion_bias"]);
  EXPECT_TRUE(torch::allclose(model.Grind(xc, xt, xr), direct, 1e-12, 1e-12));
  std::vector<torch::Tensor> params = model.parameters();
  params.insert(params.end(), {xc, xt, xr});
  const torch::Tensor probe = torch::randn({6, 3}, torch::kFloat64);
  testing::ExpectGradientsMatchFiniteDifferences(
      [&] { return (model.Grind(xc, xt, xr) * probe).sum(); }, params);
}

TEST(BgHgnn, BlendPartsFollowThePaper) {
  BgHgnn model(SmallOptions(), SmallGraph());
  const std::vector<NodeId> all = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  const torch::Tensor tp = model.TypePart(all), rp = model.RelationPart(all);
  ASSERT_EQ(tp.sizes(), (std::vector<int64_t>{9, 5}));
  // Same type, same code; a trailing 1.
  EXPECT_TRUE(torch::equal(tp[0], tp[4]));
  EXPECT_FALSE(torch::equal(tp[0], tp[5]));
  EXPECT_TRUE(torch::allclose(tp.select(1, 4), torch::ones({9})));
  // Relation parts: a0 (global 0) has in aa from a4 (+aa), out aa to a1 (-aa), out ab to b0
  // (-ab) and in ba from b3 (+ba): (ba - ab) / 4. b0 (global 5) has in ab from a0 (+ab) and out
  // ba to a4 (-ba): (ab - ba) / 2. So a0's part is minus half of b0's.
  EXPECT_TRUE(torch::allclose(rp[0].narrow(0, 0, 4), -rp[5].narrow(0, 0, 4) / 2, 1e-6, 1e-6));
  // b1 (global 6): in ab from a1 and a2, out ba to a3: (2 ab - ba) / 3, so 3 b1 - 2 b0 = ab,
  // and ab is the relation code itself: not zero.
  const torch::Tensor ab = 3 * rp[6].narrow(0, 0, 4) - 2 * rp[5].narrow(0, 0, 4);
  EXPECT_GT(ab.abs().sum().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(rp[0][4].item<float>(), 1.0f);
}

TEST(Rgcn, OneRelationEqualsGcn) {
  // A random symmetric graph with self-loops, one node type, one relation.
  std::mt19937 gen(5);
  const int64_t n = 30;
  graph::RelationEdges rel{"n", "e", "n", {}, {}};
  for (int i = 0; i < 80; ++i) {
    const NodeId u = gen() % n, v = gen() % n;
    rel.src.push_back(u);
    rel.dst.push_back(v);
    rel.src.push_back(v);
    rel.dst.push_back(u);
  }
  for (NodeId v = 0; v < n; ++v) {
    rel.src.push_back(v);
    rel.dst.push_back(v);
  }
  const auto hg = *graph::HeteroGraph::Build({{"n", n}}, {rel});
  const HeteroBlocks g = FullGraphBlocks(hg, RelationNorm::kGcn, 2);
  HeteroGnnOptions o;
  o.in_dims = {6};
  o.num_relations = 1;
  o.hidden_dim = 5;
  o.out_dim = 3;
  o.dropout = 0;
  o.self_loop = false;
  Rgcn rgcn(o);
  StaticGnnOptions so;
  so.kind = StaticModelKind::kGcn;
  so.in_dim = 6;
  so.hidden_dim = 5;
  so.out_dim = 3;
  so.dropout = 0;
  StaticGnn gcn(so);
  {
    torch::NoGradGuard no_grad;
    auto rp = rgcn.named_parameters();
    auto gp = gcn->named_parameters();
    for (int l = 0; l < 2; ++l) {
      const std::string s = std::to_string(l);
      gp["weight" + s].copy_(rgcn.RelationWeight(l, 0));
      gp["bias" + s].copy_(rp["bias" + s]);
    }
  }
  const auto& csr = hg.relation(0).csr;
  auto sampler = *sampling::NeighborSampler::Create(&csr, {{-1}, 0});
  const std::vector<int64_t> out_degree = csr.OutDegrees();
  const BlockTensors b = MakeBlockTensors(sampler.FullGraph().blocks[0], Span<const int64_t>(out_degree));
  const torch::Tensor x = torch::randn({n, 6});
  rgcn.eval();
  gcn->eval();
  EXPECT_TRUE(torch::allclose(rgcn.forward({x}, g), gcn->forward(x, {b, b}), 1e-5, 1e-5));
}

// Sampled blocks with every neighbour compute exactly the full graph's logits of their seeds:
// the typed relabelling, each relation's rows and BG-HGNN's homogeneous reordering agree.
TEST(HeteroModels, SampledBlocksWithEveryNeighbourGiveTheFullGraphLogits) {
  torch::manual_seed(6);
  const graph::HeteroGraph hg = SmallGraph();
  const HeteroDegrees degrees = HeteroDegrees::Of(hg);
  const auto sampler = *sampling::HeteroNeighborSampler::Create(&hg, {{-1, -1}, 0});
  const std::vector<NodeId> seeds = {3, 0, 2};
  for (const int target : {0, 1}) {
    HeteroGnnOptions o = SmallOptions();
    o.target_type = target;
    std::vector<std::shared_ptr<HeteroModule>> models = {
        std::make_shared<Rgcn>(o), std::make_shared<Hgt>(o), std::make_shared<BgHgnn>(o, hg)};
    const std::vector<torch::Tensor> x = {torch::randn({5, 3}), torch::randn({4, 2})};
    const auto batch = *sampler.Sample(target, seeds, 1);
    HeteroBlocks blocks;
    for (const auto& b : batch.blocks) {
      blocks.push_back(MakeHeteroBlockTensors(hg, degrees, b, RelationNorm::kMean));
    }
    std::vector<torch::Tensor> xb;
    for (int t = 0; t < 2; ++t) {
      const auto& ids = batch.blocks[0].src_nodes[t];
      xb.push_back(x[t].index_select(0, torch::from_blob(const_cast<NodeId*>(ids.data()),
                                                          {static_cast<int64_t>(ids.size())}, torch::kInt64)));
    }
    for (auto& m : models) {
      m->eval();
      const torch::Tensor full = m->forward(x, FullGraphBlocks(hg, RelationNorm::kMean, 2));
      const torch::Tensor sampled = m->forward(xb, blocks);
      EXPECT_TRUE(torch::allclose(sampled, full.index_select(0, torch::tensor(std::vector<int64_t>{3, 0, 2})), 1e-5, 1e-5))
          << "target " << target << "\n" << sampled << "\n" << full;
    }
  }
}

TEST(HeteroModels, ParametersGrowWithRelationsExceptBgHgnn) {
  std::vector<int64_t> rgcn, hgt, bg;
  for (int64_t r : {2, 20}) {
    datasets::HeteroSbmOptions so;
    so.nodes_per_type = 50;
    so.num_relations = r;
    so.edges_per_relation = 50;
    so.feature_dim = 8;
    const auto d = *datasets::GenerateHeteroSbm(so);
    const graph::HeteroGraph g = *d.BuildGraph();
    HeteroGnnOptions o;
    o.in_dims = d.feature_dims;
    o.num_relations = r;
    o.out_dim = 4;
    rgcn.push_back(Rgcn(o).NumParameters());
    hgt.push_back(Hgt(o).NumParameters());
    bg.push_back(BgHgnn(o, g).NumParameters());
  }
  EXPECT_GT(rgcn[1], rgcn[0]);
  EXPECT_GT(hgt[1], hgt[0]);
  EXPECT_EQ(bg[1], bg[0]);
}

// A few full-graph epochs of Adam on a typed SBM: training accuracy well above chance (0.25).
template <class Model>
double TrainAccuracy(const std::function<std::shared_ptr<Model>(const HeteroGnnOptions&, const graph::HeteroGraph&)>& make) {
  torch::manual_seed(7);
  datasets::HeteroSbmOptions so;
  so.nodes_per_type = 400;
  so.num_relations = 6;
  so.edges_per_relation = 1600;
  so.feature_dim = 16;
  so.feature_noise = 3.0;  // features alone are weak; the graph carries the signal
  const auto d = *datasets::GenerateHeteroSbm(so);
  const graph::HeteroGraph hg = *d.BuildGraph();
  const HeteroBlocks g = FullGraphBlocks(hg, RelationNorm::kMean, 2);
  HeteroGnnOptions o;
  o.in_dims = d.feature_dims;
  o.num_relations = static_cast<int64_t>(d.relations.size());
  o.out_dim = d.num_classes;
  o.hidden_dim = 32;
  o.dropout = 0.2;
  o.code_dim = 32;
  auto model = make(o, hg);
  std::vector<torch::Tensor> x;
  for (size_t t = 0; t < d.features.size(); ++t) {
    x.push_back(torch::from_blob(const_cast<float*>(d.features[t].data()),
                                 {d.node_types[t].count, d.feature_dims[t]}, torch::kFloat32));
  }
  const torch::Tensor y = torch::tensor(d.labels);
  const torch::Tensor train = torch::tensor(std::vector<int64_t>(d.train_idx.begin(), d.train_idx.end()));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.01));
  for (int epoch = 0; epoch < 60; ++epoch) {
    model->train();
    opt.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        model->forward(x, g).index_select(0, train), y.index_select(0, train));
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  model->eval();
  return model->forward(x, g).argmax(1).eq(y).to(torch::kFloat64).mean().template item<double>();
}

TEST(HeteroModels, Learn) {
  EXPECT_GT(TrainAccuracy<Rgcn>([](const auto& o, const auto&) { return std::make_shared<Rgcn>(o); }), 0.6);
  EXPECT_GT(TrainAccuracy<Hgt>([](const auto& o, const auto&) { return std::make_shared<Hgt>(o); }), 0.6);
  EXPECT_GT(TrainAccuracy<BgHgnn>([](const auto& o, const auto& g) { return std::make_shared<BgHgnn>(o, g); }), 0.6);
}

}  // namespace
}  // namespace streamgnn::models
