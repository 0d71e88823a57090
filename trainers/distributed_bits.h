// AdaQP's adaptive bit widths for the halo exchange of distributed training
// (quantization.bits: adaptive; comm/bit_assignment.h has the MILP, docs/adaqp.md the model).
//
// Per layer l in [1, L-1] (the layers whose input is exchanged), every ordered pair of ranks
// (src -> dst) is a channel carrying the rows dst holds as halo. Every assign cycle:
//   - each rank traces the rows it sends (Trace, every training forward pass) and turns them into
//     variance scores a_v^2 * dim * range_v^2 / 6, with a_v the receiver's aggregation weight;
//   - Assign() gathers every channel's scores and its linear time model (profiled once at
//     Create by timing sends of three sizes) on rank 0, solves AdaQP's MILP once per layer, and
//     returns to every rank the widths of the rows it sends.
// Gradients of a layer travel back over the reverse channel with the widths of the forward
// message of the same node (a simplification: AdaQP traces gradient ranges separately).
// Until the first Assign every row is sent at 8 bits.
#pragma once

#include <cstdint>
#include <vector>

#include "comm/bit_assignment.h"
#include "comm/communicator.h"
#include "comm/halo_exchange.h"
#include "graph/csr_graph.h"
#include "graph/partition.h"

namespace streamgnn::trainers {

struct AdaptiveBitsOptions {
  double lambda = 0.5;        // weight of variance vs time in the MILP objective
  int64_t group_size = 100;   // messages per bit-width group
  comm::Aggregation aggregation = comm::Aggregation::kGcn;
};

struct AdaptiveBitsReport {
  int64_t assignments = 0;
  double mean_bits = 8;        // over this rank's forward rows, after the last assignment
  double objective = 0;        // rank 0: sum over layers of the MILP objective (last assignment)
};

class AdaptiveBits {
 public:
  // Collective. `graph` must be the graph the book was built from; both must outlive this.
  static StatusOr<AdaptiveBits> Create(comm::Communicator* comm, const graph::PartitionBook* book,
                                       const graph::CsrGraph* graph, int64_t num_layers,
                                       const AdaptiveBitsOptions& options);

  // Widths of layer l's messages (l in [1, num_layers - 1]): forward per send[q] row; backward
  // per recv[q] row (the reverse channel's forward widths).
  const comm::RowBits& forward(int64_t layer) const { return forward_[layer]; }
  const comm::RowBits& backward(int64_t layer) const { return backward_[layer]; }

  // Records the ranges of the rows this rank sends at `layer`: `inner` is the rank's inner rows
  // (num_inner x dim, row-major) as they enter the exchange.
  Status Trace(int64_t layer, Span<const float> inner, int64_t dim);
  // Collective: re-solves the widths from the last traces (see the top of this file).
  Status Assign();

  const AdaptiveBitsReport& report() const { return report_; }

 private:
  AdaptiveBits() = default;

  comm::Communicator* comm_ = nullptr;
  const graph::PartitionBook* book_ = nullptr;
  AdaptiveBitsOptions options_;
  int64_t num_layers_ = 0;
  std::vector<std::vector<double>> weights_;              // [q][i]: a_v of send[q][i]
  std::vector<comm::LinearTimeModel> time_;               // [q]: this rank -> q
  std::vector<std::vector<std::vector<double>>> scores_;  // [layer][q][i]
  std::vector<int64_t> dims_;                             // [layer]
  std::vector<comm::RowBits> forward_, backward_;         // [layer]
  AdaptiveBitsReport report_;
};

}  // namespace streamgnn::trainers
