// Synthetic generators: determinism (seed, thread count), shape, skew, and the planted signal.
#include "datasets/synthetic.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::ExpectSameDataset;

SyntheticOptions SmallOptions() {
  SyntheticOptions o;
  o.num_nodes = 2000;
  o.num_edges = 40000;
  o.num_communities = 10;
  o.node_feat_dim = 8;
  o.edge_feat_dim = 4;
  o.seed = 7;
  return o;
}

TemporalDataset Generate(const SyntheticOptions& o) {
  StatusOr<TemporalDataset> ds = GenerateSynthetic(o);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return ds.ok() ? std::move(ds).value() : TemporalDataset();
}

// Fraction of events whose destination already appeared as a destination of the same source.
double RepeatRate(const TemporalDataset& ds) {
  std::unordered_set<uint64_t> seen;
  int64_t repeats = 0;
  for (int64_t i = 0; i < ds.num_events(); ++i) {
    const uint64_t key = static_cast<uint64_t>(ds.src[i]) * 1000003u + ds.dst[i];
    repeats += !seen.insert(key).second;
  }
  return static_cast<double>(repeats) / ds.num_events();
}

// Nodes are in the same community iff their node features are close (the features are the
// community embedding plus small noise when feat_noise is small).
double SameCommunityRate(const TemporalDataset& ds) {
  const int64_t d = ds.node_feat_dim;
  int64_t same = 0;
  for (int64_t i = 0; i < ds.num_events(); ++i) {
    double dist = 0;
    for (int64_t k = 0; k < d; ++k) {
      const double diff = ds.node_feat[ds.src[i] * d + k] - ds.node_feat[ds.dst[i] * d + k];
      dist += diff * diff;
    }
    same += dist < 0.5;
  }
  return static_cast<double>(same) / ds.num_events();
}

TEST(Synthetic, SameSeedSameDataDifferentSeedDiffers) {
  const SyntheticOptions o = SmallOptions();
  const TemporalDataset a = Generate(o), b = Generate(o);
  ExpectSameDataset(a, b);
  SyntheticOptions other = o;
  other.seed = 8;
  const TemporalDataset c = Generate(other);
  EXPECT_NE(a.src, c.src);
  EXPECT_NE(a.node_feat, c.node_feat);
}

TEST(Synthetic, IndependentOfThreadCount) {
  const SyntheticOptions o = SmallOptions();
  const TemporalDataset parallel = Generate(o);
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  ExpectSameDataset(parallel, Generate(o));
}

TEST(Synthetic, ShapeAndInvariants) {
  const SyntheticOptions o = SmallOptions();
  const TemporalDataset ds = Generate(o);
  EXPECT_TRUE(Validate(ds).ok()) << Validate(ds).ToString();
  EXPECT_EQ(ds.name, "synthetic");
  EXPECT_EQ(ds.num_nodes, o.num_nodes);
  EXPECT_EQ(ds.num_events(), o.num_edges);
  EXPECT_EQ(ds.node_feat.size(), static_cast<size_t>(o.num_nodes * o.node_feat_dim));
  EXPECT_EQ(ds.edge_feat.size(), static_cast<size_t>(o.num_edges * o.edge_feat_dim));
  for (int64_t i = 0; i < ds.num_events(); ++i) {
    ASSERT_NE(ds.src[i], ds.dst[i]) << "self-loop at " << i;
    if (i > 0) {
      ASSERT_LT(ds.ts[i - 1], ds.ts[i]) << "times must strictly increase";
    }
  }
  // Poisson arrivals with mean gap 1: the last time is close to the number of events.
  EXPECT_NEAR(ds.ts.back() / o.num_edges, 1.0, 0.05);
}

TEST(Synthetic, DegreeIsSkewed) {
  const TemporalDataset ds = Generate(SmallOptions());
  std::vector<int64_t> degree(ds.num_nodes, 0);
  for (int64_t i = 0; i < ds.num_events(); ++i) {
    ++degree[ds.src[i]];
    ++degree[ds.dst[i]];
  }
  std::sort(degree.rbegin(), degree.rend());
  const int64_t top = ds.num_nodes / 100;  // top 1 % of nodes
  int64_t top_sum = 0;
  for (int64_t k = 0; k < top; ++k) top_sum += degree[k];
  const double share = static_cast<double>(top_sum) / (2.0 * ds.num_events());
  EXPECT_GT(share, 0.15) << "top 1% of nodes should hold far more than 1% of the endpoints";
  EXPECT_GT(degree[0], 20 * (2 * ds.num_events() / ds.num_nodes));
}

TEST(Synthetic, PlantedRecencyAndCommunitySignal) {
  SyntheticOptions planted = SmallOptions();
  planted.feat_noise = 0.05;
  SyntheticOptions popularity_only = planted;
  popularity_only.p_recent = 0;
  popularity_only.p_community = 0;
  const TemporalDataset a = Generate(planted), b = Generate(popularity_only);
  const double repeat_planted = RepeatRate(a), repeat_base = RepeatRate(b);
  const double same_planted = SameCommunityRate(a), same_base = SameCommunityRate(b);
  // p_recent = 0.5 alone makes at least half the events repeats.
  EXPECT_GT(repeat_planted, 0.6);
  EXPECT_GT(repeat_planted, repeat_base + 0.2);
  // 10 communities: about 10 % of popularity-only links stay inside one; planted ones far more.
  EXPECT_LT(same_base, 0.2);
  EXPECT_GT(same_planted, 0.6);
}

TEST(Synthetic, EdgeFeaturesDependOnCommunities) {
  SyntheticOptions o = SmallOptions();
  o.feat_noise = 0.0;
  const TemporalDataset ds = Generate(o);
  // Without noise, events between the same (src, dst) pair carry identical features.
  std::unordered_map<uint64_t, int64_t> first;
  int64_t checked = 0;
  for (int64_t i = 0; i < ds.num_events() && checked < 1000; ++i) {
    const uint64_t key = static_cast<uint64_t>(ds.src[i]) * 1000003u + ds.dst[i];
    auto [it, inserted] = first.emplace(key, i);
    if (inserted) continue;
    ++checked;
    for (int64_t k = 0; k < ds.edge_feat_dim; ++k) {
      ASSERT_EQ(ds.edge_feat[i * ds.edge_feat_dim + k],
                ds.edge_feat[it->second * ds.edge_feat_dim + k]);
    }
  }
  EXPECT_EQ(checked, 1000);
}

TEST(Synthetic, Bipartite) {
  SyntheticOptions o = SmallOptions();
  o.num_users = 1500;
  const TemporalDataset ds = Generate(o);
  EXPECT_EQ(ds.num_users, 1500);
  for (int64_t i = 0; i < ds.num_events(); ++i) {
    ASSERT_LT(ds.src[i], 1500);
    ASSERT_GE(ds.dst[i], 1500);
  }
  EXPECT_GT(RepeatRate(ds), 0.5);
}

TEST(Synthetic, RejectsBadOptions) {
  struct Case {
    const char* field;
    void (*mutate)(SyntheticOptions*);
  };
  const Case kCases[] = {
      {"num_nodes", [](SyntheticOptions* o) { o->num_nodes = 1; }},
      {"num_edges", [](SyntheticOptions* o) { o->num_edges = -1; }},
      {"num_users", [](SyntheticOptions* o) { o->num_users = o->num_nodes; }},
      {"num_communities", [](SyntheticOptions* o) { o->num_communities = 0; }},
      {"zipf_exponent", [](SyntheticOptions* o) { o->zipf_exponent = -1; }},
      {"p_recent + p_community", [](SyntheticOptions* o) { o->p_recent = o->p_community = 0.6; }},
      {"p_recent", [](SyntheticOptions* o) { o->p_recent = NAN; }},
      {"recent_window", [](SyntheticOptions* o) { o->recent_window = 0; }},
      {"mean_interarrival", [](SyntheticOptions* o) { o->mean_interarrival = 0; }},
      {"feature widths", [](SyntheticOptions* o) { o->edge_feat_dim = -2; }},
      {"feat_noise", [](SyntheticOptions* o) { o->feat_noise = INFINITY; }},
  };
  for (const Case& c : kCases) {
    SyntheticOptions o = SmallOptions();
    c.mutate(&o);
    auto ds = GenerateSynthetic(o);
    ASSERT_FALSE(ds.ok()) << c.field;
    EXPECT_EQ(ds.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(testing::Contains(ds.status().message(), c.field)) << ds.status().message();
  }
}

TEST(Synthetic, EdgeCases) {
  SyntheticOptions o;
  o.num_nodes = 2;
  o.num_edges = 100;
  o.num_communities = 5;
  o.zipf_exponent = 3;
  const TemporalDataset ds = Generate(o);
  for (int64_t i = 0; i < ds.num_events(); ++i) ASSERT_NE(ds.src[i], ds.dst[i]);
  o.num_edges = 0;
  EXPECT_EQ(Generate(o).num_events(), 0);
}

// ---- Zipf stream (W1) ------------------------------------------------------------------------

TEST(ZipfStream, ShapeTimesAndDeterminism) {
  const TemporalDataset a = GenerateZipfStream(5000, 100000, 1.1, 3);
  EXPECT_TRUE(Validate(a).ok());
  EXPECT_EQ(a.num_nodes, 5000);
  EXPECT_EQ(a.num_events(), 100000);
  EXPECT_TRUE(a.edge_feat.empty() && a.node_feat.empty() && a.labels.empty());
  for (int64_t i = 1; i < a.num_events(); ++i) ASSERT_LT(a.ts[i - 1], a.ts[i]);
  ExpectSameDataset(a, GenerateZipfStream(5000, 100000, 1.1, 3));
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    ExpectSameDataset(a, GenerateZipfStream(5000, 100000, 1.1, 3));
  }
  EXPECT_NE(a.src, GenerateZipfStream(5000, 100000, 1.1, 4).src);
}

TEST(ZipfStream, FrequenciesFollowZipfOverPermutedIds) {
  const int64_t n = 1000, m = 400000;
  const double s = 1.0;
  const TemporalDataset ds = GenerateZipfStream(n, m, s, 11);
  std::vector<int64_t> count(n, 0);
  for (int64_t i = 0; i < m; ++i) {
    ++count[ds.src[i]];
    ++count[ds.dst[i]];
  }
  std::vector<int64_t> sorted = count;
  std::sort(sorted.rbegin(), sorted.rend());
  double h = 0;
  for (int64_t r = 1; r <= n; ++r) h += std::pow(r, -s);
  // Rank r has probability r^-s / H; check the head within 5 %.
  for (int64_t r = 1; r <= 5; ++r) {
    const double expected = 2.0 * m * std::pow(r, -s) / h;
    EXPECT_NEAR(sorted[r - 1] / expected, 1.0, 0.05) << "rank " << r;
  }
  // The most popular id is decided by the permutation, not always id 0.
  std::set<NodeId> top_ids;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const TemporalDataset z = GenerateZipfStream(n, 20000, 1.5, seed);
    std::vector<int64_t> c(n, 0);
    for (NodeId v : z.src) ++c[v];
    top_ids.insert(std::max_element(c.begin(), c.end()) - c.begin());
  }
  EXPECT_GT(top_ids.size(), 1u);
}

TEST(ZipfStream, ExponentZeroIsUniform) {
  const TemporalDataset ds = GenerateZipfStream(100, 200000, 0.0, 5);
  std::vector<int64_t> count(100, 0);
  for (NodeId v : ds.src) ++count[v];
  const auto [mn, mx] = std::minmax_element(count.begin(), count.end());
  EXPECT_GT(*mn, 1800);  // expected 2000 each
  EXPECT_LT(*mx, 2200);
}

}  // namespace
}  // namespace streamgnn::datasets
