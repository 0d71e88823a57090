#include "models/modules.h"

#include <cmath>

#include "models/dropout.h"
#include "models/segment_ops.h"

namespace streamgnn::models {

namespace {

// Large negative logit for masked slots: exp() underflows to 0 without producing NaN when a
// whole row is masked.
constexpr double kMaskedLogit = -1e30;

// Softmax over dim 1 of [n, k, h] scores restricted to mask [n, k]; rows without a valid entry
// give all-zero weights.
torch::Tensor MaskedSoftmax(const torch::Tensor& scores, const torch::Tensor& mask) {
  const torch::Tensor m = mask.unsqueeze(-1);
  const torch::Tensor weights = torch::softmax(scores.masked_fill(~m, kMaskedLogit), 1);
  return weights * m.to(weights.dtype());
}

}  // namespace

// ---- TimeEncoder ------------------------------------------------------------------------------

TimeEncoderImpl::TimeEncoderImpl(int64_t dim) : dim_(dim) {
  torch::Tensor w = torch::empty({std::max<int64_t>(dim, 0)}, torch::kFloat32);
  for (int64_t i = 0; i < dim; ++i) {
    const double exponent = dim > 1 ? 9.0 * static_cast<double>(i) / static_cast<double>(dim - 1) : 0;
    w[i] = static_cast<float>(std::pow(10.0, -exponent));
  }
  w_ = register_parameter("w", w);
  b_ = register_parameter("b", torch::zeros({std::max<int64_t>(dim, 0)}, torch::kFloat32));
}

torch::Tensor TimeEncoderImpl::forward(const torch::Tensor& dt) {
  return torch::cos(dt.unsqueeze(-1) * w_ + b_);
}

// ---- MessageFunction --------------------------------------------------------------------------

MessageFunctionImpl::MessageFunctionImpl(memory::MessageFunction kind, int64_t dim) : kind_(kind) {
  if (kind_ == memory::MessageFunction::kMlp) {
    fc1_ = register_module("fc1", torch::nn::Linear(dim, dim));
    fc2_ = register_module("fc2", torch::nn::Linear(dim, dim));
  }
}

torch::Tensor MessageFunctionImpl::forward(const torch::Tensor& raw) {
  if (kind_ == memory::MessageFunction::kIdentity) return raw;
  return fc2_->forward(torch::relu(fc1_->forward(raw)));
}

// ---- MemoryUpdater ----------------------------------------------------------------------------

MemoryUpdaterImpl::MemoryUpdaterImpl(const Options& options) : options_(options) {
  const int64_t dim_in = options.dim_mail + options.dim_time;
  if (options.dim_time > 0) time_ = register_module("time", TimeEncoder(options.dim_time));
  msg_ = register_module("msg", MessageFunction(options.msg_func, dim_in));
  switch (options.kind) {
    case memory::MemoryUpdate::kGru:
      gru_ = register_module("gru", torch::nn::GRUCell(dim_in, options.dim_memory));
      break;
    case memory::MemoryUpdate::kRnn:
      rnn_ = register_module("rnn", torch::nn::RNNCell(dim_in, options.dim_memory));
      break;
    case memory::MemoryUpdate::kTransformer: {
      const int64_t d = options.dim_memory;
      w_q_ = register_module("w_q", torch::nn::Linear(d, d));
      w_k_ = register_module("w_k", torch::nn::Linear(dim_in, d));
      w_v_ = register_module("w_v", torch::nn::Linear(dim_in, d));
      w_o_ = register_module("w_o", torch::nn::Linear(d, d));
      norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
      break;
    }
  }
}

torch::Tensor MemoryUpdaterImpl::forward(const torch::Tensor& memory, const torch::Tensor& mails,
                                         const torch::Tensor& mail_dt, const torch::Tensor& valid) {
  TORCH_CHECK(memory.dim() == 2 && memory.size(1) == options_.dim_memory,
              "MemoryUpdater: memory must be [n, dim_memory]");
  TORCH_CHECK(mails.dim() == 3 && mails.size(0) == memory.size(0) &&
                  mails.size(2) == options_.dim_mail,
              "MemoryUpdater: mails must be [n, M, dim_mail]");
  if (options_.kind == memory::MemoryUpdate::kTransformer) {
    return TransformerUpdate(memory, mails, mail_dt, valid);
  }
  TORCH_CHECK(mails.size(1) == 1, "MemoryUpdater: gru/rnn read exactly one mail per node");
  // Only rows with a mail change; the others keep their memory and cost nothing.
  const torch::Tensor rows = valid.select(1, 0).nonzero().squeeze(1);
  if (rows.size(0) == 0) return memory;
  const bool all = rows.size(0) == memory.size(0);  // then no gather and no scatter
  const auto pick = [&](const torch::Tensor& t) { return all ? t : t.index_select(0, rows); };
  const torch::Tensor updated =
      RecurrentCell(pick(memory), pick(mails.select(1, 0)), pick(mail_dt.select(1, 0)));
  return all ? updated : memory.index_copy(0, rows, updated);
}

torch::Tensor MemoryUpdaterImpl::InputGates(const torch::Tensor& mail, const torch::Tensor& dt,
                                            const torch::Tensor& weight,
                                            const torch::Tensor& bias) {
  if (options_.msg_func != memory::MessageFunction::kIdentity) {
    torch::Tensor input = mail;
    if (options_.dim_time > 0) input = torch::cat({mail, time_->forward(dt)}, 1);
    return torch::addmm(bias, msg_->forward(input), weight.t());
  }
  // W [mail, phi(dt)] = W_mail mail + W_time phi(dt): no concatenated input, and the backward
  // pass computes no gradient for the mail columns (mails are data).
  const torch::Tensor gates = torch::addmm(bias, mail, weight.narrow(1, 0, options_.dim_mail).t());
  if (options_.dim_time == 0) return gates;
  return torch::addmm(gates, time_->forward(dt),
                      weight.narrow(1, options_.dim_mail, options_.dim_time).t());
}

// GRUCell / RNNCell (tanh) on precomputed input gates, in PyTorch's formulas.
torch::Tensor MemoryUpdaterImpl::RecurrentCell(const torch::Tensor& h, const torch::Tensor& mail,
                                               const torch::Tensor& dt) {
  if (options_.kind == memory::MemoryUpdate::kRnn) {
    const torch::Tensor gi = InputGates(mail, dt, rnn_->weight_ih, rnn_->bias_ih);
    return torch::tanh(torch::addmm(gi + rnn_->bias_hh, h, rnn_->weight_hh.t()));
  }
  const std::vector<torch::Tensor> gi = InputGates(mail, dt, gru_->weight_ih, gru_->bias_ih).chunk(3, 1);
  const std::vector<torch::Tensor> gh = torch::addmm(gru_->bias_hh, h, gru_->weight_hh.t()).chunk(3, 1);
  const torch::Tensor reset = torch::sigmoid(gi[0] + gh[0]);
  const torch::Tensor update = torch::sigmoid(gi[1] + gh[1]);
  const torch::Tensor candidate = torch::tanh(gi[2] + reset * gh[2]);
  return candidate + update * (h - candidate);  // (1 - z) n + z h
}

torch::Tensor MemoryUpdaterImpl::TransformerUpdate(const torch::Tensor& memory,
                                                   const torch::Tensor& mails,
                                                   const torch::Tensor& mail_dt,
                                                   const torch::Tensor& valid) {
  const int64_t n = memory.size(0), m = mails.size(1);
  torch::Tensor input = mails;
  if (options_.dim_time > 0) input = torch::cat({mails, time_->forward(mail_dt)}, 2);
  input = msg_->forward(input);
  const torch::Tensor has_mail = valid.any(1).unsqueeze(1);  // [n, 1]
  const int64_t h = options_.heads, d = options_.dim_memory / options_.heads;
  const torch::Tensor q = w_q_->forward(memory).view({n, 1, h, d});
  const torch::Tensor k = w_k_->forward(input).view({n, m, h, d});
  const torch::Tensor v = w_v_->forward(input).view({n, m, h, d});
  torch::Tensor att = torch::leaky_relu((q * k).sum(3), 0.2);  // [n, m, h]
  att = Dropout(MaskedSoftmax(att, valid), options_.att_dropout, is_training());
  const torch::Tensor agg = (att.unsqueeze(3) * v).sum(1).reshape({n, h * d});
  const torch::Tensor updated =
      torch::relu(Dropout(w_o_->forward(norm_->forward(agg + memory)), options_.dropout, is_training()));
  return torch::where(has_mail, updated, memory);
}

// ---- TemporalAttention ------------------------------------------------------------------------

TemporalAttentionImpl::TemporalAttentionImpl(const Options& options) : options_(options) {
  TORCH_CHECK(options.dim_out % options.heads == 0, "TemporalAttention: heads must divide dim_out");
  time_ = register_module("time", TimeEncoder(options.dim_time));
  const int64_t kv_in = options.dim_node + options.dim_edge + options.dim_time;
  w_q_ = register_module("w_q", torch::nn::Linear(options.dim_node + options.dim_time, options.dim_out));
  w_k_ = register_module("w_k", torch::nn::Linear(kv_in, options.dim_out));
  w_v_ = register_module("w_v", torch::nn::Linear(kv_in, options.dim_out));
  w_o_ = register_module("w_o", torch::nn::Linear(options.dim_out + options.dim_node, options.dim_out));
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim_out})));
}

torch::Tensor TemporalAttentionImpl::forward(const torch::Tensor& h_root, const torch::Tensor& h_nbr,
                                             const torch::Tensor& edge, const torch::Tensor& dt,
                                             const torch::Tensor& offsets) {
  const int64_t r = h_root.size(0), slots = dt.size(0);
  TORCH_CHECK(h_root.dim() == 2 && h_root.size(1) == options_.dim_node && offsets.size(0) == r + 1,
              "TemporalAttention: h_root must be [R, dim_node] with offsets [R + 1]");
  TORCH_CHECK(h_nbr.dim() == 2 && h_nbr.size(0) == slots && h_nbr.size(1) == options_.dim_node,
              "TemporalAttention: h_nbr must be [S, dim_node]");
  TORCH_CHECK(edge.dim() == 2 && edge.size(0) == slots && edge.size(1) == options_.dim_edge,
              "TemporalAttention: edge must be [S, dim_edge]");
  const int64_t h = options_.heads, d = options_.dim_out / options_.heads;
  const int64_t dn = options_.dim_node, kv_in = dn + options_.dim_edge + options_.dim_time + 1;
  // q = W_q [h_root, phi(0)] + b_q; phi(0) is the same for every root.
  const torch::Tensor& w_q = w_q_->weight;
  const torch::Tensor q_bias = torch::addmm(w_q_->bias.unsqueeze(0),
                                            time_->forward(torch::zeros({1}, dt.options())),
                                            w_q.narrow(1, dn, options_.dim_time).t());
  const torch::Tensor q = torch::addmm(q_bias, h_root, w_q.narrow(1, 0, dn).t()).view({r, h, d});
  // Keys and values are affine in x = [h_nbr, e, phi(dt), 1] (the 1 carries the biases), so
  // their projections move to the root side, once per root instead of once per slot:
  //   q_h . (W_k,h x) = (W_k,h^T q_h) . x        sum_j a_jh W_v,h x_j = W_v,h (sum_j a_jh x_j)
  // for each head h. The same values as projecting every slot, with ~1/50 of the FLOPs.
  const torch::Tensor x =
      torch::cat({h_nbr, edge, time_->forward(dt), torch::ones({slots, 1}, dt.options())}, 1);
  const torch::Tensor w_k = torch::cat({w_k_->weight, w_k_->bias.unsqueeze(1)}, 1).view({h, d, kv_in});
  const torch::Tensor w_v = torch::cat({w_v_->weight, w_v_->bias.unsqueeze(1)}, 1).view({h, d, kv_in});
  const torch::Tensor q_in = torch::bmm(q.transpose(0, 1), w_k).transpose(0, 1);  // [R, h, kv_in]
  torch::Tensor att = torch::leaky_relu(SegmentDot(q_in, x, offsets), 0.2);     // [S, h]
  att = Dropout(SegmentSoftmax(att, offsets), options_.att_dropout, is_training());
  const torch::Tensor mixed = SegmentMix(att, x, offsets);  // [R, h, kv_in]
  const torch::Tensor agg = torch::bmm(mixed.transpose(0, 1), w_v.transpose(1, 2))  // [h, R, d]
                                .transpose(0, 1)
                                .reshape({r, h * d});
  const torch::Tensor out = w_o_->forward(torch::cat({agg, h_root}, 1));
  return norm_->forward(torch::relu(Dropout(out, options_.dropout, is_training())));
}

// ---- JodieProjection --------------------------------------------------------------------------

JodieProjectionImpl::JodieProjectionImpl(int64_t dim) {
  w_ = register_module("w", torch::nn::Linear(1, dim));
  torch::NoGradGuard no_grad;
  w_->weight.normal_(0, 1.0 / std::sqrt(static_cast<double>(dim)));
  w_->bias.normal_(0, 1.0 / std::sqrt(static_cast<double>(dim)));
}

torch::Tensor JodieProjectionImpl::forward(const torch::Tensor& h, const torch::Tensor& dt_norm) {
  return h * (1 + w_->forward(dt_norm.unsqueeze(1)));
}

// ---- LinkPredictor ----------------------------------------------------------------------------

LinkPredictorImpl::LinkPredictorImpl(int64_t dim) {
  src_fc_ = register_module("src_fc", torch::nn::Linear(dim, dim));
  dst_fc_ = register_module("dst_fc", torch::nn::Linear(dim, dim));
  out_fc_ = register_module("out_fc", torch::nn::Linear(dim, 1));
}

torch::Tensor LinkPredictorImpl::forward(const torch::Tensor& h_src, const torch::Tensor& h_dst) {
  return Score(ProjectSource(h_src), h_dst);
}

torch::Tensor LinkPredictorImpl::Score(const torch::Tensor& src_projected, const torch::Tensor& h_dst) {
  return out_fc_->forward(torch::relu(src_projected + dst_fc_->forward(h_dst))).squeeze(1);
}

// ---- NodeClassifier ---------------------------------------------------------------------------

NodeClassifierImpl::NodeClassifierImpl(int64_t dim, double dropout) {
  fc1_ = register_module("fc1", torch::nn::Linear(dim, 80));
  fc2_ = register_module("fc2", torch::nn::Linear(80, 10));
  fc3_ = register_module("fc3", torch::nn::Linear(10, 1));
  dropout_ = dropout;
}

torch::Tensor NodeClassifierImpl::forward(const torch::Tensor& h) {
  torch::Tensor x = Dropout(torch::relu(fc1_->forward(h)), dropout_, is_training());
  x = Dropout(torch::relu(fc2_->forward(x)), dropout_, is_training());
  return fc3_->forward(x).squeeze(1);
}

}  // namespace streamgnn::models
