// MpiComm under mpiexec (label mpi; run with 2, 3 and 4 ranks): the Communicator checks of
// communicator_test.cc and the halo exchange forward / backward against the single-process
// reference of halo_test_util.h, over real MPI processes.
#include "comm/mpi_comm.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "comm/halo_exchange.h"
#include "tests/comm/halo_test_util.h"

namespace streamgnn::comm {
namespace {

std::unique_ptr<MpiComm> World() {
  auto c = MpiComm::Create();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(MpiComm, RankAndSizeMatchTheLauncher) {
  auto c = World();
  ASSERT_NE(c, nullptr);
  if (const char* size = std::getenv("OMPI_COMM_WORLD_SIZE")) {
    EXPECT_EQ(c->size(), std::atoi(size));
    EXPECT_EQ(c->rank(), std::atoi(std::getenv("OMPI_COMM_WORLD_RANK")));
  }
  EXPECT_GE(c->size(), 2) << "run under mpiexec -np N with N >= 2";
  EXPECT_TRUE(c->Barrier().ok());
}

TEST(MpiComm, AllReduceBroadcastAllToAllV) {
  auto c = World();
  ASSERT_NE(c, nullptr);
  const int n = c->size(), me = c->rank();
  std::vector<float> f(7);
  for (int i = 0; i < 7; ++i) f[i] = static_cast<float>((me + 1) * (i + 1));
  ASSERT_TRUE(c->AllReduceSum(Span<float>(f)).ok());
  for (int i = 0; i < 7; ++i) EXPECT_EQ(f[i], static_cast<float>(n * (n + 1) / 2 * (i + 1)));
  std::vector<double> d = {0.5 * me};
  ASSERT_TRUE(c->AllReduceSum(Span<double>(d)).ok());
  EXPECT_DOUBLE_EQ(d[0], 0.25 * n * (n - 1));

  Bytes b(3, static_cast<uint8_t>(me));
  ASSERT_TRUE(c->Broadcast(Span<uint8_t>(b), n - 1).ok());
  EXPECT_EQ(b, Bytes(3, static_cast<uint8_t>(n - 1)));
  EXPECT_EQ(c->Broadcast(Span<uint8_t>(b), n).code(), StatusCode::kInvalidArgument);

  std::vector<Bytes> send(n), recv;
  for (int q = 0; q < n; ++q) send[q].assign((me + q) % 3, static_cast<uint8_t>(16 * me + q));
  ASSERT_TRUE(c->AllToAllV(send, &recv).ok());
  ASSERT_EQ(static_cast<int>(recv.size()), n);
  for (int q = 0; q < n; ++q) {
    EXPECT_EQ(recv[q], Bytes((q + me) % 3, static_cast<uint8_t>(16 * q + me))) << q << "->" << me;
  }
  ASSERT_TRUE(c->AllToAllV(std::vector<Bytes>(n), &recv).ok());
  for (const Bytes& m : recv) EXPECT_TRUE(m.empty());
  EXPECT_EQ(c->AllToAllV(std::vector<Bytes>(n + 1), &recv).code(), StatusCode::kInvalidArgument);
}

TEST(MpiComm, HaloExchangeMatchesTheReference) {
  auto c = World();
  ASSERT_NE(c, nullptr);
  const int64_t dim = 4;
  // Every rank builds the same book (deterministic) and checks its own part.
  const graph::PartitionBook book = testing::MakeBook(300, 700, c->size(), 17);
  const graph::LocalPartition& part = book.partition(c->rank());
  auto ex = HaloExchange::Create(c.get(), &part);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  std::vector<float> rows = testing::ForwardInput(part, dim);
  ASSERT_TRUE(ex->Forward(Span<float>(rows), dim).ok());
  EXPECT_EQ(rows, testing::ExpectedForward(part, dim));
  std::vector<float> grads = testing::BackwardInput(part, dim);
  ASSERT_TRUE(ex->Backward(Span<float>(grads), dim).ok());
  const std::vector<float> want = testing::ExpectedBackwardInner(book, c->rank(), dim);
  for (size_t i = 0; i < want.size(); ++i) ASSERT_FLOAT_EQ(grads[i], want[i]) << "value " << i;
  // Quantised (8 bits) round trip keeps the exchange collective and close.
  std::vector<float> q = testing::ForwardInput(part, dim);
  ASSERT_TRUE(ex->Forward(Span<float>(q), dim, 8).ok());
  const std::vector<float> exact = testing::ExpectedForward(part, dim);
  for (size_t i = 0; i < q.size(); ++i) {
    ASSERT_NEAR(q[i], exact[i], (0.01 * dim + std::abs(exact[i]) / 64) / 255 * 1.05 + 1e-6);
  }
}

}  // namespace
}  // namespace streamgnn::comm
