#include "models/hetero_gnn.h"

#include <cmath>
#include <string>

#include "core/rng.h"

namespace streamgnn::models {
namespace {

torch::Tensor Glorot(int64_t fan_in, int64_t fan_out, std::vector<int64_t> shape) {
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return torch::empty(shape).uniform_(-a, a);
}

torch::Tensor Ids(const std::vector<int64_t>& v) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {static_cast<int64_t>(v.size())},
                          torch::kInt64)
      .clone();
}

// The input rows of every type projected to the hidden width (one [in_t, hidden] each).
std::vector<torch::Tensor> Project(const std::vector<torch::Tensor>& x,
                                   const std::vector<torch::Tensor>& proj) {
  std::vector<torch::Tensor> h;
  for (size_t t = 0; t < x.size(); ++t) h.push_back(torch::mm(x[t], proj[t]));
  return h;
}

void CheckInputs(const std::vector<torch::Tensor>& x, const HeteroGnnOptions& o,
                 const HeteroTensors& g) {
  TORCH_CHECK(x.size() == o.in_dims.size() && g.counts.size() == o.in_dims.size(),
              "hetero model: one feature matrix per node type expected");
  for (size_t t = 0; t < x.size(); ++t) {
    TORCH_CHECK(x[t].dim() == 2 && x[t].size(0) == g.counts[t] && x[t].size(1) == o.in_dims[t],
                "hetero model: features of type ", t, " must be [", g.counts[t], ", ",
                o.in_dims[t], "], got ", x[t].sizes());
  }
}

}  // namespace

HeteroTensors MakeHeteroTensors(const graph::HeteroGraph& g, RelationNorm norm,
                                torch::Device device) {
  HeteroTensors t;
  for (int k = 0; k < g.num_node_types(); ++k) {
    t.counts.push_back(g.node_type(k).count);
    t.offsets.push_back(g.type_offset(k));
  }
  for (int r = 0; r < g.num_relations(); ++r) {
    const graph::Relation& rel = g.relation(r);
    RelationTensors rt;
    rt.src_type = rel.src_type;
    rt.dst_type = rel.dst_type;
    rt.num_src = t.counts[rel.src_type];
    rt.num_dst = t.counts[rel.dst_type];
    const auto& offsets = rel.csr.offsets();
    const auto& indices = rel.csr.indices();
    std::vector<int64_t> out_deg(static_cast<size_t>(rt.num_src), 0);
    for (int64_t v = 0; v < rt.num_dst; ++v) {
      for (int64_t i = offsets[v]; i < offsets[v + 1]; ++i) ++out_deg[indices[i]];
    }
    std::vector<int64_t> src, dst;
    std::vector<float> w;
    for (int64_t v = 0; v < rt.num_dst; ++v) {
      const double in_deg = static_cast<double>(offsets[v + 1] - offsets[v]);
      for (int64_t i = offsets[v]; i < offsets[v + 1]; ++i) {
        src.push_back(indices[i]);
        dst.push_back(v);
        w.push_back(static_cast<float>(
            norm == RelationNorm::kMean ? 1.0 / in_deg
                                        : 1.0 / std::sqrt(in_deg * static_cast<double>(out_deg[indices[i]]))));
      }
    }
    rt.src = Ids(src).to(device);
    rt.dst = Ids(dst).to(device);
    const int64_t e = static_cast<int64_t>(w.size());
    rt.adj = torch::sparse_coo_tensor(torch::stack({Ids(dst), Ids(src)}),
                                      torch::from_blob(w.data(), {e}, torch::kFloat32).clone(),
                                      {rt.num_dst, rt.num_src})
                 .coalesce()
                 .to(device);
    t.relations.push_back(std::move(rt));
  }
  // The homogeneous view (global ids, every relation, self-loops) as one full-graph block.
  const graph::HeteroGraph::GlobalEdges ge = g.ToGlobalEdges();
  graph::CsrBuildOptions co;
  co.add_self_loops = true;
  const auto csr = graph::CsrGraph::FromEdges(g.num_nodes(), Span<const NodeId>(ge.src),
                                              Span<const NodeId>(ge.dst), co);
  TORCH_CHECK(csr.ok(), csr.status().ToString());
  auto sampler = sampling::NeighborSampler::Create(&*csr, {{-1}, 0});
  TORCH_CHECK(sampler.ok(), sampler.status().ToString());
  const std::vector<int64_t> out_degree = csr->OutDegrees();
  t.homogeneous = MakeBlockTensors(sampler->FullGraph().blocks[0], Span<const int64_t>(out_degree), device);
  return t;
}

int64_t HeteroModule::NumParameters() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

// ---- R-GCN ------------------------------------------------------------------------------------

Rgcn::Rgcn(const HeteroGnnOptions& o) : o_(o) {
  const int64_t types = static_cast<int64_t>(o.in_dims.size());
  const bool project = types > 1;
  int64_t in = project ? o.hidden_dim : o.in_dims.at(0);
  for (int64_t t = 0; project && t < types; ++t) {
    input_proj_.push_back(register_parameter(
        "input_proj" + std::to_string(t),
        Glorot(o.in_dims[t], o.hidden_dim, {o.in_dims[t], o.hidden_dim})));
  }
  const int64_t r = o.num_relations;
  const bool bases = o.num_bases > 0 && o.num_bases < r;
  for (int64_t l = 0; l < o.num_layers; ++l) {
    const int64_t out = l + 1 == o.num_layers ? o.out_dim : o.hidden_dim;
    const std::string n = std::to_string(l);
    const int64_t b = bases ? o.num_bases : r;
    bases_.push_back(register_parameter("bases" + n, Glorot(in, out, {b, in, out})));
    if (bases) coeffs_.push_back(register_parameter("coeffs" + n, Glorot(r, b, {r, b})));
    if (o.self_loop) self_.push_back(register_parameter("self" + n, Glorot(in, out, {in, out})));
    bias_.push_back(register_parameter("bias" + n, torch::zeros({out})));
    in = out;
  }
}

torch::Tensor Rgcn::RelationWeight(int64_t l, int64_t r) const {
  if (coeffs_.empty()) return bases_[l][r];
  return torch::einsum("b,bio->io", {coeffs_[l][r], bases_[l]});
}

torch::Tensor Rgcn::forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) {
  CheckInputs(x, o_, g);
  std::vector<torch::Tensor> h = input_proj_.empty() ? x : Project(x, input_proj_);
  const int types = static_cast<int>(h.size());
  for (int64_t l = 0; l < o_.num_layers; ++l) {
    for (auto& ht : h) ht = torch::dropout(ht, o_.dropout, is_training());
    // Basis decomposition: every source type's rows times every basis once, then combined per
    // relation (Schlichtkrull et al., eq. 3).
    std::vector<torch::Tensor> hv(types);
    if (!coeffs_.empty()) {
      for (int t = 0; t < types; ++t) hv[t] = torch::matmul(h[t].unsqueeze(0), bases_[l]);
    }
    std::vector<torch::Tensor> out(types);
    for (int t = 0; t < types; ++t) {
      out[t] = o_.self_loop ? torch::mm(h[t], self_[l]) : torch::zeros({h[t].size(0), bases_[l].size(2)}, h[t].options());
      out[t] = out[t] + bias_[l];
    }
    for (size_t r = 0; r < g.relations.size(); ++r) {
      const RelationTensors& rel = g.relations[r];
      const torch::Tensor msg =
          coeffs_.empty() ? torch::mm(h[rel.src_type], bases_[l][r])
                          : torch::einsum("b,bno->no", {coeffs_[l][r], hv[rel.src_type]});
      out[rel.dst_type] = out[rel.dst_type] + torch::mm(rel.adj, msg);
    }
    if (l + 1 < o_.num_layers) {
      for (auto& ot : out) ot = torch::relu(ot);
    }
    h = std::move(out);
  }
  return h[o_.target_type];
}

// ---- HGT --------------------------------------------------------------------------------------

Hgt::Hgt(const HeteroGnnOptions& o) : o_(o) {
  TORCH_CHECK(o.hidden_dim % o.heads == 0, "HGT: hidden_dim must be a multiple of heads");
  TORCH_CHECK(o.num_layers >= 1, "HGT: num_layers must be >= 1");
  const int64_t types = static_cast<int64_t>(o.in_dims.size());
  const int64_t d = o.hidden_dim, dk = d / o.heads, r = o.num_relations;
  for (int64_t t = 0; t < types; ++t) {
    input_proj_.push_back(register_parameter("input_proj" + std::to_string(t),
                                             Glorot(o.in_dims[t], d, {o.in_dims[t], d})));
  }
  for (int64_t l = 0; l < o.num_layers; ++l) {
    const std::string n = std::to_string(l);
    k_.emplace_back();
    q_.emplace_back();
    v_.emplace_back();
    a_.emplace_back();
    skip_.emplace_back();
    for (int64_t t = 0; t < types; ++t) {
      const std::string nt = n + "_" + std::to_string(t);
      k_[l].push_back(register_parameter("k" + nt, Glorot(d, d, {d, d})));
      q_[l].push_back(register_parameter("q" + nt, Glorot(d, d, {d, d})));
      v_[l].push_back(register_parameter("v" + nt, Glorot(d, d, {d, d})));
      a_[l].push_back(register_parameter("a" + nt, Glorot(d, d, {d, d})));
      skip_[l].push_back(register_parameter("skip" + nt, torch::ones({1})));
    }
    // Relation matrices start at the identity (as HGT's reference code initialises them).
    w_att_.push_back(register_parameter(
        "w_att" + n, torch::eye(dk).expand({r, o.heads, dk, dk}).clone()));
    w_msg_.push_back(register_parameter(
        "w_msg" + n, torch::eye(dk).expand({r, o.heads, dk, dk}).clone()));
    prior_.push_back(register_parameter("prior" + n, torch::ones({r, o.heads})));
  }
  classifier_ = register_parameter("classifier", Glorot(d, o.out_dim, {d, o.out_dim}));
}

// Target type t's new rows: attention over every incoming edge of every relation into t. `keys`
// and `values` are every type's K and V rows of this layer ([n_s, heads, dk]).
torch::Tensor Hgt::Layer(int64_t l, const std::vector<torch::Tensor>& h,
                         const std::vector<torch::Tensor>& keys,
                         const std::vector<torch::Tensor>& values, const HeteroTensors& g,
                         int t) const {
  const int64_t heads = o_.heads, dk = o_.hidden_dim / heads;
  const torch::Tensor q = torch::mm(h[t], q_[l][t]).view({-1, heads, dk});
  std::vector<torch::Tensor> scores, messages, dsts;
  for (size_t r = 0; r < g.relations.size(); ++r) {
    const RelationTensors& rel = g.relations[r];
    if (rel.dst_type != t || rel.src.numel() == 0) continue;
    const torch::Tensor k = keys[rel.src_type].index_select(0, rel.src);
    const torch::Tensor v = values[rel.src_type].index_select(0, rel.src);
    // k W_att per head: [E, H, dk] x [H, dk, dk]
    const torch::Tensor k_att = torch::einsum("ehi,hij->ehj", {k, w_att_[l][r]});
    const torch::Tensor score = (k_att * q.index_select(0, rel.dst)).sum(-1) * prior_[l][r] /
                                std::sqrt(static_cast<double>(dk));
    scores.push_back(score);
    messages.push_back(torch::einsum("ehi,hij->ehj", {v, w_msg_[l][r]}));
    dsts.push_back(rel.dst);
  }
  const int64_t n = h[t].size(0);
  torch::Tensor agg = torch::zeros({n, heads, dk}, h[t].options());
  if (!scores.empty()) {
    const torch::Tensor dst = torch::cat(dsts);
    torch::Tensor alpha = EdgeSoftmax(torch::cat(scores), dst, n);
    alpha = torch::dropout(alpha, o_.att_dropout, is_training());
    agg = agg.index_add(0, dst, torch::cat(messages) * alpha.unsqueeze(-1));
  }
  const torch::Tensor out = torch::mm(torch::gelu(agg.reshape({n, heads * dk})), a_[l][t]);
  const torch::Tensor gate = torch::sigmoid(skip_[l][t]);
  return torch::dropout(out, o_.dropout, is_training()) * gate + h[t] * (1 - gate);
}

torch::Tensor Hgt::forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) {
  CheckInputs(x, o_, g);
  std::vector<torch::Tensor> h = Project(x, input_proj_);
  for (auto& ht : h) ht = torch::dropout(torch::gelu(ht), o_.dropout, is_training());
  const int types = static_cast<int>(h.size());
  const int64_t heads = o_.heads, dk = o_.hidden_dim / heads;
  for (int64_t l = 0; l < o_.num_layers; ++l) {
    std::vector<torch::Tensor> keys, values;  // once per type, shared by its relations
    for (int s = 0; s < types; ++s) {
      keys.push_back(torch::mm(h[s], k_[l][s]).view({-1, heads, dk}));
      values.push_back(torch::mm(h[s], v_[l][s]).view({-1, heads, dk}));
    }
    if (l + 1 == o_.num_layers) {  // the last layer only for the target type: nothing else is read
      return torch::mm(Layer(l, h, keys, values, g, o_.target_type), classifier_);
    }
    std::vector<torch::Tensor> next;
    for (int t = 0; t < types; ++t) next.push_back(Layer(l, h, keys, values, g, t));
    h = std::move(next);
  }
  return {};  // unreachable: num_layers >= 1
}

// ---- BG-HGNN ----------------------------------------------------------------------------------

namespace {

// A fixed random code (Glorot-uniform from Philox, so that it is the same on every run with the
// seed): the paper's type and relation codes, which are not trained.
torch::Tensor Codes(int64_t count, int64_t dim, uint64_t seed, uint64_t stream) {
  std::vector<float> v(static_cast<size_t>(count * dim));
  const double a = std::sqrt(6.0 / static_cast<double>(count + dim));
  for (int64_t i = 0; i < count; ++i) {
    core::RngStream rng(seed, core::StreamKey(stream), static_cast<uint64_t>(i));
    for (int64_t k = 0; k < dim; ++k) v[i * dim + k] = static_cast<float>((2 * rng.Uniform() - 1) * a);
  }
  return torch::from_blob(v.data(), {count, dim}, torch::kFloat32).clone();
}

torch::Tensor AppendOne(const torch::Tensor& x) {
  return torch::cat({x, torch::ones({x.size(0), 1}, x.options())}, 1);
}

}  // namespace

BgHgnn::BgHgnn(const HeteroGnnOptions& o, const HeteroTensors& g) : o_(o) {
  for (const int64_t d : o.in_dims) attr_dim_ = std::max(attr_dim_, d);
  const int64_t n = g.offsets.back() + g.counts.back();
  const torch::Device device = g.homogeneous.src.device();
  // Type part: the code of each node's type.
  const torch::Tensor type_codes = Codes(static_cast<int64_t>(g.counts.size()), o.code_dim, o.code_seed, 0x7c0de);
  std::vector<int64_t> type_of(static_cast<size_t>(n));
  for (size_t t = 0; t < g.counts.size(); ++t) {
    for (int64_t i = 0; i < g.counts[t]; ++i) type_of[g.offsets[t] + i] = static_cast<int64_t>(t);
  }
  type_part_ = AppendOne(type_codes.index_select(0, Ids(type_of)));
  // Relation part: +code at each edge's destination, -code at its source, over the degree.
  const torch::Tensor rel_codes = Codes(static_cast<int64_t>(g.relations.size()), o.code_dim, o.code_seed, 0x2e1c0de);
  torch::Tensor acc = torch::zeros({n, o.code_dim});
  torch::Tensor degree = torch::zeros({n});
  for (size_t r = 0; r < g.relations.size(); ++r) {
    const RelationTensors& rel = g.relations[r];
    const torch::Tensor src = rel.src.cpu() + g.offsets[rel.src_type];
    const torch::Tensor dst = rel.dst.cpu() + g.offsets[rel.dst_type];
    const torch::Tensor code = rel_codes[static_cast<int64_t>(r)].expand({src.size(0), o.code_dim});
    acc.index_add_(0, dst, code);
    acc.index_add_(0, src, -code);
    degree.index_add_(0, dst, torch::ones({dst.size(0)}));
    degree.index_add_(0, src, torch::ones({src.size(0)}));
  }
  relation_part_ = AppendOne(acc / degree.clamp_min(1).unsqueeze(1));
  type_part_ = register_buffer("type_part", type_part_.to(device));
  relation_part_ = register_buffer("relation_part", relation_part_.to(device));
  // Grind: W_c: R x (d_in + 1) x F, W_t and W_r: R x (code + 1) x F, w: R, b: F.
  const int64_t rk = o.rank, f = o.fused_dim, c = o.code_dim + 1;
  w_c_ = register_parameter("w_c", Glorot(attr_dim_ + 1, f, {attr_dim_ + 1, rk * f}));
  w_t_ = register_parameter("w_t", Glorot(c, f, {c, rk * f}));
  w_r_ = register_parameter("w_r", Glorot(c, f, {c, rk * f}));
  rank_weight_ = register_parameter("rank_weight", Glorot(1, rk, {rk}));
  fusion_bias_ = register_parameter("fusion_bias", torch::zeros({f}));
  StaticGnnOptions gat;
  gat.kind = StaticModelKind::kGat;
  gat.in_dim = f;
  gat.hidden_dim = o.hidden_dim;
  gat.out_dim = o.out_dim;
  gat.num_layers = o.num_layers;
  gat.dropout = o.dropout;
  gat.heads = o.heads;
  gat.att_dropout = o.att_dropout;
  gat.residual_last = true;
  gat_ = register_module("gat", StaticGnn(gat));
}

torch::Tensor BgHgnn::Grind(const torch::Tensor& x_c, const torch::Tensor& x_t,
                            const torch::Tensor& x_r) const {
  const int64_t rk = o_.rank, f = o_.fused_dim;
  const torch::Tensor zc = torch::mm(x_c, w_c_).view({-1, rk, f});
  const torch::Tensor zt = torch::mm(x_t, w_t_).view({-1, rk, f});
  const torch::Tensor zr = torch::mm(x_r, w_r_).view({-1, rk, f});
  const torch::Tensor fused = (zc * zt * zr * rank_weight_.view({1, rk, 1})).sum(1);
  return torch::relu(fused + fusion_bias_);
}

torch::Tensor BgHgnn::forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) {
  CheckInputs(x, o_, g);
  std::vector<torch::Tensor> padded;
  for (const auto& xt : x) {
    padded.push_back(xt.size(1) == attr_dim_
                         ? xt
                         : torch::nn::functional::pad(xt, torch::nn::functional::PadFuncOptions({0, attr_dim_ - xt.size(1)})));
  }
  const torch::Tensor z = Grind(AppendOne(torch::cat(padded)), type_part_, relation_part_);
  const torch::Tensor out = gat_->forward(z, std::vector<BlockTensors>(o_.num_layers, g.homogeneous));
  return out.narrow(0, g.offsets[o_.target_type], g.counts[o_.target_type]);
}

}  // namespace streamgnn::models
