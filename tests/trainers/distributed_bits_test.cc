// AdaptiveBits (AdaQP's adaptive widths for distributed training) over in-process ranks: after
// Trace + Assign every rank holds one width in {2, 4, 8} per row it sends, the widths a rank
// uses to send gradients back to owner q are exactly the widths q used for those rows forward.
#include "trainers/distributed_bits.h"

#include <gtest/gtest.h>

#include <thread>

#include "comm/local_comm.h"
#include "tests/comm/halo_test_util.h"

namespace streamgnn::trainers {
namespace {

TEST(AdaptiveBits, WidthsAreConsistentAcrossRanksAndFollowTheScores) {
  if (!comm::BitAssignmentAvailable()) GTEST_SKIP() << "built without GLPK";
  const int n = 3;
  const int64_t dim = 8, layers = 3;
  const graph::PartitionBook book = comm::testing::MakeBook(240, 700, n, 29);
  // The graph the book was built from (same construction as MakeBook).
  std::vector<NodeId> src, dst;
  {
    core::RngStream rng(29, 1, 0);
    for (int64_t e = 0; e < 700; ++e) {
      const NodeId u = static_cast<NodeId>(rng.Below(240));
      const int64_t off = static_cast<int64_t>(rng.Below(7)) - 3;
      src.push_back(u);
      dst.push_back(std::min<NodeId>(239, std::max<NodeId>(0, u + off)));
    }
  }
  graph::CsrBuildOptions o;
  o.symmetrize = true;
  o.add_self_loops = true;
  auto g = graph::CsrGraph::FromEdges(240, src, dst, o);
  ASSERT_TRUE(g.ok());

  auto comms = comm::MakeThreadComms(n);
  std::vector<std::unique_ptr<AdaptiveBits>> bits(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      AdaptiveBitsOptions ao;
      ao.group_size = 4;  // several groups per channel
      auto a = AdaptiveBits::Create(comms[r].get(), &book, &*g, layers, ao);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      bits[r] = std::make_unique<AdaptiveBits>(std::move(*a));
      const graph::LocalPartition& part = book.partition(r);
      for (int64_t l = 1; l < layers; ++l) {
        // Row ranges grow with the local id, so the channels' scores differ.
        std::vector<float> inner(part.num_inner() * dim);
        for (int64_t i = 0; i < part.num_inner(); ++i) {
          for (int64_t j = 0; j < dim; ++j) inner[i * dim + j] = static_cast<float>(j * (i + 1) * l);
        }
        ASSERT_TRUE(bits[r]->Trace(l, Span<const float>(inner), dim).ok());
      }
      ASSERT_TRUE(bits[r]->Assign().ok());
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < n; ++r) ASSERT_NE(bits[r], nullptr);

  for (int64_t l = 1; l < layers; ++l) {
    for (int r = 0; r < n; ++r) {
      const graph::LocalPartition& part = book.partition(r);
      EXPECT_EQ(bits[r]->report().assignments, 1);
      for (int q = 0; q < n; ++q) {
        if (q == r) continue;
        const auto& fwd = bits[r]->forward(l)[q];
        ASSERT_EQ(fwd.size(), part.send[q].size());
        for (uint8_t b : fwd) EXPECT_TRUE(b == 2 || b == 4 || b == 8) << int(b);
        // r's gradients back to q use q's forward widths of those rows.
        EXPECT_EQ(bits[r]->backward(l)[q], bits[q]->forward(l)[r]);
      }
    }
  }
}

}  // namespace
}  // namespace streamgnn::trainers
