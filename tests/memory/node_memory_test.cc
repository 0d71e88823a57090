// NodeMemory: reads, writes, mail delivery (last / mean combine, ring buffer), clone, checkpoints.
#include "memory/node_memory.h"

#include <gtest/gtest.h>

namespace streamgnn::memory {
namespace {

torch::Tensor Ids(std::vector<int64_t> v) { return torch::tensor(v, torch::kInt64); }
torch::Tensor Times(std::vector<double> v) { return torch::tensor(v, torch::kFloat64); }

NodeMemory Make(int64_t mailbox_size, core::MailCombine combine) {
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
  NodeMemory m = Make(1, core::MailCombine::kLast);
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
  NodeMemory m = Make(1, core::MailCombine::kLast);
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
  NodeMemory m = Make(1, core::MailCombine::kMean);
  m.Deliver(Ids({1, 1}), torch::tensor({1.f, 4.f, 3.f, 8.f}).view({2, 2}), Times({10, 12}));
  MemoryRows r = m.Read(Ids({1}));
  EXPECT_FLOAT_EQ(r.mail[0][0][0].item<float>(), 2.f);
  EXPECT_FLOAT_EQ(r.mail[0][0][1].item<float>(), 6.f);
  EXPECT_EQ(r.mail_ts[0][0].item<double>(), 12);
}

TEST(NodeMemory, MailboxIsARingBuffer) {
  NodeMemory m = Make(2, core::MailCombine::kLast);
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
  NodeMemory m = Make(1, core::MailCombine::kLast);
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

}  // namespace
}  // namespace streamgnn::memory
