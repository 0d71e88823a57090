// HaloExchange over in-process ranks (ThreadComm): the forward fills every halo row with its
// owner's row and leaves inner rows alone; the backward adds every halo row's gradient into its
// owner's inner row; both against a reference computed from the whole partition book. Quantised
// messages stay within one grid step of the exact value. comm_mpitest.cc repeats the fp32
// checks over MPI.
#include "comm/halo_exchange.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <thread>

#include "comm/local_comm.h"
#include "tests/comm/halo_test_util.h"

namespace streamgnn::comm {
namespace {

void RunRanks(int n, const std::function<void(Communicator&)>& body) {
  auto comms = MakeThreadComms(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { body(*comms[r]); });
  for (auto& t : threads) t.join();
}

class HaloExchangeTest : public ::testing::TestWithParam<int> {};

TEST_P(HaloExchangeTest, ForwardAndBackwardMatchTheReference) {
  const int n = GetParam();
  const int64_t dim = 5;
  const graph::PartitionBook book = testing::MakeBook(200, 500, n, 7);
  if (n > 2) {
    // The banded graph leaves some pairs of parts without messages: empty messages are covered.
    bool some_empty = false;
    for (int p = 0; p < n; ++p) {
      for (int q = 0; q < n; ++q) some_empty |= p != q && book.partition(p).send[q].empty();
    }
    EXPECT_TRUE(some_empty);
  }
  RunRanks(n, [&](Communicator& c) {
    const graph::LocalPartition& part = book.partition(c.rank());
    auto ex = HaloExchange::Create(&c, &part);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    std::vector<float> rows = testing::ForwardInput(part, dim);
    ASSERT_TRUE(ex->Forward(Span<float>(rows), dim).ok());
    EXPECT_EQ(rows, testing::ExpectedForward(part, dim));

    std::vector<float> grads = testing::BackwardInput(part, dim);
    ASSERT_TRUE(ex->Backward(Span<float>(grads), dim).ok());
    const std::vector<float> want = testing::ExpectedBackwardInner(book, c.rank(), dim);
    ASSERT_GE(grads.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) ASSERT_FLOAT_EQ(grads[i], want[i]) << "value " << i;
    EXPECT_EQ(ex->stats().calls, 2);
  });
}

TEST_P(HaloExchangeTest, QuantisedForwardStaysWithinOneGridStep) {
  const int n = GetParam();
  const int64_t dim = 6;
  const graph::PartitionBook book = testing::MakeBook(160, 400, n, 11);
  for (int bits : {8, 4, 2}) {
    RunRanks(n, [&](Communicator& c) {
      const graph::LocalPartition& part = book.partition(c.rank());
      auto ex = HaloExchange::Create(&c, &part, /*seed=*/3);
      ASSERT_TRUE(ex.ok());
      std::vector<float> rows = testing::ForwardInput(part, dim);
      ASSERT_TRUE(ex->Forward(Span<float>(rows), dim, bits).ok());
      const std::vector<float> exact = testing::ExpectedForward(part, dim);
      const double levels = (1 << bits) - 1;
      for (int64_t r = 0; r < part.num_local(); ++r) {
        for (int64_t j = 0; j < dim; ++j) {
          const float got = rows[r * dim + j], want = exact[r * dim + j];
          // One grid step: the row's range 0.01 * (dim - 1), widened because the minimum is
          // sent as bf16 rounded down (up to |min| / 128 lower) and the step rounded up.
          const double step = (0.01 * (dim - 1) + std::abs(want) / 64) / levels * 1.05 + 1e-6;
          if (r < part.num_inner()) {
            ASSERT_EQ(got, want);
          } else {
            ASSERT_LE(std::abs(got - want), step) << bits << " bits, row " << r;
          }
        }
      }
      std::vector<float> grads = testing::BackwardInput(part, dim);
      ASSERT_TRUE(ex->Backward(Span<float>(grads), dim, bits).ok());
      const std::vector<float> want = testing::ExpectedBackwardInner(book, c.rank(), dim);
      // Incoming gradient rows span 0.03 * (dim - 1) with |values| <= 0.5 n + 0.125 * 160; up
      // to n - 1 of them are added into one row.
      const double step = (0.03 * (dim - 1) + (0.5 * n + 20.0) / 64) / levels * 1.05 + 1e-6;
      for (int64_t r = 0; r < part.num_inner(); ++r) {
        for (int64_t j = 0; j < dim; ++j) {
          ASSERT_LE(std::abs(grads[r * dim + j] - want[r * dim + j]), (n - 1) * step + 1e-5)
              << bits << " bits, row " << r;
        }
      }
    });
  }
}

TEST_P(HaloExchangeTest, PerRowWidthsDecodeWithinEachRowsStep) {
  const int n = GetParam();
  const int64_t dim = 4;
  const graph::PartitionBook book = testing::MakeBook(120, 300, n, 13);
  RunRanks(n, [&](Communicator& c) {
    const graph::LocalPartition& part = book.partition(c.rank());
    auto ex = HaloExchange::Create(&c, &part, 9);
    ASSERT_TRUE(ex.ok());
    // Widths cycle 2, 4, 8 over the rows of every message.
    RowBits widths(n);
    for (int q = 0; q < n; ++q) {
      if (q == c.rank()) continue;
      for (size_t i = 0; i < part.send[q].size(); ++i) widths[q].push_back(uint8_t{2} << (i % 3));
    }
    std::vector<float> rows = testing::ForwardInput(part, dim);
    ASSERT_TRUE(ex->Forward(Span<float>(rows), dim, 32, &widths).ok());
    const std::vector<float> exact = testing::ExpectedForward(part, dim);
    // Row i of the range from owner q was sent at width 2 << (i % 3).
    for (int q = 0; q < n; ++q) {
      if (q == c.rank()) continue;
      for (int64_t r = part.recv[q].first; r < part.recv[q].second; ++r) {
        const int bits = 2 << ((r - part.recv[q].first) % 3);
        for (int64_t j = 0; j < dim; ++j) {
          const float want = exact[r * dim + j];
          const double step = (0.01 * (dim - 1) + std::abs(want) / 64) / ((1 << bits) - 1) * 1.05;
          ASSERT_LE(std::abs(rows[r * dim + j] - want), step + 1e-6) << bits << " bits";
        }
      }
    }
    // A width list of the wrong length is refused before anything is sent (on every rank that
    // has a message, so only check where this rank sends something).
    RowBits wrong = widths;
    bool sends = false;
    for (int q = 0; q < n; ++q) {
      if (q != c.rank() && !wrong[q].empty()) {
        wrong[q].pop_back();
        sends = true;
      }
    }
    if (n == 1 || !sends) return;
    // Every rank of a pair with messages takes this branch only if all do; the banded book gives
    // every rank at least one neighbour part.
    EXPECT_EQ(ex->Forward(Span<float>(rows), dim, 32, &wrong).code(), StatusCode::kInvalidArgument);
  });
}

INSTANTIATE_TEST_SUITE_P(Ranks, HaloExchangeTest, ::testing::Values(1, 2, 3, 4));

TEST(HaloExchange, RejectsMismatchedPartitionsShapesAndWidths) {
  const graph::PartitionBook book = testing::MakeBook(50, 100, 2, 5);
  LocalComm one;
  // A two-part book on a one-rank communicator.
  EXPECT_EQ(HaloExchange::Create(&one, &book.partition(0)).status().code(),
            StatusCode::kInvalidArgument);
  RunRanks(2, [&](Communicator& c) {
    // Partition of the other rank.
    EXPECT_EQ(HaloExchange::Create(&c, &book.partition(1 - c.rank())).status().code(),
              StatusCode::kInvalidArgument);
    auto ex = HaloExchange::Create(&c, &book.partition(c.rank()));
    ASSERT_TRUE(ex.ok());
    std::vector<float> short_rows(3);
    EXPECT_EQ(ex->Forward(Span<float>(short_rows), 4).code(), StatusCode::kInvalidArgument);
    std::vector<float> rows(book.partition(c.rank()).num_local() * 4, 1.0f);
    EXPECT_EQ(ex->Forward(Span<float>(rows), 4, 3).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ex->Forward(Span<float>(rows), 4, 16).code(), StatusCode::kInvalidArgument);
  });
}

}  // namespace
}  // namespace streamgnn::comm
