// Synthetic temporal graphs: any size, deterministic for a seed (whatever the thread count), with
// a planted signal a temporal GNN can learn, plus the plain Zipf edge stream used as benchmark
// workload W1.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets {

// Model behind GenerateSynthetic. Every node v has a community c(v) (uniform over
// num_communities) and a popularity rank (a random permutation of the ids); popularity weights
// are (rank + 1)^-zipf_exponent. Events are generated one after another; event i:
//   1. its source is drawn by popularity (among users if bipartite),
//   2. its destination is, with probability p_recent (if the source has history) one of the
//      source's last `recent_window` destinations, uniformly; else with probability p_community
//      a node of the source's own community drawn by popularity; else any node drawn by
//      popularity (items only if bipartite). Self-loops are never produced.
//   3. its time is the previous time plus an exponential gap of mean `mean_interarrival`
//      (Poisson arrivals), nudged up if needed so times strictly increase.
// So who links to whom next depends on recency (repeat links) and community (homophily); both
// are far above what popularity alone gives.
// Features: each community has a random Gaussian embedding; node features are the embedding of
// the node's community plus N(0, feat_noise^2) noise; edge features are
// (A[c(src)] + B[c(dst)]) / sqrt(2) plus noise, for two per-community random tables A and B.
struct SyntheticOptions {
  int64_t num_nodes = 1000;   // >= 2 (and > num_users when bipartite)
  int64_t num_edges = 10000;  // >= 0
  // > 0: bipartite like JODIE data. Users are [0, num_users) and are the only sources; items are
  // [num_users, num_nodes) and the only destinations. 0: one node set.
  int64_t num_users = 0;
  int64_t num_communities = 8;     // >= 1
  double zipf_exponent = 1.0;      // >= 0; 0 = uniform popularity
  double p_recent = 0.5;           // in [0, 1]
  double p_community = 0.35;       // in [0, 1]; p_recent + p_community <= 1
  int64_t recent_window = 8;       // >= 1: how many past destinations a source remembers
  double mean_interarrival = 1.0;  // > 0, in time units
  int64_t node_feat_dim = 0;       // >= 0
  int64_t edge_feat_dim = 0;       // >= 0
  double feat_noise = 0.5;         // >= 0: noise standard deviation relative to the embeddings
  uint64_t seed = 0;
};

// Checks the ranges documented above; InvalidArgument naming the field otherwise.
Status ValidateSyntheticOptions(const SyntheticOptions& options);

// Generates the graph described above; name "synthetic". About 1 s per million events on one
// core (the event loop is sequential by nature: recency depends on history); features are filled
// in parallel. Identical output for identical options.
StatusOr<TemporalDataset> GenerateSynthetic(const SyntheticOptions& options);

// Benchmark workload W1: num_edges events whose endpoints are drawn independently from one
// Zipf(exponent) popularity over the nodes, where a random permutation (from the seed) decides
// which id gets which rank; event i has time i (strictly increasing); no features, no labels;
// self-loops are possible (endpoints are independent). Parallel and deterministic.
// Requires num_nodes >= 1, num_edges >= 0, finite exponent >= 0 (checked; a violation is a bug).
TemporalDataset GenerateZipfStream(int64_t num_nodes, int64_t num_edges, double exponent,
                                   uint64_t seed);

}  // namespace streamgnn::datasets
