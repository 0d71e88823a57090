// Shared by the halo-exchange tests (threads and MPI): a deterministic random graph, its
// partition book, and the expected result of a forward / backward exchange computed from the
// whole book (what every part holds), independently of any communicator.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "graph/csr_graph.h"
#include "graph/partition.h"

namespace streamgnn::comm::testing {

// A symmetric random graph with `n` nodes and about `m` undirected edges, and a book that
// assigns node v to part Owner(v) (uneven, so that parts differ in size and some pairs of parts
// exchange nothing when `sparse_pairs`).
inline graph::PartitionBook MakeBook(int64_t n, int64_t m, int parts, uint64_t seed) {
  std::vector<NodeId> src, dst;
  core::RngStream rng(seed, 1, 0);
  for (int64_t e = 0; e < m; ++e) {
    const NodeId u = static_cast<NodeId>(rng.Below(static_cast<uint64_t>(n)));
    // Mostly local edges (|u - v| small) so that parts far apart share no edge.
    const int64_t off = static_cast<int64_t>(rng.Below(7)) - 3;
    const NodeId v = std::min<NodeId>(n - 1, std::max<NodeId>(0, u + off));
    src.push_back(u);
    dst.push_back(v);
  }
  graph::CsrBuildOptions o;
  o.symmetrize = true;
  o.add_self_loops = true;
  auto g = graph::CsrGraph::FromEdges(n, src, dst, o);
  EXPECT_TRUE(g.ok());
  // Contiguous blocks of increasing size: part p owns a band of ids.
  std::vector<int64_t> owner(n);
  for (int64_t v = 0; v < n; ++v) owner[v] = std::min<int64_t>(parts - 1, (v * v * parts) / (n * n));
  auto book = graph::PartitionBook::Build(*g, owner, parts);
  EXPECT_TRUE(book.ok()) << book.status().ToString();
  return std::move(*book);
}

// Value of feature j of global node v (forward input).
inline float Feature(NodeId v, int64_t j) { return 0.25f * static_cast<float>(v) + 0.01f * static_cast<float>(j) - 3.0f; }
// Gradient rank p holds for its local row r, column j, before the backward exchange.
inline float Grad(int p, int64_t r, int64_t j) {
  return static_cast<float>(p + 1) * 0.5f + 0.125f * static_cast<float>(r) - 0.03f * static_cast<float>(j);
}

// Rank p's local rows before the forward exchange: inner rows set, halo rows NaN-free garbage.
inline std::vector<float> ForwardInput(const graph::LocalPartition& part, int64_t dim) {
  std::vector<float> rows(part.num_local() * dim, -999.0f);
  for (int64_t i = 0; i < part.num_inner(); ++i) {
    for (int64_t j = 0; j < dim; ++j) rows[i * dim + j] = Feature(part.local_to_global[i], j);
  }
  return rows;
}

inline std::vector<float> ExpectedForward(const graph::LocalPartition& part, int64_t dim) {
  std::vector<float> rows(part.num_local() * dim);
  for (int64_t i = 0; i < part.num_local(); ++i) {
    for (int64_t j = 0; j < dim; ++j) rows[i * dim + j] = Feature(part.local_to_global[i], j);
  }
  return rows;
}

inline std::vector<float> BackwardInput(const graph::LocalPartition& part, int64_t dim) {
  std::vector<float> g(part.num_local() * dim);
  for (int64_t r = 0; r < part.num_local(); ++r) {
    for (int64_t j = 0; j < dim; ++j) g[r * dim + j] = Grad(static_cast<int>(part.part), r, j);
  }
  return g;
}

// Inner rows of part p after the backward exchange: its own gradient plus, for every other part
// q holding the node as halo, q's gradient of that halo row (found through q's local ids).
// Halo rows are whatever the input had (not checked).
inline std::vector<float> ExpectedBackwardInner(const graph::PartitionBook& book, int p,
                                                int64_t dim) {
  const graph::LocalPartition& part = book.partition(p);
  std::vector<float> g = BackwardInput(part, dim);
  g.resize(part.num_inner() * dim);
  for (int q = 0; q < book.num_parts(); ++q) {
    if (q == p) continue;
    const graph::LocalPartition& other = book.partition(q);
    for (int64_t r = other.num_inner(); r < other.num_local(); ++r) {
      const NodeId v = other.local_to_global[r];
      if (book.owner(v) != p) continue;
      const int64_t mine = book.local_id(v);
      for (int64_t j = 0; j < dim; ++j) g[mine * dim + j] += Grad(q, r, j);
    }
  }
  return g;
}

}  // namespace streamgnn::comm::testing
