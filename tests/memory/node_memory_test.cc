// NodeMemory: reads, writes, mail delivery (last / mean combine, ring buffer), clone, checkpoints.
#include "memory/node_memory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace streamgnn::memory {
namespace {

torch::Tensor Ids(std::vector<int64_t> v) { return torch::tensor(v, torch::kInt64); }
torch::Tensor Times(std::vector<double> v) { return torch::tensor(v, torch::kFloat64); }

NodeMemory Make(int64_t mailbox_size, memory::MailCombine combine) {
  NodeMemoryOptions o;
  o.num_nodes = 5;
  o.dim_memory = 3;
  o.dim_mail = 2;
  o.mailbox_size = mailbox_size;
  o.combine = combine;
  auto m = NodeMemory::Create(o);
  EXPECT_TRUE(m.ok());
  return std::move(m).value();
}

TEST(NodeMemory, RejectsBadOptions) {
  NodeMemoryOptions o;
  o.num_nodes = 0;
  auto m = NodeMemory::Create(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("num_nodes"), std::string::npos);
}

TEST(NodeMemory, StartsEmptyAndWritesRows) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  MemoryRows r = m.Read(Ids({0, 4}));
  EXPECT_EQ(r.memory.abs().sum().item<float>(), 0);
  EXPECT_FALSE(r.mail_valid.any().item<bool>());
  m.Write(Ids({4}), torch::full({1, 3}, 2.5f), Times({7}));
  r = m.Read(Ids({0, 4}));
  EXPECT_EQ(r.memory[1][2].item<float>(), 2.5f);
  EXPECT_EQ(r.memory[0][2].item<float>(), 0.0f);
  EXPECT_EQ(r.last_update[1].item<double>(), 7.0);
}

TEST(NodeMemory, LastCombineKeepsTheLastMailPerNode) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  // node 1 gets two mails; the later one (in order) wins with its time.
  m.Deliver(Ids({1, 2, 1}), torch::tensor({1.f, 1.f, 2.f, 2.f, 3.f, 3.f}).view({3, 2}),
            Times({10, 11, 12}));
  MemoryRows r = m.Read(Ids({1, 2, 3}));
  EXPECT_EQ(r.mail[0][0][0].item<float>(), 3.f);
  EXPECT_EQ(r.mail_ts[0][0].item<double>(), 12);
  EXPECT_EQ(r.mail[1][0][1].item<float>(), 2.f);
  EXPECT_TRUE(r.mail_valid[0][0].item<bool>());
  EXPECT_FALSE(r.mail_valid[2][0].item<bool>());
}

TEST(NodeMemory, MeanCombineAveragesMails) {
  NodeMemory m = Make(1, memory::MailCombine::kMean);
  m.Deliver(Ids({1, 1}), torch::tensor({1.f, 4.f, 3.f, 8.f}).view({2, 2}), Times({10, 12}));
  MemoryRows r = m.Read(Ids({1}));
  EXPECT_FLOAT_EQ(r.mail[0][0][0].item<float>(), 2.f);
  EXPECT_FLOAT_EQ(r.mail[0][0][1].item<float>(), 6.f);
  EXPECT_EQ(r.mail_ts[0][0].item<double>(), 12);
}

TEST(NodeMemory, MailboxIsARingBuffer) {
  NodeMemory m = Make(2, memory::MailCombine::kLast);
  for (int i = 0; i < 3; ++i) {
    m.Deliver(Ids({0}), torch::full({1, 2}, static_cast<float>(i)), Times({static_cast<double>(i)}));
  }
  MemoryRows r = m.Read(Ids({0}));
  EXPECT_TRUE(r.mail_valid.all().item<bool>());
  // Slots: mail 2 overwrote mail 0 in slot 0; slot 1 holds mail 1.
  EXPECT_EQ(r.mail[0][0][0].item<float>(), 2.f);
  EXPECT_EQ(r.mail[0][1][0].item<float>(), 1.f);
  EXPECT_EQ(m.mail_count()[0].item<int64_t>(), 2);
}

TEST(NodeMemory, ResetCloneAndCheckpointRoundTrip) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  m.Write(Ids({3}), torch::ones({1, 3}), Times({5}));
  m.Deliver(Ids({3}), torch::ones({1, 2}), Times({6}));
  NodeMemory copy = m.Clone();
  m.Reset();
  EXPECT_EQ(m.memory().abs().sum().item<float>(), 0);
  EXPECT_EQ(copy.memory().sum().item<float>(), 3);

  torch::serialize::OutputArchive out;
  copy.Save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  ASSERT_TRUE(m.Load(in).ok());
  EXPECT_TRUE(torch::equal(m.memory(), copy.memory()));
  EXPECT_TRUE(m.Read(Ids({3})).mail_valid[0][0].item<bool>());

  NodeMemoryOptions other = m.options();
  other.dim_memory = 4;
  NodeMemory wrong = NodeMemory::Create(other).value();
  torch::serialize::InputArchive in2;
  std::stringstream buffer2;
  out.save_to(buffer2);
  in2.load_from(buffer2);
  Status s = wrong.Load(in2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("memory"), std::string::npos);
}

TEST(NodeMemory, MailEventsCountTheEventsCombinedIntoTheNewestMail) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  m.Deliver(Ids({1, 2, 1, 1}), torch::ones({4, 2}), Times({1, 2, 3, 4}));
  MemoryRows r = m.Read(Ids({0, 1, 2}));
  EXPECT_EQ(r.mail_events[0].item<int64_t>(), 0);
  EXPECT_EQ(r.mail_events[1].item<int64_t>(), 3);
  EXPECT_EQ(r.mail_events[2].item<int64_t>(), 1);
  m.Deliver(Ids({1}), torch::ones({1, 2}), Times({5}));
  EXPECT_EQ(m.Read(Ids({1})).mail_events[0].item<int64_t>(), 1);
}

// The composed delivery (what runs on a GPU) against the CPU loop: random batches with repeated
// recipients, for both combines and ring sizes 1 and 3.
TEST(NodeMemory, ComposedDeliveryEqualsTheCpuLoop) {
  torch::manual_seed(3);
  for (const memory::MailCombine combine : {memory::MailCombine::kLast, memory::MailCombine::kMean}) {
    for (const int64_t ring : {1, 3}) {
      NodeMemory loop = Make(ring, combine), composed = Make(ring, combine);
      for (int batch = 0; batch < 6; ++batch) {
        const int64_t n = 2 + batch * 3;
        const torch::Tensor nodes = torch::randint(0, 5, {n}, torch::kInt64);
        const torch::Tensor mails = torch::randn({n, 2});
        const torch::Tensor times = torch::arange(n, torch::kFloat64) + 100.0 * batch;
        loop.Deliver(nodes, mails, times);
        composed.DeliverComposed(nodes, mails, times);
      }
      const MemoryRows a = loop.Read(Ids({0, 1, 2, 3, 4})), b = composed.Read(Ids({0, 1, 2, 3, 4}));
      const std::string where = std::string(combine == memory::MailCombine::kMean ? "mean" : "last") +
                                ", ring " + std::to_string(ring);
      EXPECT_TRUE(torch::allclose(a.mail, b.mail, 1e-6, 1e-6)) << where;
      EXPECT_TRUE(torch::equal(a.mail_ts, b.mail_ts)) << where;
      EXPECT_TRUE(torch::equal(a.mail_valid, b.mail_valid)) << where;
      EXPECT_TRUE(torch::equal(a.mail_events, b.mail_events)) << where;
    }
  }
}

TEST(NodeMemory, CommitIsOneVersionAndReadsReportTheirStaleness) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  EXPECT_EQ(m.version(), 0);
  m.Commit(Ids({3}), torch::full({1, 3}, 2.f), Times({5}), Ids({3, 4}), torch::ones({2, 2}),
           Times({5, 5}));
  EXPECT_EQ(m.version(), 1);
  EXPECT_EQ(m.memory()[3][0].item<float>(), 2.f);
  EXPECT_EQ(m.mail_count()[4].item<int64_t>(), 1);
  // Target 3 with bound 2 needs version >= 1: served at once, 2 batches stale.
  auto r = m.ReadAtLeast(Ids({3}), 3, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->staleness, 2);
  auto fresh = m.ReadAtLeast(Ids({3}), 1, 0);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->staleness, 0);
  const StalenessStats st = m.staleness_stats();
  EXPECT_EQ(st.reads, 2);
  EXPECT_EQ(st.stale_reads, 1);
  EXPECT_EQ(st.max, 2);
  EXPECT_DOUBLE_EQ(st.mean(), 1.0);
  ASSERT_EQ(st.histogram.size(), 3u);
  EXPECT_EQ(st.histogram[2], 1);
  // The version survives a checkpoint and Reset clears it.
  torch::serialize::OutputArchive out;
  m.Save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  NodeMemory other = Make(1, memory::MailCombine::kLast);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  ASSERT_TRUE(other.Load(in).ok());
  EXPECT_EQ(other.version(), 1);
  m.Reset();
  EXPECT_EQ(m.version(), 0);
}

TEST(NodeMemory, AbortWakesABlockedReader) {
  NodeMemory m = Make(1, memory::MailCombine::kLast);
  std::thread reader([&] {
    auto r = m.ReadAtLeast(Ids({0}), 5, 0);  // version 5 never comes
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("aborted"), std::string::npos);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  m.Abort();
  reader.join();
}

// A writer commits batch i (row 0 := i + 1) while readers of batches i ask for target i with
// bound s, all with random delays: every read sees one whole version in [i - s, i], and the row
// it sees is that version's value.
TEST(NodeMemory, StalenessBoundHoldsUnderRandomDelays) {
  for (int64_t bound : {0, 1, 3}) {
    SCOPED_TRACE(bound);
    NodeMemory m = Make(1, memory::MailCombine::kLast);
    constexpr int64_t kBatches = 60;
    std::atomic<int64_t> next_read{0};
    std::thread writer([&] {
      std::mt19937 rng(7);
      for (int64_t i = 0; i < kBatches; ++i) {
        // Batch i's write may only follow batch i's read (as in the pipeline).
        while (next_read.load() <= i) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 400));
        m.Commit(Ids({0}), torch::full({1, 3}, static_cast<float>(i + 1)), Times({1.0 * i}),
                 Ids({0}), torch::ones({1, 2}), Times({1.0 * i}));
      }
    });
    std::mt19937 rng(11);
    for (int64_t i = 0; i < kBatches; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 400));
      auto r = m.ReadAtLeast(Ids({0}), i, bound);
      ASSERT_TRUE(r.ok());
      EXPECT_GE(r->version, i - bound);
      EXPECT_LE(r->version, i);
      EXPECT_EQ(r->staleness, i - r->version);
      EXPECT_EQ(r->rows.memory[0][0].item<float>(), static_cast<float>(r->version));
      next_read = i + 1;
    }
    writer.join();
    const StalenessStats st = m.staleness_stats();
    EXPECT_EQ(st.reads, kBatches);
    EXPECT_LE(st.max, bound);
    if (bound == 0) {
      EXPECT_EQ(st.max, 0);
    }
  }
}

}  // namespace
}  // namespace streamgnn::memory
