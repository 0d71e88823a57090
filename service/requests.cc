#include "service/requests.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cmath>

#include "sampling/temporal_sampler.h"

namespace streamgnn::service {
namespace {

Status TooLarge(const char* what, int64_t got, int64_t limit, const char* flag) {
  return Status::ResourceExhausted(
      fmt::format("{} is {}, more than the server's limit of {} ({})", what, got, limit, flag));
}

// Node ids in [0, max_nodes) and finite times, naming the first bad entry.
Status CheckRoots(const SampleRequest& r, int64_t max_nodes) {
  for (int i = 0; i < r.nodes_size(); ++i) {
    if (r.nodes(i) < 0 || r.nodes(i) >= max_nodes) {
      return Status::InvalidArgument(
          fmt::format("nodes[{}] = {} is outside [0, {}) (--max-nodes)", i, r.nodes(i), max_nodes));
    }
    if (!std::isfinite(r.times(i))) {
      return Status::InvalidArgument(fmt::format("times[{}] = {} is not a finite number", i, r.times(i)));
    }
  }
  return Status::Ok();
}

StatusOr<sampling::TemporalSamplerOptions> SamplerOptions(const ServiceLimits& limits,
                                                          const SampleRequest& r) {
  sampling::TemporalSamplerOptions o;
  o.fanouts.assign(r.fanouts().begin(), r.fanouts().end());
  if (o.fanouts.empty()) o.fanouts = {10};
  if (static_cast<int64_t>(o.fanouts.size()) > limits.max_sample_layers) {
    return TooLarge("the number of layers (fanouts)", o.fanouts.size(), limits.max_sample_layers,
                    "--max-sample-layers");
  }
  int64_t bound = r.nodes_size();
  for (size_t l = 0; l < o.fanouts.size(); ++l) {
    if (o.fanouts[l] < 1 || o.fanouts[l] > limits.max_fanout) {
      return Status::InvalidArgument(fmt::format("fanouts[{}] = {} is outside [1, {}] (--max-fanout)",
                                                 l, o.fanouts[l], limits.max_fanout));
    }
    bound *= o.fanouts[l];
    if (bound > limits.max_sample_edges) {
      return TooLarge("roots x the product of the fanouts (the most edges the reply could hold)",
                      bound, limits.max_sample_edges, "--max-sample-edges");
    }
  }
  if (!r.strategy().empty() && !core::EnumFromString(r.strategy(), &o.strategy)) {
    return Status::InvalidArgument("strategy must be 'recent' or 'uniform', got '" + r.strategy() + "'");
  }
  o.seed = r.seed();
  return o;
}

}  // namespace

Status ValidateLimits(const ServiceLimits& l) {
  const std::pair<const char*, int64_t> kLimits[] = {
      {"max_message_bytes", l.max_message_bytes}, {"max_sample_roots", l.max_sample_roots},
      {"max_sample_layers", l.max_sample_layers}, {"max_fanout", l.max_fanout},
      {"max_sample_edges", l.max_sample_edges},   {"max_embed_nodes", l.max_embed_nodes},
      {"max_read_edges", l.max_read_edges},       {"max_ingest_streams", l.max_ingest_streams},
  };
  for (const auto& [name, value] : kLimits) {
    if (value < 1) return Status::InvalidArgument(fmt::format("service limit {} must be >= 1, got {}", name, value));
  }
  if (l.max_message_bytes > (int64_t{1} << 31) - 1) {
    return Status::InvalidArgument("service limit max_message_bytes must be below 2 GiB (gRPC's int)");
  }
  return Status::Ok();
}

StatusOr<IngestAck> HandleIngest(StreamStore* store, const EdgeBatch& b) {
  EdgeColumns c;
  c.src.assign(b.src().begin(), b.src().end());
  c.dst.assign(b.dst().begin(), b.dst().end());
  c.time.assign(b.time().begin(), b.time().end());
  c.feature_dim = b.feature_dim();
  c.features.assign(b.features().begin(), b.features().end());
  SG_ASSIGN_OR_RETURN(const IngestResult result, store->Ingest(c, b.first_edge_id()));
  IngestAck ack;
  ack.set_first_edge_id(result.first_edge_id);
  ack.set_last_edge_id(result.last_edge_id);
  ack.set_stored(result.stored);
  return ack;
}

Status HandleSample(const StreamStore& store, const ServiceLimits& limits, const SampleRequest& r,
                    SampleReply* reply) {
  if (r.nodes_size() != r.times_size()) {
    return Status::InvalidArgument(fmt::format("nodes ({}) and times ({}) differ in length",
                                               r.nodes_size(), r.times_size()));
  }
  if (r.nodes_size() > limits.max_sample_roots) {
    return TooLarge("the number of nodes", r.nodes_size(), limits.max_sample_roots, "--max-sample-roots");
  }
  SG_ASSIGN_OR_RETURN(sampling::TemporalSamplerOptions options, SamplerOptions(limits, r));
  SG_RETURN_IF_ERROR(CheckRoots(r, store.max_nodes()));
  SG_ASSIGN_OR_RETURN(const sampling::TemporalSampler sampler,
                      sampling::TemporalSampler::Create(std::move(options)));
  const std::vector<NodeId> nodes(r.nodes().begin(), r.nodes().end());
  const std::vector<Timestamp> times(r.times().begin(), r.times().end());
  const graph::Snapshot snapshot = store.graph().GetSnapshot();
  sampling::SampleResult result;
  sampler.Sample(snapshot, nodes, times, 0, &result);
  reply->set_watermark(snapshot.watermark());
  for (const auto& layer : result.layers) {
    SampledLayer* out = reply->add_layers();
    out->mutable_offsets()->Add(layer.offsets.begin(), layer.offsets.end());
    out->mutable_neighbors()->Add(layer.neighbors.begin(), layer.neighbors.end());
    out->mutable_edges()->Add(layer.edges.begin(), layer.edges.end());
    out->mutable_times()->Add(layer.times.begin(), layer.times.end());
  }
  return Status::Ok();
}

Status HandleEmbed(const EmbedFn& embed, const StreamStore& store, const ServiceLimits& limits,
                   const EmbedRequest& r, EmbedReply* reply) {
  if (!embed) return Status::Unimplemented("Embed needs a learning server: streamgnn serve --learn CONFIG");
  if (r.nodes_size() > limits.max_embed_nodes) {
    return TooLarge("the number of nodes", r.nodes_size(), limits.max_embed_nodes, "--max-embed-nodes");
  }
  for (int i = 0; i < r.nodes_size(); ++i) {
    if (r.nodes(i) < 0 || r.nodes(i) >= store.max_nodes()) {
      return Status::InvalidArgument(fmt::format("nodes[{}] = {} is outside [0, {}) (--max-nodes)", i,
                                                 r.nodes(i), store.max_nodes()));
    }
  }
  SG_ASSIGN_OR_RETURN(const Embeddings e, embed(std::vector<NodeId>(r.nodes().begin(), r.nodes().end())));
  reply->set_dim(static_cast<int32_t>(e.dim));
  reply->mutable_values()->Add(e.values.begin(), e.values.end());
  reply->set_time(e.time);
  return Status::Ok();
}

Status HandleReadEdges(const StreamStore& store, const ServiceLimits& limits,
                       const ReadEdgesRequest& r, EdgeBatch* reply) {
  if (r.first_edge_id() < 0 || r.count() < 0) {
    return Status::InvalidArgument(fmt::format("first_edge_id ({}) and count ({}) must be >= 0",
                                               r.first_edge_id(), r.count()));
  }
  if (r.count() > limits.max_read_edges) {
    return TooLarge("count", r.count(), limits.max_read_edges, "--max-read-edges");
  }
  SG_ASSIGN_OR_RETURN(const EdgeColumns edges, store.log().Read(r.first_edge_id(), r.count()));
  reply->set_first_edge_id(r.first_edge_id());
  reply->mutable_src()->Add(edges.src.begin(), edges.src.end());
  reply->mutable_dst()->Add(edges.dst.begin(), edges.dst.end());
  reply->mutable_time()->Add(edges.time.begin(), edges.time.end());
  reply->set_feature_dim(edges.feature_dim);
  reply->mutable_features()->Add(edges.features.begin(), edges.features.end());
  return Status::Ok();
}

bool TokenMatches(const std::string& presented, const std::string& token) {
  const std::string expected = "Bearer " + token;
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}

}  // namespace streamgnn::service
