// `streamgnn serve`, `streamgnn ingest` and `streamgnn stats`: the streaming ingestion service
// and its client.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "apps/commands.h"
#include "core/progress.h"
#include "datasets/loaders.h"
#include "service/limits.h"

#if STREAMGNN_WITH_SERVICE
#include <nlohmann/json.hpp>

#include "service/client.h"
#include "service/server.h"
#include "service/stream_store.h"
#endif
#if STREAMGNN_WITH_SERVICE_LEARNER
#include "trainers/temporal_config.h"
#include "core/logging.h"
#include "service/stream_learner.h"
#endif

namespace streamgnn::apps {

namespace {

struct ServeArgs {
  std::string data_dir;
  std::string listen = "127.0.0.1:50051";
  std::string token_file;
  std::string sync = "every_batch";
  int sync_ms = 100;
  int64_t max_nodes = int64_t{1} << 32;
  std::string out_of_order = "refuse";
  bool directed = false;
  double eviction_window = 0;
  int64_t max_pending = 64;
  int64_t max_batch = int64_t{1} << 20;
  service::ServiceLimits limits;
  std::string learn_config;  // non-empty: learn continuously per this config
  std::vector<std::string> learn_overrides;
};

struct IngestArgs {
  DatasetArgs data;
  std::string server = "127.0.0.1:50051";
  std::string token_file;
  int64_t batch = 1000;
  double rate = 0;
  bool verify = false;
};

#if STREAMGNN_WITH_SERVICE
std::atomic<bool> g_stop{false};

#if STREAMGNN_WITH_SERVICE_LEARNER
using Learner = std::unique_ptr<service::StreamLearner>;
// The continuous learner of `serve --learn CONFIG`, or none without --learn.
StatusOr<Learner> StartLearner(const ServeArgs& a, const service::StreamStore* store) {
  if (a.learn_config.empty()) return Learner();
  SG_ASSIGN_OR_RETURN(trainers::TemporalConfig config, trainers::LoadTemporalConfigFile(a.learn_config, a.learn_overrides));
  SG_RETURN_IF_ERROR(core::InitLogging(config.log.level));
  service::StreamLearnerOptions o;
  o.config = std::move(config);
  o.dir = a.data_dir + "/learner";
  o.num_nodes = a.max_nodes;
  auto learner = service::StreamLearner::Start(store, std::move(o));
  if (!learner.ok()) return learner.status().WithPrefix("--learn " + a.learn_config);
  return std::move(*learner);
}
#else
struct NoLearner {
  service::LearnerStats Stats() const { return {}; }
  StatusOr<service::Embeddings> Embed(const std::vector<NodeId>&) { return service::Embeddings(); }
};
using Learner = std::unique_ptr<NoLearner>;
StatusOr<Learner> StartLearner(const ServeArgs& a, const service::StreamStore*) {
  if (a.learn_config.empty()) return Learner();
  return Status::Unimplemented("--learn: this build has no LibTorch trainers (STREAMGNN_WITH_TORCH=OFF)");
}
#endif

Status Serve(const ServeArgs& a) {
  service::StreamStoreOptions o;
  o.data_dir = a.data_dir;
  o.max_nodes = a.max_nodes;
  o.max_pending = a.max_pending;
  o.max_batch = a.max_batch;
  o.graph.undirected = !a.directed;
  o.graph.eviction_window = a.eviction_window;
  if (!core::EnumFromString(a.out_of_order, &o.graph.out_of_order)) {
    return Status::InvalidArgument("--out-of-order must be insert or refuse");
  }
  o.log.sync = a.sync == "every_batch" ? service::SyncPolicy::kEveryBatch : service::SyncPolicy::kInterval;
  o.log.interval_ms = a.sync_ms;
  SG_ASSIGN_OR_RETURN(const std::string token, service::ReadToken(a.token_file));
  std::fprintf(stderr, "streamgnn serve: replaying %s ...\n", a.data_dir.c_str());
  SG_ASSIGN_OR_RETURN(std::unique_ptr<service::StreamStore> store, service::StreamStore::Open(o));
  service::ServerOptions so;
  so.listen = a.listen;
  so.token = token;
  so.limits = a.limits;
  SG_ASSIGN_OR_RETURN(auto learner, StartLearner(a, store.get()));
  if (learner) {
    so.learner_stats = [l = learner.get()] { return l->Stats(); };
    so.embed = [l = learner.get()](const std::vector<NodeId>& nodes) { return l->Embed(nodes); };
  }
  SG_ASSIGN_OR_RETURN(std::unique_ptr<service::Server> server, service::Server::Start(store.get(), so));
  std::fprintf(stderr, "streamgnn serve: %lld edges restored; listening on port %d%s\n",
               static_cast<long long>(store->Stats().num_edges), server->port(),
               token.empty() ? "" : " (bearer token required)");
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::thread stopper([&] {
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server->Shutdown();
  });
  server->Wait();
  g_stop = true;
  stopper.join();
  return Status::Ok();
}

Status Ingest(const IngestArgs& a) {
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds, LoadFromArgs(a.data));
  service::IngestOptions o;
  o.server = a.server;
  o.batch = a.batch;
  o.rate = a.rate;
  SG_ASSIGN_OR_RETURN(o.token, service::ReadToken(a.token_file));
  if (a.verify) {
    SG_RETURN_IF_ERROR(service::VerifyDataset(ds, o));
    std::printf("verified: the server holds exactly the %lld edges of %s, in order\n",
                static_cast<long long>(ds.num_events()), a.data.path.c_str());
    return Status::Ok();
  }
  core::ProgressBar progress("ingest", ds.num_events(), core::ProgressMode::kAuto);
  service::IngestReport report;
  SG_RETURN_IF_ERROR(service::IngestDataset(ds, o, &report, [&](int64_t acked) { progress.Set(acked); }));
  progress.Finish();
  nlohmann::ordered_json j;
  j["edges"] = ds.num_events();
  j["resumed_from"] = report.resumed_from;
  j["stored"] = report.stored;
  j["sent"] = report.sent;
  j["retries"] = report.retries;
  j["seconds"] = report.seconds;
  j["edges_per_s"] = report.seconds > 0 ? static_cast<double>(report.stored) / report.seconds : 0.0;
  j["ack_p50_ms"] = 1e3 * report.AckLatency(0.5);
  j["ack_p99_ms"] = 1e3 * report.AckLatency(0.99);
  std::printf("%s\n", j.dump().c_str());
  return Status::Ok();
}
Status PrintStats(const std::string& server, const std::string& token_file) {
  service::IngestOptions o;
  o.server = server;
  SG_ASSIGN_OR_RETURN(o.token, service::ReadToken(token_file));
  SG_ASSIGN_OR_RETURN(const std::string json, service::FetchStatsJson(o));
  std::printf("%s\n", json.c_str());
  return Status::Ok();
}
#else
Status PrintStats(const std::string&, const std::string&) {
  return Status::Unimplemented("this build has no ingestion service (needs gRPC and RocksDB: scripts/setup)");
}
Status Serve(const ServeArgs&) {
  return Status::Unimplemented("this build has no ingestion service (needs gRPC and RocksDB: scripts/setup)");
}
Status Ingest(const IngestArgs&) { return Serve(ServeArgs()); }
#endif

}  // namespace

void AddServiceCommands(CLI::App* app, std::vector<Command>* commands) {
  auto serve_args = std::make_shared<ServeArgs>();
  CLI::App* serve = app->add_subcommand("serve", "Run the streaming ingestion service (gRPC)");
  serve->add_option("--data-dir", serve_args->data_dir, "Folder of the durable edge log")->required();
  serve->add_option("--listen", serve_args->listen, "host:port (non-loopback needs a token)");
  serve->add_option("--token-file", serve_args->token_file, "Bearer token file (else $STREAMGNN_TOKEN)");
  serve->add_option("--sync", serve_args->sync, "every_batch: fsync before each ack; interval: every --sync-ms")
      ->check(CLI::IsMember({"every_batch", "interval"}));
  serve->add_option("--sync-ms", serve_args->sync_ms, "fsync period for --sync interval");
  serve->add_option("--max-nodes", serve_args->max_nodes, "Node ids must lie in [0, max-nodes)");
  serve->add_option("--out-of-order", serve_args->out_of_order, "insert | refuse edges older than their node's newest")
      ->check(CLI::IsMember({"insert", "refuse"}));
  serve->add_flag("--directed", serve_args->directed, "Store each edge for its source only");
  serve->add_option("--eviction-window", serve_args->eviction_window,
                    "Keep in memory only edges newer than (newest time - window); 0 keeps all "
                    "(the edge log keeps everything)");
  serve->add_option("--max-pending", serve_args->max_pending, "Batches that may wait before RESOURCE_EXHAUSTED");
  serve->add_option("--max-batch", serve_args->max_batch, "Edges of one IngestEdges batch");
  service::ServiceLimits& limits = serve_args->limits;
  serve->add_option("--max-message-bytes", limits.max_message_bytes,
                    "Largest gRPC message either way (RESOURCE_EXHAUSTED beyond)");
  serve->add_option("--max-sample-roots", limits.max_sample_roots, "Nodes of one Sample request");
  serve->add_option("--max-sample-layers", limits.max_sample_layers, "Layers (fanouts) of one Sample request");
  serve->add_option("--max-fanout", limits.max_fanout, "Neighbours per root per layer in Sample");
  serve->add_option("--max-sample-edges", limits.max_sample_edges,
                    "Roots x product of fanouts one Sample may ask for");
  serve->add_option("--max-embed-nodes", limits.max_embed_nodes, "Nodes of one Embed request");
  serve->add_option("--max-read-edges", limits.max_read_edges, "Edges of one ReadEdges request");
  serve->add_option("--max-ingest-streams", limits.max_ingest_streams, "IngestEdges streams open at once");
  serve->add_option("--learn", serve_args->learn_config,
                    "Learn continuously on the stream per this temporal config (its continuous "
                    "section; files in <data-dir>/learner; docs/continuous.md)");
  serve->add_option("--set", serve_args->learn_overrides, "Override a key of the --learn config");
  commands->push_back({serve, [serve_args] { return Serve(*serve_args); }});

  auto ingest_args = std::make_shared<IngestArgs>();
  CLI::App* ingest = app->add_subcommand("ingest", "Stream a dataset file to `streamgnn serve`");
  ingest->add_option("--server", ingest_args->server, "host:port of the service");
  ingest->add_option("--file", ingest_args->data.path, "Dataset file")->required();
  ingest->add_option("--format", ingest_args->data.format, "jodie | ml | snap | tgl | csv")
      ->check(CLI::IsMember({"jodie", "ml", "snap", "tgl", "csv"}));
  ingest->add_option("--batch", ingest_args->batch, "Edges per batch");
  ingest->add_option("--rate", ingest_args->rate, "Edges per second (0: as fast as acked)");
  ingest->add_option("--token-file", ingest_args->token_file, "Bearer token file (else $STREAMGNN_TOKEN)");
  ingest->add_flag("--verify", ingest_args->verify, "Check that the server holds exactly this file's edges");
  commands->push_back({ingest, [ingest_args] { return Ingest(*ingest_args); }});

  struct StatsArgs {
    std::string server = "127.0.0.1:50051";
    std::string token_file;
  };
  auto stats_args = std::make_shared<StatsArgs>();
  CLI::App* stats = app->add_subcommand("stats", "Print a running server's Stats as JSON (with --learn: the learner's too)");
  stats->add_option("--server", stats_args->server, "host:port of the service");
  stats->add_option("--token-file", stats_args->token_file, "Bearer token file (else $STREAMGNN_TOKEN)");
  commands->push_back({stats, [stats_args] { return PrintStats(stats_args->server, stats_args->token_file); }});
}

}  // namespace streamgnn::apps
