// The `continual` section of the static config (issue 20; docs/continual.md): graph continual
// learning over a task stream of a node-classification dataset, run by `streamgnn
// continual-train` (trainers/continual_trainer.h).
#pragma once

#include <cstdint>

#include "core/config_schema.h"
#include "datasets/task_stream.h"
#include "memory/replay_buffer.h"

namespace streamgnn::trainers {

// finetune: each task alone (the lower bound); replay: each task plus the replay buffer
// (ER-GNN, SEA-ER); joint: every task seen so far at once (the upper bound).
enum class ContinualStrategy { kFinetune, kReplay, kJoint };
// class_incremental: predictions over every class seen so far; task_incremental: over the
// evaluated task's own classes.
enum class ContinualSetting { kClassIncremental, kTaskIncremental };
// Where coverage maximisation measures distances: input features or the model's last hidden
// representations.
enum class ReplaySpace { kFeature, kRepresentation };
enum class ReplayWeighting { kUniform, kKmm };

}  // namespace streamgnn::trainers

namespace streamgnn::core {
template <>
struct EnumTraits<trainers::ContinualStrategy> {
  static constexpr EnumName<trainers::ContinualStrategy> kNames[] = {
      {trainers::ContinualStrategy::kFinetune, "finetune"},
      {trainers::ContinualStrategy::kReplay, "replay"},
      {trainers::ContinualStrategy::kJoint, "joint"}};
};
template <>
struct EnumTraits<trainers::ContinualSetting> {
  static constexpr EnumName<trainers::ContinualSetting> kNames[] = {
      {trainers::ContinualSetting::kClassIncremental, "class_incremental"},
      {trainers::ContinualSetting::kTaskIncremental, "task_incremental"}};
};
template <>
struct EnumTraits<trainers::ReplaySpace> {
  static constexpr EnumName<trainers::ReplaySpace> kNames[] = {
      {trainers::ReplaySpace::kFeature, "feature"},
      {trainers::ReplaySpace::kRepresentation, "representation"}};
};
template <>
struct EnumTraits<trainers::ReplayWeighting> {
  static constexpr EnumName<trainers::ReplayWeighting> kNames[] = {
      {trainers::ReplayWeighting::kUniform, "uniform"}, {trainers::ReplayWeighting::kKmm, "kmm"}};
};
template <>
struct EnumTraits<memory::CoverageScale> {
  static constexpr EnumName<memory::CoverageScale> kNames[] = {
      {memory::CoverageScale::kMedianDistance, "median_distance"},
      {memory::CoverageScale::kAbsolute, "absolute"}};
};
template <>
struct EnumTraits<memory::ReplaySelection> {
  static constexpr EnumName<memory::ReplaySelection> kNames[] = {
      {memory::ReplaySelection::kRandom, "random"},
      {memory::ReplaySelection::kReservoir, "reservoir"},
      {memory::ReplaySelection::kCoverage, "coverage"},
      {memory::ReplaySelection::kMean, "mean"}};
};
template <>
struct EnumTraits<datasets::TaskVisibility> {
  static constexpr EnumName<datasets::TaskVisibility> kNames[] = {
      {datasets::TaskVisibility::kTransductive, "transductive"},
      {datasets::TaskVisibility::kInductive, "inductive"}};
};
}  // namespace streamgnn::core

namespace streamgnn::trainers {

struct ContinualReplaySection {
  memory::ReplaySelection selection = memory::ReplaySelection::kCoverage;
  ReplaySpace space = ReplaySpace::kFeature;
  int64_t per_class_budget = 10;
  double coverage_distance = 0.5;
  memory::CoverageScale coverage_scale = memory::CoverageScale::kMedianDistance;
  double beta = 0.5;
  ReplayWeighting weighting = ReplayWeighting::kUniform;

  template <class V>
  void Visit(V& v) {
    using core::AtLeast;
    using core::InRange;
    v.Field("selection", &selection,
            "random | reservoir | coverage (ER-GNN's coverage maximisation) | mean (the nodes "
            "closest to their class mean).");
    v.Field("space", &space,
            "feature | representation: the rows coverage and mean measure (features, or the "
            "model's last hidden layer at the end of the task).");
    v.Field("per_class_budget", &per_class_budget, "Nodes kept per class.", AtLeast(1));
    v.Field("coverage_distance", &coverage_distance,
            "coverage: the radius within which other-class nodes count, in units of "
            "coverage_scale (ER-GNN: 0.5, absolute).",
            core::GreaterThan(0));
    v.Field("coverage_scale", &coverage_scale,
            "median_distance: the radius is coverage_distance times the median distance between "
            "two of the task's training nodes (scale-free); absolute: coverage_distance itself "
            "(ER-GNN; on row-normalised features 0.5 covers every node and the pick degenerates "
            "to the lowest ids).");
    v.Field("beta", &beta,
            "Loss = beta * current task + (1 - beta) * replay.", InRange(0, 1));
    v.Field("weighting", &weighting,
            "uniform | kmm: SEA-ER's per-node kernel-mean-matching weights of the replayed "
            "nodes against the current task's representations (needs Ipopt).");
  }
};

struct ContinualSsrmSection {
  bool enabled = false;
  double alpha = 0.99;

  template <class V>
  void Visit(V& v) {
    v.Field("enabled", &enabled,
            "Add SSRM's MMD between the replayed nodes' representations when their task ended "
            "and on the current graph (inductive streams; needs strategy replay).");
    v.Field("alpha", &alpha, "Loss = alpha * task loss + (1 - alpha) * MMD.", core::InRange(0, 1));
  }
};

struct ContinualSection {
  ContinualStrategy strategy = ContinualStrategy::kReplay;
  ContinualSetting setting = ContinualSetting::kClassIncremental;
  int64_t classes_per_task = 2;
  datasets::TaskVisibility visibility = datasets::TaskVisibility::kTransductive;
  bool inter_task_edges = true;
  double train_fraction = 0.6;
  double val_fraction = 0.2;
  int64_t split_seed = 0;
  ContinualReplaySection replay;
  ContinualSsrmSection ssrm;

  template <class V>
  void Visit(V& v) {
    using core::AtLeast;
    using core::InRange;
    v.Field("strategy", &strategy,
            "finetune (each task alone: the lower bound) | replay (each task plus the replay "
            "buffer) | joint (every task seen so far: the upper bound).");
    v.Field("setting", &setting,
            "class_incremental (predict among every class seen so far) | task_incremental "
            "(among the evaluated task's classes).");
    v.Field("classes_per_task", &classes_per_task, "Classes per task, in class order.", AtLeast(1));
    v.Field("visibility", &visibility,
            "transductive (the whole graph at every task) | inductive (task i sees the nodes of "
            "tasks 0..i only: old nodes' neighbourhoods grow).");
    v.Field("inter_task_edges", &inter_task_edges, "Keep edges between nodes of different tasks.");
    v.Field("train_fraction", &train_fraction, "Share of each class's nodes trained on.",
            InRange(0, 1));
    v.Field("val_fraction", &val_fraction, "Share of each class's nodes for validation.",
            InRange(0, 1));
    v.Field("split_seed", &split_seed, "Seed of the per-class split.", AtLeast(0));
    v.Section("replay", &replay, "The replay buffer (strategy replay).");
    v.Section("ssrm", &ssrm, "SSRM's structural-shift regulariser.");
    v.Rule("train_fraction", "train_fraction + val_fraction <= 1", [this]() -> std::string {
      return train_fraction + val_fraction <= 1 ? "" : "train_fraction + val_fraction <= 1";
    });
    v.Rule("ssrm.enabled", "only with strategy replay", [this]() -> std::string {
      return !ssrm.enabled || strategy == ContinualStrategy::kReplay
                 ? ""
                 : "false unless continual.strategy is replay (SSRM regularises the replayed "
                   "nodes)";
    });
  }
};

}  // namespace streamgnn::trainers
