// What the static fan-out samplers share: their options' check and uniform draws without
// replacement. Internal to sampling/.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"

namespace streamgnn::sampling {

// InvalidArgument (prefixed by `who`) unless there is at least one layer and every fanout is
// >= 1 or -1 (all).
Status CheckFanouts(const char* who, const std::vector<int64_t>& fanouts);

// k distinct positions of [0, d), ascending, into out[0, k) (Floyd's algorithm: k draws,
// O(k) expected). Requires 0 <= k <= d.
void DrawDistinct(core::RngStream& rng, int64_t d, int64_t k, int64_t* out);

// Up to `fanout` in-neighbours (-1: all) of each node dst[i] of `graph`, uniformly without
// replacement, drawn from Philox keyed by (seed, stream, dst[i]), in parallel over ranges of
// `grain` dst nodes. dst i's draws are picked[offsets[i], offsets[i+1]) (global ids, in CSR
// order); full_in_degree[i] is its in-degree.
void DrawNeighbors(const graph::CsrGraph& graph, const std::vector<NodeId>& dst, int64_t fanout,
                   uint64_t seed, uint64_t stream, int64_t grain, std::vector<int64_t>* offsets,
                   std::vector<int64_t>* full_in_degree, std::vector<NodeId>* picked);

}  // namespace streamgnn::sampling
