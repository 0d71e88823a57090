// AdaQP's adaptive bit-width assignment (Wan, Zhao, Wu, MLSys 2023; PAPERS.md section 4):
// choose 2, 4 or 8 bits per group of messages so as to trade quantisation variance against
// transfer time, by solving a MILP with GLPK (glp_intopt). LibTorch-free. docs/adaqp.md has the
// formulas.
//
// Typical use, on one rank, every assign cycle:
//   1. per channel (ordered rank pair src -> dst) and message v: score_v =
//      MessageVarianceScore(a_v, dim, M_v - m_v), with a_v from MessageAggregationWeights and the
//      row range traced from the sent embeddings (RowRanges);
//   2. per channel a LinearTimeModel fitted from measured sends (FitLinearTimeModel);
//   3. AssignBits(channels, options) -> per channel, per message, its bit width; pass those to
//      comm::Encode (comm/quantize.h), one buffer per channel.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "graph/csr_graph.h"
#include "graph/partition.h"

namespace streamgnn::comm {

// ---- transfer-time model ---------------------------------------------------------------------

// time(bytes) = alpha + beta * bytes, in seconds (alpha: latency, beta: seconds per byte).
struct LinearTimeModel {
  double alpha = 0;
  double beta = 0;
  double Seconds(double bytes) const { return alpha + beta * bytes; }
};

// Ordinary least squares of seconds on bytes. Requires equally many samples (>= 2), all finite
// and bytes >= 0, with at least two distinct sizes (InvalidArgument otherwise). The fit is
// returned as is; AssignBits refuses beta < 0.
StatusOr<LinearTimeModel> FitLinearTimeModel(Span<const double> bytes, Span<const double> seconds);

// ---- variance model --------------------------------------------------------------------------

// How a receiver aggregates a message (the coefficient its error is multiplied by).
enum class Aggregation {
  kGcn,      // w(v -> u) = 1 / sqrt(out_deg(v) * in_deg(u))
  kSageMean  // w(v -> u) = 1 / in_deg(u)
};

// AdaQP's aggregation weight of every forward message part `part` sends:
// result[q][i] = a_v = sum over u in part q aggregating from v of w(v -> u), for
// v = book.partition(part).send[q][i]. Degrees are those of `graph` (the graph the book was
// built from; in_deg = row length, out_deg = column count). InvalidArgument when `part` is out of
// range or the graph does not match the book.
StatusOr<std::vector<std::vector<double>>> MessageAggregationWeights(
    const graph::CsrGraph& graph, const graph::PartitionBook& book, int64_t part,
    Aggregation aggregation);

// Bits-independent variance score of one message: a^2 * dim * range^2 / 6. Its variance at b
// bits is score / (2^b - 1)^2: PAPERS.md's per-message formula (AdaQP's code,
// a_v^2 * D * (M_v - m_v)^2 / 6 / (2^b - 1)^2), i.e. the expected stochastic-rounding variance
// Delta^2 / 6 per element under uniform residuals, Delta = range / (2^b - 1). The worst case is
// Delta^2 / 4; the constant cancels in AssignBits' normalised objective, so the choice is the same.
double MessageVarianceScore(double weight, int64_t dim, double range);

// Per-row range of a rows x dim block (row-major), as the quantiser's grid must span it:
// max - bf16_down(min) (comm/quantize.h sends the minimum as bf16 rounded down), 0 for a
// constant row (sent exactly). Equals AdaQP's M - m when min is a bf16 value (e.g. 0 after a
// ReLU); larger by < 2^-7 |min| otherwise. InvalidArgument for dim < 1 or a size that is not a
// whole number of rows.
StatusOr<std::vector<double>> RowRanges(Span<const float> data, int64_t dim);

// ---- assignment ------------------------------------------------------------------------------

// Messages one rank sends to another in one exchange.
struct ChannelTraffic {
  int64_t src = 0;
  int64_t dst = 0;
  int64_t dim = 0;                      // floats per message (> 0)
  std::vector<double> variance_scores;  // one per message (>= 0), in send order
  LinearTimeModel time;                 // fitted for src -> dst (beta >= 0)
};

enum class TimeObjective {
  // AdaQP: the all-to-all runs as N - 1 rounds, rank i sending to (i + r) mod N in round r; the
  // time is the sum over rounds of the slowest channel in the round (one variable Z_r each).
  kSumOfRoundMaxima,
  // The slowest channel overall (one variable Z).
  kMaxOverChannels,
};

struct BitAssignmentOptions {
  // Weight of the (normalised) variance term; 1 - lambda weighs time. In [0, 1]. AdaQP: 0.5.
  double lambda = 0.5;
  // Messages of a channel are sorted by score (descending) and cut into consecutive groups of
  // `group_size` (AdaQP: 100); with max_groups_per_channel > 0 the number of groups is capped and
  // the groups are as equal in size as possible. One bit width per group. The cap is ours: AdaQP
  // solves with Gurobi; GLPK's simplex takes seconds or more on 1000 groups x 12 channels
  // (docs/adaqp.md), so the default keeps the MILP small. 0 = no cap (AdaQP's grouping).
  int64_t group_size = 100;
  int64_t max_groups_per_channel = 256;
  // Number of ranks N (> every src and dst); needed for the rounds of kSumOfRoundMaxima.
  int64_t num_ranks = 2;
  TimeObjective time_objective = TimeObjective::kSumOfRoundMaxima;
  // GLPK stops once the best integer solution is within this relative gap of the best bound
  // (glp_iocp::mip_gap); 0 proves optimality, which can take long beyond a few hundred groups.
  double mip_gap = 1e-3;
  // Give up after this long and return the best solution found (FailedPrecondition if none).
  double time_limit_seconds = 10;
};

struct ChannelBits {
  std::vector<uint8_t> bits;         // per message, in send order: feed to comm::Encode
  std::vector<int64_t> group_of;     // per message, its group (0 = highest scores)
  std::vector<double> group_scores;  // per group, the sum of its messages' scores
  std::vector<uint8_t> group_bits;   // per group, its width
};

struct BitAssignment {
  std::vector<ChannelBits> channels;  // same order as the input
  double variance = 0;                // sum of score / (2^b - 1)^2 over messages
  double time_seconds = 0;            // the time objective's value (seconds)
  double objective = 0;               // lambda * V_norm + (1 - lambda) * T_norm, in [0, 1]
};

// The wire bytes of a channel whose messages get `bits` (comm::EncodedSize).
StatusOr<int64_t> ChannelBytes(int64_t dim, Span<const uint8_t> bits);

// Scores one assignment (per channel, per message widths) with the same variance, time and
// normalised objective the MILP minimises. Used by AssignBits for its report and by tests.
StatusOr<BitAssignment> EvaluateAssignment(Span<const ChannelTraffic> channels,
                                           const std::vector<std::vector<uint8_t>>& bits,
                                           const BitAssignmentOptions& options);

// The groups AssignBits would form for one channel (group_of per message, in send order).
StatusOr<std::vector<int64_t>> GroupMessages(Span<const double> variance_scores,
                                             const BitAssignmentOptions& options);

// Solves AdaQP's MILP (binary x[c][g][b], sum_b x = 1 per group; time variables Z) to
// optimality. Unimplemented when built without GLPK; InvalidArgument for bad input.
// Not reentrant across threads in GLPK builds without thread-local storage: calls are
// serialised internally.
StatusOr<BitAssignment> AssignBits(Span<const ChannelTraffic> channels,
                                   const BitAssignmentOptions& options);

// Whether this build links GLPK (AssignBits is Unimplemented otherwise).
bool BitAssignmentAvailable();

}  // namespace streamgnn::comm
