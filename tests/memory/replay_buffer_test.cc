// Replay selections against brute-force references (coverage, mean) and against their
// distribution (random, reservoir: every node kept with probability budget / class size).
#include "memory/replay_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

namespace streamgnn::memory {
namespace {

struct Candidates {
  std::vector<NodeId> ids;
  std::vector<int64_t> classes;
  std::vector<float> rows;
  int64_t dim = 3;
};

Candidates Random(int n, int classes, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0, 0.4f);
  Candidates c;
  for (int i = 0; i < n; ++i) {
    c.ids.push_back(100 + 7 * i);
    c.classes.push_back(static_cast<int64_t>(gen() % classes));
    for (int k = 0; k < c.dim; ++k) c.rows.push_back(normal(gen) + 0.3f * static_cast<float>(c.classes.back()));
  }
  return c;
}

// Per class ascending, the `budget` ids with the smallest score (ties: lower id).
std::vector<NodeId> Reference(const Candidates& c, const std::vector<double>& score, int64_t budget) {
  std::map<int64_t, std::vector<std::pair<double, NodeId>>> by_class;
  for (size_t i = 0; i < c.ids.size(); ++i) by_class[c.classes[i]].push_back({score[i], c.ids[i]});
  std::vector<NodeId> out;
  for (auto& [cls, v] : by_class) {
    std::sort(v.begin(), v.end());
    for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < budget; ++i) out.push_back(v[i].second);
  }
  return out;
}

double Distance(const Candidates& c, size_t i, size_t j) {
  double s = 0;
  for (int64_t k = 0; k < c.dim; ++k) s += std::pow(c.rows[i * c.dim + k] - c.rows[j * c.dim + k], 2);
  return std::sqrt(s);
}

// Coverage of every candidate within `radius`, by a double loop.
std::vector<double> CoverageReference(const Candidates& c, double radius) {
  std::vector<double> coverage(c.ids.size(), 0);
  for (size_t i = 0; i < c.ids.size(); ++i) {
    for (size_t j = 0; j < c.ids.size(); ++j) {
      if (c.classes[j] != c.classes[i] && Distance(c, i, j) < radius) ++coverage[i];
    }
  }
  return coverage;
}

double MedianReference(const Candidates& c) {
  std::vector<double> d;
  for (size_t i = 0; i < c.ids.size(); ++i) {
    for (size_t j = i + 1; j < c.ids.size(); ++j) d.push_back(Distance(c, i, j));
  }
  std::sort(d.begin(), d.end());
  return d[d.size() / 2];
}

TEST(SelectReplay, CoverageKeepsTheNodesFewestOtherClassNodesSurround) {
  const Candidates c = Random(60, 3, 1);
  ReplaySelectOptions o;
  o.selection = ReplaySelection::kCoverage;
  o.per_class_budget = 4;
  o.coverage_scale = CoverageScale::kAbsolute;
  const auto kept = SelectReplay(c.ids, c.classes, c.rows, c.dim, o);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, Reference(c, CoverageReference(c, 0.5), 4));
  EXPECT_EQ(kept->size(), 12u);
  // The default radius: 0.5 times the median pairwise distance.
  o.coverage_scale = CoverageScale::kMedianDistance;
  EXPECT_EQ(*SelectReplay(c.ids, c.classes, c.rows, c.dim, o),
            Reference(c, CoverageReference(c, 0.5 * MedianReference(c)), 4));
}

TEST(SelectReplay, MedianScaledCoverageIgnoresTheRowsScale) {
  Candidates c = Random(80, 4, 5);
  ReplaySelectOptions o;
  o.selection = ReplaySelection::kCoverage;
  o.per_class_budget = 5;
  const auto before = *SelectReplay(c.ids, c.classes, c.rows, c.dim, o);
  for (float& x : c.rows) x *= 0.01f;  // as row normalisation shrinks bag-of-words rows
  EXPECT_EQ(*SelectReplay(c.ids, c.classes, c.rows, c.dim, o), before);
  // An absolute radius of 0.5 now covers every node: all coverages tie, lowest ids win.
  o.coverage_scale = CoverageScale::kAbsolute;
  std::vector<double> all_tie(c.ids.size(), 0);
  EXPECT_EQ(*SelectReplay(c.ids, c.classes, c.rows, c.dim, o), Reference(c, all_tie, 5));
}

TEST(MedianPairDistance, ExactOnFewRowsAndCloseOnSampledPairs) {
  const Candidates small = Random(100, 2, 6);  // 4,950 pairs: every pair
  EXPECT_DOUBLE_EQ(MedianPairDistance(small.rows, small.dim, 0), MedianReference(small));
  const Candidates big = Random(1000, 2, 7);  // 499,500 pairs: kMedianPairs drawn
  const double exact = MedianReference(big);
  const double sampled = MedianPairDistance(big.rows, big.dim, 3);
  EXPECT_NEAR(sampled, exact, 0.01 * exact);
  EXPECT_EQ(sampled, MedianPairDistance(big.rows, big.dim, 3));  // seeded
  EXPECT_EQ(MedianPairDistance(std::vector<float>{1, 2, 3}, 3, 0), 0);
}

TEST(SelectReplay, MeanKeepsTheNodesClosestToTheirClassMean) {
  const Candidates c = Random(50, 4, 2);
  std::vector<double> dist(c.ids.size());
  for (size_t i = 0; i < c.ids.size(); ++i) {
    std::vector<double> mean(c.dim, 0);
    int members = 0;
    for (size_t j = 0; j < c.ids.size(); ++j) {
      if (c.classes[j] != c.classes[i]) continue;
      ++members;
      for (int64_t k = 0; k < c.dim; ++k) mean[k] += c.rows[j * c.dim + k];
    }
    double s = 0;
    for (int64_t k = 0; k < c.dim; ++k) s += std::pow(c.rows[i * c.dim + k] - mean[k] / members, 2);
    dist[i] = s;
  }
  ReplaySelectOptions o;
  o.selection = ReplaySelection::kMean;
  o.per_class_budget = 3;
  EXPECT_EQ(*SelectReplay(c.ids, c.classes, c.rows, c.dim, o), Reference(c, dist, 3));
}

// Every node of a class of 10 is kept with probability 3 / 10, whatever its position.
void ExpectUniform(ReplaySelection selection) {
  std::vector<NodeId> ids(10);
  for (int i = 0; i < 10; ++i) ids[i] = 40 + i;
  const std::vector<int64_t> classes(10, 2);
  std::map<NodeId, int> kept_count;
  const int trials = 4000;
  for (int s = 0; s < trials; ++s) {
    ReplaySelectOptions o;
    o.selection = selection;
    o.per_class_budget = 3;
    o.seed = static_cast<uint64_t>(s);
    const auto kept = *SelectReplay(ids, classes, {}, 0, o);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(std::set<NodeId>(kept.begin(), kept.end()).size(), 3u);
    for (const NodeId v : kept) ++kept_count[v];
  }
  for (const NodeId v : ids) {
    // Binomial(4000, 0.3): std 29; 5 std.
    EXPECT_NEAR(kept_count[v], 0.3 * trials, 145) << "node " << v;
  }
}

TEST(SelectReplay, RandomIsUniform) { ExpectUniform(ReplaySelection::kRandom); }
TEST(SelectReplay, ReservoirIsUniform) { ExpectUniform(ReplaySelection::kReservoir); }

TEST(SelectReplay, SmallClassesKeepEverything) {
  const Candidates c = Random(8, 2, 3);
  for (const auto sel : {ReplaySelection::kRandom, ReplaySelection::kReservoir,
                         ReplaySelection::kCoverage, ReplaySelection::kMean}) {
    ReplaySelectOptions o;
    o.selection = sel;
    o.per_class_budget = 100;
    auto kept = *SelectReplay(c.ids, c.classes, c.rows, c.dim, o);
    std::sort(kept.begin(), kept.end());
    EXPECT_EQ(kept, c.ids);
  }
}

TEST(SelectReplay, BadInputIsRefused) {
  const Candidates c = Random(8, 2, 4);
  ReplaySelectOptions o;
  o.selection = ReplaySelection::kCoverage;
  auto r = SelectReplay(c.ids, c.classes, {}, c.dim, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("need one row"), std::string::npos) << r.status().message();
  const std::vector<int64_t> fewer(3, 0);
  EXPECT_FALSE(SelectReplay(c.ids, fewer, c.rows, c.dim, o).ok());
  std::vector<int64_t> unlabelled = c.classes;
  unlabelled[2] = -1;
  EXPECT_FALSE(SelectReplay(c.ids, unlabelled, c.rows, c.dim, o).ok());
  o.per_class_budget = -1;
  EXPECT_FALSE(SelectReplay(c.ids, c.classes, c.rows, c.dim, o).ok());
}

TEST(ReplayBuffer, KeepsNodesWithTheirTask) {
  ReplayBuffer b;
  const std::vector<NodeId> first = {3, 1}, second = {9};
  b.Add(0, first);
  b.Add(1, second);
  EXPECT_EQ(b.nodes(), (std::vector<NodeId>{3, 1, 9}));
  EXPECT_EQ(b.tasks(), (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(b.size(), 3);
}

}  // namespace
}  // namespace streamgnn::memory
