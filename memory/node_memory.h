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
// Layout (on options.device, contiguous): memory [N, dim_memory] float32; last_update [N] float64; mailbox
// [N, mailbox_size, dim_mail] float32 (a ring per node); mail_ts [N, mailbox_size] float64;
// mail_count [N] int64 (valid mails, <= mailbox_size); next_slot [N] int64; mail_events [N]
// int64 (events combined into the newest mail).
//
// Versions (MSPipe's bounded staleness; docs/models.md, "Pipeline"). Commit() applies one
// batch's memory writes and mails as one unit and advances version() by one; ReadAtLeast()
// waits until version() >= target - bound and returns rows of one consistent version, so the
// staleness of a read (target - version read) never exceeds the bound. Observed staleness is
// recorded per read (staleness_stats()).
//
// Thread-safety: Commit, ReadAtLeast, Abort, version and the staleness statistics may be called
// concurrently (one committer at a time; many readers). Everything else (Read, Write, Deliver,
// Reset, Save, Load, Clone) needs the caller to hold no concurrent Commit. Reads return copies
// (index_select), so a read stays valid across later writes.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "memory/memory_config.h"
#include "core/status.h"

namespace streamgnn::memory {

struct NodeMemoryOptions {
  int64_t num_nodes = 0;     // >= 1
  int64_t dim_memory = 100;  // >= 1
  int64_t dim_mail = 200;    // >= 1
  int64_t mailbox_size = 1;  // >= 1
  memory::MailCombine combine = memory::MailCombine::kLast;
  // Where every tensor lives. Arguments must be on it and reads return rows on it; checkpoints
  // (Save) are written from host copies, so they load on any device.
  torch::Device device = torch::kCPU;
};

// The rows of some nodes, as read before a batch.
struct MemoryRows {
  torch::Tensor memory;       // [n, dim_memory] float32
  torch::Tensor last_update;  // [n] float64
  torch::Tensor mail;         // [n, mailbox_size, dim_mail] float32 (invalid slots are zero)
  torch::Tensor mail_ts;      // [n, mailbox_size] float64 (invalid slots are 0)
  torch::Tensor mail_valid;   // [n, mailbox_size] bool
  // Events combined into the newest mail (0 = no mail): a node with several events in one batch
  // gets one combined mail, so its next update stands for that many transitions (PRES).
  torch::Tensor mail_events;  // [n] int64
};

// Observed staleness of versioned reads since the last ResetStalenessStats().
struct StalenessStats {
  int64_t reads = 0;
  int64_t stale_reads = 0;  // reads with staleness > 0
  int64_t max = 0;
  int64_t sum = 0;
  std::vector<int64_t> histogram;  // histogram[k] = reads with staleness k
  double mean() const { return reads ? static_cast<double>(sum) / static_cast<double>(reads) : 0; }
};

// Rows of one consistent version.
struct VersionedRows {
  MemoryRows rows;
  int64_t version = 0;    // write batches contained
  int64_t staleness = 0;  // target - version
  double wait_s = 0;      // seconds spent waiting for the version (not reading)
};

class NodeMemory {
 public:
  // InvalidArgument naming the field when an option is out of range.
  static StatusOr<NodeMemory> Create(const NodeMemoryOptions& options);

  // All memories zero, last updates 0, mailboxes empty, version 0, not aborted (start of every
  // epoch).
  void Reset();

  // Rows of `nodes` (int64 [n], ids in [0, num_nodes)).
  MemoryRows Read(const torch::Tensor& nodes) const;

  // memory[nodes[i]] = values[i], last_update[nodes[i]] = times[i]. nodes: int64 [n], unique;
  // values: float32 [n, dim_memory] (detached here); times: float64 [n].
  void Write(const torch::Tensor& nodes, const torch::Tensor& values, const torch::Tensor& times);

  // Delivers mails[i] (float32 [n, dim_mail], detached here) with time times[i] (float64 [n]) to
  // nodes[i] (int64 [n], repeats allowed, in event order). Mails to one node are first combined
  // (kLast: the last one in order; kMean: their mean, with the last one's time), then appended
  // to the node's ring, overwriting the oldest mail when it is full. One dispatch point: a loop
  // over the mails on the CPU, DeliverComposed elsewhere.
  void Deliver(const torch::Tensor& nodes, const torch::Tensor& mails, const torch::Tensor& times);
  // Deliver composed from LibTorch operators (unique, scatter_reduce, index_put): runs on any
  // device without a host synchronisation, so node ids are not range-checked here (the trainer's
  // come from a validated dataset). Tests compare it with the CPU loop.
  void DeliverComposed(const torch::Tensor& nodes, const torch::Tensor& mails,
                       const torch::Tensor& times);

  // One batch's writes (as Write) then mails (as Deliver), as one version: readers see all of
  // it or none of it. Advances version() by one and wakes waiting readers.
  void Commit(const torch::Tensor& nodes, const torch::Tensor& values, const torch::Tensor& times,
              const torch::Tensor& mail_nodes, const torch::Tensor& mails,
              const torch::Tensor& mail_times);

  // Waits until version() >= target - bound (bound >= 0), then returns the rows of `nodes` at
  // the version current at that moment, which lies in [target - bound, ...]. Records
  // target - version in the staleness statistics when the version does not exceed target.
  // FailedPrecondition when Abort() was called while waiting (a failed pipeline).
  StatusOr<VersionedRows> ReadAtLeast(const torch::Tensor& nodes, int64_t target,
                                      int64_t bound) const;

  // Wakes every waiting reader with an error (until the next Reset()).
  void Abort();

  int64_t version() const { return sync_->version.load(std::memory_order_acquire); }
  StalenessStats staleness_stats() const;
  void ResetStalenessStats();

  // A deep copy (for snapshots taken between training and evaluation).
  NodeMemory Clone() const;

  // Checkpoints: every tensor (and the version) under its name.
  void Save(torch::serialize::OutputArchive& archive) const;
  // Restores what Save wrote; InvalidArgument when the shapes do not match this memory's.
  Status Load(torch::serialize::InputArchive& archive);

  const NodeMemoryOptions& options() const { return options_; }
  const torch::Tensor& memory() const { return memory_; }
  const torch::Tensor& last_update() const { return last_update_; }
  const torch::Tensor& mail_count() const { return mail_count_; }

 private:
  explicit NodeMemory(const NodeMemoryOptions& options);

  // Behind a pointer so that NodeMemory stays movable; Clone() makes a fresh one.
  struct Sync {
    mutable std::shared_mutex data;  // exclusive: Commit; shared: ReadAtLeast
    mutable std::mutex mu;           // guards waiting, aborted and stats
    mutable std::condition_variable cv;
    std::atomic<int64_t> version{0};
    bool aborted = false;
    mutable StalenessStats stats;
  };

  NodeMemoryOptions options_;
  std::shared_ptr<Sync> sync_ = std::make_shared<Sync>();
  torch::Tensor memory_, last_update_, mailbox_, mail_ts_, mail_count_, next_slot_, mail_events_;
};

}  // namespace streamgnn::memory
