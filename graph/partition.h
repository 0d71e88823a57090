// Graph partitioning and the partition book for distributed full-graph training (issue 7;
// AdaQP, PAPERS.md section 4). LibTorch-free.
//
// MetisKway() assigns every node to one of k parts (METIS k-way, edge-cut objective).
// PartitionBook::Build() turns an assignment into, for every part p:
//   inner nodes   the nodes p owns, split into
//     central     no in-neighbour owned elsewhere: aggregated with local data only, so their
//                 computation can overlap the halo exchange
//     marginal    at least one in-neighbour owned elsewhere
//   halo nodes    remote in-neighbours of p's marginal nodes (their embeddings are received)
// and renumbers p's nodes locally as [central..., marginal..., halo...] (AdaQP's order). Central
// and marginal nodes keep ascending global id; halo nodes are grouped by owner (ascending owner,
// then global id), so each owner's messages land in one contiguous range. Each part also gets
// its local CSR (rows = inner nodes, columns = local ids) and, per other part q, the local ids of
// its inner nodes that q holds as halo, in q's halo order (what p sends to q each layer).
//
// "In-neighbour" follows CsrGraph's orientation: row v lists the sources v aggregates from.
// Build the CsrGraph symmetrised for undirected data; METIS needs a symmetric graph.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"

namespace streamgnn::graph {

struct MetisOptions {
  int64_t num_parts = 2;
  uint64_t seed = 0;
  double imbalance = 1.03;  // allowed max part weight / average (METIS ubvec)
};

// Part of every node, in [0, num_parts). The graph must be symmetric (InvalidArgument
// otherwise); self-loops are ignored. num_parts == 1 gives all zeros without calling METIS.
StatusOr<std::vector<int64_t>> MetisKway(const CsrGraph& graph, const MetisOptions& options);

// Whether this build links libmetis (MetisKway is Unimplemented otherwise).
bool MetisAvailable();

struct LocalPartition {
  int64_t part = 0;
  int64_t num_central = 0;
  int64_t num_marginal = 0;
  int64_t num_halo = 0;
  // Local id -> global id: [central, marginal, halo].
  std::vector<NodeId> local_to_global;
  // Owner of each halo node (halo_owner[i] for local id num_inner() + i).
  std::vector<int64_t> halo_owner;
  // Rows = inner nodes in local order; indices are local ids (any of the three kinds).
  std::vector<int64_t> offsets;
  std::vector<int64_t> indices;
  // send[q] = local ids (inner) of the nodes part q holds as halo, in q's halo order.
  std::vector<std::vector<int64_t>> send;
  // recv[q] = [begin, end) of the local halo range owned by q.
  std::vector<std::pair<int64_t, int64_t>> recv;

  int64_t num_inner() const { return num_central + num_marginal; }
  int64_t num_local() const { return num_inner() + num_halo; }
};

class PartitionBook {
 public:
  // `owner[v]` in [0, num_parts) for every node of `graph`.
  static StatusOr<PartitionBook> Build(const CsrGraph& graph, std::vector<int64_t> owner,
                                       int64_t num_parts);

  int64_t num_parts() const { return static_cast<int64_t>(parts_.size()); }
  int64_t num_nodes() const { return static_cast<int64_t>(owner_.size()); }
  int64_t owner(NodeId v) const { return owner_[v]; }
  // Local id of v in its owner's numbering.
  int64_t local_id(NodeId v) const { return local_id_[v]; }
  const std::vector<int64_t>& owners() const { return owner_; }
  const LocalPartition& partition(int64_t p) const { return parts_[p]; }
  // Edges whose endpoints have different owners.
  int64_t edge_cut() const { return edge_cut_; }

 private:
  std::vector<int64_t> owner_;
  std::vector<int64_t> local_id_;
  std::vector<LocalPartition> parts_;
  int64_t edge_cut_ = 0;
};

}  // namespace streamgnn::graph
