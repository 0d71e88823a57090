#include "graph/partition.h"

#if defined(STREAMGNN_WITH_METIS)
#include <metis.h>
#endif
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <limits>
#include <string>

namespace streamgnn::graph {

bool MetisAvailable() {
#if STREAMGNN_WITH_METIS
  return true;
#else
  return false;
#endif
}

StatusOr<std::vector<int64_t>> MetisKway(const CsrGraph& g, const MetisOptions& o) {
  const int64_t n = g.num_nodes();
  if (o.num_parts < 1) return Status::InvalidArgument("METIS: num_parts must be >= 1");
  if (o.num_parts == 1 || n == 0) return std::vector<int64_t>(n, 0);
  if (o.num_parts > n) {
    return Status::InvalidArgument("METIS: num_parts (" + std::to_string(o.num_parts) +
                                   ") exceeds the number of nodes (" + std::to_string(n) + ")");
  }
#if !defined(STREAMGNN_WITH_METIS)
  return Status::Unimplemented("METIS: this build has no libmetis (install libmetis-dev)");
#else
  if (!g.IsSymmetric()) {
    return Status::InvalidArgument("METIS: the graph must be symmetric (build it with symmetrize)");
  }
  if (n > std::numeric_limits<idx_t>::max() || g.num_edges() > std::numeric_limits<idx_t>::max()) {
    return Status::OutOfRange("METIS: graph too large for this libmetis's " +
                              std::to_string(sizeof(idx_t) * 8) + "-bit idx_t");
  }
  // METIS wants no self-loops.
  std::vector<idx_t> xadj(n + 1, 0), adjncy;
  adjncy.reserve(g.num_edges());
  for (NodeId v = 0; v < n; ++v) {
    for (NodeId u : g.InNeighbors(v)) {
      if (u != v) adjncy.push_back(static_cast<idx_t>(u));
    }
    xadj[v + 1] = static_cast<idx_t>(adjncy.size());
  }
  idx_t nvtxs = static_cast<idx_t>(n), ncon = 1, nparts = static_cast<idx_t>(o.num_parts);
  idx_t objval = 0;
  real_t ubvec = static_cast<real_t>(o.imbalance);
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_SEED] = static_cast<idx_t>(o.seed & 0x7fffffff);
  std::vector<idx_t> part(n, 0);
  const int rc = METIS_PartGraphKway(&nvtxs, &ncon, xadj.data(), adjncy.data(), nullptr, nullptr,
                                     nullptr, &nparts, nullptr, &ubvec, options, &objval,
                                     part.data());
  if (rc != METIS_OK) {
    return Status::Internal("METIS_PartGraphKway failed with code " + std::to_string(rc));
  }
  return std::vector<int64_t>(part.begin(), part.end());
#endif
}

StatusOr<PartitionBook> PartitionBook::Build(const CsrGraph& g, std::vector<int64_t> owner,
                                             int64_t num_parts) {
  const int64_t n = g.num_nodes();
  if (num_parts < 1) return Status::InvalidArgument("PartitionBook: num_parts must be >= 1");
  if (static_cast<int64_t>(owner.size()) != n) {
    return Status::InvalidArgument("PartitionBook: one owner per node expected (" +
                                   std::to_string(n) + "), got " + std::to_string(owner.size()));
  }
  for (NodeId v = 0; v < n; ++v) {
    if (owner[v] < 0 || owner[v] >= num_parts) {
      return Status::InvalidArgument("PartitionBook: node " + std::to_string(v) + " has owner " +
                                     std::to_string(owner[v]) + ", expected [0, " +
                                     std::to_string(num_parts) + ")");
    }
  }
  PartitionBook book;
  book.owner_ = std::move(owner);
  book.local_id_.assign(n, -1);
  book.parts_.resize(num_parts);
  const auto& own = book.owner_;

  // Marginal = some in-neighbour owned elsewhere.
  std::vector<char> marginal(n, 0);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, 4096), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      for (NodeId u : g.InNeighbors(v)) {
        if (own[u] != own[v]) {
          marginal[v] = 1;
          break;
        }
      }
    }
  });
  for (NodeId v = 0; v < n; ++v) {
    for (NodeId u : g.InNeighbors(v)) book.edge_cut_ += own[u] != own[v];
  }

  // Central then marginal nodes of each part, ascending global id.
  for (NodeId v = 0; v < n; ++v) {
    if (!marginal[v]) book.parts_[own[v]].local_to_global.push_back(v);
  }
  for (auto& p : book.parts_) p.num_central = static_cast<int64_t>(p.local_to_global.size());
  for (NodeId v = 0; v < n; ++v) {
    if (marginal[v]) book.parts_[own[v]].local_to_global.push_back(v);
  }

  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_parts, 1), [&](const auto& r) {
    for (int64_t pi = r.begin(); pi != r.end(); ++pi) {
      LocalPartition& p = book.parts_[pi];
      p.part = pi;
      p.num_marginal = static_cast<int64_t>(p.local_to_global.size()) - p.num_central;
      // Halo: remote in-neighbours of the marginal nodes, by (owner, global id).
      std::vector<std::pair<int64_t, NodeId>> halo;
      for (int64_t i = p.num_central; i < p.num_inner(); ++i) {
        for (NodeId u : g.InNeighbors(p.local_to_global[i])) {
          if (own[u] != pi) halo.emplace_back(own[u], u);
        }
      }
      std::sort(halo.begin(), halo.end());
      halo.erase(std::unique(halo.begin(), halo.end()), halo.end());
      p.num_halo = static_cast<int64_t>(halo.size());
      p.recv.assign(num_parts, {0, 0});
      for (size_t i = 0; i < halo.size(); ++i) {
        const int64_t local = p.num_inner() + static_cast<int64_t>(i);
        p.local_to_global.push_back(halo[i].second);
        p.halo_owner.push_back(halo[i].first);
        auto& range = p.recv[halo[i].first];
        if (range.first == range.second) range.first = local;
        range.second = local + 1;
      }
    }
  });
  for (auto& p : book.parts_) {
    for (int64_t i = 0; i < p.num_inner(); ++i) book.local_id_[p.local_to_global[i]] = i;
  }
  // Local CSR (needs every part's halo ids) and send lists.
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_parts, 1), [&](const auto& r) {
    for (int64_t pi = r.begin(); pi != r.end(); ++pi) {
      LocalPartition& p = book.parts_[pi];
      auto halo_local = [&](NodeId u) {  // halo range sorted by (owner, global id)
        const auto [b, e] = p.recv[own[u]];
        const auto it = std::lower_bound(p.local_to_global.begin() + b,
                                         p.local_to_global.begin() + e, u);
        return static_cast<int64_t>(it - p.local_to_global.begin());
      };
      p.offsets.assign(1, 0);
      for (int64_t i = 0; i < p.num_inner(); ++i) {
        for (NodeId u : g.InNeighbors(p.local_to_global[i])) {
          p.indices.push_back(own[u] == pi ? book.local_id_[u] : halo_local(u));
        }
        p.offsets.push_back(static_cast<int64_t>(p.indices.size()));
      }
    }
  });
  for (auto& p : book.parts_) p.send.assign(num_parts, {});
  for (const auto& q : book.parts_) {
    for (int64_t i = q.num_inner(); i < q.num_local(); ++i) {
      const NodeId v = q.local_to_global[i];
      book.parts_[own[v]].send[q.part].push_back(book.local_id_[v]);
    }
  }
  return book;
}

}  // namespace streamgnn::graph
