// Tests for comm/bit_assignment.h: the least-squares time model, grouping, aggregation weights
// against a direct computation on the global graph, and the GLPK MILP against brute force.
#include "comm/bit_assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "comm/quantize.h"
#include "core/rng.h"

namespace streamgnn::comm {
namespace {

constexpr int kChoices[3] = {2, 4, 8};

TEST(TimeModel, ExactSamplesGiveExactFit) {
  const std::vector<double> bytes = {1e3, 1e4, 1e5, 1e6, 4e6};
  std::vector<double> secs;
  for (double b : bytes) secs.push_back(30e-6 + b / 12e9);
  auto fit = FitLinearTimeModel(Span<const double>(bytes), Span<const double>(secs));
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->alpha, 30e-6, 1e-15);
  EXPECT_NEAR(fit->beta, 1 / 12e9, 1e-22);
}

// With Gaussian noise of sd sigma, OLS estimates have standard errors
// se(beta) = sigma / sqrt(Sxx) and se(alpha) = sigma * sqrt(1/n + mean^2 / Sxx).
TEST(TimeModel, NoisySamplesRecoverAlphaBetaWithinStandardErrors) {
  const double alpha = 50e-6, beta = 1 / 5e9, sigma = 20e-6;
  core::RngStream rng(3, 0, 0);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> bytes, secs;
    for (int i = 0; i < 200; ++i) {
      const double b = 1e4 + static_cast<double>(rng.Below(8'000'000));
      // Box-Muller.
      const double u1 = 1 - rng.Uniform(), u2 = rng.Uniform();
      const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
      bytes.push_back(b);
      secs.push_back(alpha + beta * b + sigma * z);
    }
    const double n = static_cast<double>(bytes.size());
    const double mean = std::accumulate(bytes.begin(), bytes.end(), 0.0) / n;
    double sxx = 0;
    for (double b : bytes) sxx += (b - mean) * (b - mean);
    auto fit = FitLinearTimeModel(Span<const double>(bytes), Span<const double>(secs));
    ASSERT_TRUE(fit.ok());
    EXPECT_NEAR(fit->beta, beta, 5 * sigma / std::sqrt(sxx));
    EXPECT_NEAR(fit->alpha, alpha, 5 * sigma * std::sqrt(1 / n + mean * mean / sxx));
  }
}

TEST(TimeModel, BadSamplesAreErrors) {
  const std::vector<double> one = {1.0}, two = {1.0, 2.0}, same = {5.0, 5.0, 5.0},
                            three = {1.0, 2.0, 3.0};
  const std::vector<double> nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(FitLinearTimeModel(Span<const double>(one), Span<const double>(one)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FitLinearTimeModel(Span<const double>(two), Span<const double>(three)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FitLinearTimeModel(Span<const double>(same), Span<const double>(three)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FitLinearTimeModel(Span<const double>(two), Span<const double>(nan)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Grouping, SortedByScoreInGroupsOfGroupSize) {
  core::RngStream rng(8, 0, 0);
  std::vector<double> scores(23);
  for (auto& s : scores) s = rng.Uniform();
  BitAssignmentOptions o;
  o.group_size = 5;
  auto groups = GroupMessages(Span<const double>(scores), o);
  ASSERT_TRUE(groups.ok());
  std::vector<int64_t> count(5, 0);
  for (size_t i = 0; i < scores.size(); ++i) {
    ASSERT_LT((*groups)[i], 5);
    ++count[static_cast<size_t>((*groups)[i])];
    for (size_t j = 0; j < scores.size(); ++j) {
      // A lower group index never holds a smaller score.
      if ((*groups)[i] < (*groups)[j]) {
        EXPECT_GE(scores[i], scores[j]);
      }
    }
  }
  EXPECT_EQ(count, (std::vector<int64_t>{5, 5, 5, 5, 3}));
  o.max_groups_per_channel = 3;  // 23 messages in 3 near-equal groups
  groups = GroupMessages(Span<const double>(scores), o);
  ASSERT_TRUE(groups.ok());
  std::vector<int64_t> capped(3, 0);
  for (int64_t g : *groups) ++capped[static_cast<size_t>(g)];
  EXPECT_LE(*std::max_element(capped.begin(), capped.end()) -
                *std::min_element(capped.begin(), capped.end()),
            1);
}

TEST(VarianceModel, ScoreAndRanges) {
  EXPECT_DOUBLE_EQ(MessageVarianceScore(0.5, 12, 2.0), 0.25 * 12 * 4 / 6);
  // Rows: bf16-exact min; constant; bf16-exact min; min 0.1 (not a bf16 value: the grid starts
  // at bf16_down(0.1) = 0.099609375).
  const std::vector<float> data = {1, -2, 3, 0.3f, 0.3f, 0.3f, 5, 5.5f, 4, 0.1f, 1.5f, 0.7f};
  auto ranges = RowRanges(Span<const float>(data), 3);
  ASSERT_TRUE(ranges.ok());
  EXPECT_EQ(*ranges, (std::vector<double>{5, 0, 1.5, 1.5 - 0.099609375}));
  EXPECT_FALSE(RowRanges(Span<const float>(data), 5).ok());  // 12 floats: not rows of 5
  EXPECT_FALSE(RowRanges(Span<const float>(data), 0).ok());
}

// a_v computed straight from the global graph: the sum of w(v -> u) over u owned by q with v an
// in-neighbour of u, for every v owned by p.
TEST(VarianceModel, AggregationWeightsMatchGlobalGraph) {
  constexpr int64_t kNodes = 40;
  core::RngStream rng(21, 0, 0);
  std::vector<NodeId> src, dst;
  for (int i = 0; i < 150; ++i) {
    src.push_back(static_cast<NodeId>(rng.Below(kNodes)));
    dst.push_back(static_cast<NodeId>(rng.Below(kNodes)));
  }
  graph::CsrBuildOptions bo;
  bo.symmetrize = true;
  bo.add_self_loops = true;
  auto g = graph::CsrGraph::FromEdges(kNodes, Span<const NodeId>(src), Span<const NodeId>(dst), bo);
  ASSERT_TRUE(g.ok());
  std::vector<int64_t> owner(kNodes);
  for (int64_t v = 0; v < kNodes; ++v) owner[v] = static_cast<int64_t>(rng.Below(3));
  auto book = graph::PartitionBook::Build(*g, owner, 3);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  const std::vector<int64_t> out_deg = g->OutDegrees();
  for (Aggregation agg : {Aggregation::kGcn, Aggregation::kSageMean}) {
    for (int64_t p = 0; p < 3; ++p) {
      auto w = MessageAggregationWeights(*g, *book, p, agg);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      const graph::LocalPartition& part = book->partition(p);
      for (int64_t q = 0; q < 3; ++q) {
        if (q == p) continue;
        ASSERT_EQ((*w)[q].size(), part.send[q].size());
        for (size_t i = 0; i < part.send[q].size(); ++i) {
          const NodeId v = part.local_to_global[static_cast<size_t>(part.send[q][i])];
          double expected = 0;
          for (NodeId u = 0; u < kNodes; ++u) {
            if (owner[u] != q) continue;
            for (NodeId s : g->InNeighbors(u)) {
              if (s != v) continue;
              expected += agg == Aggregation::kGcn
                              ? 1 / std::sqrt(static_cast<double>(out_deg[v]) * g->InDegree(u))
                              : 1.0 / static_cast<double>(g->InDegree(u));
            }
          }
          EXPECT_NEAR((*w)[q][i], expected, 1e-12) << "v " << v << " -> part " << q;
          EXPECT_GT((*w)[q][i], 0);  // v is sent to q only if some u in q reads it
        }
      }
    }
  }
  EXPECT_FALSE(MessageAggregationWeights(*g, *book, 3, Aggregation::kGcn).ok());
}

// ---- MILP vs brute force ---------------------------------------------------------------------

struct Instance {
  std::vector<ChannelTraffic> channels;
  BitAssignmentOptions options;
};

// Random instance: `groups` groups of `group_size` messages per channel.
Instance MakeInstance(uint64_t seed, int num_ranks, const std::vector<std::pair<int, int>>& pairs,
                      int groups, TimeObjective objective, double lambda) {
  core::RngStream rng(seed, 1, 0);
  Instance inst;
  inst.options.group_size = 3;
  inst.options.mip_gap = 0;  // prove optimality: the result must equal the enumeration
  inst.options.num_ranks = num_ranks;
  inst.options.lambda = lambda;
  inst.options.time_objective = objective;
  for (auto [s, d] : pairs) {
    ChannelTraffic ch;
    ch.src = s;
    ch.dst = d;
    ch.dim = 16 + static_cast<int64_t>(rng.Below(300));
    // Scores spread over three decades so that groups differ in what they deserve.
    for (int i = 0; i < groups * inst.options.group_size; ++i) {
      ch.variance_scores.push_back(std::pow(10.0, 3 * rng.Uniform()));
    }
    ch.time.alpha = 1e-5 + 1e-4 * rng.Uniform();
    ch.time.beta = (0.5 + 2 * rng.Uniform()) * 1e-7;
    inst.channels.push_back(std::move(ch));
  }
  return inst;
}

// The objective of an assignment computed here from first principles (not via the library).
double ObjectiveByHand(const Instance& inst, const std::vector<std::vector<int>>& group_of,
                       const std::vector<std::vector<int>>& group_bits) {
  const auto& o = inst.options;
  auto variance = [&](auto bits_of) {
    double v = 0;
    for (size_t c = 0; c < inst.channels.size(); ++c) {
      const auto& ch = inst.channels[c];
      for (size_t m = 0; m < ch.variance_scores.size(); ++m) {
        const double l = (1 << bits_of(c, group_of[c][m])) - 1;
        v += ch.variance_scores[m] / (l * l);
      }
    }
    return v;
  };
  auto time = [&](auto bits_of) {
    std::vector<double> round_max(static_cast<size_t>(o.num_ranks), -1e300);
    for (size_t c = 0; c < inst.channels.size(); ++c) {
      const auto& ch = inst.channels[c];
      double bytes = 24 + 5.0 * static_cast<double>(ch.variance_scores.size());
      for (size_t m = 0; m < ch.variance_scores.size(); ++m) {
        bytes += static_cast<double>((ch.dim * bits_of(c, group_of[c][m]) + 7) / 8);
      }
      const int r =
          o.time_objective == TimeObjective::kMaxOverChannels
              ? 0
              : static_cast<int>(((ch.dst - ch.src) % o.num_ranks + o.num_ranks) % o.num_ranks);
      round_max[r] = std::max(round_max[r], ch.time.alpha + ch.time.beta * bytes);
    }
    double t = 0;
    for (double m : round_max) {
      if (m > -1e300) t += m;
    }
    return t;
  };
  auto chosen = [&](size_t c, int g) { return group_bits[c][g]; };
  auto all2 = [](size_t, int) { return 2; };
  auto all8 = [](size_t, int) { return 8; };
  const double v = variance(chosen), v_u = variance(all8), v_n = variance(all2);
  const double t = time(chosen), t_u = time(all2), t_n = time(all8);
  return o.lambda * (v - v_u) / (v_n - v_u) + (1 - o.lambda) * (t - t_u) / (t_n - t_u);
}

// Groups formed here: descending score, consecutive runs of group_size.
std::vector<std::vector<int>> GroupsByHand(const Instance& inst) {
  std::vector<std::vector<int>> out;
  for (const auto& ch : inst.channels) {
    std::vector<int> order(ch.variance_scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return ch.variance_scores[a] > ch.variance_scores[b]; });
    std::vector<int> g(order.size());
    for (size_t rank = 0; rank < order.size(); ++rank) {
      g[order[rank]] = static_cast<int>(rank) / static_cast<int>(inst.options.group_size);
    }
    out.push_back(g);
  }
  return out;
}

struct BruteForce {
  double best = 1e300, second = 1e300;
  std::vector<std::vector<int>> best_bits;
};

BruteForce SolveByEnumeration(const Instance& inst, const std::vector<std::vector<int>>& groups,
                              int groups_per_channel) {
  const size_t nc = inst.channels.size();
  const int total = static_cast<int>(nc) * groups_per_channel;
  int64_t combos = 1;
  for (int i = 0; i < total; ++i) combos *= 3;
  BruteForce bf;
  std::vector<std::vector<int>> bits(nc, std::vector<int>(groups_per_channel));
  for (int64_t code = 0; code < combos; ++code) {
    int64_t rest = code;
    for (size_t c = 0; c < nc; ++c) {
      for (int g = 0; g < groups_per_channel; ++g) {
        bits[c][g] = kChoices[rest % 3];
        rest /= 3;
      }
    }
    const double obj = ObjectiveByHand(inst, groups, bits);
    if (obj < bf.best) {
      bf.second = bf.best;
      bf.best = obj;
      bf.best_bits = bits;
    } else if (obj < bf.second) {
      bf.second = obj;
    }
  }
  return bf;
}

TEST(AssignBits, UnimplementedWithoutGlpk) {
  if (BitAssignmentAvailable()) GTEST_SKIP() << "built with GLPK";
  const Instance inst = MakeInstance(1, 2, {{0, 1}}, 2, TimeObjective::kSumOfRoundMaxima, 0.5);
  EXPECT_EQ(AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options).status().code(),
            StatusCode::kUnimplemented);
}

TEST(AssignBits, MatchesBruteForceOnSmallInstances) {
  if (!BitAssignmentAvailable()) GTEST_SKIP() << "built without GLPK (libglpk-dev)";
  struct Case {
    int num_ranks;
    std::vector<std::pair<int, int>> pairs;
    int groups;
    TimeObjective objective;
  };
  const Case cases[] = {
      {2, {{0, 1}, {1, 0}}, 4, TimeObjective::kSumOfRoundMaxima},
      {3, {{0, 1}, {1, 2}, {2, 0}}, 3, TimeObjective::kSumOfRoundMaxima},  // one round
      {3, {{0, 1}, {0, 2}, {2, 1}}, 3, TimeObjective::kSumOfRoundMaxima},  // rounds 1, 2, 2
      {3, {{0, 1}, {0, 2}, {1, 0}}, 2, TimeObjective::kMaxOverChannels},
      {4, {{0, 1}, {3, 1}}, 4, TimeObjective::kSumOfRoundMaxima},
  };
  int checked = 0, unique = 0;
  for (const Case& c : cases) {
    for (double lambda : {0.2, 0.5, 0.8}) {
      for (uint64_t seed = 0; seed < 3; ++seed) {
        SCOPED_TRACE(testing::Message()
                     << "ranks " << c.num_ranks << " lambda " << lambda << " seed " << seed);
        const Instance inst =
            MakeInstance(seed * 100 + checked, c.num_ranks, c.pairs, c.groups, c.objective, lambda);
        auto got = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        const auto groups = GroupsByHand(inst);
        const BruteForce bf = SolveByEnumeration(inst, groups, c.groups);
        std::vector<std::vector<int>> got_bits;
        for (size_t ch = 0; ch < inst.channels.size(); ++ch) {
          ASSERT_EQ(got->channels[ch].group_of.size(), groups[ch].size());
          for (size_t m = 0; m < groups[ch].size(); ++m) {
            EXPECT_EQ(got->channels[ch].group_of[m], groups[ch][m]);
            EXPECT_EQ(got->channels[ch].bits[m],
                      got->channels[ch].group_bits[static_cast<size_t>(groups[ch][m])]);
          }
          got_bits.emplace_back(got->channels[ch].group_bits.begin(),
                                got->channels[ch].group_bits.end());
        }
        const double by_hand = ObjectiveByHand(inst, groups, got_bits);
        EXPECT_NEAR(by_hand, got->objective, 1e-9);
        EXPECT_NEAR(by_hand, bf.best, 1e-7) << "MILP is not optimal";
        if (bf.second - bf.best > 1e-6) {
          ++unique;
          EXPECT_EQ(got_bits, bf.best_bits);
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 45);
  EXPECT_GT(unique, 30);  // most random instances have a unique optimum: the check has teeth
}

TEST(AssignBits, LambdaExtremesPickExtremeWidths) {
  if (!BitAssignmentAvailable()) GTEST_SKIP() << "built without GLPK (libglpk-dev)";
  Instance inst =
      MakeInstance(9, 3, {{0, 1}, {1, 2}, {2, 0}}, 4, TimeObjective::kSumOfRoundMaxima, 1.0);
  auto all_var = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(all_var.ok());
  for (const auto& ch : all_var->channels) {
    for (uint8_t b : ch.bits) EXPECT_EQ(b, 8);
  }
  inst.options.lambda = 0.0;
  auto all_time = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(all_time.ok());
  // Only the slowest channel of each round pays; every channel at 2 bits is one optimum, and
  // the reported time must equal that of all 2 bits.
  std::vector<std::vector<uint8_t>> twos;
  for (const auto& ch : inst.channels) twos.emplace_back(ch.variance_scores.size(), 2);
  auto ref = EvaluateAssignment(Span<const ChannelTraffic>(inst.channels), twos, inst.options);
  ASSERT_TRUE(ref.ok());
  EXPECT_NEAR(all_time->time_seconds, ref->time_seconds, 1e-12);
  EXPECT_NEAR(all_time->objective, 0.0, 1e-9);
}

// A realistic size with the default options (gap 1e-3, group cap): solves, groups are capped,
// and the result is no worse than any uniform width (each is a feasible point of the MILP).
TEST(AssignBits, DefaultOptionsOnAThousandGroupsBeatUniformWidths) {
  if (!BitAssignmentAvailable()) GTEST_SKIP() << "built without GLPK (libglpk-dev)";
  Instance inst = MakeInstance(12, 3, {{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}}, 170,
                               TimeObjective::kSumOfRoundMaxima, 0.5);
  inst.options = BitAssignmentOptions{};
  inst.options.num_ranks = 3;
  inst.options.group_size = 3;  // 170 groups of 3 per channel, under the default cap of 256
  auto got = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (const auto& ch : got->channels) EXPECT_EQ(ch.group_bits.size(), 170u);
  for (int b : kChoices) {
    std::vector<std::vector<uint8_t>> uniform;
    for (const auto& ch : inst.channels) uniform.emplace_back(ch.variance_scores.size(), b);
    auto ref = EvaluateAssignment(Span<const ChannelTraffic>(inst.channels), uniform, inst.options);
    ASSERT_TRUE(ref.ok());
    EXPECT_LT(got->objective, ref->objective) << "uniform " << b << " bits";
  }
  inst.options.max_groups_per_channel = 40;
  got = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (const auto& ch : got->channels) EXPECT_EQ(ch.group_bits.size(), 40u);
}

TEST(AssignBits, ChannelsWithoutMessagesStillCostTheirLatency) {
  if (!BitAssignmentAvailable()) GTEST_SKIP() << "built without GLPK (libglpk-dev)";
  Instance inst = MakeInstance(4, 2, {{0, 1}, {1, 0}}, 2, TimeObjective::kSumOfRoundMaxima, 0.5);
  inst.channels[1].variance_scores.clear();
  inst.channels[1].time.alpha = 1.0;  // an empty send that dominates the round
  auto got = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->channels[1].bits.empty());
  // Its header-only send (24 bytes) sets the round's time, so channel 0 is free to use 8 bits.
  EXPECT_NEAR(got->time_seconds, 1.0 + inst.channels[1].time.beta * 24, 1e-12);
  for (uint8_t b : got->channels[0].bits) EXPECT_EQ(b, 8);
  inst.channels[0].variance_scores.clear();
  got = AssignBits(Span<const ChannelTraffic>(inst.channels), inst.options);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->variance, 0.0);
}

TEST(AssignBits, BadInputIsAnError) {
  Instance inst = MakeInstance(2, 2, {{0, 1}}, 2, TimeObjective::kSumOfRoundMaxima, 0.5);
  auto code_of = [&](const Instance& i) {
    return AssignBits(Span<const ChannelTraffic>(i.channels), i.options).status().code();
  };
  const StatusCode expected =
      BitAssignmentAvailable() ? StatusCode::kInvalidArgument : StatusCode::kUnimplemented;
  Instance bad = inst;
  bad.options.lambda = 1.5;
  EXPECT_EQ(code_of(bad), expected);
  bad = inst;
  bad.channels[0].dst = 0;  // self channel
  EXPECT_EQ(code_of(bad), expected);
  bad = inst;
  bad.channels[0].dst = 2;  // beyond num_ranks
  EXPECT_EQ(code_of(bad), expected);
  bad = inst;
  bad.channels[0].time.beta = -1e-9;
  EXPECT_EQ(code_of(bad), expected);
  bad = inst;
  bad.channels[0].variance_scores[0] = -1;
  EXPECT_EQ(code_of(bad), expected);
  bad = inst;
  bad.options.group_size = 0;
  EXPECT_EQ(code_of(bad), expected);
}

}  // namespace
}  // namespace streamgnn::comm
