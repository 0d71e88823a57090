// In-service continuous learning (service/stream_learner.h) over a real store and edge log: the
// learner trains its warm-up and then windows while edges keep being acknowledged (acks arrive
// while it trains), `Stats` over gRPC reports its windows; a restarted store and learner resume
// from the checkpoint and continue the window count without scoring a window twice; a node id
// space too large for memory and a changing feature width are refused.
#include "service/stream_learner.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "service/proto/streamgnn.grpc.pb.h"
#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"

namespace streamgnn::service {
namespace {

using namespace std::chrono_literals;
using ::streamgnn::testing::TempDir;

constexpr int64_t kNodes = 150;

StreamStoreOptions StoreOptions(const std::string& dir) {
  StreamStoreOptions o;
  o.data_dir = dir;
  o.max_nodes = kNodes;
  return o;
}

StreamLearnerOptions LearnerOptions(const std::string& dir, const std::string& model = "jodie",
                                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> overrides = {"continuous.warmup_events=800", "continuous.window=400",
                                        "continuous.max_lag=1000"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  StreamLearnerOptions o;
  o.config = trainers::testing::MakeConfig(model, trainers::testing::SmallModel(), dir + "/unused", 2, overrides);
  o.dir = dir + "/learner";
  o.num_nodes = kNodes;
  o.poll = 5ms;
  return o;
}

// Edges [first, first + n) of `ds` as one batch.
EdgeColumns Batch(const datasets::TemporalDataset& ds, int64_t first, int64_t n) {
  EdgeColumns b;
  b.src.assign(ds.src.begin() + first, ds.src.begin() + first + n);
  b.dst.assign(ds.dst.begin() + first, ds.dst.begin() + first + n);
  b.time.assign(ds.ts.begin() + first, ds.ts.begin() + first + n);
  return b;
}

TEST(StreamLearner, LearnsWindowsWhileIngestionGoesOnAndResumesAfterARestart) {
  const datasets::TemporalDataset ds = trainers::testing::PlantedGraph(kNodes, 4000, 5, 0, 9);
  TempDir dir;
  std::vector<double> first_run_ap;
  {
    auto store = StreamStore::Open(StoreOptions(dir.str()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto learner = StreamLearner::Start(store->get(), LearnerOptions(dir.str(), "tgn", {"continuous.epoch=3"}));
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    ServerOptions so;
    so.listen = "127.0.0.1:0";
    so.learner_stats = [l = learner->get()] { return l->Stats(); };
    so.embed = [l = learner->get()](const std::vector<NodeId>& nodes) { return l->Embed(nodes); };
    auto server = Server::Start(store->get(), so);
    ASSERT_TRUE(server.ok()) << server.status().ToString();

    // Acknowledged while the learner trains: ingestion never waits for it.
    int64_t acked_while_training = 0;
    for (int64_t first = 0; first < 3200; first += 50) {
      ASSERT_TRUE((*store)->Ingest(Batch(ds, first, 50), first).ok());
      if ((*learner)->Stats().training) ++acked_while_training;
      std::this_thread::sleep_for(2ms);
    }
    ASSERT_TRUE((*learner)->WaitForWindows(6, 120s)) << (*learner)->Stats().error;
    EXPECT_GT(acked_while_training, 0);

    const LearnerStats s = (*learner)->Stats();
    EXPECT_TRUE(s.error.empty()) << s.error;
    EXPECT_EQ(s.windows, 6);  // (3,200 - 800) / 400
    EXPECT_EQ(s.events, 3200);
    EXPECT_EQ(s.lag_events, 0);
    ASSERT_EQ(s.prequential_ap.size(), 6u);
    for (double ap : s.prequential_ap) EXPECT_GT(ap, 0.6);
    first_run_ap = s.prequential_ap;

    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                       grpc::InsecureChannelCredentials());
    auto service = StreamGnn::NewStub(channel);
    grpc::ClientContext ctx;
    StatsReply reply;
    ASSERT_TRUE(service->Stats(&ctx, StatsRequest(), &reply).ok());
    EXPECT_TRUE(reply.learning());
    EXPECT_EQ(reply.learned_windows(), 6);
    EXPECT_EQ(reply.learned_events(), 3200);
    ASSERT_EQ(reply.prequential_ap_size(), 6);
    EXPECT_EQ(reply.prequential_ap(5), first_run_ap[5]);
    // Embed over gRPC: the learner's embeddings of the checkpointed state.
    auto direct = (*learner)->Embed({3, 5});
    ASSERT_TRUE(direct.ok()) << direct.status().ToString();
    grpc::ClientContext ectx;
    EmbedRequest ereq;
    ereq.add_nodes(3);
    ereq.add_nodes(5);
    EmbedReply ereply;
    ASSERT_TRUE(service->Embed(&ectx, ereq, &ereply).ok());
    EXPECT_EQ(ereply.dim(), direct->dim);
    EXPECT_EQ(std::vector<float>(ereply.values().begin(), ereply.values().end()), direct->values);
    EXPECT_EQ(ereply.time(), direct->time);
    grpc::ClientContext bad;
    ereq.add_nodes(kNodes);
    EXPECT_EQ(service->Embed(&bad, ereq, &ereply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    (*server)->Shutdown();
  }
  // Restart: the checkpoint holds 6 windows; new edges make window 7.
  auto store = StreamStore::Open(StoreOptions(dir.str()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto learner = StreamLearner::Start(store->get(), LearnerOptions(dir.str(), "tgn", {"continuous.epoch=3"}));
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  ASSERT_TRUE((*learner)->WaitForWindows(6, 60s)) << (*learner)->Stats().error;
  EXPECT_EQ((*learner)->Stats().prequential_ap, first_run_ap);
  ASSERT_TRUE((*store)->Ingest(Batch(ds, 3200, 400), 3200).ok());
  ASSERT_TRUE((*learner)->WaitForWindows(7, 60s)) << (*learner)->Stats().error;
  EXPECT_EQ((*learner)->Stats().events, 3600);
}

TEST(StreamLearner, CoalescesWindowsWhenFarBehind) {
  const datasets::TemporalDataset ds = trainers::testing::PlantedGraph(kNodes, 3000, 5, 0, 4);
  TempDir dir;
  auto store = StreamStore::Open(StoreOptions(dir.str()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // Everything is stored before the learner starts: 2,200 edges past the warm-up wait, more
  // than max_lag (2) windows of 400, so they are learned as one.
  ASSERT_TRUE((*store)->Ingest(Batch(ds, 0, 3000), 0).ok());
  auto learner = StreamLearner::Start(store->get(), LearnerOptions(dir.str(), "jodie", {"continuous.max_lag=2"}));
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  ASSERT_TRUE((*learner)->WaitForWindows(1, 60s)) << (*learner)->Stats().error;
  const LearnerStats s = (*learner)->Stats();
  EXPECT_EQ(s.events, 3000);
  EXPECT_EQ(s.coalesced_windows, 5);  // 2,200 edges = 5 full windows learned as one
  EXPECT_EQ(s.lag_events, 0);
}

TEST(StreamLearner, SkipsToTheNewestWindowWhenFarBehindAndKeepsABoundedHistory) {
  const datasets::TemporalDataset ds = trainers::testing::PlantedGraph(kNodes, 3400, 5, 0, 4);
  TempDir dir;
  auto store = StreamStore::Open(StoreOptions(dir.str()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // 2,200 edges past the warm-up wait, more than max_lag (2) windows of 400: the newest window,
  // [2600, 3000), is learned and the 1,800 before it skipped.
  ASSERT_TRUE((*store)->Ingest(Batch(ds, 0, 3000), 0).ok());
  const StreamLearnerOptions options = LearnerOptions(
      dir.str(), "jodie", {"continuous.max_lag=2", "continuous.on_lag=newest", "continuous.history_events=500"});
  {
    auto learner = StreamLearner::Start(store->get(), options);
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    ASSERT_TRUE((*learner)->WaitForWindows(1, 60s)) << (*learner)->Stats().error;
    const LearnerStats s = (*learner)->Stats();
    EXPECT_EQ(s.events, 3000);
    EXPECT_EQ(s.skipped_events, 1800);
    EXPECT_EQ(s.coalesced_windows, 0);
    EXPECT_EQ(s.lag_events, 0);
  }
  // Restarted, it resumes from the bounded history and learns the next window in order.
  ASSERT_TRUE((*store)->Ingest(Batch(ds, 3000, 400), 3000).ok());
  auto learner = StreamLearner::Start(store->get(), options);
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  ASSERT_TRUE((*learner)->WaitForWindows(2, 60s)) << (*learner)->Stats().error;
  const LearnerStats s = (*learner)->Stats();
  EXPECT_EQ(s.events, 3400);
  EXPECT_EQ(s.skipped_events, 1800);
}

TEST(StreamLearner, RefusesWhatItCannotLearn) {
  TempDir dir;
  auto store = StreamStore::Open(StoreOptions(dir.str()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StreamLearnerOptions huge = LearnerOptions(dir.str());
  huge.num_nodes = int64_t{1} << 32;
  auto refused = StreamLearner::Start(store->get(), huge);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--max-nodes"), std::string::npos) << refused.status().message();

  // The feature width changes at edge 500: learning stops saying so; ingestion goes on.
  auto learner = StreamLearner::Start(store->get(), LearnerOptions(dir.str()));
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  EXPECT_EQ((*learner)->Embed({1}).status().code(), StatusCode::kFailedPrecondition);  // no warm-up yet
  const datasets::TemporalDataset ds = trainers::testing::PlantedGraph(kNodes, 1000, 5, 0, 1);
  for (int64_t first = 0; first < 1000; first += 500) {
    EdgeColumns b = Batch(ds, first, 500);
    b.feature_dim = first == 0 ? 2 : 3;
    b.features.assign(static_cast<size_t>(500 * b.feature_dim), 0.5f);
    ASSERT_TRUE((*store)->Ingest(b, first).ok());
  }
  EXPECT_FALSE((*learner)->WaitForWindows(1, 30s));
  EXPECT_NE((*learner)->Stats().error.find("one edge feature width"), std::string::npos)
      << (*learner)->Stats().error;
  EXPECT_EQ((*store)->Stats().num_edges, 1000);
}

}  // namespace
}  // namespace streamgnn::service
