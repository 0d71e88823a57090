#include "models/hetero_gnn.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

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
                 const HeteroBlocks& blocks) {
  TORCH_CHECK(static_cast<int64_t>(blocks.size()) == o.num_layers, "hetero model: expected ",
              o.num_layers, " blocks, got ", blocks.size());
  const HeteroBlockTensors& b = blocks.front();
  TORCH_CHECK(x.size() == o.in_dims.size() && b.num_src.size() == o.in_dims.size(),
              "hetero model: one feature matrix per node type expected");
  for (size_t t = 0; t < x.size(); ++t) {
    TORCH_CHECK(x[t].dim() == 2 && x[t].size(0) == b.num_src[t] && x[t].size(1) == o.in_dims[t],
                "hetero model: features of type ", t, " must be [", b.num_src[t], ", ",
                o.in_dims[t], "], got ", x[t].sizes());
  }
}

torch::Tensor SparseMatrix(const std::vector<int64_t>& rows, const std::vector<int64_t>& cols,
                           std::vector<float> values, int64_t num_rows, int64_t num_cols) {
  const int64_t e = static_cast<int64_t>(values.size());
  return torch::sparse_coo_tensor(torch::stack({Ids(rows), Ids(cols)}),
                                  torch::from_blob(values.data(), {e}, torch::kFloat32).clone(),
                                  {num_rows, num_cols})
      .coalesce();
}

RelationTensors MakeRelationTensors(const graph::Relation& rel, const std::vector<int64_t>& out_deg,
                                    const sampling::HeteroMessageFlowBlock& block,
                                    const sampling::HeteroMessageFlowBlock::RelationBlock& rb,
                                    RelationNorm norm, torch::Device device) {
  RelationTensors rt;
  rt.src_type = rel.src_type;
  rt.dst_type = rel.dst_type;
  rt.num_src = block.num_src(rel.src_type);
  rt.num_dst = block.num_dst[rel.dst_type];
  std::vector<int64_t> dst(static_cast<size_t>(rb.num_edges()));
  std::vector<float> w(dst.size());
  for (int64_t v = 0; v < rt.num_dst; ++v) {
    const double sampled = static_cast<double>(rb.offsets[v + 1] - rb.offsets[v]);
    const double in_deg = static_cast<double>(rb.full_in_degree[v]);
    for (int64_t i = rb.offsets[v]; i < rb.offsets[v + 1]; ++i) {
      dst[i] = v;
      const NodeId u = block.src_nodes[rel.src_type][rb.indices[i]];
      const double du = static_cast<double>(std::max<int64_t>(out_deg[u], 1));
      w[i] = static_cast<float>(norm == RelationNorm::kMean
                                    ? 1.0 / sampled
                                    : in_deg / sampled / std::sqrt(in_deg * du));
    }
  }
  rt.adj = SparseMatrix(dst, rb.indices, std::move(w), rt.num_dst, rt.num_src).to(device);
  rt.src = Ids(rb.indices).to(device);
  rt.dst = Ids(dst).to(device);
  return rt;
}

// BG-HGNN's homogeneous view of a typed block (see HeteroBlockTensors): per dst node a
// self-loop and its sampled in-neighbours of every relation, one entry per distinct node.
void MakeHomogeneousView(const graph::HeteroGraph& g, const HeteroDegrees& degrees,
                         const sampling::HeteroMessageFlowBlock& block, torch::Device device,
                         HeteroBlockTensors* t) {
  const int types = block.num_types();
  int64_t total_dst = 0, total_src = 0;
  for (int k = 0; k < types; ++k) {
    total_dst += block.num_dst[k];
    total_src += block.num_src(k);
  }
  // row[k][i]: the homogeneous row of type k's src node i.
  std::vector<std::vector<int64_t>> row(types);
  std::vector<int64_t> order(static_cast<size_t>(total_src));
  sampling::MessageFlowBlock hb;
  hb.num_dst = total_dst;
  hb.src_nodes.resize(static_cast<size_t>(total_src));
  t->src_global.clear();
  int64_t next_dst = 0, next_extra = total_dst, typed = 0;
  for (int k = 0; k < types; ++k) {
    for (int64_t i = 0; i < block.num_src(k); ++i, ++typed) {
      const int64_t h = i < block.num_dst[k] ? next_dst++ : next_extra++;
      row[k].push_back(h);
      order[h] = typed;
      hb.src_nodes[h] = g.type_offset(k) + block.src_nodes[k][i];
      t->src_global.push_back(hb.src_nodes[h]);
    }
  }
  std::vector<std::vector<int>> into(types);  // the relations ending at each type
  for (int r = 0; r < g.num_relations(); ++r) into[g.relation(r).dst_type].push_back(r);
  hb.offsets.assign(1, 0);
  std::vector<int64_t> nbrs;
  for (int k = 0; k < types; ++k) {
    for (int64_t i = 0; i < block.num_dst[k]; ++i) {
      nbrs.assign(1, row[k][i]);
      int64_t full = 1;
      for (const int r : into[k]) {
        const graph::Relation& rel = g.relation(r);
        const auto& rb = block.relations[r];
        for (int64_t j = rb.offsets[i]; j < rb.offsets[i + 1]; ++j) {
          nbrs.push_back(row[rel.src_type][rb.indices[j]]);
        }
        full += rb.full_in_degree[i];
      }
      std::sort(nbrs.begin(), nbrs.end());
      nbrs.erase(std::unique(nbrs.begin(), nbrs.end()), nbrs.end());
      hb.indices.insert(hb.indices.end(), nbrs.begin(), nbrs.end());
      hb.offsets.push_back(static_cast<int64_t>(hb.indices.size()));
      // GAT reads no degree weights; this is the degree with multi-relation pairs counted
      // once per relation.
      hb.full_in_degree.push_back(full);
    }
  }
  t->homogeneous = MakeBlockTensors(hb, Span<const int64_t>(degrees.homogeneous_out), device);
  bool identity = true;
  for (int64_t h = 0; h < total_src && identity; ++h) identity = order[h] == h;
  if (!identity) t->homogeneous_order = Ids(order).to(device);
}

}  // namespace

int64_t HeteroBlockTensors::dst_offset(int t) const {
  int64_t o = 0;
  for (int k = 0; k < t; ++k) o += num_dst[k];
  return o;
}

HeteroDegrees HeteroDegrees::Of(const graph::HeteroGraph& g) {
  HeteroDegrees d;
  d.homogeneous_out.assign(static_cast<size_t>(g.num_nodes()), 1);  // the self-loop
  for (int r = 0; r < g.num_relations(); ++r) {
    const graph::Relation& rel = g.relation(r);
    std::vector<int64_t> out(static_cast<size_t>(g.node_type(rel.src_type).count), 0);
    for (const NodeId u : rel.csr.indices()) {
      ++out[u];
      ++d.homogeneous_out[g.type_offset(rel.src_type) + u];
    }
    d.relation_out.push_back(std::move(out));
  }
  return d;
}

HeteroBlockTensors MakeHeteroBlockTensors(const graph::HeteroGraph& g, const HeteroDegrees& degrees,
                                          const sampling::HeteroMessageFlowBlock& block,
                                          RelationNorm norm, torch::Device device,
                                          bool homogeneous_view) {
  HeteroBlockTensors t;
  for (int k = 0; k < block.num_types(); ++k) {
    t.num_src.push_back(block.num_src(k));
    t.num_dst.push_back(block.num_dst[k]);
  }
  for (int r = 0; r < g.num_relations(); ++r) {
    t.relations.push_back(MakeRelationTensors(g.relation(r), degrees.relation_out[r], block,
                                              block.relations[r], norm, device));
  }
  if (homogeneous_view) MakeHomogeneousView(g, degrees, block, device, &t);
  return t;
}

HeteroBlocks FullGraphBlocks(const graph::HeteroGraph& g, RelationNorm norm, int64_t layers,
                             torch::Device device, bool homogeneous_view) {
  auto sampler = sampling::HeteroNeighborSampler::Create(&g, {{-1}, 0});
  TORCH_CHECK(sampler.ok(), sampler.status().ToString());
  const HeteroBlockTensors b =
      MakeHeteroBlockTensors(g, HeteroDegrees::Of(g), sampler->FullGraph().blocks[0], norm,
                             device, homogeneous_view);
  return HeteroBlocks(static_cast<size_t>(layers), b);
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

torch::Tensor Rgcn::forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) {
  CheckInputs(x, o_, blocks);
  std::vector<torch::Tensor> h = input_proj_.empty() ? x : Project(x, input_proj_);
  const int types = static_cast<int>(h.size());
  for (int64_t l = 0; l < o_.num_layers; ++l) {
    const HeteroBlockTensors& b = blocks[l];
    for (auto& ht : h) ht = torch::dropout(ht, o_.dropout, is_training());
    // Basis decomposition: every source type's rows times every basis once, then combined per
    // relation (Schlichtkrull et al., eq. 3).
    std::vector<torch::Tensor> hv(types);
    if (!coeffs_.empty()) {
      for (int t = 0; t < types; ++t) hv[t] = torch::matmul(h[t].unsqueeze(0), bases_[l]);
    }
    std::vector<torch::Tensor> out(types);
    for (int t = 0; t < types; ++t) {
      const torch::Tensor self = h[t].narrow(0, 0, b.num_dst[t]);
      out[t] = o_.self_loop ? torch::mm(self, self_[l])
                            : torch::zeros({b.num_dst[t], bases_[l].size(2)}, h[t].options());
      out[t] = out[t] + bias_[l];
    }
    for (size_t r = 0; r < b.relations.size(); ++r) {
      const RelationTensors& rel = b.relations[r];
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
                         const std::vector<torch::Tensor>& values, const HeteroBlockTensors& b,
                         int t) const {
  const int64_t heads = o_.heads, dk = o_.hidden_dim / heads;
  const int64_t n = b.num_dst[t];
  const torch::Tensor self = h[t].narrow(0, 0, n);
  const torch::Tensor q = torch::mm(self, q_[l][t]).view({-1, heads, dk});
  std::vector<torch::Tensor> scores, messages, dsts;
  for (size_t r = 0; r < b.relations.size(); ++r) {
    const RelationTensors& rel = b.relations[r];
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
  torch::Tensor agg = torch::zeros({n, heads, dk}, h[t].options());
  if (!scores.empty()) {
    const torch::Tensor dst = torch::cat(dsts);
    torch::Tensor alpha = EdgeSoftmax(torch::cat(scores), dst, n);
    alpha = torch::dropout(alpha, o_.att_dropout, is_training());
    agg = agg.index_add(0, dst, torch::cat(messages) * alpha.unsqueeze(-1));
  }
  const torch::Tensor out = torch::mm(torch::gelu(agg.reshape({n, heads * dk})), a_[l][t]);
  const torch::Tensor gate = torch::sigmoid(skip_[l][t]);
  return torch::dropout(out, o_.dropout, is_training()) * gate + self * (1 - gate);
}

torch::Tensor Hgt::forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) {
  CheckInputs(x, o_, blocks);
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
      return torch::mm(Layer(l, h, keys, values, blocks[l], o_.target_type), classifier_);
    }
    std::vector<torch::Tensor> next;
    for (int t = 0; t < types; ++t) next.push_back(Layer(l, h, keys, values, blocks[l], t));
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

BgHgnn::BgHgnn(const HeteroGnnOptions& o, const graph::HeteroGraph& g) : o_(o) {
  for (const int64_t d : o.in_dims) attr_dim_ = std::max(attr_dim_, d);
  const int64_t n = g.num_nodes();
  type_of_.resize(static_cast<size_t>(n));
  for (int t = 0; t < g.num_node_types(); ++t) {
    std::fill_n(type_of_.begin() + g.type_offset(t), g.node_type(t).count, t);
  }
  // Relation part: +code at each edge's destination, -code at its source, over the node's
  // degree, kept as each node's weights of the relation codes: (in_r - out_r) / degree.
  std::vector<int64_t> degree(static_cast<size_t>(n), 0), diff(static_cast<size_t>(n), 0);
  std::vector<std::vector<std::pair<int64_t, int64_t>>> touched(g.num_relations());  // (v, in - out)
  for (int r = 0; r < g.num_relations(); ++r) {
    const graph::Relation& rel = g.relation(r);
    const auto& offsets = rel.csr.offsets();
    std::vector<NodeId> nodes;
    const auto bump = [&](NodeId v, int64_t by) {
      if (diff[v] == 0) nodes.push_back(v);
      diff[v] += by;
      ++degree[v];
    };
    for (int64_t v = 0; v < g.node_type(rel.dst_type).count; ++v) {
      for (int64_t i = offsets[v]; i < offsets[v + 1]; ++i) {
        bump(g.type_offset(rel.dst_type) + v, 1);
        bump(g.type_offset(rel.src_type) + rel.csr.indices()[i], -1);
      }
    }
    for (const NodeId v : nodes) {
      if (diff[v] != 0) touched[r].push_back({v, diff[v]});
      diff[v] = 0;
    }
  }
  mix_offsets_.assign(static_cast<size_t>(n) + 1, 0);
  for (const auto& list : touched) {
    for (const auto& [v, d] : list) ++mix_offsets_[v + 1];
  }
  for (int64_t v = 0; v < n; ++v) mix_offsets_[v + 1] += mix_offsets_[v];
  mix_relation_.resize(mix_offsets_.back());
  mix_weight_.resize(mix_offsets_.back());
  std::vector<int64_t> fill(mix_offsets_.begin(), mix_offsets_.end() - 1);
  for (int r = 0; r < g.num_relations(); ++r) {
    for (const auto& [v, d] : touched[r]) {
      mix_relation_[fill[v]] = r;
      mix_weight_[fill[v]++] = static_cast<float>(static_cast<double>(d) / static_cast<double>(degree[v]));
    }
  }
  type_codes_ = register_buffer("type_codes", Codes(g.num_node_types(), o.code_dim, o.code_seed, 0x7c0de));
  relation_codes_ = register_buffer("relation_codes", Codes(g.num_relations(), o.code_dim, o.code_seed, 0x2e1c0de));
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
  return Fuse(torch::mm(x_c, w_c_), torch::mm(x_t, w_t_), torch::mm(x_r, w_r_));
}

torch::Tensor BgHgnn::Fuse(const torch::Tensor& zc, const torch::Tensor& zt,
                           const torch::Tensor& zr) const {
  const int64_t rk = o_.rank, f = o_.fused_dim;
  const torch::Tensor fused = (zc.view({-1, rk, f}) * zt.view({-1, rk, f}) * zr.view({-1, rk, f}) *
                               rank_weight_.view({1, rk, 1}))
                                  .sum(1);
  return torch::relu(fused + fusion_bias_);
}

torch::Tensor BgHgnn::RelationMix(const std::vector<NodeId>& global_ids) const {
  std::vector<int64_t> rows, cols;
  std::vector<float> w;
  for (size_t i = 0; i < global_ids.size(); ++i) {
    const NodeId v = global_ids[i];
    for (int64_t j = mix_offsets_[v]; j < mix_offsets_[v + 1]; ++j) {
      rows.push_back(static_cast<int64_t>(i));
      cols.push_back(mix_relation_[j]);
      w.push_back(mix_weight_[j]);
    }
  }
  return SparseMatrix(rows, cols, std::move(w), static_cast<int64_t>(global_ids.size()),
                      relation_codes_.size(0))
      .to(relation_codes_.device(), relation_codes_.scalar_type());
}

torch::Tensor BgHgnn::TypePart(const std::vector<NodeId>& global_ids) const {
  std::vector<int64_t> types;
  for (const NodeId v : global_ids) types.push_back(type_of_[v]);
  return AppendOne(type_codes_.index_select(0, Ids(types).to(type_codes_.device())));
}

torch::Tensor BgHgnn::RelationPart(const std::vector<NodeId>& global_ids) const {
  return AppendOne(torch::mm(RelationMix(global_ids), relation_codes_));
}

torch::Tensor BgHgnn::forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) {
  CheckInputs(x, o_, blocks);
  const HeteroBlockTensors& first = blocks.front();
  TORCH_CHECK(first.homogeneous.src.defined(), "BG-HGNN: blocks without the homogeneous view");
  std::vector<torch::Tensor> padded;
  for (const auto& xt : x) {
    padded.push_back(xt.size(1) == attr_dim_
                         ? xt
                         : torch::nn::functional::pad(xt, torch::nn::functional::PadFuncOptions({0, attr_dim_ - xt.size(1)})));
  }
  // The grind of the blend, with the fixed parts projected through their codes: a type part
  // times W_t is a row of (codes, 1) W_t; a relation part times W_r is the node's weights of
  // (codes W_r). The same numbers as Grind() over TypePart() and RelationPart(), without
  // [n, code_dim] matrices.
  const int64_t c = o_.code_dim;
  const torch::Tensor zc = torch::mm(AppendOne(torch::cat(padded)), w_c_);
  std::vector<int64_t> types;
  for (const NodeId v : first.src_global) types.push_back(type_of_[v]);
  const torch::Tensor zt = torch::mm(AppendOne(type_codes_), w_t_)
                               .index_select(0, Ids(types).to(type_codes_.device()));
  const torch::Tensor zr =
      torch::mm(RelationMix(first.src_global),
                torch::mm(relation_codes_, w_r_.narrow(0, 0, c))) +
      w_r_[c];
  torch::Tensor z = Fuse(zc, zt, zr);
  if (first.homogeneous_order.defined()) z = z.index_select(0, first.homogeneous_order);
  std::vector<BlockTensors> homogeneous;
  for (const HeteroBlockTensors& b : blocks) homogeneous.push_back(b.homogeneous);
  // Layer l's input is block l-1's dst rows in typed order; block l's homogeneous rows are
  // those in its own order.
  const auto reorder = [&](int64_t l, const torch::Tensor& h) {
    const torch::Tensor& order = blocks[l].homogeneous_order;
    return order.defined() ? h.index_select(0, order) : h;
  };
  const torch::Tensor out = gat_->forward(z, homogeneous, reorder);
  const HeteroBlockTensors& last = blocks.back();
  return out.narrow(0, last.dst_offset(o_.target_type), last.num_dst[o_.target_type]);
}

}  // namespace streamgnn::models
