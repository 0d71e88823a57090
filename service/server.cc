#include "service/server.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "service/proto/streamgnn.grpc.pb.h"

namespace streamgnn::service {
namespace {

grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (s.code()) {
    case StatusCode::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case StatusCode::kOutOfRange: code = grpc::StatusCode::OUT_OF_RANGE; break;
    case StatusCode::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case StatusCode::kFailedPrecondition: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case StatusCode::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case StatusCode::kUnimplemented: code = grpc::StatusCode::UNIMPLEMENTED; break;
    case StatusCode::kIOError:
    case StatusCode::kCorruption: code = grpc::StatusCode::DATA_LOSS; break;
    default: break;
  }
  return grpc::Status(code, s.message());
}

}  // namespace

bool IsLoopback(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" ||
         host.rfind("127.", 0) == 0;
}

StatusOr<std::string> ReadToken(const std::string& file, const char* env) {
  std::string token;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound("token file " + file + " cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
  } else if (const char* value = std::getenv(env)) {
    token = value;
  }
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (!file.empty() && token.empty()) return Status::InvalidArgument("token file " + file + " is empty");
  return token;
}

class Server::Impl final : public StreamGnn::Service {
 public:
  Impl(StreamStore* store, const ServerOptions& options)
      : store_(store),
        token_(options.token),
        learner_stats_(options.learner_stats),
        embed_(options.embed),
        limits_(options.limits) {}

  grpc::Status IngestEdges(grpc::ServerContext* ctx,
                           grpc::ServerReaderWriter<IngestAck, EdgeBatch>* stream) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    StreamSlot slot(&open_streams_);
    if (slot.count() > limits_.max_ingest_streams) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          fmt::format("{} IngestEdges streams are open, the server's limit is {} "
                                      "(--max-ingest-streams); retry later",
                                      slot.count() - 1, limits_.max_ingest_streams));
    }
    EdgeBatch batch;
    while (stream->Read(&batch)) {
      auto ack = HandleIngest(store_, batch);
      if (!ack.ok()) return ToGrpc(ack.status());
      if (!stream->Write(*ack)) break;  // client went away; what was acked is durable
    }
    return grpc::Status::OK;
  }

  grpc::Status Sample(grpc::ServerContext* ctx, const SampleRequest* req, SampleReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    return ToGrpc(HandleSample(*store_, limits_, *req, reply));
  }

  grpc::Status Embed(grpc::ServerContext* ctx, const EmbedRequest* req, EmbedReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    return ToGrpc(HandleEmbed(embed_, *store_, limits_, *req, reply));
  }

  grpc::Status Stats(grpc::ServerContext* ctx, const StatsRequest*, StatsReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    const StoreStats s = store_->Stats();
    reply->set_num_edges(s.num_edges);
    reply->set_num_nodes(s.num_nodes);
    reply->set_out_of_order_inserted(s.out_of_order_inserted);
    reply->set_refused_batches(s.refused_batches);
    reply->set_ingest_edges_per_s(s.ingest_edges_per_s);
    reply->set_memory_bytes(s.memory_bytes);
    reply->set_log_bytes(s.log_bytes);
    reply->set_uptime_s(s.uptime_s);
    reply->set_newest_time(s.newest_time);
    if (learner_stats_) {
      const LearnerStats l = learner_stats_();
      reply->set_learning(true);
      reply->set_learner_training(l.training);
      reply->set_learned_windows(l.windows);
      reply->set_learned_events(l.events);
      reply->set_learner_lag_events(l.lag_events);
      reply->set_coalesced_windows(l.coalesced_windows);
      reply->set_learner_skipped_events(l.skipped_events);
      reply->mutable_prequential_ap()->Add(l.prequential_ap.begin(), l.prequential_ap.end());
      reply->set_learner_train_s(l.train_s);
      reply->set_learner_error(l.error);
    }
    return grpc::Status::OK;
  }

  grpc::Status Health(grpc::ServerContext* ctx, const HealthRequest*, HealthReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    reply->set_status("SERVING");
    return grpc::Status::OK;
  }

  grpc::Status ReadEdges(grpc::ServerContext* ctx, const ReadEdgesRequest* req, EdgeBatch* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    return ToGrpc(HandleReadEdges(*store_, limits_, *req, reply));
  }

 private:
  grpc::Status Authorize(grpc::ServerContext* ctx) const {
    if (token_.empty()) return grpc::Status::OK;
    const auto& md = ctx->client_metadata();
    const auto it = md.find("authorization");
    if (it != md.end() && TokenMatches(std::string(it->second.data(), it->second.size()), token_)) {
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing or wrong bearer token (send 'authorization: Bearer <token>')");
  }

  // Counts an open IngestEdges stream for as long as it lives.
  class StreamSlot {
   public:
    explicit StreamSlot(std::atomic<int64_t>* open) : open_(open), count_(open->fetch_add(1) + 1) {}
    ~StreamSlot() { open_->fetch_sub(1); }
    int64_t count() const { return count_; }  // open streams including this one

   private:
    std::atomic<int64_t>* open_;
    int64_t count_;
  };

  StreamStore* store_;
  std::string token_;
  std::function<LearnerStats()> learner_stats_;
  EmbedFn embed_;
  ServiceLimits limits_;
  std::atomic<int64_t> open_streams_{0};
};

StatusOr<std::unique_ptr<Server>> Server::Start(StreamStore* store, const ServerOptions& options) {
  if (options.listen.find(':') == std::string::npos) {
    return Status::InvalidArgument("listen address '" + options.listen + "' needs host:port");
  }
  if (!IsLoopback(options.listen) && options.token.empty()) {
    return Status::InvalidArgument("listening on " + options.listen +
                                   " (not loopback) requires a bearer token (--token-file or "
                                   "STREAMGNN_TOKEN)");
  }
  SG_RETURN_IF_ERROR(ValidateLimits(options.limits));
  std::unique_ptr<Server> server(new Server());
  server->impl_ = std::make_unique<Impl>(store, options);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->impl_.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.limits.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.limits.max_message_bytes));
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return Status::IOError("cannot listen on " + options.listen);
  }
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Wait() {
  if (server_) server_->Wait();
}

void Server::Shutdown() {
  if (server_) server_->Shutdown();
}

}  // namespace streamgnn::service
