// The halo exchange of distributed full-graph training (AdaQP, PAPERS.md section 4) on raw
// float buffers; the autograd wrapper is trainers/halo_exchange_op.h.
//
// A rank holds the rows of its part's local nodes in PartitionBook order (graph/partition.h):
// [central, marginal | halo], num_local x dim, row-major.
//   Forward   sends, to every other rank q, the rows of its inner nodes that q holds as halo
//             (LocalPartition::send[q], in q's halo order) and writes the rows it receives from
//             each owner into that owner's halo range (LocalPartition::recv[owner]). Inner rows
//             are only read.
//   Backward  the adjoint: sends the gradient rows of its halo range recv[q] back to owner q,
//             which adds them into the gradient rows of its inner nodes send[q]. Halo gradient
//             rows are only read (the caller drops them afterwards).
// Both are collective over the communicator (every rank calls them in the same order with the
// same dim and the same bits).
//
// Messages travel as float32 (bits 32) or quantised with AdaQP's stochastic quantiser
// (comm/quantize.h; bits 8, 4 or 2, every row at the same width or per-row widths; the wire
// format carries each row's width, so the receiver needs no side information). The rounding draws are keyed by
// (seed, call counter, sender, receiver), so every exchange draws fresh noise.
#pragma once

#include <cstdint>

#include "comm/communicator.h"
#include "graph/partition.h"

namespace streamgnn::comm {

// Per-row widths of one exchange's messages: row_bits[q] holds one width (2, 4 or 8) per row
// this rank sends to rank q, in send order (AdaQP's adaptive assignment, comm/bit_assignment.h).
using RowBits = std::vector<std::vector<uint8_t>>;

struct HaloStats {
  int64_t calls = 0;
  int64_t bytes_sent = 0;  // payload bytes, all calls, this rank
};

class HaloExchange {
 public:
  // `comm` and `part` must outlive the exchange. InvalidArgument when part.part != comm->rank()
  // or the partition has a send/recv list per part different from comm->size().
  static StatusOr<HaloExchange> Create(Communicator* comm, const graph::LocalPartition* part,
                                       uint64_t seed = 0);

  // rows.size() == num_local() * dim (InvalidArgument otherwise). bits: 32, 8, 4 or 2 for every
  // row, or per-row widths in `row_bits` (which then overrides `bits`; row_bits[q] must have
  // send[q].size() entries).
  Status Forward(Span<float> rows, int64_t dim, int bits = 32, const RowBits* row_bits = nullptr);
  // grads.size() == num_local() * dim. With `row_bits`, row_bits[q] has one width per row of
  // the halo range recv[q] (the rows sent back to owner q).
  Status Backward(Span<float> grads, int64_t dim, int bits = 32,
                  const RowBits* row_bits = nullptr);

  // The 32-bit exchange of rows the caller gathers and scatters itself, in host memory or on
  // this rank's device when comm()->device_memory() (trainers/halo_exchange_op.h does both with
  // LibTorch, so GPU-resident rows never visit the host):
  //   ForwardPacked   sends `send`, the rows of send_order() ([send_order().size(), dim]), and
  //                   receives the halo rows [num_halo, dim], in local halo order, into `halo`.
  //   BackwardPacked  sends the halo rows' gradients `halo` back to their owners and receives
  //                   into `send` the gradients of the rows of send_order() (the caller adds
  //                   them into its inner rows; an inner row may be sent to several ranks).
  // Same wire size and byte counts as Forward/Backward at 32 bits; collective likewise.
  Status ForwardPacked(const float* send, float* halo, int64_t dim);
  Status BackwardPacked(const float* halo, float* send, int64_t dim);
  // The inner local ids whose rows a forward exchange sends: send[0], then send[1], ...
  const std::vector<int64_t>& send_order() const { return send_order_; }

  int64_t num_inner() const { return part_->num_inner(); }
  int64_t num_local() const { return part_->num_local(); }
  const graph::LocalPartition& partition() const { return *part_; }
  Communicator* comm() const { return comm_; }
  const HaloStats& stats() const { return stats_; }

 private:
  HaloExchange(Communicator* comm, const graph::LocalPartition* part, uint64_t seed);
  // Floats per peer of a packed exchange: the send lists' and the halo ranges' rows times dim.
  std::vector<int64_t> SendCounts(int64_t dim) const;
  std::vector<int64_t> HaloCounts(int64_t dim) const;
  // Arguments of Forward/Backward; per-row widths (row_bits) need one list per rank.
  Status Check(Span<float> rows, int64_t dim, int bits, const RowBits* row_bits) const;
  // Packs `count` rows (row ids from `ids`, or the contiguous range starting at `first` when
  // ids is null) into one message, at `bits` or at the per-row widths `widths`.
  StatusOr<Bytes> Pack(const float* rows, int64_t dim, const std::vector<int64_t>* ids,
                       int64_t first, int64_t count, int bits, const std::vector<uint8_t>* widths,
                       int peer);
  Status Unpack(const Bytes& msg, int64_t dim, int64_t count, int bits, int peer,
                std::vector<float>* out) const;

  Communicator* comm_;
  const graph::LocalPartition* part_;
  uint64_t seed_;
  std::vector<int64_t> send_order_;
  HaloStats stats_;
};

}  // namespace streamgnn::comm
