#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <future>
#include <thread>

#include "service/edge_log.h"
#include "service/proto/streamgnn.grpc.pb.h"
#include "service/server.h"
#include "service/stream_store.h"

namespace streamgnn::service {
namespace {

using ::testing::HasSubstr;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("streamgnn_service_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  StreamStoreOptions Options() {
    StreamStoreOptions o;
    o.data_dir = dir_.string();
    o.max_nodes = 1000;
    o.graph.out_of_order = graph::OutOfOrderPolicy::kRefuse;
    return o;
  }

  static EdgeColumns Batch(int64_t first, int64_t n, int dim = 0) {
    EdgeColumns b;
    for (int64_t i = first; i < first + n; ++i) {
      b.src.push_back(i % 17);
      b.dst.push_back(100 + i % 31);
      b.time.push_back(static_cast<double>(i));
      for (int f = 0; f < dim; ++f) b.features.push_back(static_cast<float>(i + f));
    }
    b.feature_dim = dim;
    return b;
  }

  std::filesystem::path dir_;
};

TEST_F(ServiceTest, LogSurvivesReopenAndReadsBackExactly) {
  EdgeLogOptions o;
  o.path = (dir_ / "log").string();
  {
    auto log = EdgeLog::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->Append(0, Batch(0, 10, 2)).ok());
    ASSERT_TRUE((*log)->Append(10, Batch(10, 5, 2)).ok());
    EXPECT_EQ((*log)->Append(3, Batch(3, 1)).code(), StatusCode::kFailedPrecondition);
  }
  auto log = EdgeLog::Open(o);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->next_edge_id(), 15);
  auto read = (*log)->Read(8, 4);
  ASSERT_TRUE(read.ok());
  const EdgeColumns expect = Batch(8, 4, 2);
  EXPECT_EQ(read->src, expect.src);
  EXPECT_EQ(read->time, expect.time);
  EXPECT_EQ(read->features, expect.features);
  EdgeColumns decoded;
  EXPECT_TRUE(DecodeColumns(EncodeColumns(expect), &decoded).ok());
  EXPECT_EQ(decoded.dst, expect.dst);
  EXPECT_EQ(DecodeColumns(EncodeColumns(expect).substr(0, 20), &decoded).code(), StatusCode::kCorruption);
}

TEST_F(ServiceTest, StoreIsRebuiltFromTheLogOnOpen) {
  std::vector<graph::Neighbor> before;
  {
    auto store = StreamStore::Open(Options());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int b = 0; b < 5; ++b) ASSERT_TRUE((*store)->Ingest(Batch(b * 100, 100), -1).ok());
    before = (*store)->graph().GetSnapshot().Edges(3);
  }
  auto store = StreamStore::Open(Options());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Stats().num_edges, 500);
  const auto after = (*store)->graph().GetSnapshot().Edges(3);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].edge, before[i].edge);
}

TEST_F(ServiceTest, ResendsAreStoredOnceAndGapsRefused) {
  auto store = StreamStore::Open(Options());
  ASSERT_TRUE(store.ok());
  auto r = (*store)->Ingest(Batch(0, 100), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stored, 100);
  r = (*store)->Ingest(Batch(50, 100), 50);  // half already stored (a lost ack, resent)
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_edge_id, 50);
  EXPECT_EQ(r->last_edge_id, 149);
  EXPECT_EQ(r->stored, 50);
  r = (*store)->Ingest(Batch(0, 100), 0);  // entirely stored
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stored, 0);
  r = (*store)->Ingest(Batch(200, 10), 200);  // would leave a gap
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->Stats().num_edges, 150);
  auto edges = (*store)->log().Read(0, 1000);
  ASSERT_TRUE(edges.ok());
  EXPECT_EQ(edges->time, Batch(0, 150).time);
}

TEST_F(ServiceTest, BadBatchesAreRefusedWholeNamingTheFirstBadRow) {
  auto store = StreamStore::Open(Options());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Ingest(Batch(0, 10), -1).ok());
  struct Case {
    const char* name;
    std::function<void(EdgeColumns*)> damage;
    const char* expect;
  };
  const Case cases[] = {
      {"length mismatch", [](EdgeColumns* b) { b->dst.pop_back(); }, "malformed batch"},
      {"negative id", [](EdgeColumns* b) { b->src[3] = -4; }, "row 3 of the batch: src -4 is negative"},
      {"id beyond space", [](EdgeColumns* b) { b->dst[2] = 1000; }, "row 2 of the batch: dst 1000 is beyond"},
      {"nan time", [](EdgeColumns* b) { b->time[4] = NAN; }, "row 4 of the batch: time nan"},
      {"inf time", [](EdgeColumns* b) { b->time[1] = INFINITY; }, "row 1 of the batch: time inf"},
      {"inf feature", [](EdgeColumns* b) { b->features[5 * 3 + 1] = INFINITY; }, "row 5 of the batch: feature 1"},
      {"feature count", [](EdgeColumns* b) { b->features.pop_back(); }, "feature values"},
      {"older than allowed", [](EdgeColumns* b) {
         b->src[6] = 5;  // node 5's newest edge is at time 5
         b->time[6] = 2;
       }, "edge 6 of the batch (5 -> "},
  };
  for (const Case& c : cases) {
    EdgeColumns b = Batch(10, 10, 3);
    c.damage(&b);
    auto r = (*store)->Ingest(b, -1);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(r.status().message(), HasSubstr(c.expect)) << c.name;
    EXPECT_EQ((*store)->Stats().num_edges, 10) << c.name << ": nothing of a refused batch is stored";
  }
  EXPECT_EQ((*store)->Stats().refused_batches, 8);
  // Later valid batches are unaffected.
  auto ok = (*store)->Ingest(Batch(10, 10, 3), -1);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*store)->Stats().num_edges, 20);
}

TEST_F(ServiceTest, AFullQueueAnswersResourceExhausted) {
  StreamStoreOptions o = Options();
  o.max_pending = 1;
  o.max_nodes = 1 << 20;
  o.max_batch = 1 << 22;
  auto store = StreamStore::Open(o);
  ASSERT_TRUE(store.ok());
  EdgeColumns big = Batch(0, 3'000'000);
  auto running = std::async(std::launch::async, [&] { return (*store)->Ingest(big, -1); });
  while ((*store)->pending() == 0) std::this_thread::yield();
  auto refused = (*store)->Ingest(Batch(0, 1), -1);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(running.get().ok());
}

TEST_F(ServiceTest, TokenIsRequiredWhenSetAndForNonLoopback) {
  auto store = StreamStore::Open(Options());
  ASSERT_TRUE(store.ok());
  ServerOptions so;
  so.listen = "0.0.0.0:0";
  EXPECT_EQ(Server::Start(store->get(), so).status().code(), StatusCode::kInvalidArgument);
  so.listen = "127.0.0.1:0";
  so.token = "s3cret";
  auto server = Server::Start(store->get(), so);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto stub = StreamGnn::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                                     grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext ctx;
    HealthReply reply;
    EXPECT_EQ(stub->Health(&ctx, HealthRequest(), &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer wrong");
    HealthReply reply;
    EXPECT_EQ(stub->Health(&ctx, HealthRequest(), &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    HealthReply reply;
    ASSERT_TRUE(stub->Health(&ctx, HealthRequest(), &reply).ok());
    EXPECT_EQ(reply.status(), "SERVING");
  }
  // A bad batch over the wire: INVALID_ARGUMENT naming the row; the stream ends, nothing stored.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    auto stream = stub->IngestEdges(&ctx);
    EdgeBatch batch;
    batch.set_first_edge_id(0);
    for (int i = 0; i < 3; ++i) {
      batch.add_src(i);
      batch.add_dst(i + 1);
      batch.add_time(i == 1 ? NAN : i);
    }
    ASSERT_TRUE(stream->Write(batch));
    IngestAck ack;
    EXPECT_FALSE(stream->Read(&ack));
    const grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("row 1 of the batch"));
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    StatsReply stats;
    ASSERT_TRUE(stub->Stats(&ctx, StatsRequest(), &stats).ok());
    EXPECT_EQ(stats.num_edges(), 0);
    EXPECT_EQ(stats.refused_batches(), 1);
  }
  (*server)->Shutdown();
}

}  // namespace
}  // namespace streamgnn::service
