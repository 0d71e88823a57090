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
//              *other* classes within Euclidean distance `coverage_distance` of its row; each
//              class keeps the `budget` nodes with the least (ties: the lower id). The rows are
//              features (CM) or the model's representations (ER-GNN's CM in embedding space)
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

struct ReplaySelectOptions {
  ReplaySelection selection = ReplaySelection::kCoverage;
  int64_t per_class_budget = 10;
  double coverage_distance = 0.5;  // ER-GNN's default
  uint64_t seed = 0;
};

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
