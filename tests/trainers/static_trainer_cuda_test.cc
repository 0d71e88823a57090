// The static trainer on a GPU (runtime.device: cuda) against the same run on the CPU (ctest label
// gpu): full-graph GCN, SAGE and GAT on cora without dropout follow the CPU's curve and reach its
// test accuracy within half a point; mini-batch training runs and learns; distributed
// full-graph training on the device (two thread ranks staging through the host, one NCCL rank
// on device memory) follows the single-process CPU curve. Skips visibly where LibTorch sees no
// CUDA device; there asking for cuda is a clear error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "comm/local_comm.h"
#include "comm/nccl_comm.h"
#include "tests/trainers/distributed_test_util.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

using testing::CoraConfig;
using testing::ExpectSameCurve;
using testing::HaveCora;

class CudaStatic : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (torch::cuda::is_available() is false)";
    if (!HaveCora()) GTEST_SKIP() << "cora not found under " << STREAMGNN_DATASETS_DIR;
  }
};

TEST_P(CudaStatic, FullGraphReachesTheCpuAccuracy) {
  StaticConfig c = CoraConfig(GetParam(), 100, 10);
  auto data = LoadStaticConfigDataset(c);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto cpu = TrainStaticOnDataset(c, *data);
  c.runtime.device = core::DeviceKind::kCuda;
  auto gpu = TrainStaticOnDataset(c, *data);
  ASSERT_TRUE(cpu.ok() && gpu.ok()) << cpu.status().ToString() << gpu.status().ToString();
  ASSERT_EQ(cpu->epochs.size(), gpu->epochs.size());
  for (size_t e = 0; e < 10; ++e) {  // the same curve before rounding differences add up
    EXPECT_NEAR(gpu->epochs[e].loss, cpu->epochs[e].loss, 1e-4 * std::abs(cpu->epochs[e].loss)) << e + 1;
  }
  EXPECT_NEAR(gpu->test_acc, cpu->test_acc, 0.005);
  EXPECT_GT(gpu->test_acc, 0.75);
}

TEST_P(CudaStatic, MiniBatchLearnsOnTheGpu) {
  StaticConfig c = CoraConfig(GetParam(), 20, 5);
  c.train.batch_size = 256;
  c.sampling.neighbor = {10, 10};
  c.runtime.device = core::DeviceKind::kCuda;
  auto r = TrainStatic(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->test_acc, 0.7);
}

TEST_P(CudaStatic, DistributedThreadRanksOnTheGpuFollowTheCpuCurve) {
  StaticConfig c = CoraConfig(GetParam(), 30, 5);
  auto data = LoadStaticConfigDataset(c);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto single = TrainStaticOnDataset(c, *data);
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  c.runtime.device = core::DeviceKind::kCuda;
  auto comms = comm::MakeThreadComms(2);
  std::vector<StatusOr<StaticRunResult>> results(2, Status::Internal("not run"));
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] { results[r] = TrainStaticDistributed(c, *data, comms[r].get()); });
  }
  for (auto& t : ranks) t.join();
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSameCurve(*single, *results[0], 1e-4);
}

TEST_P(CudaStatic, DistributedNcclRankKeepsGradientsOnTheDevice) {
  if (!comm::NcclAvailable()) GTEST_SKIP() << "NCCL not compiled in";
  auto nccl = comm::CreateCommunicator(comm::Backend::kNccl);
  ASSERT_TRUE(nccl.ok()) << nccl.status().ToString();
  ASSERT_TRUE((*nccl)->device_memory());
  StaticConfig c = CoraConfig(GetParam(), 30, 5);
  auto data = LoadStaticConfigDataset(c);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto single = TrainStaticOnDataset(c, *data);
  c.runtime.device = core::DeviceKind::kCuda;
  auto dist = TrainStaticDistributed(c, *data, nccl->get());
  ASSERT_TRUE(single.ok() && dist.ok()) << single.status().ToString() << dist.status().ToString();
  ExpectSameCurve(*single, *dist, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, CudaStatic, ::testing::Values("gcn", "sage", "gat"));

TEST(WithoutCudaStatic, AskingForCudaIsAClearError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  if (!HaveCora()) GTEST_SKIP() << "cora not found under " << STREAMGNN_DATASETS_DIR;
  StaticConfig c = CoraConfig("gcn", 1, 1);
  c.runtime.device = core::DeviceKind::kCuda;
  auto r = TrainStatic(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("runtime.device: cuda, but LibTorch sees no CUDA device"),
            std::string::npos)
      << r.status().message();
}

TEST(StaticConfigDevice, CudaWithADistributedBackendIsAccepted) {
  auto c = LoadStaticConfigString(
      "dataset: {format: planetoid, path: x}\nsampling: {neighbor: all}\n"
      "train: {batch_size: all}\nruntime: {device: cuda}\ndistributed: {backend: nccl}\n",
      "gcn.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->runtime.device, core::DeviceKind::kCuda);
}

}  // namespace
}  // namespace streamgnn::trainers
