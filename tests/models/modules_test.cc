// Gradient checks (autograd vs central differences in float64) for every module with its own
// math, plus the behaviour the trainer relies on: masked slots are ignored, nodes without mail
// keep their memory, shapes, and the full TemporalModel's output shapes per architecture.
#include "models/modules.h"

#include <gtest/gtest.h>

#include <functional>

#include "models/temporal_model.h"

namespace streamgnn::models {
namespace {

// Compares d/dx sum(f() * R) from autograd with central differences for up to `max_checks`
// entries of every tensor in `wrt` (float64, requires_grad). R is a fixed random weighting, so
// every output entry matters.
void ExpectGradientsMatch(const std::function<torch::Tensor()>& f, std::vector<torch::Tensor> wrt,
                          const std::string& what, int max_checks = 12) {
  torch::manual_seed(1);
  const torch::Tensor first = f();
  const torch::Tensor weights = torch::randn(first.sizes(), torch::kFloat64);
  const auto loss = [&] { return (f() * weights).sum(); };
  for (auto& t : wrt) {
    if (t.grad().defined()) t.mutable_grad().zero_();
  }
  loss().backward();
  int checked = 0;
  for (size_t w = 0; w < wrt.size(); ++w) {
    torch::Tensor& t = wrt[w];
    ASSERT_TRUE(t.grad().defined()) << what << ": tensor " << w << " got no gradient";
    const torch::Tensor analytic = t.grad().clone().view({-1});
    torch::Tensor flat = t.detach().view({-1});
    const int64_t n = flat.numel();
    for (int c = 0; c < std::min<int64_t>(max_checks, n); ++c) {
      const int64_t i = (c * 7919) % n;
      const double eps = 1e-6;
      const double saved = flat[i].item<double>();
      torch::NoGradGuard guard;
      flat[i] = saved + eps;
      const double up = loss().item<double>();
      flat[i] = saved - eps;
      const double down = loss().item<double>();
      flat[i] = saved;
      const double numeric = (up - down) / (2 * eps);
      const double a = analytic[i].item<double>();
      EXPECT_NEAR(a, numeric, 1e-5 + 1e-4 * std::abs(numeric))
          << what << ": tensor " << w << " entry " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

std::vector<torch::Tensor> Params(torch::nn::Module& m) { return m.parameters(); }

torch::Tensor Leaf(torch::Tensor t) { return t.to(torch::kFloat64).set_requires_grad(true); }

TEST(TimeEncoder, InitialisationAndGradients) {
  TimeEncoder enc(5);
  const torch::Tensor w = enc->named_parameters()["w"];
  EXPECT_FLOAT_EQ(w[0].item<float>(), 1.0f);
  EXPECT_NEAR(w[4].item<float>(), 1e-9, 1e-15);
  const torch::Tensor zero = enc->forward(torch::zeros({3}));
  EXPECT_TRUE(torch::allclose(zero, torch::ones({3, 5})));  // cos(0) = 1
  enc->to(torch::kFloat64);
  torch::Tensor dt = Leaf(torch::rand({4, 3}) * 3);
  auto wrt = Params(*enc);
  wrt.push_back(dt);
  ExpectGradientsMatch([&] { return enc->forward(dt); }, wrt, "time encoder");
}

TEST(MessageFunction, MlpGradients) {
  MessageFunction msg(memory::MessageFunction::kMlp, 6);
  msg->to(torch::kFloat64);
  torch::Tensor x = Leaf(torch::randn({3, 6}));
  auto wrt = Params(*msg);
  wrt.push_back(x);
  ExpectGradientsMatch([&] { return msg->forward(x); }, wrt, "mlp message");
  MessageFunction identity(memory::MessageFunction::kIdentity, 6);
  EXPECT_TRUE(torch::equal(identity->forward(x), x));
}

struct UpdaterCase {
  memory::MemoryUpdate kind;
  int64_t mailbox;
  const char* name;
};

TEST(MemoryUpdater, GradientsAndNodesWithoutMailKeepTheirMemory) {
  for (const UpdaterCase& c : {UpdaterCase{memory::MemoryUpdate::kGru, 1, "gru"},
                               UpdaterCase{memory::MemoryUpdate::kRnn, 1, "rnn"},
                               UpdaterCase{memory::MemoryUpdate::kTransformer, 3, "transformer"}}) {
    SCOPED_TRACE(c.name);
    MemoryUpdaterImpl::Options o;
    o.kind = c.kind;
    o.msg_func = memory::MessageFunction::kMlp;
    o.dim_memory = 4;
    o.dim_mail = 5;
    o.dim_time = 3;
    o.heads = 2;
    o.dropout = 0;
    o.att_dropout = 0;
    MemoryUpdater up(o);
    up->to(torch::kFloat64);
    torch::manual_seed(3);
    torch::Tensor mem = Leaf(torch::randn({4, 4}));
    torch::Tensor mails = Leaf(torch::randn({4, c.mailbox, 5}));
    const torch::Tensor dt = torch::rand({4, c.mailbox}, torch::kFloat64) * 5;
    torch::Tensor valid = torch::ones({4, c.mailbox}, torch::kBool);
    valid[2].fill_(false);  // node 2 has no mail
    if (c.mailbox > 1) valid[1][2] = false;  // a masked slot
    auto wrt = Params(*up);
    wrt.push_back(mem);
    wrt.push_back(mails);
    ExpectGradientsMatch([&] { return up->forward(mem, mails, dt.to(torch::kFloat64), valid); }, wrt,
                         c.name);
    const torch::Tensor out = up->forward(mem, mails, dt, valid);
    EXPECT_TRUE(torch::equal(out[2], mem[2]));
    EXPECT_FALSE(torch::allclose(out[0], mem[0]));
    if (c.mailbox > 1) {  // the masked mail does not matter
      torch::Tensor changed = mails.detach().clone();
      changed[1][2].fill_(100);
      EXPECT_TRUE(torch::allclose(up->forward(mem, changed, dt, valid)[1], out[1]));
    }
  }
}

// The packed layout of a padded [R, k, ...] batch with mask [R, k]: slot rows in root order
// and offsets [R + 1].
struct Packed {
  torch::Tensor slots, offsets;
};
Packed Pack(const torch::Tensor& mask) {
  Packed p;
  p.slots = mask.reshape({-1}).nonzero().squeeze(1);
  p.offsets = torch::cat({torch::zeros({1}, torch::kInt64), mask.sum(1).cumsum(0)});
  return p;
}
torch::Tensor PackRows(const torch::Tensor& padded, const Packed& p) {
  return padded.reshape({padded.size(0) * padded.size(1), -1}).index_select(0, p.slots);
}

TEST(TemporalAttention, GradientsMaskAndEmptyNeighbourhoods) {
  for (int64_t dim_node : {int64_t{4}, int64_t{0}}) {
    SCOPED_TRACE(dim_node);
    TemporalAttentionImpl::Options o;
    o.dim_node = dim_node;
    o.dim_edge = 3;
    o.dim_time = 4;
    o.dim_out = 6;
    o.heads = 2;
    o.dropout = 0;
    o.att_dropout = 0;
    TemporalAttention att(o);
    att->to(torch::kFloat64);
    torch::manual_seed(5);
    const int64_t r = 3, k = 4;
    torch::Tensor h_root = Leaf(torch::randn({r, dim_node}));
    torch::Tensor h_nbr = Leaf(torch::randn({r, k, dim_node}));
    torch::Tensor edge = Leaf(torch::randn({r, k, 3}));
    torch::Tensor dt = Leaf(torch::rand({r, k}) * 4);
    torch::Tensor mask = torch::ones({r, k}, torch::kBool);
    mask[0][3] = false;
    mask[2].fill_(false);  // root 2 has no neighbours
    const Packed p = Pack(mask);
    const auto forward = [&](const torch::Tensor& e) {
      return att->forward(h_root, PackRows(h_nbr, p), PackRows(e, p), PackRows(dt.unsqueeze(2), p).squeeze(1),
                          p.offsets);
    };
    auto wrt = Params(*att);
    for (auto& t : {h_root, h_nbr, edge, dt}) {
      if (t.numel() > 0) wrt.push_back(t);
    }
    ExpectGradientsMatch([&] { return forward(edge); }, wrt, "temporal attention");
    const torch::Tensor out = forward(edge);
    EXPECT_EQ(out.sizes(), torch::IntArrayRef({r, 6}));
    torch::Tensor edge2 = edge.detach().clone();
    edge2[0][3].fill_(50);
    edge2[2].fill_(50);
    EXPECT_TRUE(torch::allclose(forward(edge2), out));
    edge2[0][0].fill_(50);
    EXPECT_FALSE(torch::allclose(forward(edge2)[0], out[0]));
  }
}

// ---- the formulations the modules had before (TGL's), as references ---------------------------

torch::Tensor Phi(torch::nn::Module& m, const std::string& prefix, const torch::Tensor& dt) {
  auto p = m.named_parameters();
  return torch::cos(dt.unsqueeze(-1) * p[prefix + "w"] + p[prefix + "b"]);
}

// K and V projected for every padded neighbour slot of [h_nbr, e, phi(dt)].
torch::Tensor ReferenceAttention(TemporalAttentionImpl& m, int64_t heads, const torch::Tensor& h_root,
                                 const torch::Tensor& h_nbr, const torch::Tensor& edge,
                                 const torch::Tensor& dt, const torch::Tensor& mask) {
  namespace F = torch::nn::functional;
  auto p = m.named_parameters();
  const int64_t r = dt.size(0), k = dt.size(1);
  const int64_t out_dim = p["w_o.bias"].size(0), d = out_dim / heads;
  const torch::Tensor zero = Phi(m, "time.", torch::zeros({r}, dt.options()));
  const torch::Tensor q = F::linear(torch::cat({h_root, zero}, 1), p["w_q.weight"], p["w_q.bias"])
                              .view({r, 1, heads, d});
  const torch::Tensor kv_in = torch::cat({h_nbr, edge, Phi(m, "time.", dt)}, 2);
  const torch::Tensor key = F::linear(kv_in, p["w_k.weight"], p["w_k.bias"]).view({r, k, heads, d});
  const torch::Tensor value = F::linear(kv_in, p["w_v.weight"], p["w_v.bias"]).view({r, k, heads, d});
  const torch::Tensor m3 = mask.unsqueeze(-1);
  torch::Tensor att = torch::leaky_relu((q * key).sum(3), 0.2);
  att = torch::softmax(att.masked_fill(~m3, -1e30), 1) * m3.to(att.dtype());
  const torch::Tensor agg = (att.unsqueeze(3) * value).sum(1).reshape({r, heads * d});
  const torch::Tensor out = F::linear(torch::cat({agg, h_root}, 1), p["w_o.weight"], p["w_o.bias"]);
  return F::layer_norm(torch::relu(out), F::LayerNormFuncOptions({out_dim})
                                             .weight(p["norm.weight"]).bias(p["norm.bias"]));
}

// GRUCell on [mail, phi(dt)] for every row, rows without mail keep their memory.
torch::Tensor ReferenceGru(MemoryUpdaterImpl& m, const torch::Tensor& memory, const torch::Tensor& mails,
                           const torch::Tensor& dt, const torch::Tensor& valid) {
  auto p = m.named_parameters();
  const torch::Tensor x = torch::cat({mails.select(1, 0), Phi(m, "time.", dt.select(1, 0))}, 1);
  const torch::Tensor updated = torch::gru_cell(x, memory, p["gru.weight_ih"], p["gru.weight_hh"],
                                                p["gru.bias_ih"], p["gru.bias_hh"]);
  return torch::where(valid.any(1).unsqueeze(1), updated, memory);
}

// Every gradient of sum(out * weights) over `wrt`, for the module's output and the reference's.
void ExpectSameValuesAndGradients(const std::function<torch::Tensor()>& module_out,
                                  const std::function<torch::Tensor()>& reference_out,
                                  const std::vector<torch::Tensor>& wrt, double tolerance) {
  const auto grads = [&](const torch::Tensor& out, const torch::Tensor& weights) {
    for (const auto& t : wrt) {
      if (t.grad().defined()) t.grad().zero_();
    }
    (out * weights).sum().backward();
    std::vector<torch::Tensor> g;
    for (const auto& t : wrt) g.push_back(t.grad().clone());
    return g;
  };
  const torch::Tensor a = module_out(), b = reference_out();
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<double>(), tolerance);
  const torch::Tensor weights = torch::randn(a.sizes(), a.options());
  const std::vector<torch::Tensor> ga = grads(a, weights), gb = grads(b, weights);
  for (size_t i = 0; i < wrt.size(); ++i) {
    const double scale = std::max(1.0, gb[i].abs().max().item<double>());
    EXPECT_LT((ga[i] - gb[i]).abs().max().item<double>(), tolerance * scale) << "gradient " << i;
  }
}

TEST(TemporalAttention, EqualsThePerSlotProjectionsOnRandomBatches) {
  for (int trial = 0; trial < 4; ++trial) {
    SCOPED_TRACE(trial);
    torch::manual_seed(100 + trial);
    TemporalAttentionImpl::Options o;
    o.dim_node = trial == 3 ? 0 : 16;
    o.dim_edge = trial % 2 == 0 ? 0 : 5;
    o.dim_time = 12;
    o.dim_out = 16;
    o.heads = trial == 2 ? 4 : 2;
    o.dropout = 0;
    o.att_dropout = 0;
    TemporalAttention att(o);
    const int64_t r = 40, k = 7;
    // Repeated roots (the same inputs twice), padded slots, empty neighbourhoods.
    torch::Tensor h_root = torch::randn({r, o.dim_node});
    h_root.narrow(0, 20, 10).copy_(h_root.narrow(0, 0, 10));
    torch::Tensor h_nbr = torch::randn({r, k, o.dim_node});
    torch::Tensor edge = torch::randn({r, k, o.dim_edge});
    torch::Tensor dt = torch::rand({r, k}) * 1000;
    torch::Tensor mask = torch::rand({r, k}) < 0.7;
    mask.narrow(0, 30, 3).fill_(false);
    h_nbr.masked_fill_(~mask.unsqueeze(-1), 0);
    edge.masked_fill_(~mask.unsqueeze(-1), 0);
    dt.masked_fill_(~mask, 0);
    h_root.set_requires_grad(true);
    h_nbr.set_requires_grad(true);
    edge.set_requires_grad(true);
    dt.set_requires_grad(true);
    std::vector<torch::Tensor> wrt = att->parameters();
    for (auto& t : {h_root, h_nbr, edge, dt}) {
      if (t.numel() > 0) wrt.push_back(t);
    }
    const Packed p = Pack(mask);
    ExpectSameValuesAndGradients(
        [&] {
          return att->forward(h_root, PackRows(h_nbr, p), PackRows(edge, p),
                              PackRows(dt.unsqueeze(2), p).squeeze(1), p.offsets);
        },
        [&] { return ReferenceAttention(*att, o.heads, h_root, h_nbr, edge, dt, mask); }, wrt, 1e-5);
  }
}

TEST(MemoryUpdater, GruEqualsTorchGruCellOnConcatenatedInputs) {
  torch::manual_seed(9);
  MemoryUpdaterImpl::Options o;
  o.dim_memory = 16;
  o.dim_mail = 40;
  o.dim_time = 12;
  MemoryUpdater up(o);
  const int64_t n = 50;
  torch::Tensor mem = torch::randn({n, 16}).set_requires_grad(true);
  torch::Tensor mails = torch::randn({n, 1, 40}).set_requires_grad(true);
  torch::Tensor dt = (torch::rand({n, 1}) * 100).set_requires_grad(true);
  torch::Tensor valid = torch::rand({n, 1}) < 0.8;
  std::vector<torch::Tensor> wrt = up->parameters();
  wrt.insert(wrt.end(), {mem, mails, dt});
  ExpectSameValuesAndGradients([&] { return up->forward(mem, mails, dt, valid); },
                               [&] { return ReferenceGru(*up, mem, mails, dt, valid); }, wrt, 1e-5);
}

TEST(JodieProjection, Gradients) {
  JodieProjection proj(4);
  proj->to(torch::kFloat64);
  torch::Tensor h = Leaf(torch::randn({3, 4}));
  torch::Tensor dt = Leaf(torch::rand({3}));
  auto wrt = Params(*proj);
  wrt.push_back(h);
  wrt.push_back(dt);
  ExpectGradientsMatch([&] { return proj->forward(h, dt); }, wrt, "jodie projection");
}

TEST(Decoders, LinkPredictorAndNodeClassifierGradients) {
  LinkPredictor pred(5);
  pred->to(torch::kFloat64);
  torch::Tensor a = Leaf(torch::randn({4, 5})), b = Leaf(torch::randn({4, 5}));
  auto wrt = Params(*pred);
  wrt.push_back(a);
  wrt.push_back(b);
  ExpectGradientsMatch([&] { return pred->forward(a, b); }, wrt, "link predictor");
  EXPECT_EQ(pred->forward(a, b).sizes(), torch::IntArrayRef({4}));
  NodeClassifier cls(5, 0.0);
  cls->to(torch::kFloat64);
  auto wrt2 = Params(*cls);
  wrt2.push_back(a);
  ExpectGradientsMatch([&] { return cls->forward(a); }, wrt2, "node classifier");
}

// The whole model on a hand-built two-level batch: shapes per architecture and gradients that
// reach the memory updater through the embeddings.
TEST(TemporalModel, ShapesAndGradientFlowPerArchitecture) {
  struct Arch {
    const char* name;
    memory::MemoryType memory;
    memory::MemoryUpdate update;
    models::GnnArch arch;
    models::TimeTransform transform;
  };
  for (const Arch& a :
       {Arch{"tgn", memory::MemoryType::kNode, memory::MemoryUpdate::kGru, models::GnnArch::kTransformerAttention, models::TimeTransform::kNone},
        Arch{"jodie", memory::MemoryType::kNode, memory::MemoryUpdate::kRnn, models::GnnArch::kIdentity, models::TimeTransform::kJodie},
        Arch{"apan", memory::MemoryType::kNode, memory::MemoryUpdate::kTransformer, models::GnnArch::kIdentity, models::TimeTransform::kNone},
        Arch{"tgat", memory::MemoryType::kNone, memory::MemoryUpdate::kGru, models::GnnArch::kTransformerAttention, models::TimeTransform::kNone}}) {
    SCOPED_TRACE(a.name);
    ModelSpec spec;
    spec.memory.type = a.memory;
    spec.memory.memory_update = a.update;
    spec.memory.mailbox_size = a.update == memory::MemoryUpdate::kTransformer ? 2 : 1;
    spec.memory.dim_out = 8;
    spec.memory.dim_time = 4;
    spec.gnn.arch = a.arch;
    spec.gnn.time_transform = a.transform;
    spec.gnn.dim_out = 6;
    spec.gnn.dim_time = 4;
    spec.num_nodes = 6;
    spec.dim_edge_feat = 2;
    spec.dim_node_feat = 3;
    ASSERT_TRUE(ValidateModelSpec(spec).ok());
    TemporalModel model(spec);
    // 3 roots (nodes 0, 1, 2), each with up to 2 neighbours among nodes 3..5.
    BatchInputs in;
    in.nodes = torch::arange(6, torch::kInt64);
    in.level_index = {torch::tensor({0, 1, 2}, torch::kInt64), torch::tensor({3, 4, 5}, torch::kInt64)};
    in.root_times = torch::tensor({10.0, 11.0, 12.0}, torch::kFloat64);
    in.offsets = {torch::tensor({0, 2, 3, 3}, torch::kInt64)};  // root 2 has no neighbours
    in.dt = {torch::rand({3})};
    in.edge_feat = {torch::randn({3, 2})};
    in.node_feat = torch::randn({6, 3});
    memory::MemoryRows rows;
    const int64_t m = spec.memory.mailbox_size;
    rows.memory = torch::randn({6, 8});
    rows.last_update = torch::zeros({6}, torch::kFloat64);
    rows.mail = torch::randn({6, m, model->dim_mail()});
    rows.mail_ts = torch::full({6, m}, 5.0, torch::kFloat64);
    rows.mail_valid = torch::ones({6, m}, torch::kBool);
    ForwardOutput out = model->forward(in, &rows);
    EXPECT_EQ(out.embeddings.sizes(), torch::IntArrayRef({3, model->dim_embedding()}));
    const torch::Tensor score = model->Score(out.embeddings, out.embeddings.flip(0));
    score.sum().backward();
    if (model->has_memory()) {
      EXPECT_EQ(out.new_memory.sizes(), torch::IntArrayRef({6, 8}));
      EXPECT_EQ(out.new_last_update[0].item<double>(), 5.0);
      bool updater_grad = false;
      for (const auto& p : model->named_parameters()) {
        if (p.key().rfind("updater", 0) == 0 && p.value().grad().defined() &&
            p.value().grad().abs().sum().item<double>() > 0) {
          updater_grad = true;
        }
      }
      EXPECT_TRUE(updater_grad) << "no gradient reached the memory updater";
      const torch::Tensor mails = model->MakeMails(out.new_memory.narrow(0, 0, 2).detach(),
                                                   out.new_memory.narrow(0, 2, 2).detach(),
                                                   torch::zeros({2, 2}));
      EXPECT_EQ(mails.sizes(), torch::IntArrayRef({4, model->dim_mail()}));
      EXPECT_TRUE(torch::equal(mails[0].narrow(0, 0, 8), out.new_memory[0].detach()));
      EXPECT_TRUE(torch::equal(mails[1].narrow(0, 0, 8), out.new_memory[2].detach()));
    }
  }
}

// gnn.time_transform jodie (TGN's and DyGLib's code): s * (1 + W dt' + b) with dt' the time since
// the last update standardised by the source statistics for sources and the destination
// statistics for destinations and negatives; tgl_jodie (TGL's): LN(s) * (1 + W dt / (t + 1) + b).
TEST(TemporalModel, JodieProjectionFollowsTheFormulaPerSide) {
  for (const models::TimeTransform transform : {models::TimeTransform::kJodie, models::TimeTransform::kTglJodie}) {
    ModelSpec spec;
    spec.memory.memory_update = memory::MemoryUpdate::kRnn;
    spec.memory.dim_out = 2;
    spec.memory.dim_time = 0;
    spec.gnn.arch = models::GnnArch::kIdentity;
    spec.gnn.time_transform = transform;
    spec.num_nodes = 3;
    spec.dropout = 0;
    spec.src_shift_mean = 10;
    spec.src_shift_std = 5;
    spec.dst_shift_mean = 20;
    spec.dst_shift_std = 10;
    ASSERT_TRUE(ValidateModelSpec(spec).ok());
    TemporalModel model(spec);
    model->eval();
    {
      torch::NoGradGuard guard;
      auto p = model->named_parameters();
      p["jodie.w.weight"].copy_(torch::tensor({0.5f, -0.25f}).view({2, 1}));
      p["jodie.w.bias"].copy_(torch::tensor({0.1f, 0.2f}));
    }
    // Node 0 is a source, node 1 a destination, node 2 a negative, all queried at time 100.
    BatchInputs in;
    in.nodes = torch::arange(3, torch::kInt64);
    in.level_index = {torch::arange(3, torch::kInt64)};
    in.root_times = torch::tensor({100.0, 100.0, 100.0}, torch::kFloat64);
    in.num_sources = 1;
    in.node_feat = torch::zeros({3, 0});
    memory::MemoryRows rows;
    rows.memory = torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, -6.f}).view({3, 2});
    rows.last_update = torch::tensor({50.0, 70.0, 90.0}, torch::kFloat64);
    rows.mail = torch::zeros({3, 1, model->dim_mail()});
    rows.mail_ts = torch::zeros({3, 1}, torch::kFloat64);
    rows.mail_valid = torch::zeros({3, 1}, torch::kBool);  // no mail: the memory stays
    rows.mail_events = torch::zeros({3}, torch::kInt64);
    const torch::Tensor out = model->forward(in, &rows).embeddings;
    torch::Tensor h = rows.memory, dt;
    if (transform == models::TimeTransform::kJodie) {
      dt = torch::tensor({(50.f - 10) / 5, (30.f - 20) / 10, (10.f - 20) / 10});
    } else {
      h = torch::layer_norm(h, {2});
      dt = torch::tensor({50.f / 101, 30.f / 101, 10.f / 101});
    }
    const torch::Tensor factor = 1 + dt.unsqueeze(1) * torch::tensor({0.5f, -0.25f}) + torch::tensor({0.1f, 0.2f});
    EXPECT_TRUE(torch::allclose(out, h * factor, 1e-5, 1e-6)) << out << "\n" << h * factor;
  }
}

// A self-loop event (u, u) mails u twice in one batch, [s', s', e] both times: the node keeps one
// mail (its mailbox combines one batch's mails to a node), which stands for the event's two
// endpoints (mail_events 2).
TEST(TemporalModel, SelfLoopEventLeavesOneMail) {
  ModelSpec spec;
  spec.memory.dim_out = 2;
  spec.memory.dim_time = 0;
  spec.gnn.arch = models::GnnArch::kIdentity;
  spec.num_nodes = 3;
  spec.dim_edge_feat = 1;
  TemporalModel model(spec);
  const torch::Tensor s = torch::tensor({{0.5f, -1.f}});
  const torch::Tensor mails = model->MakeMails(s, s, torch::tensor({{7.f}}));
  ASSERT_EQ(mails.sizes(), torch::IntArrayRef({2, 5}));
  EXPECT_TRUE(torch::equal(mails[0], mails[1]));
  for (const memory::MailCombine combine : {memory::MailCombine::kLast, memory::MailCombine::kMean}) {
    memory::NodeMemoryOptions o;
    o.num_nodes = 3;
    o.dim_memory = 2;
    o.dim_mail = 5;
    o.mailbox_size = 4;
    o.combine = combine;
    auto m = memory::NodeMemory::Create(o);
    ASSERT_TRUE(m.ok());
    m->Deliver(torch::tensor({1, 1}, torch::kInt64), mails, torch::tensor({3.0, 3.0}, torch::kFloat64));
    const memory::MemoryRows r = m->Read(torch::tensor({1}, torch::kInt64));
    EXPECT_EQ(r.mail_valid[0].sum().item<int64_t>(), 1);
    EXPECT_EQ(r.mail_events[0].item<int64_t>(), 2);
    EXPECT_TRUE(torch::equal(r.mail[0][0], mails[0]));  // the first ring slot
  }
}

TEST(TemporalModel, SpecValidationNamesTheKey) {
  ModelSpec spec;
  spec.num_nodes = 5;
  spec.gnn.att_head = 3;  // does not divide 100
  Status s = ValidateModelSpec(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("gnn.att_head"), std::string::npos);
  spec.gnn.att_head = 2;
  spec.memory.type = memory::MemoryType::kNone;
  spec.gnn.arch = models::GnnArch::kIdentity;
  s = ValidateModelSpec(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("memory.type"), std::string::npos);
}

}  // namespace
}  // namespace streamgnn::models
