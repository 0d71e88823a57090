// Distributed full-graph training over MPI (label mpi; run with 2 and 4 ranks): every rank
// trains its METIS part of cora with halo exchange and gradient all-reduce, and also trains the
// single-process model itself; the loss curves agree within 1e-5 relative. Where every rank has
// a CUDA device of its own and NCCL is built, the same over NCCL on the devices (halo rows and
// gradients in device memory), within 1e-4; elsewhere that test skips visibly.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "comm/mpi_comm.h"
#include "comm/nccl_comm.h"
#include "tests/trainers/distributed_test_util.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

void CompareOnCora(const char* model, int64_t epochs) {
  auto comm = comm::MpiComm::Create();
  ASSERT_TRUE(comm.ok()) << comm.status().ToString();
  ASSERT_GE((*comm)->size(), 2) << "run under mpiexec -np N with N >= 2";
  // Every rank takes the same branch (the dataset is shared), so no rank is left waiting.
  if (!testing::HaveCora()) GTEST_SKIP() << "shared dataset missing: cora/converted";
  const StaticConfig c = testing::CoraConfig(model, epochs, 5);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto dist = TrainStaticDistributed(c, *d, comm->get());
  ASSERT_TRUE(dist.ok()) << dist.status().ToString();
  EXPECT_EQ(dist->world_size, (*comm)->size());
  EXPECT_GT(dist->edge_cut, 0);
  auto single = TrainStaticOnDataset(c, *d);
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  testing::ExpectSameCurve(*single, *dist, 1e-5);
}

TEST(DistributedTrainingNccl, GcnOnOneGpuPerRankEqualsSingleProcess) {
  auto mpi = comm::MpiComm::Create();
  ASSERT_TRUE(mpi.ok()) << mpi.status().ToString();
  const int size = (*mpi)->size();
  // Every rank learns whether any rank lacks NCCL or a device, so all skip together.
  double lacking = comm::NcclAvailable() && torch::cuda::device_count() >= size ? 0 : 1;
  ASSERT_TRUE((*mpi)->AllReduceSum(Span<double>(&lacking, 1)).ok());
  if (lacking > 0 || !testing::HaveCora()) {
    GTEST_SKIP() << "needs NCCL, one CUDA device per rank (" << size << ") and cora";
  }
  auto nccl = comm::NcclComm::Create(std::move(*mpi));
  ASSERT_TRUE(nccl.ok()) << nccl.status().ToString();
  StaticConfig c = testing::CoraConfig("gcn", 30, 5);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto single = TrainStaticOnDataset(c, *d);
  c.runtime.device = core::DeviceKind::kCuda;
  auto dist = TrainStaticDistributed(c, *d, nccl->get());
  ASSERT_TRUE(single.ok() && dist.ok()) << single.status().ToString() << dist.status().ToString();
  testing::ExpectSameCurve(*single, *dist, 1e-4);
}

TEST(DistributedTrainingMpi, GcnEqualsSingleProcess) { CompareOnCora("gcn", 60); }
TEST(DistributedTrainingMpi, SageEqualsSingleProcess) { CompareOnCora("sage", 20); }

}  // namespace
}  // namespace streamgnn::trainers
