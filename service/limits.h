// What one request may ask of `streamgnn serve` (docs/service.md, "Limits"); a plain struct
// without gRPC types so that the command line can bind its flags. Enforced in
// service/requests.cc and by gRPC (message size).
#pragma once

#include <cstdint>

#include "core/status.h"

namespace streamgnn::service {

// Per-request limits (docs/service.md, "Limits"). The batch, node id and feature width limits of
// ingestion are the store's (StreamStoreOptions: max_batch, max_nodes, max_feature_dim,
// max_pending).
struct ServiceLimits {
  // One gRPC message either way; a larger one is refused by gRPC with RESOURCE_EXHAUSTED. Also
  // bounds what one IngestEdges stream holds in flight: gRPC reads one batch at a time and
  // applies HTTP/2 flow control to what the client sends ahead.
  int64_t max_message_bytes = int64_t{64} << 20;
  int64_t max_sample_roots = int64_t{1} << 20;  // nodes of one Sample request
  int32_t max_sample_layers = 8;
  int32_t max_fanout = 1000;  // neighbours per root per layer
  // Upper bound on the edges one Sample reply may hold, roots x the product of the fanouts,
  // checked before sampling (~32 bytes an edge: the default fits max_message_bytes).
  int64_t max_sample_edges = int64_t{1} << 21;
  int64_t max_embed_nodes = int64_t{1} << 20;  // nodes of one Embed request
  int64_t max_read_edges = int64_t{1} << 21;   // count of one ReadEdges request
  int64_t max_ingest_streams = 64;             // IngestEdges streams open at once
};

// InvalidArgument naming the first limit that is not positive.
Status ValidateLimits(const ServiceLimits& limits);

// InvalidArgument naming the first limit that is not positive (or a message size gRPC cannot
// take).
Status ValidateLimits(const ServiceLimits& limits);

}  // namespace streamgnn::service
