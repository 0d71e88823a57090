// Distributed full-graph training over in-process ranks (ThreadComm; the same function runs
// over MPI in distributed_trainer_mpitest.cc): GCN, SAGE and GAT on cora give the
// single-process loss curve within 1e-5 relative on 1, 2 and 4 ranks; 8-bit and adaptive halo
// messages still learn cora and send fewer bytes than fp32; config and input errors.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "comm/bit_assignment.h"
#include "comm/local_comm.h"
#include "tests/trainers/distributed_test_util.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

using testing::CoraConfig;
using testing::ExpectSameCurve;
using testing::HaveCora;

#define SG_REQUIRE_CORA() \
  if (!HaveCora()) GTEST_SKIP() << "shared dataset missing: cora/converted"

// Runs TrainStaticDistributed on n thread ranks; returns every rank's result.
std::vector<StatusOr<StaticRunResult>> RunThreads(const StaticConfig& c,
                                                  const datasets::StaticDataset& d, int n) {
  auto comms = comm::MakeThreadComms(n);
  std::vector<StatusOr<StaticRunResult>> results(n, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] { results[r] = TrainStaticDistributed(c, d, comms[r].get()); });
  }
  for (auto& t : threads) t.join();
  return results;
}

struct CurveCase {
  const char* model;
  int ranks;
  int64_t epochs;
};

void PrintTo(const CurveCase& c, std::ostream* os) {
  *os << c.model << " on " << c.ranks << " ranks, " << c.epochs << " epochs";
}

class DistributedCurve : public ::testing::TestWithParam<CurveCase> {};

TEST_P(DistributedCurve, EqualsSingleProcess) {
  SG_REQUIRE_CORA();
  const CurveCase p = GetParam();
  const StaticConfig c = CoraConfig(p.model, p.epochs, 5);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto single = TrainStaticOnDataset(c, *d);
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  auto results = RunThreads(c, *d, p.ranks);
  for (int r = 0; r < p.ranks; ++r) {
    ASSERT_TRUE(results[r].ok()) << "rank " << r << ": " << results[r].status().ToString();
    EXPECT_EQ(results[r]->world_size, p.ranks);
    ExpectSameCurve(*single, *results[r], 1e-5);
    if (p.ranks > 1) {
      EXPECT_GT(results[r]->num_halo, 0);
      EXPECT_GT(results[r]->halo_bytes_sent, 0);
    }
  }
  // Training loss went down: the comparison is not between two idle runs.
  EXPECT_LT(single->epochs.back().loss, 0.8 * single->epochs.front().loss);
}

INSTANTIATE_TEST_SUITE_P(Cora, DistributedCurve,
                         ::testing::Values(CurveCase{"gcn", 1, 40}, CurveCase{"gcn", 2, 40},
                                           CurveCase{"gcn", 4, 40}, CurveCase{"sage", 2, 20},
                                           CurveCase{"gat", 2, 20}),
                         [](const auto& info) {
                           return std::string(info.param.model) + "_" +
                                  std::to_string(info.param.ranks) + "ranks";
                         });

TEST(DistributedTraining, LocalBackendFromTheConfigEqualsSingleProcess) {
  SG_REQUIRE_CORA();
  StaticConfig c = CoraConfig("gcn", 10, 5);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok());
  auto single = TrainStaticOnDataset(c, *d);
  c.distributed.backend = DistributedBackend::kLocal;
  auto local = TrainStaticOnDataset(c, *d);
  ASSERT_TRUE(single.ok() && local.ok()) << local.status().ToString();
  EXPECT_EQ(local->world_size, 1);
  EXPECT_EQ(local->num_halo, 0);
  ExpectSameCurve(*single, *local, 1e-5);
}

TEST(DistributedTraining, EightBitMessagesLearnAndSendLess) {
  SG_REQUIRE_CORA();
  StaticConfig c = CoraConfig("gcn", 100, 10);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok());
  auto fp32 = RunThreads(c, *d, 4);
  c.distributed.quantization.bits = "8";
  auto q8 = RunThreads(c, *d, 4);
  for (int r = 0; r < 4; ++r) {
    ASSERT_TRUE(fp32[r].ok() && q8[r].ok()) << q8[r].status().ToString();
    // 16 hidden floats a row: 64 bytes in fp32, 16 code + 5 metadata bytes at 8 bits (0.33x,
    // plus a 24-byte header a message); evaluation stays fp32.
    EXPECT_LT(q8[r]->train_halo_bytes_sent, 0.36 * fp32[r]->train_halo_bytes_sent);
    EXPECT_LT(q8[r]->halo_bytes_sent, fp32[r]->halo_bytes_sent);
  }
  EXPECT_GT(q8[0]->test_acc, fp32[0]->test_acc - 0.03) << "fp32 " << fp32[0]->test_acc;
  EXPECT_GT(q8[0]->test_acc, 0.7);
}

TEST(DistributedTraining, ErrorsAreClear) {
  // Config: distributed training is full-graph only.
  auto bad = LoadStaticConfigString(
      "dataset: {format: sbm}\ntrain: {batch_size: 32}\ndistributed: {backend: mpi}\n", "d.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("full-graph only"), std::string::npos)
      << bad.status().message();
  auto bits = LoadStaticConfigString(
      "dataset: {format: sbm}\ndistributed: {backend: mpi, quantization: {bits: 3}}\n", "d.yaml");
  ASSERT_FALSE(bits.ok());
  EXPECT_NE(bits.status().message().find("32|8|4|2|adaptive"), std::string::npos);

  // More ranks than nodes.
  datasets::StaticDataset tiny;
  tiny.name = "tiny";
  tiny.num_nodes = 2;
  tiny.edge_src = {0};
  tiny.edge_dst = {1};
  tiny.undirected = true;
  tiny.feature_dim = 2;
  tiny.features = {1, 0, 0, 1};
  tiny.labels = {0, 1};
  tiny.num_classes = 2;
  tiny.train_idx = {0, 1};
  auto c = LoadStaticConfigString("dataset: {format: sbm}\nruntime: {threads: 1}\n", "t.yaml");
  ASSERT_TRUE(c.ok());
  for (const auto& r : RunThreads(*c, tiny, 3)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("3 ranks for a graph of 2 nodes"), std::string::npos)
        << r.status().message();
  }
}

TEST(DistributedTraining, AdaptiveWidthsLearnAndSendLessThanFp32) {
  SG_REQUIRE_CORA();
  StaticConfig c = CoraConfig("gcn", 100, 10);
  auto d = LoadStaticConfigDataset(c);
  ASSERT_TRUE(d.ok());
  c.distributed.quantization.bits = "adaptive";
  c.distributed.quantization.assign_every = 25;
  if (!comm::BitAssignmentAvailable()) {
    comm::LocalComm one;
    EXPECT_EQ(TrainStaticDistributed(c, *d, &one).status().code(), StatusCode::kUnimplemented);
    GTEST_SKIP() << "no GLPK: adaptive widths are Unimplemented (checked)";
  }
  auto adaptive = RunThreads(c, *d, 4);
  c.distributed.quantization.bits = "32";
  auto fp32 = RunThreads(c, *d, 4);
  for (int r = 0; r < 4; ++r) {
    ASSERT_TRUE(adaptive[r].ok()) << adaptive[r].status().ToString();
    ASSERT_TRUE(fp32[r].ok());
    // Assigned after epochs 1, 26, 51 and 76.
    EXPECT_EQ(adaptive[r]->bit_assignments, 4);
    EXPECT_GE(adaptive[r]->mean_bits, 2.0);
    EXPECT_LE(adaptive[r]->mean_bits, 8.0);
    EXPECT_LT(adaptive[r]->train_halo_bytes_sent, 0.36 * fp32[r]->train_halo_bytes_sent);
  }
  EXPECT_GT(adaptive[0]->test_acc, fp32[0]->test_acc - 0.03) << "fp32 " << fp32[0]->test_acc;
}

TEST(DistributedTraining, ShippedExampleLoads) {
  auto c = LoadStaticConfigFile(std::string(STREAMGNN_SOURCE_DIR) +
                                "/examples/gcn_cora_distributed.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->distributed.backend, DistributedBackend::kMpi);
  EXPECT_EQ(c->distributed.quantization.bits, "32");
}

}  // namespace
}  // namespace streamgnn::trainers
