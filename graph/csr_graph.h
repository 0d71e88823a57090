// Static graphs in compressed sparse row form (DESIGN.md, graph/: static CSR).
//
// A CsrGraph stores, for every node v, its IN-neighbours: row v lists the sources u of the edges
// u -> v, sorted ascending. This is the orientation message passing needs (a destination
// aggregates over its row), and for a symmetrised graph rows are also the out-neighbours.
// Optional per-edge weights (GCN normalisation, mean) sit beside the column indices.
//
// Building is parallel (TBB): ids are checked, in-degrees counted with atomics, edges scattered
// into their rows, and every row sorted and de-duplicated on its own. The result is a pure
// function of the input edge multiset and the options, whatever the thread count.
//
// Thread-safety: a built CsrGraph is immutable; any number of threads may read it.
// LibTorch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"

namespace streamgnn::graph {

// Per-edge weights computed at build time.
enum class EdgeNorm {
  kNone,  // no weights stored (weights() is empty)
  // w(u -> v) = 1 / sqrt(out_deg(u) * in_deg(v)), degrees counted after self-loops and
  // symmetrisation: Kipf & Welling's D^-1/2 (A + I) D^-1/2 when the graph is symmetric.
  kGcn,
  kMean,  // w(u -> v) = 1 / in_deg(v): mean aggregation (GraphSAGE-mean)
};

struct CsrBuildOptions {
  // Insert v -> u for every input edge u -> v (undirected edge lists given once per pair).
  bool symmetrize = false;
  // Give every node exactly one self-loop (v -> v): self-loops in the input are merged into it,
  // even with remove_duplicates = false.
  bool add_self_loops = false;
  // Drop every self-loop of the input (ignored when add_self_loops is set).
  bool remove_self_loops = false;
  // Keep one copy of each (u, v) pair; false keeps multi-edges (each copy is its own entry).
  bool remove_duplicates = true;
  EdgeNorm norm = EdgeNorm::kNone;
};

class CsrGraph {
 public:
  CsrGraph() : offsets_(1, 0) {}

  // Builds from the edges src[i] -> dst[i]. Requires src.size() == dst.size(); every id must be
  // in [0, num_nodes) (InvalidArgument naming the first bad edge otherwise).
  static StatusOr<CsrGraph> FromEdges(int64_t num_nodes, Span<const NodeId> src,
                                      Span<const NodeId> dst, const CsrBuildOptions& options);

  // Adopts ready CSR arrays (rows = destinations). Checks shape, monotone offsets and id range;
  // weights may be empty or have one entry per edge.
  static StatusOr<CsrGraph> FromCsr(int64_t num_nodes, std::vector<int64_t> offsets,
                                    std::vector<NodeId> indices, std::vector<float> weights = {});

  int64_t num_nodes() const { return static_cast<int64_t>(offsets_.size()) - 1; }
  int64_t num_edges() const { return static_cast<int64_t>(indices_.size()); }
  bool has_weights() const { return !weights_.empty(); }

  // offsets()[v] .. offsets()[v + 1] is row v's range in indices() and weights().
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::vector<NodeId>& indices() const { return indices_; }
  const std::vector<float>& weights() const { return weights_; }

  int64_t InDegree(NodeId v) const { return offsets_[v + 1] - offsets_[v]; }
  // Sources of the edges into v, ascending.
  Span<const NodeId> InNeighbors(NodeId v) const {
    return Span<const NodeId>(indices_.data() + offsets_[v], static_cast<size_t>(InDegree(v)));
  }
  // Number of edges leaving each node (column counts), computed in parallel.
  std::vector<int64_t> OutDegrees() const;

  // The reverse graph (rows = sources, listing their out-neighbours); weights travel with their
  // edges.
  CsrGraph Transposed() const;
  // True when u -> v is stored exactly as often as v -> u for every pair.
  bool IsSymmetric() const;

 private:
  std::vector<int64_t> offsets_;  // num_nodes + 1
  std::vector<NodeId> indices_;   // num_edges
  std::vector<float> weights_;    // empty or num_edges
};

}  // namespace streamgnn::graph
