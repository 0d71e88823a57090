#include "models/static_gnn.h"

#include <cmath>
#include <string>

namespace streamgnn::models {
namespace {

torch::Tensor Glorot(int64_t fan_in, int64_t fan_out, std::vector<int64_t> shape) {
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return torch::empty(shape).uniform_(-a, a);
}

}  // namespace

torch::Tensor EdgeSoftmax(const torch::Tensor& scores, const torch::Tensor& dst, int64_t num_dst) {
  const int64_t heads = scores.size(1);
  // Max-shifted for stability; the shift is a constant per destination, so it is detached.
  const torch::Tensor emax =
      torch::full({num_dst, heads}, -std::numeric_limits<float>::infinity(), scores.options())
          .scatter_reduce(0, dst.unsqueeze(1).expand({-1, heads}), scores.detach(), "amax",
                          /*include_self=*/true);
  const torch::Tensor ex = torch::exp(scores - emax.index_select(0, dst));
  const torch::Tensor denom = torch::zeros({num_dst, heads}, scores.options()).index_add(0, dst, ex);
  return ex / (denom.index_select(0, dst) + 1e-16);
}

BlockTensors MakeBlockTensors(const sampling::MessageFlowBlock& block,
                              Span<const int64_t> out_degree, torch::Device device) {
  const int64_t e = block.num_edges();
  std::vector<int64_t> dst(e);
  std::vector<float> w_gcn(e), w_mean(e);
  for (int64_t i = 0; i < block.num_dst; ++i) {
    const int64_t sampled = block.offsets[i + 1] - block.offsets[i];
    if (sampled == 0) continue;
    const double in_deg = static_cast<double>(block.full_in_degree[i]);
    const double scale = in_deg / static_cast<double>(sampled);
    for (int64_t j = block.offsets[i]; j < block.offsets[i + 1]; ++j) {
      dst[j] = i;
      const NodeId u = block.src_nodes[block.indices[j]];
      const double du = static_cast<double>(std::max<int64_t>(out_degree[u], 1));
      w_gcn[j] = static_cast<float>(scale / std::sqrt(du * in_deg));
      w_mean[j] = static_cast<float>(1.0 / static_cast<double>(sampled));
    }
  }
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  BlockTensors t;
  t.num_src = block.num_src();
  t.num_dst = block.num_dst;
  t.src = torch::from_blob(const_cast<int64_t*>(block.indices.data()), {e}, i64).clone();
  t.dst = torch::from_blob(dst.data(), {e}, i64).clone();
  const torch::Tensor index = torch::stack({t.dst, t.src});
  t.adj_gcn = torch::sparse_coo_tensor(index, torch::from_blob(w_gcn.data(), {e}, f32).clone(),
                                       {t.num_dst, t.num_src})
                  .coalesce();
  t.adj_mean = torch::sparse_coo_tensor(index, torch::from_blob(w_mean.data(), {e}, f32).clone(),
                                        {t.num_dst, t.num_src})
                   .coalesce();
  if (device != torch::kCPU) {
    t.src = t.src.to(device);
    t.dst = t.dst.to(device);
    t.adj_gcn = t.adj_gcn.to(device);
    t.adj_mean = t.adj_mean.to(device);
  }
  return t;
}

StaticGnnImpl::StaticGnnImpl(const StaticGnnOptions& o) : options_(o) {
  TORCH_CHECK(o.num_layers >= 1, "StaticGnn: num_layers must be >= 1");
  TORCH_CHECK(o.in_dim > 0 && o.out_dim > 0 && o.hidden_dim > 0, "StaticGnn: dims must be > 0");
  const bool gat = o.kind == StaticModelKind::kGat;
  int64_t in = o.in_dim;
  for (int64_t l = 0; l < o.num_layers; ++l) {
    const bool last = l + 1 == o.num_layers;
    const int64_t heads = gat ? (last ? o.out_heads : o.heads) : 1;
    const int64_t out = last ? o.out_dim : o.hidden_dim;
    const std::string n = std::to_string(l);
    weight_.push_back(register_parameter("weight" + n, Glorot(in, heads * out, {in, heads * out})));
    if (o.kind == StaticModelKind::kSage) {
      self_weight_.push_back(register_parameter("self_weight" + n, Glorot(in, out, {in, out})));
    }
    if (gat) {
      att_src_.push_back(register_parameter("att_src" + n, Glorot(heads, out, {heads, out})));
      att_dst_.push_back(register_parameter("att_dst" + n, Glorot(heads, out, {heads, out})));
    }
    bias_.push_back(register_parameter("bias" + n, torch::zeros({out * (gat && !last ? heads : 1)})));
    if (gat && last && o.residual_last) {
      residual_ = register_parameter("residual", Glorot(in, out, {in, out}));
    }
    in = gat && !last ? heads * out : out;
  }
}

std::vector<torch::Tensor> StaticGnnImpl::FirstLayerParameters() const {
  std::vector<torch::Tensor> p = {weight_[0], bias_[0]};
  if (!self_weight_.empty()) p.push_back(self_weight_[0]);
  if (!att_src_.empty()) {
    p.push_back(att_src_[0]);
    p.push_back(att_dst_[0]);
  }
  return p;
}

torch::Tensor StaticGnnImpl::Layer(int64_t l, const torch::Tensor& h, const BlockTensors& b) {
  const bool last = l + 1 == options_.num_layers;
  switch (options_.kind) {
    case StaticModelKind::kGcn: {
      // Transform first when it shrinks the rows being aggregated (in > out).
      const torch::Tensor& w = weight_[l];
      torch::Tensor out = h.is_sparse() || w.size(0) > w.size(1)
                              ? torch::mm(b.adj_gcn, torch::mm(h, w))
                              : torch::mm(torch::mm(b.adj_gcn, h), w);
      return out + bias_[l];
    }
    case StaticModelKind::kSage: {
      if (h.is_sparse()) {  // transform first: sparse x sparse products are not supported
        const torch::Tensor self = torch::mm(h, self_weight_[l]).narrow(0, 0, b.num_dst);
        return self + torch::mm(b.adj_mean, torch::mm(h, weight_[l])) + bias_[l];
      }
      const torch::Tensor neigh = torch::mm(b.adj_mean, h);
      return torch::mm(h.narrow(0, 0, b.num_dst), self_weight_[l]) + torch::mm(neigh, weight_[l]) +
             bias_[l];
    }
    case StaticModelKind::kGat: {
      const int64_t heads = att_src_[l].size(0);
      const int64_t out = att_src_[l].size(1);
      const torch::Tensor z = torch::mm(h, weight_[l]).view({-1, heads, out});  // [S, H, F]
      const torch::Tensor a_src = (z * att_src_[l]).sum(-1);                     // [S, H]
      const torch::Tensor a_dst = (z.narrow(0, 0, b.num_dst) * att_dst_[l]).sum(-1);
      torch::Tensor e = torch::leaky_relu(a_src.index_select(0, b.src) + a_dst.index_select(0, b.dst),
                                          options_.negative_slope);  // [E, H]
      torch::Tensor alpha = EdgeSoftmax(e, b.dst, b.num_dst);
      alpha = torch::dropout(alpha, options_.att_dropout, is_training());
      const torch::Tensor msg = z.index_select(0, b.src) * alpha.unsqueeze(-1);  // [E, H, F]
      torch::Tensor agg =
          torch::zeros({b.num_dst, heads, out}, z.options()).index_add(0, b.dst, msg);
      agg = last ? agg.mean(1) : agg.reshape({b.num_dst, heads * out});
      if (last && residual_.defined()) agg = agg + torch::mm(h.narrow(0, 0, b.num_dst), residual_);
      return agg + bias_[l];
    }
  }
  TORCH_CHECK(false, "StaticGnn: unknown model kind");
}

torch::Tensor StaticGnnImpl::forward(const torch::Tensor& x, const std::vector<BlockTensors>& blocks,
                                     const LayerInputHook& layer_input, torch::Tensor* last_hidden) {
  TORCH_CHECK(static_cast<int64_t>(blocks.size()) == options_.num_layers, "StaticGnn: expected ",
              options_.num_layers, " blocks, got ", blocks.size());
  TORCH_CHECK(x.dim() == 2 && x.size(0) == blocks[0].num_src && x.size(1) == options_.in_dim,
              "StaticGnn: x must be [", blocks[0].num_src, ", ", options_.in_dim, "], got ",
              x.sizes());
  torch::Tensor h = x;
  for (int64_t l = 0; l < options_.num_layers; ++l) {
    if (last_hidden != nullptr && l + 1 == options_.num_layers) *last_hidden = h;
    if (h.is_sparse()) {
      // Dropout on the stored entries only (Kipf's sparse dropout): the zeros stay zero anyway,
      // and a Bernoulli draw per dense entry costs more than the whole layer.
      h = torch::sparse_coo_tensor(h.indices(),
                                   torch::dropout(h.values(), options_.dropout, is_training()),
                                   h.sizes())
              ._coalesced_(true);
    } else {
      h = torch::dropout(h, options_.dropout, is_training());
    }
    // After dropout, so that a halo row carries its owner's dropout mask.
    if (l > 0 && layer_input) h = layer_input(l, h);
    h = Layer(l, h, blocks[l]);
    if (l + 1 < options_.num_layers) {
      h = options_.kind == StaticModelKind::kGat ? torch::elu(h) : torch::relu(h);
    }
  }
  return h;
}

}  // namespace streamgnn::models
