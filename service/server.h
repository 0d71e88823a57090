// The gRPC front of `streamgnn serve` (service/proto/streamgnn.proto) over a StreamStore.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "service/requests.h"
#include "service/stream_store.h"

namespace grpc {
class Server;
}

namespace streamgnn::service {

// What `Stats` reports of in-service continuous learning (service/stream_learner.h).
struct LearnerStats {
  bool training = false;
  int64_t windows = 0;
  int64_t events = 0;
  int64_t lag_events = 0;
  int64_t coalesced_windows = 0;
  int64_t skipped_events = 0;  // continuous.on_lag newest: edges never learned
  std::vector<double> prequential_ap;  // per window
  double train_s = 0;
  std::string error;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
  // Bearer token required on every call when non-empty; mandatory when `listen` is not a
  // loopback address.
  std::string token;
  // The learner's figures for `Stats`, when the server learns (the server stays LibTorch-free).
  std::function<LearnerStats()> learner_stats;
  // Embeddings from the learner's latest checkpointed model and memory; without it `Embed`
  // answers UNIMPLEMENTED.
  EmbedFn embed;
  // What one request may ask.
  ServiceLimits limits;
};

class Server {
 public:
  // Starts serving `store` (which must outlive the server). Errors: a non-loopback address
  // without a token, a port that cannot be bound.
  static StatusOr<std::unique_ptr<Server>> Start(StreamStore* store, const ServerOptions& options);
  ~Server();

  int port() const { return port_; }
  void Wait();      // blocks until Shutdown
  void Shutdown();  // stops accepting calls, finishes running ones

 private:
  class Impl;
  Server() = default;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Reads a bearer token: from `file` when non-empty (trailing whitespace stripped), else from
// the environment variable `env` when set, else "".
StatusOr<std::string> ReadToken(const std::string& file, const char* env = "STREAMGNN_TOKEN");

bool IsLoopback(const std::string& listen);

}  // namespace streamgnn::service
