// HaloExchangeOp (the autograd wrapper of comm::HaloExchange) over in-process ranks: its output
// is [inner | halo] with every halo row equal to its owner's row, and the gradient it returns to
// each rank's inner rows is the gradient of the sum over ranks of a loss on the local rows, as
// computed from the whole partition book. At 32 bits the op gathers and scatters the rows
// itself (the packed exchange that GPU-resident rows take); quantised widths are staged through
// comm::HaloExchange (distributed_trainer_test covers them in training).
#include "trainers/halo_exchange_op.h"

#include <gtest/gtest.h>

#include <thread>

#include "comm/local_comm.h"
#include "tests/comm/halo_test_util.h"

namespace streamgnn::trainers {
namespace {

namespace ct = comm::testing;

torch::Tensor AsTensor(const std::vector<float>& v, int64_t rows, int64_t dim) {
  return torch::from_blob(const_cast<float*>(v.data()), {rows, dim}, torch::kFloat32).clone();
}

class HaloExchangeOpTest : public ::testing::TestWithParam<int> {};

TEST_P(HaloExchangeOpTest, ForwardRowsAndBackwardGradientsMatchTheReference) {
  const int n = GetParam();
  const int64_t dim = 3;
  const graph::PartitionBook book = ct::MakeBook(150, 400, n, 23);
  auto comms = comm::MakeThreadComms(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      const graph::LocalPartition& part = book.partition(r);
      auto ex = comm::HaloExchange::Create(comms[r].get(), &part);
      ASSERT_TRUE(ex.ok());
      const int64_t inner = part.num_inner(), local = part.num_local();
      torch::Tensor h = AsTensor(ct::ForwardInput(part, dim), local, dim)
                            .narrow(0, 0, inner)
                            .clone()
                            .requires_grad_(true);
      const torch::Tensor out = HaloExchangeOp(h, &*ex);
      ASSERT_EQ(out.size(0), local);
      const torch::Tensor want = AsTensor(ct::ExpectedForward(part, dim), local, dim);
      EXPECT_TRUE(torch::equal(out.detach(), want));
      // loss_r = sum(out * C_r): d loss_r / d out = C_r, so the op's backward receives the
      // reference's backward input and must produce its inner result.
      const torch::Tensor coeff = AsTensor(ct::BackwardInput(part, dim), local, dim);
      (out * coeff).sum().backward();
      const torch::Tensor grad_want =
          AsTensor(ct::ExpectedBackwardInner(book, r, dim), inner, dim);
      ASSERT_TRUE(h.grad().defined());
      EXPECT_TRUE(torch::allclose(h.grad(), grad_want, 1e-6, 1e-6))
          << "rank " << r << " max diff " << (h.grad() - grad_want).abs().max().item<float>();
      // Float32 rows each way: the inner rows sent forward, the halo gradients sent back.
      int64_t rows = 0;
      for (int q = 0; q < n; ++q) {
        rows += static_cast<int64_t>(part.send[q].size()) + part.recv[q].second - part.recv[q].first;
      }
      EXPECT_EQ(ex->stats().calls, 2);
      EXPECT_EQ(ex->stats().bytes_sent, rows * dim * static_cast<int64_t>(sizeof(float)));
    });
  }
  for (auto& t : threads) t.join();
}

INSTANTIATE_TEST_SUITE_P(Ranks, HaloExchangeOpTest, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace streamgnn::trainers
