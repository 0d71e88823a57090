// The building blocks of memory-based temporal GNNs (TGN, JODIE, APAN) and TGAT, as LibTorch
// modules. Shapes and math follow TGL's implementation (amazon-science/tgl, modules.py and
// memory_module.py); docs/models.md states every formula.
//
// All modules take and return float32 CPU or CUDA tensors on one device; dt (an age: query time
// minus event time) is float32. Padded neighbour layouts are [roots, k, ...] with a bool mask
// [roots, k]; padded slots hold zeros and are ignored.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "memory/memory_config.h"

namespace streamgnn::models {

// phi(dt) = cos(w * dt + b), w and b learnable, initialised as in TGAT/TGL:
// w_i = 10^(-9 i / (dim - 1)), b = 0. dt: float32 of any shape s -> s x [dim].
class TimeEncoderImpl : public torch::nn::Module {
 public:
  explicit TimeEncoderImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& dt);
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
  torch::Tensor w_, b_;
};
TORCH_MODULE(TimeEncoder);

// Message function: identity (TGN's default) or Linear-ReLU-Linear keeping the width.
class MessageFunctionImpl : public torch::nn::Module {
 public:
  MessageFunctionImpl(memory::MessageFunction kind, int64_t dim);
  torch::Tensor forward(const torch::Tensor& raw);

 private:
  memory::MessageFunction kind_;
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(MessageFunction);

// Memory updater. Inputs for n nodes: memory [n, D], mails [n, M, dm], mail_dt [n, M] (mail
// time - last update), valid [n, M] bool. Rows without a valid mail keep their memory.
//   gru / rnn (M = 1): s' = Cell(msg([mail, phi(dt)]), s)                       (TGN / JODIE)
//   transformer (APAN): q = W_q s; k, v = W_k, W_v [mail_j, phi(dt_j)];
//     a = softmax_j(LeakyReLU_0.2(q . k_j)) per head, over valid mails;
//     s' = ReLU(Dropout(W_o LayerNorm(sum_j a_j v_j + s)))
class MemoryUpdaterImpl : public torch::nn::Module {
 public:
  struct Options {
    memory::MemoryUpdate kind = memory::MemoryUpdate::kGru;
    memory::MessageFunction msg_func = memory::MessageFunction::kIdentity;
    int64_t dim_memory = 100;
    int64_t dim_mail = 200;
    int64_t dim_time = 100;  // 0: no time encoding
    int64_t heads = 2;       // transformer only
    double dropout = 0.1;
    double att_dropout = 0.1;
  };
  explicit MemoryUpdaterImpl(const Options& options);
  torch::Tensor forward(const torch::Tensor& memory, const torch::Tensor& mails,
                        const torch::Tensor& mail_dt, const torch::Tensor& valid);

 private:
  torch::Tensor InputGates(const torch::Tensor& mail, const torch::Tensor& dt,
                           const torch::Tensor& weight, const torch::Tensor& bias);
  torch::Tensor RecurrentCell(const torch::Tensor& h, const torch::Tensor& mail,
                              const torch::Tensor& dt);
  torch::Tensor TransformerUpdate(const torch::Tensor& memory, const torch::Tensor& mails,
                                  const torch::Tensor& mail_dt, const torch::Tensor& valid);

  Options options_;
  TimeEncoder time_{nullptr};
  MessageFunction msg_{nullptr};
  torch::nn::GRUCell gru_{nullptr};
  torch::nn::RNNCell rnn_{nullptr};
  torch::nn::Linear w_q_{nullptr}, w_k_{nullptr}, w_v_{nullptr}, w_o_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(MemoryUpdater);

// One temporal graph attention layer (TGAT / TGN; TGL's TransfomerAttentionLayer):
//   q = W_q [h_root, phi(0)];  k, v = W_k, W_v [h_nbr, e, phi(dt)]
//   a = softmax over the root's neighbours of LeakyReLU_0.2(q . k) per head, then attention
//   dropout;  out = LayerNorm(ReLU(Dropout(W_o [sum a v, h_root])))
// Neighbours are packed per root (no padding): root r's are rows [offsets[r], offsets[r+1]) of
// h_nbr [S, dn], edge [S, de] (de may be 0) and dt [S]; h_root [R, dn], offsets int64 [R + 1].
// A root without neighbours aggregates zeros. dn may be 0 (TGAT on featureless graphs). The
// projections of k and v are applied on the root side (docs/models.md, "How the attention is computed").
class TemporalAttentionImpl : public torch::nn::Module {
 public:
  struct Options {
    int64_t dim_node = 100;
    int64_t dim_edge = 0;
    int64_t dim_time = 100;
    int64_t dim_out = 100;
    int64_t heads = 2;
    double dropout = 0.1;
    double att_dropout = 0.1;
  };
  explicit TemporalAttentionImpl(const Options& options);
  torch::Tensor forward(const torch::Tensor& h_root, const torch::Tensor& h_nbr,
                        const torch::Tensor& edge, const torch::Tensor& dt,
                        const torch::Tensor& offsets);

 private:
  Options options_;
  TimeEncoder time_{nullptr};
  torch::nn::Linear w_q_{nullptr}, w_k_{nullptr}, w_v_{nullptr}, w_o_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(TemporalAttention);

// JODIE's projection of an embedding into the future: h * (1 + W dt_norm), W: Linear(1, dim)
// initialised N(0, 1/dim) as in JODIE (TGN's NormalLinear); dt_norm [n]: the elapsed time,
// standardised or scaled by the caller (TemporalModel, gnn.time_transform).
class JodieProjectionImpl : public torch::nn::Module {
 public:
  explicit JodieProjectionImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& dt_norm);

 private:
  torch::nn::Linear w_{nullptr};
};
TORCH_MODULE(JodieProjection);

// TGL's EdgePredictor: score(u, v) = W_out ReLU(W_src h_u + W_dst h_v) (a logit).
class LinkPredictorImpl : public torch::nn::Module {
 public:
  explicit LinkPredictorImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& h_src, const torch::Tensor& h_dst);
  // The two halves of forward, so that a source scored against several destinations (its
  // positive, its negatives) is projected once: forward = Score(ProjectSource(h_src), h_dst).
  torch::Tensor ProjectSource(const torch::Tensor& h_src) { return src_fc_->forward(h_src); }
  torch::Tensor Score(const torch::Tensor& src_projected, const torch::Tensor& h_dst);

 private:
  torch::nn::Linear src_fc_{nullptr}, dst_fc_{nullptr}, out_fc_{nullptr};
};
TORCH_MODULE(LinkPredictor);

// TGN's node-classification decoder: Linear(dim, 80)-ReLU-Dropout-Linear(80, 10)-ReLU-Dropout-
// Linear(10, 1), a logit per node.
class NodeClassifierImpl : public torch::nn::Module {
 public:
  NodeClassifierImpl(int64_t dim, double dropout);
  torch::Tensor forward(const torch::Tensor& h);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, fc3_{nullptr};
  double dropout_;
};
TORCH_MODULE(NodeClassifier);

}  // namespace streamgnn::models
