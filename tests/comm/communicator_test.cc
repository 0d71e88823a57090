// Communicator semantics on the in-process backends: LocalComm (one rank) and ThreadComm (n
// ranks as threads): all-reduce sums, broadcast, all-to-all-v with empty messages, and the
// errors for mismatched calls. The MPI backend runs the same checks in comm_mpitest.cc.
#include "comm/communicator.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "comm/local_comm.h"
#include "comm/mpi_comm.h"

namespace streamgnn::comm {
namespace {

// Runs body(comm) on every rank of a ThreadComm group, one thread each.
void RunRanks(int n, const std::function<void(Communicator&)>& body) {
  auto comms = MakeThreadComms(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { body(*comms[r]); });
  for (auto& t : threads) t.join();
}

TEST(LocalComm, OneRankCollectivesAreIdentity) {
  LocalComm c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  std::vector<float> f = {1.5f, -2.0f};
  ASSERT_TRUE(c.AllReduceSum(Span<float>(f)).ok());
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f}));
  std::vector<Bytes> recv;
  ASSERT_TRUE(c.AllToAllV({Bytes{1, 2, 3}}, &recv).ok());
  ASSERT_EQ(recv.size(), 1u);
  EXPECT_EQ(recv[0], (Bytes{1, 2, 3}));
  EXPECT_EQ(c.AllToAllV({Bytes{}, Bytes{}}, &recv).code(), StatusCode::kInvalidArgument);
  Bytes b = {9};
  EXPECT_EQ(c.Broadcast(Span<uint8_t>(b), 1).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(c.Broadcast(Span<uint8_t>(b), 0).ok());
  EXPECT_TRUE(c.Barrier().ok());
}

TEST(CreateCommunicator, LocalAndUnavailableBackends) {
  auto local = CreateCommunicator(Backend::kLocal);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ((*local)->size(), 1);
  EXPECT_EQ((*local)->name(), "local");
  if (!MpiAvailable()) {
    EXPECT_EQ(CreateCommunicator(Backend::kMpi).status().code(), StatusCode::kUnimplemented);
  }
}

class ThreadCommTest : public ::testing::TestWithParam<int> {};

TEST_P(ThreadCommTest, AllReduceSumsOverRanks) {
  const int n = GetParam();
  RunRanks(n, [n](Communicator& c) {
    EXPECT_EQ(c.size(), n);
    std::vector<float> f(5);
    std::vector<double> d(3);
    for (int i = 0; i < 5; ++i) f[i] = static_cast<float>((c.rank() + 1) * (i + 1));
    for (int i = 0; i < 3; ++i) d[i] = 0.1 * c.rank() + i;
    ASSERT_TRUE(c.AllReduceSum(Span<float>(f)).ok());
    ASSERT_TRUE(c.AllReduceSum(Span<double>(d)).ok());
    const int tri = n * (n + 1) / 2;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(f[i], static_cast<float>(tri * (i + 1)));
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(d[i], 0.1 * (n * (n - 1) / 2) + n * i, 1e-12);
  });
}

TEST_P(ThreadCommTest, AllToAllVDeliversEveryMessageIncludingEmptyOnes) {
  const int n = GetParam();
  RunRanks(n, [n](Communicator& c) {
    const int me = c.rank();
    // Rank r sends (r + q) % 3 bytes to q, each byte = 16 r + q: some messages are empty.
    std::vector<Bytes> send(n);
    for (int q = 0; q < n; ++q) send[q].assign((me + q) % 3, static_cast<uint8_t>(16 * me + q));
    std::vector<Bytes> recv;
    ASSERT_TRUE(c.AllToAllV(send, &recv).ok());
    ASSERT_EQ(static_cast<int>(recv.size()), n);
    for (int q = 0; q < n; ++q) {
      EXPECT_EQ(recv[q], Bytes((q + me) % 3, static_cast<uint8_t>(16 * q + me))) << q << "->" << me;
    }
    // All empty.
    ASSERT_TRUE(c.AllToAllV(std::vector<Bytes>(n), &recv).ok());
    for (const Bytes& m : recv) EXPECT_TRUE(m.empty());
  });
}

TEST_P(ThreadCommTest, AllToAllFloatsPlacesEachRanksRowsInRankOrder) {
  const int n = GetParam();
  RunRanks(n, [n](Communicator& c) {
    const int me = c.rank();
    // Rank r sends (r + q) % 3 floats to q, each 100 r + q + 0.5 i: some counts are zero.
    std::vector<int64_t> send_counts(n), recv_counts(n);
    std::vector<float> send;
    for (int q = 0; q < n; ++q) {
      send_counts[q] = (me + q) % 3;
      recv_counts[q] = (q + me) % 3;
      for (int64_t i = 0; i < send_counts[q]; ++i) send.push_back(100.0f * me + q + 0.5f * i);
    }
    std::vector<float> recv(static_cast<size_t>((n * 3)), -1.0f);
    ASSERT_TRUE(c.AllToAllFloats(send.data(), send_counts, recv.data(), recv_counts).ok());
    size_t at = 0;
    for (int q = 0; q < n; ++q) {
      for (int64_t i = 0; i < recv_counts[q]; ++i) {
        EXPECT_EQ(recv[at++], 100.0f * q + me + 0.5f * i) << q << "->" << me << " #" << i;
      }
    }
    EXPECT_EQ(recv[at], -1.0f) << "wrote past the received rows";
  });
}

TEST_P(ThreadCommTest, AllToAllFloatsWithMismatchedCountsFailsOnEveryRank) {
  const int n = GetParam();
  RunRanks(n, [n](Communicator& c) {
    // Every rank sends one float to every rank, but rank 0 expects two from the last rank.
    std::vector<int64_t> send_counts(n, 1), recv_counts(n, 1);
    if (c.rank() == 0) recv_counts[n - 1] = 2;
    std::vector<float> send(n, 1.0f), recv(n + 1, 0.0f);
    const Status s = c.AllToAllFloats(send.data(), send_counts, recv.data(), recv_counts);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    if (c.rank() == 0) {
      EXPECT_NE(s.message().find("expected 2"), std::string::npos) << s.message();
    }
    // The group is still usable afterwards.
    std::vector<float> one = {1.0f};
    ASSERT_TRUE(c.AllReduceSum(Span<float>(one)).ok());
    EXPECT_EQ(one[0], static_cast<float>(n));
  });
}

TEST_P(ThreadCommTest, BroadcastCopiesTheRootsBuffer) {
  const int n = GetParam();
  RunRanks(n, [n](Communicator& c) {
    Bytes b(4, static_cast<uint8_t>(c.rank()));
    ASSERT_TRUE(c.Broadcast(Span<uint8_t>(b), n - 1).ok());
    EXPECT_EQ(b, Bytes(4, static_cast<uint8_t>(n - 1)));
  });
}

TEST_P(ThreadCommTest, MismatchedCallsAreErrorsOnEveryRank) {
  const int n = GetParam();
  if (n == 1) GTEST_SKIP() << "one rank cannot mismatch";
  RunRanks(n, [](Communicator& c) {
    std::vector<float> f(c.rank() == 0 ? 2 : 3, 1.0f);
    EXPECT_EQ(c.AllReduceSum(Span<float>(f)).code(), StatusCode::kInvalidArgument);
    // Rank 0 passes one message too few.
    std::vector<Bytes> send(c.rank() == 0 ? c.size() - 1 : c.size());
    std::vector<Bytes> recv;
    EXPECT_EQ(c.AllToAllV(send, &recv).code(), StatusCode::kInvalidArgument);
    Bytes b(c.rank() == 0 ? 1 : 2);
    EXPECT_EQ(c.Broadcast(Span<uint8_t>(b), 0).code(), StatusCode::kInvalidArgument);
    // The group is still usable afterwards.
    std::vector<float> one = {1.0f};
    ASSERT_TRUE(c.AllReduceSum(Span<float>(one)).ok());
    EXPECT_EQ(one[0], static_cast<float>(c.size()));
  });
}

INSTANTIATE_TEST_SUITE_P(Ranks, ThreadCommTest, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace streamgnn::comm
