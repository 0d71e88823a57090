// Task streams for graph continual learning (issue 20; ../shared/PAPERS.md sections 6a, 6b):
// the classes of a node-classification dataset split into tasks of `classes_per_task` classes
// in class order (CGLB's protocol), each class's nodes split into train / val / test by a
// seeded draw. Classes left over after the last full task belong to no task (cora's 7 classes
// in tasks of 2: classes 6's nodes are dropped), as CGLB drops them.
//
// What task i's graph holds:
//   transductive  every node and edge of the dataset at every task (later tasks' nodes are
//                 present, unlabelled);
//   inductive     only the nodes of tasks 0..i (SSRM's evolving graph), so an old node gains
//                 neighbours when a later task arrives: the structural shift of 6a/6b.
// Without inter-task edges every edge between nodes of different tasks is dropped (an edge to
// a node of no task counts as inter-task).
//
// Graphs keep the dataset's global ids: a node that task i cannot see is isolated, so features,
// labels and models need no relabelling between tasks. Task-incremental vs class-incremental
// is a matter of evaluation (outputs restricted to the task's classes or not): the stream is
// the same. LibTorch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "datasets/static_dataset.h"
#include "graph/csr_graph.h"

namespace streamgnn::datasets {

enum class TaskVisibility { kTransductive, kInductive };

struct TaskStreamOptions {
  int64_t classes_per_task = 2;
  TaskVisibility visibility = TaskVisibility::kTransductive;
  bool inter_task_edges = true;
  // Shares of each class's nodes (the rest is test); CGLB's 60/20/20.
  double train_fraction = 0.6;
  double val_fraction = 0.2;
  uint64_t seed = 0;
};

struct Task {
  std::vector<int64_t> classes;          // ascending
  std::vector<NodeId> nodes;             // every node of these classes, ascending
  std::vector<NodeId> train, val, test;  // ascending, disjoint, covering `nodes`
};

class TaskStream {
 public:
  // InvalidArgument when the dataset has fewer than classes_per_task classes, classes_per_task
  // < 1, or the shares are not in [0, 1] with train + val <= 1. `dataset` must outlive the stream.
  static StatusOr<TaskStream> Create(const StaticDataset* dataset, const TaskStreamOptions& options);

  int num_tasks() const { return static_cast<int>(tasks_.size()); }
  const Task& task(int i) const { return tasks_[i]; }
  // The task of node v, or -1 (unlabelled, or a left-over class).
  int TaskOf(NodeId v) const { return task_of_[v]; }
  const TaskStreamOptions& options() const { return options_; }

  // Whether task i's graph contains node v.
  bool Visible(int i, NodeId v) const;
  // Task i's edges (the dataset's, as it stores them: `undirected` pairs once), global ids.
  void EdgesAt(int i, std::vector<NodeId>* src, std::vector<NodeId>* dst) const;
  // Task i's graph over all of the dataset's ids (invisible nodes isolated; self-loops the
  // options add go to every node), symmetrised as the dataset's BuildGraph does.
  StatusOr<graph::CsrGraph> GraphAt(int i, graph::CsrBuildOptions options) const;

 private:
  TaskStream() = default;

  const StaticDataset* dataset_ = nullptr;
  TaskStreamOptions options_;
  std::vector<Task> tasks_;
  std::vector<int> task_of_;
};

}  // namespace streamgnn::datasets
