// What each RPC of the service checks and does, without gRPC's transport: Server::Impl
// (service/server.cc) authorises a call and hands the message here; tests/fuzz/service_fuzz.cc
// feeds the same functions hostile messages. Every limit refuses before any work is done: a
// size beyond ServiceLimits is ResourceExhausted, a malformed value InvalidArgument, each naming
// the field, the value and the limit (with its `streamgnn serve` flag).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "service/limits.h"
#include "service/proto/streamgnn.pb.h"
#include "service/stream_store.h"

namespace streamgnn::service {

// What `Embed` answers: row i (dim floats) is node i's embedding as of `time`.
struct Embeddings {
  int64_t dim = 0;
  std::vector<float> values;
  double time = 0;
};
// Embeddings of the given nodes from the learner's latest checkpointed model and memory.
using EmbedFn = std::function<StatusOr<Embeddings>(const std::vector<NodeId>&)>;

StatusOr<IngestAck> HandleIngest(StreamStore* store, const EdgeBatch& batch);
Status HandleSample(const StreamStore& store, const ServiceLimits& limits,
                    const SampleRequest& request, SampleReply* reply);
// Unimplemented when `embed` is empty (a server that does not learn).
Status HandleEmbed(const EmbedFn& embed, const StreamStore& store, const ServiceLimits& limits,
                   const EmbedRequest& request, EmbedReply* reply);
Status HandleReadEdges(const StreamStore& store, const ServiceLimits& limits,
                       const ReadEdgesRequest& request, EdgeBatch* reply);

// Compares a call's `authorization` metadata with "Bearer <token>" in time independent of where
// they differ (both are hashed with SHA-256, the digests compared with CRYPTO_memcmp).
bool TokenMatches(const std::string& presented, const std::string& token);

}  // namespace streamgnn::service
