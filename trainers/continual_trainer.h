// Graph continual learning (issue 20; docs/continual.md; ../shared/PAPERS.md sections 6a, 6b):
// GCN, SAGE or GAT trained over a task stream (datasets/task_stream.h) one task after another,
// on each task's whole graph, `train.epoch` epochs a task with a fresh Adam, and evaluated after
// every task on the test nodes of every task seen so far:
//
//   finetune  the current task's training nodes only (the lower bound: forgets)
//   replay    plus a buffer of earlier tasks' nodes (memory/replay_buffer.h):
//             L = beta L_current + (1 - beta) L_replay; with `weighting: kmm` every replayed
//             node's loss term carries its SEA-ER kernel-mean-matching weight, solved at the
//             start of the task between the buffer's and the task's representations; with
//             `ssrm.enabled` L = alpha L + (1 - alpha) MMD(buffer's representations now, when
//             their task ended)
//   joint     every task seen so far at once (the upper bound)
//
// Losses are class-balanced (each class's mean, then the mean over classes), and restricted to
// the classes seen so far (class-incremental) or to each node's own task's classes
// (task-incremental); predictions are restricted the same way.
//
// Metrics (CGLB's): the accuracy matrix acc[i][j] (test accuracy on task j after task i),
// average performance AP = mean_j acc[T-1][j] and average forgetting
// AF = mean_{j<T-1} (acc[j][j] - acc[T-1][j]).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "datasets/static_dataset.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers {

struct ContinualResult {
  int num_tasks = 0;
  // accuracy[i][j] for j <= i (rows grow by one).
  std::vector<std::vector<double>> accuracy;
  double average_performance = 0;
  double average_forgetting = 0;
  std::vector<double> task_seconds;  // training time of each task
  std::vector<int64_t> buffer_size;  // replay nodes while training each task

  // {"num_tasks", "accuracy", "average_performance", "average_forgetting", "task_seconds",
  // "buffer_size"}: continual.json's fields and what streamgnn.train_continual returns.
  std::string ToJson() const;
};

// Runs the stream `config.continual` describes on `dataset` (features as given). Writes
// <log.dir>/continual.json when log.dir is set. InvalidArgument for heterogeneous models or
// distributed runs; Unimplemented for mini-batch settings and, without Ipopt, for kmm weights.
StatusOr<ContinualResult> TrainContinual(const StaticConfig& config,
                                         const datasets::StaticDataset& dataset);

// Loads the dataset the config names (row-normalised if asked), then TrainContinual.
StatusOr<ContinualResult> TrainContinualFromConfig(const StaticConfig& config);

}  // namespace streamgnn::trainers
