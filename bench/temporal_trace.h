// The feature accesses of a TGN-style training epoch, as access traces (features/feature_cache.h):
// the workload the feature-cache benchmark and tests replay against every cache policy. Lives in
// bench/ because it needs the block store, the sampler and datasets, which the torch-free feature
// cache itself does not.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "datasets/temporal_dataset.h"
#include "features/feature_cache.h"

namespace streamgnn::bench {

struct TemporalTraceOptions {
  int64_t batch_size = 200;  // edges per chronological batch
  int fanout = 10;           // recent neighbours per root (one layer, as TGN)
  // The epoch's events: [first_event, end_event); end_event < 0 means the end of the stream.
  int64_t first_event = 0;
  int64_t end_event = -1;
  bool undirected = true;
  uint64_t seed = 0;  // negatives: one per edge, uniform over the destinations of the epoch
};

struct TemporalTraces {
  features::AccessTrace nodes;  // node-feature rows: roots (src, dst, negative) + their sampled neighbours
  features::AccessTrace edges;  // edge-feature rows: the batch's own edges + the sampled neighbour edges
};

// Records the feature accesses of one TGN-style training epoch over `ds`: the block store holds
// the whole stream; for each chronological batch the roots are the sources, the destinations and
// one negative per edge at the edge times, sampled with `recent` (strictly earlier edges). The
// node trace lists the roots and their neighbours, the edge trace the batch's edges and the
// sampled edges. Errors: bad ranges (InvalidArgument), graph errors.
StatusOr<TemporalTraces> RecordTemporalTrace(const datasets::TemporalDataset& ds,
                                             const TemporalTraceOptions& options);

}  // namespace streamgnn::bench
