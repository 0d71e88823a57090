#include "service/server.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sampling/temporal_sampler.h"
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

EdgeColumns FromProto(const EdgeBatch& b) {
  EdgeColumns c;
  c.src.assign(b.src().begin(), b.src().end());
  c.dst.assign(b.dst().begin(), b.dst().end());
  c.time.assign(b.time().begin(), b.time().end());
  c.feature_dim = b.feature_dim();
  c.features.assign(b.features().begin(), b.features().end());
  return c;
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
      : store_(store), token_(options.token), learner_stats_(options.learner_stats), embed_(options.embed) {}

  grpc::Status IngestEdges(grpc::ServerContext* ctx,
                           grpc::ServerReaderWriter<IngestAck, EdgeBatch>* stream) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    EdgeBatch batch;
    while (stream->Read(&batch)) {
      auto result = store_->Ingest(FromProto(batch), batch.first_edge_id());
      if (!result.ok()) return ToGrpc(result.status());
      IngestAck ack;
      ack.set_first_edge_id(result->first_edge_id);
      ack.set_last_edge_id(result->last_edge_id);
      ack.set_stored(result->stored);
      if (!stream->Write(ack)) break;  // client went away; what was acked is durable
    }
    return grpc::Status::OK;
  }

  grpc::Status Sample(grpc::ServerContext* ctx, const SampleRequest* req, SampleReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    if (req->nodes_size() != req->times_size()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "nodes and times differ in length");
    }
    sampling::TemporalSamplerOptions o;
    o.fanouts.assign(req->fanouts().begin(), req->fanouts().end());
    if (o.fanouts.empty()) o.fanouts = {10};
    if (!req->strategy().empty() && !core::EnumFromString(req->strategy(), &o.strategy)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "strategy must be 'recent' or 'uniform', got '" + req->strategy() + "'");
    }
    o.seed = req->seed();
    auto sampler = sampling::TemporalSampler::Create(o);
    if (!sampler.ok()) return ToGrpc(sampler.status());
    const std::vector<NodeId> nodes(req->nodes().begin(), req->nodes().end());
    const std::vector<Timestamp> times(req->times().begin(), req->times().end());
    const graph::Snapshot snapshot = store_->graph().GetSnapshot();
    sampling::SampleResult result;
    sampler->Sample(snapshot, nodes, times, 0, &result);
    reply->set_watermark(snapshot.watermark());
    for (const auto& layer : result.layers) {
      SampledLayer* out = reply->add_layers();
      out->mutable_offsets()->Add(layer.offsets.begin(), layer.offsets.end());
      out->mutable_neighbors()->Add(layer.neighbors.begin(), layer.neighbors.end());
      out->mutable_edges()->Add(layer.edges.begin(), layer.edges.end());
      out->mutable_times()->Add(layer.times.begin(), layer.times.end());
    }
    return grpc::Status::OK;
  }

  grpc::Status Embed(grpc::ServerContext* ctx, const EmbedRequest* req, EmbedReply* reply) override {
    if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
    if (!embed_) {
      return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                          "Embed needs a learning server: streamgnn serve --learn CONFIG");
    }
    auto e = embed_(std::vector<NodeId>(req->nodes().begin(), req->nodes().end()));
    if (!e.ok()) return ToGrpc(e.status());
    reply->set_dim(static_cast<int32_t>(e->dim));
    reply->mutable_values()->Add(e->values.begin(), e->values.end());
    reply->set_time(e->time);
    return grpc::Status::OK;
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
    if (req->count() > (1 << 22)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "read at most 4194304 edges per call");
    }
    auto edges = store_->log().Read(req->first_edge_id(), req->count());
    if (!edges.ok()) return ToGrpc(edges.status());
    reply->set_first_edge_id(req->first_edge_id());
    reply->mutable_src()->Add(edges->src.begin(), edges->src.end());
    reply->mutable_dst()->Add(edges->dst.begin(), edges->dst.end());
    reply->mutable_time()->Add(edges->time.begin(), edges->time.end());
    reply->set_feature_dim(edges->feature_dim);
    reply->mutable_features()->Add(edges->features.begin(), edges->features.end());
    return grpc::Status::OK;
  }

 private:
  grpc::Status Authorize(grpc::ServerContext* ctx) const {
    if (token_.empty()) return grpc::Status::OK;
    const auto& md = ctx->client_metadata();
    const auto it = md.find("authorization");
    if (it != md.end() && std::string(it->second.data(), it->second.size()) == "Bearer " + token_) {
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing or wrong bearer token (send 'authorization: Bearer <token>')");
  }

  StreamStore* store_;
  std::string token_;
  std::function<LearnerStats()> learner_stats_;
  std::function<StatusOr<Embeddings>(const std::vector<NodeId>&)> embed_;
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
  std::unique_ptr<Server> server(new Server());
  server->impl_ = std::make_unique<Impl>(store, options);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->impl_.get());
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
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
