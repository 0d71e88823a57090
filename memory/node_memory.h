// NodeMemory: the per-node state of memory-based temporal GNNs (TGN, JODIE, APAN; DESIGN.md,
// "Memory"): a memory vector, the time of its last update, and a mailbox of pending mails.
//
// Protocol (TGN's, as TGL implements it; docs/models.md). For batch k the model reads the rows
// of the batch's nodes, updates each memory from the node's mailbox (the mails of batches < k),
// computes embeddings and the loss; then the trainer writes, without gradient, the updated
// memories of the batch's event endpoints and delivers the mails of batch k's events. So no
// event influences its own prediction, and the memory updater is trained through the
// embeddings of the next batch that touches the node.
//
// Layout (CPU, contiguous): memory [N, dim_memory] float32; last_update [N] float64; mailbox
// [N, mailbox_size, dim_mail] float32 (a ring per node); mail_ts [N, mailbox_size] float64;
// mail_count [N] int64 (valid mails, <= mailbox_size); next_slot [N] int64.
//
// Thread-safety: none; one trainer owns it. Reads return copies (index_select), so a read
// stays valid across later writes.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/config_enums.h"
#include "core/status.h"

namespace streamgnn::memory {

struct NodeMemoryOptions {
  int64_t num_nodes = 0;     // >= 1
  int64_t dim_memory = 100;  // >= 1
  int64_t dim_mail = 200;    // >= 1
  int64_t mailbox_size = 1;  // >= 1
  core::MailCombine combine = core::MailCombine::kLast;
};

// The rows of some nodes, as read before a batch.
struct MemoryRows {
  torch::Tensor memory;       // [n, dim_memory] float32
  torch::Tensor last_update;  // [n] float64
  torch::Tensor mail;         // [n, mailbox_size, dim_mail] float32 (invalid slots are zero)
  torch::Tensor mail_ts;      // [n, mailbox_size] float64 (invalid slots are 0)
  torch::Tensor mail_valid;   // [n, mailbox_size] bool
};

class NodeMemory {
 public:
  // InvalidArgument naming the field when an option is out of range.
  static StatusOr<NodeMemory> Create(const NodeMemoryOptions& options);

  // All memories zero, last updates 0, mailboxes empty (start of every epoch).
  void Reset();

  // Rows of `nodes` (int64 [n], ids in [0, num_nodes)).
  MemoryRows Read(const torch::Tensor& nodes) const;

  // memory[nodes[i]] = values[i], last_update[nodes[i]] = times[i]. nodes: int64 [n], unique;
  // values: float32 [n, dim_memory] (detached here); times: float64 [n].
  void Write(const torch::Tensor& nodes, const torch::Tensor& values, const torch::Tensor& times);

  // Delivers mails[i] (float32 [n, dim_mail], detached here) with time times[i] (float64 [n]) to
  // nodes[i] (int64 [n], repeats allowed, in event order). Mails to one node are first combined
  // (kLast: the last one in order; kMean: their mean, with the last one's time), then appended
  // to the node's ring, overwriting the oldest mail when it is full.
  void Deliver(const torch::Tensor& nodes, const torch::Tensor& mails, const torch::Tensor& times);

  // A deep copy (for snapshots taken between training and evaluation).
  NodeMemory Clone() const;

  // Checkpoints: every tensor under `prefix` + name.
  void Save(torch::serialize::OutputArchive& archive) const;
  // Restores what Save wrote; InvalidArgument when the shapes do not match this memory's.
  Status Load(torch::serialize::InputArchive& archive);

  const NodeMemoryOptions& options() const { return options_; }
  const torch::Tensor& memory() const { return memory_; }
  const torch::Tensor& last_update() const { return last_update_; }
  const torch::Tensor& mail_count() const { return mail_count_; }

 private:
  explicit NodeMemory(const NodeMemoryOptions& options);

  NodeMemoryOptions options_;
  torch::Tensor memory_, last_update_, mailbox_, mail_ts_, mail_count_, next_slot_;
};

}  // namespace streamgnn::memory
