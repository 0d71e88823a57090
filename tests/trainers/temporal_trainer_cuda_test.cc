// The temporal trainer on a GPU (runtime.device: cuda) against the same run on the CPU (ctest
// label gpu). Without dropout both runs draw the same negatives and neighbours and start from
// the same weights, so they differ only by float rounding: one epoch of each model gives the
// CPU run's metrics within 1e-3 AP, and with the weights held still (lr 1e-30) the node memory
// after the epoch's batches equals the CPU one within 1e-4; the device feature cache gives the
// metrics of the whole tables on the device. Skips visibly where LibTorch sees no CUDA device;
// on such hosts asking for cuda is a clear error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {
namespace {

using ::streamgnn::testing::TempDir;

const datasets::TemporalDataset& Graph() {
  static const datasets::TemporalDataset ds = testing::PlantedGraph(300, 8000, 10, 16, 5);
  return ds;
}

const std::vector<std::string> kNoDropout = {"train.dropout=0", "train.att_dropout=0",
                                             "sampling.strategy=recent"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class OnCuda : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (torch::cuda::is_available() is false)";
  }
  // One epoch of GetParam() on `device`; its summary and the memory it left.
  std::pair<TrainSummary, torch::Tensor> Run(const char* device, const std::vector<std::string>& set) {
    TempDir dir;
    auto summary = TrainTemporal(
        testing::MakeConfig(GetParam(), testing::SmallModel(), dir.str(), 1,
                            With(set, {std::string("runtime.device=") + device})),
        testing::Quiet(), &Graph());
    EXPECT_TRUE(summary.ok()) << device << ": " << summary.status().message();
    if (!summary.ok()) return {};
    const bool memory = std::string(GetParam()) != "tgat";
    return {*summary, memory ? testing::CheckpointMemory(dir.str()) : torch::Tensor()};
  }
};

TEST_P(OnCuda, OneEpochGivesTheCpuMetrics) {
  const auto [cpu, cpu_memory] = Run("cpu", kNoDropout);
  const auto [gpu, gpu_memory] = Run("cuda", kNoDropout);
  ASSERT_EQ(cpu.epochs.size(), 1u);
  ASSERT_EQ(gpu.epochs.size(), 1u);
  const EpochRecord &a = cpu.epochs[0], &b = gpu.epochs[0];
  EXPECT_NEAR(a.train_loss, b.train_loss, 1e-3);
  EXPECT_NEAR(a.val.ap, b.val.ap, 1e-3);
  EXPECT_NEAR(a.test.ap, b.test.ap, 1e-3);
  EXPECT_NEAR(a.test_inductive.ap, b.test_inductive.ap, 1e-3);
  EXPECT_GT(b.test.ap, 0.8) << "the GPU run learned";
}

TEST_P(OnCuda, NodeMemoryAfterAnEpochEqualsTheCpuOnes) {
  if (std::string(GetParam()) == "tgat") GTEST_SKIP() << "TGAT has no node memory";
  const std::vector<std::string> frozen = With(kNoDropout, {"train.lr=1e-30"});
  const auto [cpu, cpu_memory] = Run("cpu", frozen);
  const auto [gpu, gpu_memory] = Run("cuda", frozen);
  ASSERT_TRUE(cpu_memory.defined() && gpu_memory.defined());
  ASSERT_GT(cpu_memory.abs().max().item<double>(), 0.0);
  EXPECT_LE((cpu_memory - gpu_memory).abs().max().item<double>(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, OnCuda, ::testing::Values("tgn", "jodie", "apan", "tgat"));

TEST(OnCudaPipeline, MspipeAndPresRunOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (torch::cuda::is_available() is false)";
  for (const std::vector<std::string>& set :
       {std::vector<std::string>{"pipeline.mode=mspipe", "pipeline.staleness=2",
                                 "pipeline.mitigation=similarity"},
        std::vector<std::string>{"pres.enabled=true"}}) {
    TempDir dir;
    auto summary = TrainTemporal(
        testing::MakeConfig("tgn", testing::SmallModel(), dir.str(), 2, With(set, {"runtime.device=cuda"})),
        testing::Quiet(), &Graph());
    ASSERT_TRUE(summary.ok()) << set[0] << ": " << summary.status().message();
    EXPECT_GT(summary->best().test.ap, 0.8) << set[0];
  }
}

TEST(OnCudaFeatureCache, GivesTheMetricsOfTheWholeTablesOnTheDevice) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (torch::cuda::is_available() is false)";
  std::vector<TrainSummary> runs;
  for (const char* ratio : {"1", "0.1"}) {
    TempDir dir;
    auto summary = TrainTemporal(
        testing::MakeConfig("tgat", testing::SmallModel(), dir.str(), 1,
                            With(kNoDropout, {"runtime.device=cuda",
                                              std::string("runtime.feature_cache_ratio=") + ratio})),
        testing::Quiet(), &Graph());
    ASSERT_TRUE(summary.ok()) << ratio << ": " << summary.status().message();
    runs.push_back(*summary);
  }
  // The same rows reach the model either way; what differs is the order of the device's atomic
  // sums (index_add), run to run.
  EXPECT_NEAR(runs[0].epochs[0].train_loss, runs[1].epochs[0].train_loss, 1e-4);
  EXPECT_NEAR(runs[0].epochs[0].test.ap, runs[1].epochs[0].test.ap, 1e-3);
}

TEST(FeatureCacheConfig, IsAGpuCache) {
  auto config = trainers::LoadTemporalConfigString("runtime: {feature_cache_ratio: 0.5}\n", "run.yml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("feature_cache_ratio"), std::string::npos)
      << config.status().message();
}

TEST(WithoutCuda, AskingForCudaIsAClearError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  TempDir dir;
  auto summary = TrainTemporal(
      testing::MakeConfig("jodie", testing::SmallModel(), dir.str(), 1, {"runtime.device=cuda"}),
      testing::Quiet(), &Graph());
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("runtime.device: cuda, but LibTorch sees no CUDA device"),
            std::string::npos)
      << summary.status().message();
}

}  // namespace
}  // namespace streamgnn::trainers
