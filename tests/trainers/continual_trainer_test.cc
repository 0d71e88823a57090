// Graph continual learning end to end on a 20-class SBM: the accuracy matrix and its summary,
// fine-tuning forgets, replay forgets less, joint training least; SEA-ER's weights and SSRM run
// on an inductive stream; settings that are not built are refused with the key.
#include "trainers/continual_trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "memory/importance_weights.h"

namespace streamgnn::trainers {
namespace {

constexpr const char* kConfig =
    "dataset:\n  format: sbm\n  row_normalize: false\n"
    "  sbm: {num_nodes: 2000, num_classes: 20, avg_degree: 8, feature_dim: 16, feature_noise: 1.0}\n"
    "model: {name: gcn, hidden: 32, dropout: 0.2}\n"
    "train: {epoch: 40, lr: 0.01, weight_decay: 0}\nruntime: {threads: 1}\n"
    "continual: {classes_per_task: 4, replay: {per_class_budget: 10}}\n";

ContinualResult RunStream(const std::vector<std::string>& overrides) {
  auto c = LoadStaticConfigString(kConfig, "c.yaml", overrides);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto r = TrainContinualFromConfig(*c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ContinualResult{};
}

TEST(ContinualTrainer, ReplayForgetsLessThanFineTuningAndJointLeast) {
  const ContinualResult finetune = RunStream({"continual.strategy=finetune"});
  const ContinualResult replay = RunStream({"continual.strategy=replay"});
  const ContinualResult joint = RunStream({"continual.strategy=joint"});
  ASSERT_EQ(finetune.num_tasks, 5);
  ASSERT_EQ(finetune.accuracy.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(finetune.accuracy[i].size(), i + 1);
  // Class-incremental fine-tuning predicts only the last task's classes: old tasks drop to ~0.
  EXPECT_GT(finetune.average_forgetting, 0.5);
  EXPECT_LT(replay.average_forgetting, finetune.average_forgetting - 0.2);
  EXPECT_LT(joint.average_forgetting, replay.average_forgetting);
  EXPECT_GT(replay.average_performance, finetune.average_performance + 0.2);
  EXPECT_EQ(replay.buffer_size, (std::vector<int64_t>{0, 40, 80, 120, 160}));
  // AP and AF from the matrix.
  double ap = 0;
  for (const double a : replay.accuracy.back()) ap += a / 5;
  EXPECT_NEAR(replay.average_performance, ap, 1e-12);
}

TEST(ContinualTrainer, TaskIncrementalFineTuningForgetsLess) {
  const ContinualResult cil = RunStream({"continual.strategy=finetune"});
  const ContinualResult til = RunStream({"continual.strategy=finetune", "continual.setting=task_incremental"});
  EXPECT_LT(til.average_forgetting, cil.average_forgetting);
}

TEST(ContinualTrainer, SeaErWeightsAndSsrmRunOnAnInductiveStream) {
  if (!memory::KernelMeanMatchingAvailable()) GTEST_SKIP() << "built without Ipopt";
  const std::string dir = (std::filesystem::temp_directory_path() / "sg_continual").string();
  std::filesystem::remove_all(dir);
  const ContinualResult r =
      RunStream({"continual.visibility=inductive", "continual.replay.weighting=kmm",
           "continual.replay.space=representation", "continual.ssrm.enabled=true",
           "log.dir=" + dir});
  ASSERT_EQ(r.num_tasks, 5);
  EXPECT_GT(r.average_performance, 0.3);
  std::ifstream in(dir + "/continual.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["accuracy"].size(), 5u);
  EXPECT_EQ(j["tasks"][0]["classes"], (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_DOUBLE_EQ(j["average_forgetting"].get<double>(), r.average_forgetting);
  std::filesystem::remove_all(dir);
}

// With one node a class KMM zeroes whole classes of the buffer; they must drop out of the
// class-balanced loss, not turn it into 0 / 0 (the model's weights went NaN before).
TEST(ContinualTrainer, SeaErWithClassesWeightedZeroStaysFinite) {
  if (!memory::KernelMeanMatchingAvailable()) GTEST_SKIP() << "built without Ipopt";
  const ContinualResult r = RunStream({"continual.visibility=inductive", "continual.replay.weighting=kmm",
                                       "continual.replay.per_class_budget=1", "dataset.sbm.feature_noise=5"});
  ASSERT_EQ(r.num_tasks, 5);
  EXPECT_TRUE(std::isfinite(r.average_performance));
  EXPECT_GT(r.average_performance, 0.1);  // 20 classes: chance is 0.05
}

TEST(ContinualTrainer, SettingsNotBuiltAreRefused) {
  const auto refused = [](const std::vector<std::string>& overrides) {
    auto c = LoadStaticConfigString(kConfig, "c.yaml", overrides);
    if (!c.ok()) return c.status();
    return TrainContinualFromConfig(*c).status();
  };
  Status s = refused({"train.batch_size=64"});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("mini-batch continual training is not built"), std::string::npos);
  s = refused({"continual.classes_per_task=30"});
  EXPECT_NE(s.message().find("classes_per_task: expected 1..20"), std::string::npos) << s.message();
  s = refused({"continual.strategy=finetune", "continual.ssrm.enabled=true"});
  EXPECT_NE(s.message().find("false unless continual.strategy is replay"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace streamgnn::trainers
