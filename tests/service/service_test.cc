#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "service/edge_log.h"
#include "service/proto/streamgnn.grpc.pb.h"
#include "service/requests.h"
#include "service/server.h"
#include "service/stream_store.h"
#include "tests/testing/file_damage.h"

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

// A damaged edge log (any RocksDB file: WAL, table, manifest, CURRENT) never opens as a log with
// other edges: it is refused (Corruption / IOError) or reads back exactly. A truncated WAL may
// open as an exact prefix: RocksDB cannot tell a cut file from a torn last write, and the client
// resumes from the server's Stats.num_edges.
TEST_F(ServiceTest, DamagedEdgeLogIsRefusedOrReadsBackExactly) {
  EdgeLogOptions o;
  o.path = (dir_ / "log").string();
  const EdgeColumns all = Batch(0, 500, 2);
  {
    auto log = EdgeLog::Open(o);
    ASSERT_TRUE(log.ok());
    for (int64_t b = 0; b < 3; ++b) ASSERT_TRUE((*log)->Append(b * 100, Batch(b * 100, 100, 2)).ok());
  }
  {
    auto log = EdgeLog::Open(o);  // recovery moves the first three batches into a table file
    ASSERT_TRUE(log.ok());
    for (int64_t b = 3; b < 5; ++b) ASSERT_TRUE((*log)->Append(b * 100, Batch(b * 100, 100, 2)).ok());
  }
  const auto is_db_file = [](const std::string& name) {
    return name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 ||
           (name.size() > 4 && std::isdigit(static_cast<unsigned char>(name[0])) &&
            (name.substr(name.size() - 4) == ".log" || name.substr(name.size() - 4) == ".sst"));
  };
  int64_t refused = 0, exact = 0, prefixes = 0;
  const int64_t made = testing::ForEachDamage(o.path, is_db_file, 24, [&](const std::string& file,
                                                                          const std::string& what) {
    SCOPED_TRACE(file + ": " + what);
    auto log = EdgeLog::Open(o);
    if (!log.ok()) {
      EXPECT_TRUE(log.status().code() == StatusCode::kCorruption || log.status().code() == StatusCode::kIOError)
          << log.status().ToString();
      ++refused;
      return;
    }
    const int64_t n = (*log)->next_edge_id();
    auto read = (*log)->Read(0, n);
    if (!read.ok()) {
      EXPECT_TRUE(read.status().code() == StatusCode::kCorruption || read.status().code() == StatusCode::kIOError)
          << read.status().ToString();
      ++refused;
      return;
    }
    const bool truncated_wal = what.rfind("trunc", 0) == 0 || what == "last byte cut";
    if (n != 500) {
      EXPECT_TRUE(truncated_wal && file.size() > 4 && file.substr(file.size() - 4) == ".log" && n < 500)
          << "opened with " << n << " edges";
      ++prefixes;
    } else {
      ++exact;
    }
    const EdgeColumns expect = Batch(0, n, 2);
    EXPECT_EQ(read->src, expect.src);
    EXPECT_EQ(read->dst, expect.dst);
    EXPECT_EQ(read->time, expect.time);
    EXPECT_EQ(read->features, expect.features);
  });
  EXPECT_GT(made, 50);
  EXPECT_GT(refused, 0);
  std::printf("edge log damages: %lld refused, %lld read back exactly, %lld exact prefixes\n",
              static_cast<long long>(refused), static_cast<long long>(exact), static_cast<long long>(prefixes));
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

// Every request limit refuses before any work, with the code a client can act on and a message
// naming the field and the limit (table-driven over the handlers of service/requests.h).
TEST_F(ServiceTest, RequestsBeyondTheLimitsAreRefusedWithAReason) {
  auto store = StreamStore::Open(Options());  // max_nodes 1000
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Ingest(Batch(0, 50), -1).ok());
  ServiceLimits limits;
  limits.max_sample_roots = 8;
  limits.max_sample_layers = 2;
  limits.max_fanout = 5;
  limits.max_sample_edges = 100;
  limits.max_embed_nodes = 4;
  limits.max_read_edges = 10;
  auto sample = [&](const std::vector<int64_t>& nodes, const std::vector<double>& times,
                    const std::vector<int32_t>& fanouts) {
    SampleRequest r;
    for (int64_t n : nodes) r.add_nodes(n);
    for (double t : times) r.add_times(t);
    for (int32_t f : fanouts) r.add_fanouts(f);
    SampleReply reply;
    return HandleSample(**store, limits, r, &reply);
  };
  struct Case {
    const char* what;
    Status status;
    StatusCode code;
    const char* says;
  };
  const std::vector<int64_t> nine(9, 1);
  const Case kCases[] = {
      {"too many roots", sample(nine, std::vector<double>(9, 5.0), {2}), StatusCode::kResourceExhausted,
       "--max-sample-roots"},
      {"too many layers", sample({1}, {5}, {2, 2, 2}), StatusCode::kResourceExhausted, "--max-sample-layers"},
      {"fanout above the limit", sample({1}, {5}, {6}), StatusCode::kInvalidArgument, "fanouts[0] = 6"},
      {"fanout zero", sample({1}, {5}, {0}), StatusCode::kInvalidArgument, "fanouts[0] = 0"},
      {"reply could be too large", sample({1, 2, 3, 4, 5}, {5, 5, 5, 5, 5}, {5, 5}),
       StatusCode::kResourceExhausted, "--max-sample-edges"},
      {"node beyond max_nodes", sample({1, 1000}, {5, 5}, {2}), StatusCode::kInvalidArgument,
       "nodes[1] = 1000"},
      {"negative node", sample({-1}, {5}, {2}), StatusCode::kInvalidArgument, "nodes[0] = -1"},
      {"NaN time", sample({1}, {NAN}, {2}), StatusCode::kInvalidArgument, "times[0]"},
      {"lengths differ", sample({1, 2}, {5}, {2}), StatusCode::kInvalidArgument, "differ in length"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(c.status.code(), c.code) << c.status.ToString();
    EXPECT_THAT(c.status.message(), HasSubstr(c.says));
  }
  EXPECT_TRUE(sample({1, 2}, {40, 40}, {5, 5}).ok());

  const EmbedFn zeros = [](const std::vector<NodeId>& nodes) -> StatusOr<Embeddings> {
    return Embeddings{2, std::vector<float>(2 * nodes.size()), 0};
  };
  EmbedRequest embed;
  EmbedReply embedded;
  for (int i = 0; i < 5; ++i) embed.add_nodes(i);
  EXPECT_EQ(HandleEmbed(zeros, **store, limits, embed, &embedded).code(), StatusCode::kResourceExhausted);
  embed.clear_nodes();
  embed.add_nodes(5000);
  EXPECT_EQ(HandleEmbed(zeros, **store, limits, embed, &embedded).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HandleEmbed(EmbedFn(), **store, limits, embed, &embedded).code(), StatusCode::kUnimplemented);

  ReadEdgesRequest read;
  EdgeBatch edges;
  read.set_count(11);
  EXPECT_EQ(HandleReadEdges(**store, limits, read, &edges).code(), StatusCode::kResourceExhausted);
  read.set_count(-1);
  EXPECT_EQ(HandleReadEdges(**store, limits, read, &edges).code(), StatusCode::kInvalidArgument);
  read.set_count(10);
  ASSERT_TRUE(HandleReadEdges(**store, limits, read, &edges).ok());
  EXPECT_EQ(edges.src_size(), 10);

  ServiceLimits zero;
  zero.max_fanout = 0;
  EXPECT_THAT(ValidateLimits(zero).message(), HasSubstr("max_fanout"));
}

// Over the wire: a message above max_message_bytes is refused by gRPC with RESOURCE_EXHAUSTED,
// and IngestEdges streams beyond max_ingest_streams get RESOURCE_EXHAUSTED (which `streamgnn
// ingest` retries with backoff) while the open ones go on.
TEST_F(ServiceTest, MessageSizeAndOpenStreamsAreBounded) {
  auto store = StreamStore::Open(Options());
  ASSERT_TRUE(store.ok());
  ServerOptions so;
  so.listen = "127.0.0.1:0";
  so.limits.max_message_bytes = 1 << 16;
  so.limits.max_ingest_streams = 1;
  auto server = Server::Start(store->get(), so);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto stub = StreamGnn::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                                     grpc::InsecureChannelCredentials()));
  grpc::ClientContext first_ctx;
  auto first = stub->IngestEdges(&first_ctx);
  EdgeBatch small;
  small.set_first_edge_id(-1);
  small.add_src(1);
  small.add_dst(2);
  small.add_time(1);
  ASSERT_TRUE(first->Write(small));
  IngestAck ack;
  ASSERT_TRUE(first->Read(&ack));  // the first stream is open and served
  {
    grpc::ClientContext ctx;
    auto second = stub->IngestEdges(&ctx);
    second->Write(small);
    EXPECT_FALSE(second->Read(&ack));
    const grpc::Status s = second->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(s.error_message(), HasSubstr("--max-ingest-streams"));
  }
  EdgeBatch big;
  big.set_first_edge_id(-1);
  for (int i = 0; i < 10000; ++i) {
    big.add_src(1);
    big.add_dst(2);
    big.add_time(2);
  }
  ASSERT_GT(big.ByteSizeLong(), size_t{1} << 16);
  first->Write(big);
  EXPECT_FALSE(first->Read(&ack));
  const grpc::Status s = first->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ((*store)->Stats().num_edges, 1);
  (*server)->Shutdown();
}

// The token check takes the same time wherever the presented token differs: no early exit.
TEST(TokenMatches, ComparesDigests) {
  EXPECT_TRUE(TokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_FALSE(TokenMatches("Bearer s3cres", "s3cret"));
  EXPECT_FALSE(TokenMatches("Bearer s3cret ", "s3cret"));
  EXPECT_FALSE(TokenMatches("", "s3cret"));
  EXPECT_FALSE(TokenMatches("bearer s3cret", "s3cret"));
}

// No request can name a file: the only string a request carries is Sample's strategy, checked
// against its two values. A field added later that could hold a path fails here first.
TEST(ServiceProtocol, NoRequestCarriesAPath) {
  const auto* file = SampleRequest::descriptor()->file();
  const auto* service = file->FindServiceByName("StreamGnn");
  ASSERT_NE(service, nullptr);
  for (int m = 0; m < service->method_count(); ++m) {
    const auto* input = service->method(m)->input_type();
    for (int f = 0; f < input->field_count(); ++f) {
      const auto* field = input->field(f);
      if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING &&
          field->type() != google::protobuf::FieldDescriptor::TYPE_BYTES) {
        continue;
      }
      EXPECT_EQ(field->full_name(), "streamgnn.service.SampleRequest.strategy")
          << "a request field that could name a file: keep it inside the data dir and test that";
    }
  }
}

}  // namespace
}  // namespace streamgnn::service
