// Experience replay for graph continual learning (issue 20; ../shared/PAPERS.md section 6a):
// when a task ends, a per-class budget of its training nodes is kept and replayed with every
// later task. The selections, as ER-GNN (Zhou & Cao 2021) defines them and SEA-ER runs them:
//
//   random     `budget` nodes of each class, uniformly without replacement (Philox, seeded)
//   reservoir  Algorithm R over each class's nodes in the order given (the order training
//              presented them): the first `budget` fill the buffer, node k (0-based) then
//              replaces a uniform slot with probability budget / (k + 1); a uniform sample of
//              a stream whose length is not known in advance
//   coverage   coverage maximisation (ER-GNN's CM): a node's coverage is the number of nodes of
//              *other* classes within a radius of its row (Euclidean); each class keeps the
//              `budget` nodes with the least (ties: the lower id). The rows are features (CM)
//              or the model's representations (ER-GNN's CM in embedding space). The radius is
//              `coverage_distance` times the median distance between two candidates
//              (kMedianDistance, the default) or `coverage_distance` itself (kAbsolute,
//              ER-GNN's). An absolute radius depends on the rows' scale: on row-normalised
//              bag-of-words features (cora: every row within 0.33 of every other) ER-GNN's 0.5
//              covers every node, every coverage ties and the pick is just the lowest ids.
//   mean       each class keeps the `budget` nodes whose rows are closest to the class's mean
//              row (ER-GNN's mean of features, MF)
//
// A class with at most `budget` candidates keeps them all. LibTorch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"

namespace streamgnn::memory {

enum class ReplaySelection { kRandom, kReservoir, kCoverage, kMean };
enum class CoverageScale { kMedianDistance, kAbsolute };

struct ReplaySelectOptions {
  ReplaySelection selection = ReplaySelection::kCoverage;
  int64_t per_class_budget = 10;
  double coverage_distance = 0.5;  // ER-GNN's default (with kAbsolute)
  CoverageScale coverage_scale = CoverageScale::kMedianDistance;
  uint64_t seed = 0;
};

// The median Euclidean distance between two of the n rows: over every pair when there are at
// most kMedianPairs, else over kMedianPairs pairs drawn with `seed`. The median of m values is
// the (m / 2)-th smallest (0-based). 0 when n < 2.
inline constexpr int64_t kMedianPairs = 1 << 16;
double MedianPairDistance(Span<const float> rows, int64_t dim, uint64_t seed);

// Picks among `candidates` (node ids; classes[i] is candidate i's class; rows[i * dim, +dim) its
// vector, needed by coverage and mean only). Returns the kept ids, class by class (ascending
// class), each class's in the selection's order. InvalidArgument on mismatched sizes, a
// negative class or budget, or missing rows.
StatusOr<std::vector<NodeId>> SelectReplay(Span<const NodeId> candidates,
                                           Span<const int64_t> classes, Span<const float> rows,
                                           int64_t dim, const ReplaySelectOptions& options);

// The nodes kept so far, with the task each came from.
class ReplayBuffer {
 public:
  void Add(int task, Span<const NodeId> nodes);
  const std::vector<NodeId>& nodes() const { return nodes_; }
  const std::vector<int>& tasks() const { return tasks_; }
  int64_t size() const { return static_cast<int64_t>(nodes_.size()); }

 private:
  std::vector<NodeId> nodes_;
  std::vector<int> tasks_;
};

}  // namespace streamgnn::memory
