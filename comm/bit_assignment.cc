#include "comm/bit_assignment.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <string>

#include "comm/quantize.h"

#if defined(STREAMGNN_WITH_GLPK)
#include <glpk.h>
#endif

namespace streamgnn::comm {
namespace {

constexpr int kChoices[3] = {2, 4, 8};

double Levels(int bits) { return static_cast<double>((1 << bits) - 1); }

Status CheckOptions(const BitAssignmentOptions& o) {
  if (!(o.lambda >= 0 && o.lambda <= 1)) {
    return Status::InvalidArgument("bit assignment: lambda must be in [0, 1], got " +
                                   std::to_string(o.lambda));
  }
  if (o.group_size < 1) return Status::InvalidArgument("bit assignment: group_size must be >= 1");
  if (o.max_groups_per_channel < 0) {
    return Status::InvalidArgument("bit assignment: max_groups_per_channel must be >= 0");
  }
  if (o.num_ranks < 1) return Status::InvalidArgument("bit assignment: num_ranks must be >= 1");
  if (!(o.mip_gap >= 0 && o.mip_gap < 1)) {
    return Status::InvalidArgument("bit assignment: mip_gap must be in [0, 1)");
  }
  if (!(o.time_limit_seconds > 0)) {
    return Status::InvalidArgument("bit assignment: time_limit_seconds must be > 0");
  }
  return Status::Ok();
}

Status CheckChannels(Span<const ChannelTraffic> channels, const BitAssignmentOptions& o) {
  for (size_t c = 0; c < channels.size(); ++c) {
    const ChannelTraffic& ch = channels[c];
    const std::string where = "bit assignment: channel " + std::to_string(c) + " (" +
                              std::to_string(ch.src) + " -> " + std::to_string(ch.dst) + ")";
    if (ch.src < 0 || ch.dst < 0 || ch.src >= o.num_ranks || ch.dst >= o.num_ranks ||
        ch.src == ch.dst) {
      return Status::InvalidArgument(where + ": ranks must differ and be < num_ranks (" +
                                     std::to_string(o.num_ranks) + ")");
    }
    if (ch.dim < 1) return Status::InvalidArgument(where + ": dim must be >= 1");
    if (!std::isfinite(ch.time.alpha) || !std::isfinite(ch.time.beta) || ch.time.beta < 0) {
      return Status::InvalidArgument(where + ": time model needs finite alpha and beta >= 0 " +
                                     "(got beta = " + std::to_string(ch.time.beta) + ")");
    }
    for (double s : ch.variance_scores) {
      if (!std::isfinite(s) || s < 0) {
        return Status::InvalidArgument(where + ": variance scores must be finite and >= 0");
      }
    }
  }
  return Status::Ok();
}

// Round of a channel in the time objective.
int64_t RoundOf(const ChannelTraffic& ch, const BitAssignmentOptions& o) {
  if (o.time_objective == TimeObjective::kMaxOverChannels) return 0;
  return ((ch.dst - ch.src) % o.num_ranks + o.num_ranks) % o.num_ranks;
}

// Time objective (seconds) for per-channel byte counts.
double TimeOf(Span<const ChannelTraffic> channels, const std::vector<double>& bytes,
              const BitAssignmentOptions& o) {
  std::vector<double> round_max(static_cast<size_t>(o.num_ranks), -INFINITY);
  for (size_t c = 0; c < channels.size(); ++c) {
    double& m = round_max[static_cast<size_t>(RoundOf(channels[c], o))];
    m = std::max(m, channels[c].time.Seconds(bytes[c]));
  }
  double total = 0;
  for (double m : round_max) {
    if (m > -INFINITY) total += m;
  }
  return total;
}

struct Extremes {
  double v_utopia = 0, v_nadir = 0;  // all 8 bits / all 2 bits
  double t_utopia = 0, t_nadir = 0;  // all 2 bits / all 8 bits
};

Extremes ComputeExtremes(Span<const ChannelTraffic> channels, const BitAssignmentOptions& o) {
  Extremes e;
  std::vector<double> bytes2(channels.size()), bytes8(channels.size());
  for (size_t c = 0; c < channels.size(); ++c) {
    const ChannelTraffic& ch = channels[c];
    const double total = std::accumulate(ch.variance_scores.begin(), ch.variance_scores.end(), 0.0);
    e.v_utopia += total / (Levels(8) * Levels(8));
    e.v_nadir += total / (Levels(2) * Levels(2));
    const double n = static_cast<double>(ch.variance_scores.size());
    const double fixed = static_cast<double>(kQuantHeaderBytes) + n * kQuantRowMetaBytes;
    bytes2[c] = fixed + n * static_cast<double>(RowCodeBytes(ch.dim, 2));
    bytes8[c] = fixed + n * static_cast<double>(RowCodeBytes(ch.dim, 8));
  }
  e.t_utopia = TimeOf(channels, bytes2, o);
  e.t_nadir = TimeOf(channels, bytes8, o);
  return e;
}

// (x - lo) / (hi - lo), or 0 when the range is empty (every choice scores the same there).
double Normalise(double x, double lo, double hi) { return hi > lo ? (x - lo) / (hi - lo) : 0.0; }

#if defined(STREAMGNN_WITH_GLPK)
// What the rounding heuristic needs to rebuild a full MILP solution.
struct HeuristicData {
  struct Channel {
    int z_col;        // the Z of its round
    double constant;  // (alpha + beta * fixed bytes) / t_unit
    std::vector<int> cols;
    std::vector<double> coefs;
  };
  int num_cols = 0;
  std::vector<int> group_first_col;  // x[c][g][0]; the group's three columns follow
  std::vector<Channel> channels;
};

// GLPK callback: at every node, round the LP solution (each group to its largest x) and set each
// Z to its round's slowest channel. Any such point is feasible, and a basic LP optimum has at
// most as many fractional groups as channels (time rows), so the incumbent is near optimal from the
// root on and the gap test ends the search early; GLPK's own search alone can take minutes to find
// any integer point on a few thousand groups.
void RoundingHeuristic(glp_tree* tree, void* info) {
  if (glp_ios_reason(tree) != GLP_IHEUR) return;
  const auto* h = static_cast<const HeuristicData*>(info);
  glp_prob* lp = glp_ios_get_prob(tree);
  std::vector<double> x(static_cast<size_t>(h->num_cols) + 1, 0.0);
  for (int col : h->group_first_col) {
    int best = 0;
    for (int k = 1; k < 3; ++k) {
      if (glp_get_col_prim(lp, col + k) > glp_get_col_prim(lp, col + best)) best = k;
    }
    x[static_cast<size_t>(col + best)] = 1.0;
  }
  for (const auto& ch : h->channels) x[static_cast<size_t>(ch.z_col)] = -HUGE_VAL;
  for (const auto& ch : h->channels) {
    double t = ch.constant;
    for (size_t i = 0; i < ch.cols.size(); ++i)
      t += ch.coefs[i] * x[static_cast<size_t>(ch.cols[i])];
    double& z = x[static_cast<size_t>(ch.z_col)];
    z = std::max(z, t);
  }
  glp_ios_heur_sol(tree, x.data());  // ignored by GLPK when not better than the incumbent
}
#endif

}  // namespace

StatusOr<LinearTimeModel> FitLinearTimeModel(Span<const double> bytes, Span<const double> seconds) {
  if (bytes.size() != seconds.size() || bytes.size() < 2) {
    return Status::InvalidArgument(
        "time model fit: needs >= 2 (bytes, seconds) pairs of equal "
        "count, got " +
        std::to_string(bytes.size()) + " and " + std::to_string(seconds.size()));
  }
  const double n = static_cast<double>(bytes.size());
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!std::isfinite(bytes[i]) || bytes[i] < 0 || !std::isfinite(seconds[i])) {
      return Status::InvalidArgument("time model fit: sample " + std::to_string(i) +
                                     " is not finite or has negative bytes");
    }
    mean_x += bytes[i];
    mean_y += seconds[i];
  }
  mean_x /= n;
  mean_y /= n;
  // Centred sums: numerically stable for byte counts in the millions.
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    sxx += (bytes[i] - mean_x) * (bytes[i] - mean_x);
    sxy += (bytes[i] - mean_x) * (seconds[i] - mean_y);
  }
  if (!(sxx > 0)) {
    return Status::InvalidArgument(
        "time model fit: all samples have the same size; need at "
        "least two distinct sizes");
  }
  LinearTimeModel m;
  m.beta = sxy / sxx;
  m.alpha = mean_y - m.beta * mean_x;
  return m;
}

StatusOr<std::vector<std::vector<double>>> MessageAggregationWeights(
    const graph::CsrGraph& graph, const graph::PartitionBook& book, int64_t part,
    Aggregation aggregation) {
  if (part < 0 || part >= book.num_parts()) {
    return Status::InvalidArgument("aggregation weights: part " + std::to_string(part) +
                                   " out of range [0, " + std::to_string(book.num_parts()) + ")");
  }
  if (graph.num_nodes() != book.num_nodes()) {
    return Status::InvalidArgument("aggregation weights: graph has " +
                                   std::to_string(graph.num_nodes()) + " nodes, the book " +
                                   std::to_string(book.num_nodes()));
  }
  std::vector<int64_t> out_deg;
  if (aggregation == Aggregation::kGcn) out_deg = graph.OutDegrees();
  const graph::LocalPartition& sender = book.partition(part);
  std::vector<std::vector<double>> weights(static_cast<size_t>(book.num_parts()));
  for (int64_t q = 0; q < book.num_parts(); ++q) {
    if (q == part) continue;
    const graph::LocalPartition& recv = book.partition(q);
    const auto [begin, end] = recv.recv[static_cast<size_t>(part)];
    if (end - begin != static_cast<int64_t>(sender.send[static_cast<size_t>(q)].size())) {
      return Status::InvalidArgument("aggregation weights: part " + std::to_string(q) +
                                     "'s halo range from part " + std::to_string(part) +
                                     " does not match the send list");
    }
    // q's halo order for owner `part` is the sender's send[q] order (graph/partition.h).
    std::vector<double>& a = weights[static_cast<size_t>(q)];
    a.assign(static_cast<size_t>(end - begin), 0.0);
    for (int64_t i = 0; i < recv.num_inner(); ++i) {
      const NodeId u = recv.local_to_global[static_cast<size_t>(i)];
      const int64_t in_deg = graph.InDegree(u);
      for (int64_t e = recv.offsets[static_cast<size_t>(i)];
           e < recv.offsets[static_cast<size_t>(i) + 1]; ++e) {
        const int64_t l = recv.indices[static_cast<size_t>(e)];
        if (l < begin || l >= end) continue;
        const NodeId v = recv.local_to_global[static_cast<size_t>(l)];
        const double w =
            aggregation == Aggregation::kGcn
                ? 1.0 / std::sqrt(static_cast<double>(out_deg[static_cast<size_t>(v)]) * in_deg)
                : 1.0 / static_cast<double>(in_deg);
        a[static_cast<size_t>(l - begin)] += w;
      }
    }
  }
  return weights;
}

double MessageVarianceScore(double weight, int64_t dim, double range) {
  return weight * weight * static_cast<double>(dim) * range * range / 6.0;
}

StatusOr<std::vector<double>> RowRanges(Span<const float> data, int64_t dim) {
  if (dim < 1 || data.size() % static_cast<size_t>(dim) != 0) {
    return Status::InvalidArgument("row ranges: " + std::to_string(data.size()) +
                                   " floats is not a whole number of rows of dim " +
                                   std::to_string(dim));
  }
  const size_t rows = data.size() / static_cast<size_t>(dim);
  std::vector<double> out(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* x = data.data() + r * static_cast<size_t>(dim);
    const auto [lo, hi] = std::minmax_element(x, x + dim);
    out[r] = *hi == *lo ? 0.0
                        : static_cast<double>(*hi) -
                              static_cast<double>(Bf16ToFloat(FloatToBf16Down(*lo)));
  }
  return out;
}

StatusOr<int64_t> ChannelBytes(int64_t dim, Span<const uint8_t> bits) {
  return EncodedSize(dim, bits);
}

StatusOr<std::vector<int64_t>> GroupMessages(Span<const double> variance_scores,
                                             const BitAssignmentOptions& options) {
  SG_RETURN_IF_ERROR(CheckOptions(options));
  const int64_t n = static_cast<int64_t>(variance_scores.size());
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  // Descending score; ties by send order so the grouping is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return variance_scores[static_cast<size_t>(a)] > variance_scores[static_cast<size_t>(b)];
  });
  int64_t groups = (n + options.group_size - 1) / options.group_size;
  const bool capped = options.max_groups_per_channel > 0 && groups > options.max_groups_per_channel;
  if (capped) groups = options.max_groups_per_channel;
  std::vector<int64_t> group_of(static_cast<size_t>(n));
  for (int64_t rank = 0; rank < n; ++rank) {
    // Capped: equal shares, group g = [g n / G, (g + 1) n / G).
    const int64_t g = capped ? (rank * groups) / n : rank / options.group_size;
    group_of[static_cast<size_t>(order[static_cast<size_t>(rank)])] = g;
  }
  return group_of;
}

StatusOr<BitAssignment> EvaluateAssignment(Span<const ChannelTraffic> channels,
                                           const std::vector<std::vector<uint8_t>>& bits,
                                           const BitAssignmentOptions& options) {
  SG_RETURN_IF_ERROR(CheckOptions(options));
  SG_RETURN_IF_ERROR(CheckChannels(channels, options));
  if (bits.size() != channels.size()) {
    return Status::InvalidArgument("evaluate assignment: " + std::to_string(bits.size()) +
                                   " bit lists for " + std::to_string(channels.size()) +
                                   " channels");
  }
  BitAssignment result;
  std::vector<double> bytes(channels.size());
  for (size_t c = 0; c < channels.size(); ++c) {
    const ChannelTraffic& ch = channels[c];
    if (bits[c].size() != ch.variance_scores.size()) {
      return Status::InvalidArgument("evaluate assignment: channel " + std::to_string(c) + " has " +
                                     std::to_string(ch.variance_scores.size()) + " messages and " +
                                     std::to_string(bits[c].size()) + " widths");
    }
    SG_ASSIGN_OR_RETURN(const int64_t size, ChannelBytes(ch.dim, Span<const uint8_t>(bits[c])));
    bytes[c] = static_cast<double>(size);
    for (size_t v = 0; v < bits[c].size(); ++v) {
      result.variance += ch.variance_scores[v] / (Levels(bits[c][v]) * Levels(bits[c][v]));
    }
    ChannelBits cb;
    cb.bits = bits[c];
    result.channels.push_back(std::move(cb));
  }
  result.time_seconds = TimeOf(channels, bytes, options);
  const Extremes e = ComputeExtremes(channels, options);
  result.objective = options.lambda * Normalise(result.variance, e.v_utopia, e.v_nadir) +
                     (1 - options.lambda) * Normalise(result.time_seconds, e.t_utopia, e.t_nadir);
  return result;
}

bool BitAssignmentAvailable() {
#if defined(STREAMGNN_WITH_GLPK)
  return true;
#else
  return false;
#endif
}

StatusOr<BitAssignment> AssignBits(Span<const ChannelTraffic> channels,
                                   const BitAssignmentOptions& options) {
#if !defined(STREAMGNN_WITH_GLPK)
  return Status::Unimplemented(
      "adaptive bit widths need GLPK: install libglpk-dev and reconfigure");
#else
  SG_RETURN_IF_ERROR(CheckOptions(options));
  SG_RETURN_IF_ERROR(CheckChannels(channels, options));
  if (channels.empty()) return BitAssignment{};

  // Groups and their score sums, per channel.
  std::vector<std::vector<int64_t>> group_of(channels.size());
  std::vector<std::vector<double>> group_score(channels.size());
  std::vector<std::vector<double>> group_count(channels.size());
  for (size_t c = 0; c < channels.size(); ++c) {
    const auto& scores = channels[c].variance_scores;
    SG_ASSIGN_OR_RETURN(group_of[c], GroupMessages(Span<const double>(scores), options));
    const int64_t groups =
        scores.empty() ? 0 : *std::max_element(group_of[c].begin(), group_of[c].end()) + 1;
    group_score[c].assign(static_cast<size_t>(groups), 0.0);
    group_count[c].assign(static_cast<size_t>(groups), 0.0);
    for (size_t v = 0; v < scores.size(); ++v) {
      group_score[c][static_cast<size_t>(group_of[c][v])] += scores[v];
      group_count[c][static_cast<size_t>(group_of[c][v])] += 1;
    }
  }

  const Extremes e = ComputeExtremes(channels, options);
  const double v_range = e.v_nadir - e.v_utopia;
  const double t_range = e.t_nadir - e.t_utopia;
  // Time is measured in units of t_range (or of the nadir time when every choice takes equally
  // long) so that every coefficient of the MILP is O(1).
  const double t_unit = t_range > 0 ? t_range : std::max(std::abs(e.t_nadir), 1e-12);
  const double v_weight = v_range > 0 ? options.lambda / v_range : 0.0;
  const double t_weight = t_range > 0 ? (1 - options.lambda) : 0.0;

  static std::mutex glpk_mutex;  // GLPK is not reentrant
  std::lock_guard<std::mutex> lock(glpk_mutex);
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);

  HeuristicData heuristic;
  // Columns: x[c][g][k] (binary), then one Z per used round (free, in t_unit).
  std::vector<std::vector<int>> first_col(channels.size());
  for (size_t c = 0; c < channels.size(); ++c) {
    for (size_t g = 0; g < group_score[c].size(); ++g) {
      const int col = glp_add_cols(lp, 3);
      first_col[c].push_back(col);
      heuristic.group_first_col.push_back(col);
      for (int k = 0; k < 3; ++k) {
        glp_set_col_kind(lp, col + k, GLP_BV);
        const double var = group_score[c][g] / (Levels(kChoices[k]) * Levels(kChoices[k]));
        glp_set_obj_coef(lp, col + k, v_weight * var);
      }
      // sum_k x = 1
      const int row = glp_add_rows(lp, 1);
      glp_set_row_bnds(lp, row, GLP_FX, 1.0, 1.0);
      int idx[4] = {0, col, col + 1, col + 2};
      double val[4] = {0, 1, 1, 1};
      glp_set_mat_row(lp, row, 3, idx, val);
    }
  }
  std::vector<int> z_col(static_cast<size_t>(options.num_ranks), 0);
  for (const ChannelTraffic& ch : channels) {
    int& z = z_col[static_cast<size_t>(RoundOf(ch, options))];
    if (z != 0) continue;
    z = glp_add_cols(lp, 1);
    glp_set_col_bnds(lp, z, GLP_FR, 0, 0);
    glp_set_obj_coef(lp, z, t_weight);
  }
  // Per channel: (alpha + beta * bytes(x)) / t_unit - Z_round <= 0.
  for (size_t c = 0; c < channels.size(); ++c) {
    const ChannelTraffic& ch = channels[c];
    const double n = static_cast<double>(ch.variance_scores.size());
    const double fixed = static_cast<double>(kQuantHeaderBytes) + n * kQuantRowMetaBytes;
    std::vector<int> idx(1, 0);
    std::vector<double> val(1, 0.0);
    for (size_t g = 0; g < group_score[c].size(); ++g) {
      for (int k = 0; k < 3; ++k) {
        const double bytes =
            group_count[c][g] * static_cast<double>(RowCodeBytes(ch.dim, kChoices[k]));
        idx.push_back(first_col[c][g] + k);
        val.push_back(ch.time.beta * bytes / t_unit);
      }
    }
    heuristic.channels.push_back({z_col[static_cast<size_t>(RoundOf(ch, options))],
                                  ch.time.Seconds(fixed) / t_unit,
                                  std::vector<int>(idx.begin() + 1, idx.end()),
                                  std::vector<double>(val.begin() + 1, val.end())});
    idx.push_back(z_col[static_cast<size_t>(RoundOf(ch, options))]);
    val.push_back(-1.0);
    const int row = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, row, GLP_UP, 0, -ch.time.Seconds(fixed) / t_unit);
    glp_set_mat_row(lp, row, static_cast<int>(idx.size()) - 1, idx.data(), val.data());
  }

  heuristic.num_cols = glp_get_num_cols(lp);
  // The LP relaxation first: intopt then runs without its presolver, so that the heuristic
  // callback sees the columns as built here.
  const int time_limit_ms = static_cast<int>(std::min(options.time_limit_seconds * 1000.0, 2.0e9));
  glp_smcp smcp;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  smcp.presolve = GLP_ON;
  smcp.tm_lim = time_limit_ms;
  int ret = glp_simplex(lp, &smcp);
  int status = 0;
  if (ret == 0 && glp_get_status(lp) == GLP_OPT) {
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.mip_gap = options.mip_gap;
    parm.tm_lim = time_limit_ms;
    parm.cb_func = RoundingHeuristic;
    parm.cb_info = &heuristic;
    ret = glp_intopt(lp, &parm);
    status = glp_mip_status(lp);
  }
  // GLP_EMIPGAP: stopped at the requested gap; GLP_ETMLIM: at the time limit (best incumbent).
  const bool solved = (ret == 0 || ret == GLP_EMIPGAP || ret == GLP_ETMLIM) &&
                      (status == GLP_OPT || status == GLP_FEAS);
  std::vector<std::vector<uint8_t>> bits(channels.size());
  std::vector<std::vector<uint8_t>> group_bits(channels.size());
  if (solved) {
    for (size_t c = 0; c < channels.size(); ++c) {
      for (size_t g = 0; g < group_score[c].size(); ++g) {
        int best = 0;
        for (int k = 1; k < 3; ++k) {
          if (glp_mip_col_val(lp, first_col[c][g] + k) >
              glp_mip_col_val(lp, first_col[c][g] + best)) {
            best = k;
          }
        }
        group_bits[c].push_back(static_cast<uint8_t>(kChoices[best]));
      }
      bits[c].resize(channels[c].variance_scores.size());
      for (size_t v = 0; v < bits[c].size(); ++v) {
        bits[c][v] = group_bits[c][static_cast<size_t>(group_of[c][v])];
      }
    }
  }
  glp_delete_prob(lp);
  // GLPK keeps an environment per thread (thread-local in Debian's build); ranks run as threads
  // that end, so free it here or each one leaks it (LeakSanitizer). The next solve makes a new one.
  glp_free_env();
  if (!solved) {
    return Status::FailedPrecondition(
        "bit assignment: GLPK found no integer solution (glp_intopt "
        "returned " +
        std::to_string(ret) + ", status " + std::to_string(status) + ")");
  }

  SG_ASSIGN_OR_RETURN(BitAssignment result, EvaluateAssignment(channels, bits, options));
  for (size_t c = 0; c < channels.size(); ++c) {
    result.channels[c].group_of = std::move(group_of[c]);
    result.channels[c].group_scores = std::move(group_score[c]);
    result.channels[c].group_bits = std::move(group_bits[c]);
  }
  return result;
#endif
}

}  // namespace streamgnn::comm
