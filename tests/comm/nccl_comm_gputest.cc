// NcclComm (label gpu). Without a CUDA device the device tests skip visibly and Create must fail
// with FailedPrecondition; with one, a one-rank NCCL group (bootstrapped through MPI started as
// a singleton) must sum, broadcast and deliver all-to-all messages, empty ones included.
#include "comm/nccl_comm.h"

#include <gtest/gtest.h>

#include "comm/mpi_comm.h"
#include "tests/gpu/gpu_test_util.h"

namespace streamgnn::comm {
namespace {

TEST(NcclComm, WithoutADeviceCreateIsFailedPrecondition) {
  if (!NcclAvailable()) {
    EXPECT_EQ(CreateCommunicator(Backend::kNccl).status().code(), StatusCode::kUnimplemented);
    return;
  }
  if (core::CudaDeviceCount() > 0) GTEST_SKIP() << "a CUDA device is present";
  auto nccl = CreateCommunicator(Backend::kNccl);
  ASSERT_FALSE(nccl.ok());
  EXPECT_EQ(nccl.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(nccl.status().message().find("CUDA device"), std::string::npos)
      << nccl.status().message();
}

TEST(NcclComm, OneRankCollectives) {
  SG_REQUIRE_GPU();
  if (!NcclAvailable()) GTEST_SKIP() << "NCCL not compiled in";
  auto comm = CreateCommunicator(Backend::kNccl);
  ASSERT_TRUE(comm.ok()) << comm.status().ToString();
  Communicator& c = **comm;
  EXPECT_EQ(c.name(), "nccl");
  std::vector<float> f = {1.5f, 2.5f};
  std::vector<double> d = {3.25};
  ASSERT_TRUE(c.AllReduceSum(Span<float>(f)).ok());
  ASSERT_TRUE(c.AllReduceSum(Span<double>(d)).ok());
  EXPECT_EQ(f[0] * static_cast<float>(1), 1.5f * static_cast<float>(c.size()));
  EXPECT_EQ(d[0], 3.25 * c.size());
  Bytes b = {4, 5, 6};
  ASSERT_TRUE(c.Broadcast(Span<uint8_t>(b), 0).ok());
  EXPECT_EQ(b, (Bytes{4, 5, 6}));
  std::vector<Bytes> send(c.size()), recv;
  send[c.rank()] = Bytes{7, 8};
  ASSERT_TRUE(c.AllToAllV(send, &recv).ok());
  EXPECT_EQ(recv[c.rank()], (Bytes{7, 8}));
  ASSERT_TRUE(c.AllToAllV(std::vector<Bytes>(c.size()), &recv).ok());
  for (const Bytes& m : recv) EXPECT_TRUE(m.empty());
  EXPECT_TRUE(c.Barrier().ok());
}

}  // namespace
}  // namespace streamgnn::comm
