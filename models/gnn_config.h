// The `gnn` section of a temporal run config: the embedding module (TGL's names;
// models/temporal_model.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/config_schema.h"

namespace streamgnn::models {

// gnn.arch: temporal graph attention (TGN, TGAT) or the node's own memory (JODIE, APAN).
enum class GnnArch { kTransformerAttention, kIdentity };

// gnn.time_transform: JODIE's time projection of the embedding (TGL writes 'JODIE').
enum class TimeTransform { kNone, kJodie, kTglJodie };

}  // namespace streamgnn::models

namespace streamgnn::core {
template <>
struct EnumTraits<models::GnnArch> {
  static constexpr EnumName<models::GnnArch> kNames[] = {
      {models::GnnArch::kTransformerAttention, "transformer_attention"},
      {models::GnnArch::kIdentity, "identity"},
  };
};
template <>
struct EnumTraits<models::TimeTransform> {
  static constexpr EnumName<models::TimeTransform> kNames[] = {
      {models::TimeTransform::kNone, "none"},
      {models::TimeTransform::kJodie, "jodie"},
      {models::TimeTransform::kJodie, "JODIE"},
      {models::TimeTransform::kTglJodie, "tgl_jodie"},
  };
};
}  // namespace streamgnn::core

namespace streamgnn::models {

using core::InRange;

// gnn: the embedding module (TGL's names and meanings; docs/models.md).
struct GnnConfig {
  GnnArch arch = GnnArch::kTransformerAttention;
  bool use_src_emb = false;
  bool use_dst_emb = false;
  int64_t layer = 1;
  int64_t att_head = 2;
  int64_t dim_time = 100;
  int64_t dim_out = 100;
  TimeTransform time_transform = TimeTransform::kNone;

  template <class V>
  void Visit(V& v) {
    v.Field("arch", &arch,
            "transformer_attention: temporal graph attention over sampled neighbours (TGN, "
            "TGAT); identity: the node's memory itself (JODIE, APAN).");
    v.Field("use_src_emb", &use_src_emb, "TGL key, accepted; must be false (no effect in TGL).");
    v.Field("use_dst_emb", &use_dst_emb, "TGL key, accepted; must be false (no effect in TGL).");
    v.Field("layer", &layer, "Attention layers (at most sampling.layer; hop l feeds layer l).",
            InRange(1, 8));
    v.Field("att_head", &att_head, "Attention heads.", InRange(1, 64));
    v.Field("dim_time", &dim_time, "Width of the time encoding of edge ages (dt).",
            InRange(1, 4096));
    v.Field("dim_out", &dim_out, "Width of the embeddings (transformer_attention).",
            InRange(1, 8192));
    v.Field("time_transform", &time_transform,
            "jodie: JODIE's time projection of the memory, Dropout(s * (1 + W dt')), dt' the time "
            "since the node's last update standardised by the training events' mean and std per "
            "side (TGN's and DyGLib's code); tgl_jodie: TGL's, LayerNorm(s) * (1 + W dt / (t + 1)).");
    v.Rule("use_src_emb", "is false", [this]() -> std::string {
      return use_src_emb ? "false (a source-embedding residual is not supported)" : "";
    });
    v.Rule("use_dst_emb", "is false", [this]() -> std::string {
      return use_dst_emb ? "false (a destination-embedding residual is not supported)" : "";
    });
    v.Rule("att_head", "divides dim_out", [this]() -> std::string {
      if (dim_out % att_head == 0) return "";
      return "a divisor of dim_out (" + std::to_string(dim_out) + ")";
    });
  }
};

}  // namespace streamgnn::models
