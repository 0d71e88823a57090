#include "models/temporal_model.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/dropout.h"

namespace streamgnn::models {

Status ValidateModelSpec(const ModelSpec& spec) {
  const bool memory = spec.memory.type == memory::MemoryType::kNode;
  const bool attention = spec.gnn.arch == models::GnnArch::kTransformerAttention;
  if (spec.num_nodes < 1) return Status::InvalidArgument("model: the dataset has no nodes");
  if (!memory && !attention) {
    return Status::InvalidArgument(
        "key 'memory.type': expected node: gnn.arch identity without memory has nothing to learn");
  }
  if (memory && spec.memory.dim_out < 1) {
    return Status::InvalidArgument("key 'memory.dim_out': expected >= 1 for memory type node");
  }
  if (memory && spec.memory.memory_update == memory::MemoryUpdate::kTransformer &&
      spec.memory.dim_out % spec.memory.attention_head != 0) {
    return Status::InvalidArgument("key 'memory.attention_head': expected a divisor of dim_out");
  }
  if (memory && spec.memory.memory_update != memory::MemoryUpdate::kTransformer &&
      spec.memory.mailbox_size != 1) {
    return Status::InvalidArgument("key 'memory.mailbox_size': expected 1 for gru and rnn");
  }
  if (attention && spec.gnn.dim_out % spec.gnn.att_head != 0) {
    return Status::InvalidArgument("key 'gnn.att_head': expected a divisor of gnn.dim_out");
  }
  if (!(spec.src_shift_std > 0) || !(spec.dst_shift_std > 0)) {
    return Status::InvalidArgument("model: the std of the time shifts must be > 0");
  }
  return Status::Ok();
}

TemporalModelImpl::TemporalModelImpl(const ModelSpec& spec) : spec_(spec) {
  const bool memory = has_memory();
  int64_t dim_h0 = spec.dim_node_feat;
  if (memory) {
    MemoryUpdaterImpl::Options uo;
    uo.kind = spec.memory.memory_update;
    uo.msg_func = spec.memory.msg_func;
    uo.dim_memory = spec.memory.dim_out;
    uo.dim_mail = dim_mail();
    uo.dim_time = spec.memory.dim_time;
    uo.heads = spec.memory.attention_head;
    uo.dropout = spec.dropout;
    uo.att_dropout = spec.att_dropout;
    updater_ = register_module("updater", MemoryUpdater(uo));
    dim_h0 = spec.memory.dim_out;
    if (spec.memory.combine_node_feature && spec.dim_node_feat > 0) {
      node_proj_ = register_module("node_proj",
                                   torch::nn::Linear(spec.dim_node_feat, spec.memory.dim_out));
    }
  }
  if (uses_neighbors_for_embedding()) {
    for (int64_t l = 0; l < spec.gnn.layer; ++l) {
      TemporalAttentionImpl::Options ao;
      ao.dim_node = l == 0 ? dim_h0 : spec.gnn.dim_out;
      ao.dim_edge = spec.dim_edge_feat;
      ao.dim_time = spec.gnn.dim_time;
      ao.dim_out = spec.gnn.dim_out;
      ao.heads = spec.gnn.att_head;
      ao.dropout = spec.dropout;
      ao.att_dropout = spec.att_dropout;
      layers_.push_back(register_module(fmt::format("layer{}", l), TemporalAttention(ao)));
    }
  } else {
    // JODIE's projection (TGN's and DyGLib's code) applies to the memory itself; TGL's and the
    // plain identity embedding normalise it first.
    if (spec.gnn.time_transform != models::TimeTransform::kJodie) {
      identity_norm_ = register_module(
          "identity_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim_h0})));
    }
    if (spec.gnn.time_transform != models::TimeTransform::kNone) {
      jodie_ = register_module("jodie", JodieProjection(dim_h0));
    }
  }
  predictor_ = register_module("predictor", LinkPredictor(dim_embedding()));
}

int64_t TemporalModelImpl::dim_embedding() const {
  if (uses_neighbors_for_embedding()) return spec_.gnn.dim_out;
  return has_memory() ? spec_.memory.dim_out : spec_.dim_node_feat;
}

ForwardOutput TemporalModelImpl::forward(const BatchInputs& in, const memory::MemoryRows* rows) {
  ForwardOutput out;
  const int64_t num_unique = in.nodes.size(0);
  // 1. memory update and input embeddings of the unique nodes.
  torch::Tensor h0;
  if (has_memory()) {
    TORCH_CHECK(rows != nullptr && rows->memory.size(0) == num_unique,
                "TemporalModel: memory rows must match inputs.nodes");
    torch::Tensor mail_dt;
    const torch::Tensor valid = rows->mail_valid;
    const torch::Tensor masked_ts = rows->mail_ts.masked_fill(~valid, -1e300);
    const torch::Tensor newest = std::get<0>(masked_ts.max(1));  // [U]
    if (spec_.memory.memory_update == memory::MemoryUpdate::kTransformer) {
      // Age of each mail relative to the newest one (APAN): a function of the node alone.
      mail_dt = (newest.unsqueeze(1) - rows->mail_ts).masked_fill(~valid, 0).to(torch::kFloat32);
    } else {
      mail_dt = (rows->mail_ts - rows->last_update.unsqueeze(1)).masked_fill(~valid, 0)
                    .to(torch::kFloat32);
    }
    out.new_memory = updater_->forward(rows->memory, rows->mail, mail_dt, valid);
    out.new_last_update = torch::where(valid.any(1), newest, rows->last_update);
    h0 = out.new_memory;
    if (node_proj_) h0 = h0 + node_proj_->forward(in.node_feat);
  } else {
    h0 = in.node_feat;
  }

  // 2. per-level inputs.
  const int64_t levels = static_cast<int64_t>(in.level_index.size());
  if (!uses_neighbors_for_embedding()) {
    torch::Tensor h = h0.index_select(0, in.level_index[0]);
    if (identity_norm_) h = identity_norm_->forward(h);
    if (jodie_) h = ProjectInTime(h, out.new_last_update.index_select(0, in.level_index[0]), in);
    out.embeddings = h;
    return out;
  }
  const int64_t num_layers = static_cast<int64_t>(layers_.size());
  TORCH_CHECK(levels >= num_layers + 1, "TemporalModel: need ", num_layers + 1, " levels, got ",
              levels);
  std::vector<torch::Tensor> h(static_cast<size_t>(num_layers + 1));
  for (int64_t d = 0; d <= num_layers; ++d) h[d] = h0.index_select(0, in.level_index[d]);
  // 3. layer l computes levels 0..L-l-1 from levels 0..L-l; level d+1 holds level d's
  // neighbours in slot order.
  for (int64_t l = 0; l < num_layers; ++l) {
    std::vector<torch::Tensor> next(static_cast<size_t>(num_layers - l));
    for (int64_t d = 0; d < num_layers - l; ++d) {
      next[d] = layers_[l]->forward(h[d], h[d + 1], in.edge_feat[d], in.dt[d], in.offsets[d]);
    }
    h = std::move(next);
  }
  out.embeddings = h[0];
  return out;
}

torch::Tensor TemporalModelImpl::ProjectInTime(const torch::Tensor& h, const torch::Tensor& last_update,
                                             const BatchInputs& in) {
  const torch::Tensor elapsed = in.root_times - last_update;  // float64
  if (spec_.gnn.time_transform == models::TimeTransform::kTglJodie) {
    return jodie_->forward(h, (elapsed / (in.root_times + 1)).to(torch::kFloat32));
  }
  // Sources are standardised with the sources' statistics, destinations and negatives with the
  // destinations'.
  const int64_t roots = elapsed.size(0), sources = std::min(in.num_sources, roots);
  const auto f64 = elapsed.options();
  const torch::Tensor mean = torch::cat({torch::full({sources}, spec_.src_shift_mean, f64),
                                         torch::full({roots - sources}, spec_.dst_shift_mean, f64)});
  const torch::Tensor std = torch::cat({torch::full({sources}, spec_.src_shift_std, f64),
                                        torch::full({roots - sources}, spec_.dst_shift_std, f64)});
  const torch::Tensor projected = jodie_->forward(h, ((elapsed - mean) / std).to(torch::kFloat32));
  return Dropout(projected, spec_.dropout, is_training());
}

torch::Tensor TemporalModelImpl::MakeMails(const torch::Tensor& mem_src, const torch::Tensor& mem_dst,
                                           const torch::Tensor& edge_feat) const {
  const torch::Tensor src_mail = torch::cat({mem_src, mem_dst, edge_feat}, 1);
  const torch::Tensor dst_mail = torch::cat({mem_dst, mem_src, edge_feat}, 1);
  return torch::stack({src_mail, dst_mail}, 1).reshape({-1, src_mail.size(1)});
}

}  // namespace streamgnn::models
