// The `memory` section of a temporal run config: node memory of memory-based temporal GNNs
// (TGL's names; memory/node_memory.h, models/modules.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/config_schema.h"

namespace streamgnn::memory {

// memory.type: TGL's names; none = no node memory (TGAT).
enum class MemoryType { kNone, kNode };

// memory.deliver_to: mail goes to the event's endpoints (TGN, JODIE) or also to their sampled
// neighbours (APAN).
enum class DeliverTo { kSelf, kNeighbors };

// memory.mail_combine: how several mails to one node in one batch are combined.
enum class MailCombine { kLast, kMean };

// memory.memory_update: GRU (TGN), RNN (JODIE), attention over the mailbox (APAN; TGL's name).
enum class MemoryUpdate { kGru, kRnn, kTransformer };

// memory.msg_func: message function applied to a mail before the memory updater.
enum class MessageFunction { kIdentity, kMlp };

}  // namespace streamgnn::memory

namespace streamgnn::core {
template <>
struct EnumTraits<memory::MemoryType> {
  static constexpr EnumName<memory::MemoryType> kNames[] = {
      {memory::MemoryType::kNone, "none"},
      {memory::MemoryType::kNode, "node"},
  };
};
template <>
struct EnumTraits<memory::DeliverTo> {
  static constexpr EnumName<memory::DeliverTo> kNames[] = {
      {memory::DeliverTo::kSelf, "self"},
      {memory::DeliverTo::kNeighbors, "neighbors"},
  };
};
template <>
struct EnumTraits<memory::MailCombine> {
  static constexpr EnumName<memory::MailCombine> kNames[] = {
      {memory::MailCombine::kLast, "last"},
      {memory::MailCombine::kMean, "mean"},
  };
};
template <>
struct EnumTraits<memory::MemoryUpdate> {
  static constexpr EnumName<memory::MemoryUpdate> kNames[] = {
      {memory::MemoryUpdate::kGru, "gru"},
      {memory::MemoryUpdate::kRnn, "rnn"},
      {memory::MemoryUpdate::kTransformer, "transformer"},
  };
};
template <>
struct EnumTraits<memory::MessageFunction> {
  static constexpr EnumName<memory::MessageFunction> kNames[] = {
      {memory::MessageFunction::kIdentity, "identity"},
      {memory::MessageFunction::kMlp, "mlp"},
  };
};
}  // namespace streamgnn::core

namespace streamgnn::memory {

using core::InRange;

// memory: node memory of memory-based temporal GNNs (TGL's names and meanings; docs/models.md).
struct MemoryConfig {
  MemoryType type = MemoryType::kNode;
  int64_t dim_time = 100;
  DeliverTo deliver_to = DeliverTo::kSelf;
  MailCombine mail_combine = MailCombine::kLast;
  MemoryUpdate memory_update = MemoryUpdate::kGru;
  MessageFunction msg_func = MessageFunction::kIdentity;
  int64_t mailbox_size = 1;
  bool combine_node_feature = true;
  int64_t dim_out = 100;
  int64_t attention_head = 2;

  template <class V>
  void Visit(V& v) {
    v.Field("type", &type, "node: one memory vector per node (TGN, JODIE, APAN); none: no memory "
            "(TGAT).");
    v.Field("dim_time", &dim_time,
            "Width of the time encoding of (mail time - last update) fed to the memory updater; "
            "0 = none (JODIE).",
            InRange(0, 4096));
    v.Field("deliver_to", &deliver_to,
            "self: an event's mail goes to its two endpoints; neighbors: also to their sampled "
            "neighbours (APAN).");
    v.Field("mail_combine", &mail_combine,
            "Several mails to one node in one batch: keep the last, or their mean (time = the "
            "last).");
    v.Field("memory_update", &memory_update,
            "Memory updater: gru (TGN), rnn (JODIE), transformer = attention over the mailbox "
            "(APAN).");
    v.Field("msg_func", &msg_func,
            "Message function on a mail before the updater: identity (TGN's default) or a "
            "2-layer MLP.");
    v.Field("mailbox_size", &mailbox_size,
            "Mails kept per node (ring buffer); gru and rnn read exactly one.", InRange(1, 1024));
    v.Field("combine_node_feature", &combine_node_feature,
            "Add (a projection of) the node features to the memory to form the input embedding.");
    v.Field("dim_out", &dim_out, "Width of the memory vectors (0 only with type none).",
            InRange(0, 8192));
    v.Field("attention_head", &attention_head, "Heads of the transformer memory updater (APAN).",
            InRange(1, 64));
    v.Rule("mailbox_size", "is 1 for the gru and rnn updaters", [this]() -> std::string {
      if (memory_update == MemoryUpdate::kTransformer || mailbox_size == 1) return "";
      return "1 for memory_update gru or rnn (only transformer reads a mailbox of several mails)";
    });
    v.Rule("dim_out", "is at least 1 unless type is none", [this]() -> std::string {
      if (type == MemoryType::kNone || dim_out >= 1) return "";
      return "at least 1 for memory type node";
    });
    v.Rule("attention_head", "divides dim_out for the transformer updater",
           [this]() -> std::string {
             if (type == MemoryType::kNone || memory_update != MemoryUpdate::kTransformer ||
                 (dim_out > 0 && dim_out % attention_head == 0)) {
               return "";
             }
             return "a divisor of dim_out (" + std::to_string(dim_out) + ")";
           });
  }
};

}  // namespace streamgnn::memory
