#include "graph/csr_graph.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

namespace streamgnn::graph {
namespace {

constexpr int64_t kGrain = 4096;

// Exclusive prefix sum of counts[0..n) into offsets[0..n] (sequential: O(n), memory bound).
void PrefixSum(const std::vector<int64_t>& counts, std::vector<int64_t>* offsets) {
  offsets->assign(counts.size() + 1, 0);
  for (size_t i = 0; i < counts.size(); ++i) (*offsets)[i + 1] = (*offsets)[i] + counts[i];
}

void ComputeWeights(EdgeNorm norm, const std::vector<int64_t>& offsets,
                    const std::vector<NodeId>& indices, const std::vector<int64_t>& out_degree,
                    std::vector<float>* weights) {
  weights->clear();
  if (norm == EdgeNorm::kNone) return;
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  weights->resize(indices.size());
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, kGrain), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      const int64_t in_deg = offsets[v + 1] - offsets[v];
      for (int64_t e = offsets[v]; e < offsets[v + 1]; ++e) {
        if (norm == EdgeNorm::kMean) {
          (*weights)[e] = static_cast<float>(1.0 / static_cast<double>(in_deg));
        } else {
          const double du = static_cast<double>(out_degree[indices[e]]);
          (*weights)[e] = static_cast<float>(1.0 / std::sqrt(du * static_cast<double>(in_deg)));
        }
      }
    }
  });
}

}  // namespace

StatusOr<CsrGraph> CsrGraph::FromEdges(int64_t num_nodes, Span<const NodeId> src,
                                       Span<const NodeId> dst, const CsrBuildOptions& options) {
  if (num_nodes < 0) return Status::InvalidArgument("CsrGraph: num_nodes must be >= 0");
  if (src.size() != dst.size()) {
    return Status::InvalidArgument("CsrGraph: src has " + std::to_string(src.size()) +
                                   " entries but dst has " + std::to_string(dst.size()));
  }
  const int64_t m = static_cast<int64_t>(src.size());
  // 1. First out-of-range edge (smallest index, so the message does not depend on scheduling).
  const int64_t bad = tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, m, kGrain), std::numeric_limits<int64_t>::max(),
      [&](const auto& r, int64_t best) {
        for (int64_t i = r.begin(); i != r.end() && i < best; ++i) {
          if (src[i] < 0 || src[i] >= num_nodes || dst[i] < 0 || dst[i] >= num_nodes) return i;
        }
        return best;
      },
      [](int64_t a, int64_t b) { return std::min(a, b); });
  if (bad != std::numeric_limits<int64_t>::max()) {
    return Status::InvalidArgument("CsrGraph: edge " + std::to_string(bad) + " (" +
                                   std::to_string(src[bad]) + " -> " + std::to_string(dst[bad]) +
                                   ") has a node id outside [0, " + std::to_string(num_nodes) +
                                   ")");
  }
  const bool drop_loops = options.add_self_loops || options.remove_self_loops;
  auto keep = [&](int64_t i) { return !(drop_loops && src[i] == dst[i]); };

  // 2. In-degree counts (with atomics), then row starts.
  std::unique_ptr<std::atomic<int64_t>[]> count(new std::atomic<int64_t>[num_nodes]);
  const int64_t loop = options.add_self_loops ? 1 : 0;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_nodes, kGrain), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) count[v].store(loop, std::memory_order_relaxed);
  });
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, m, kGrain), [&](const auto& r) {
    for (int64_t i = r.begin(); i != r.end(); ++i) {
      if (!keep(i)) continue;
      count[dst[i]].fetch_add(1, std::memory_order_relaxed);
      if (options.symmetrize && src[i] != dst[i]) {
        count[src[i]].fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  std::vector<int64_t> counts(num_nodes);
  for (int64_t v = 0; v < num_nodes; ++v) counts[v] = count[v].load(std::memory_order_relaxed);
  std::vector<int64_t> raw_offsets;
  PrefixSum(counts, &raw_offsets);

  // 3. Scatter into rows (order inside a row is scheduling dependent until step 4 sorts it).
  std::vector<NodeId> raw(raw_offsets.back());
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_nodes, kGrain), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      count[v].store(raw_offsets[v], std::memory_order_relaxed);
      if (loop) raw[count[v].fetch_add(1, std::memory_order_relaxed)] = v;
    }
  });
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, m, kGrain), [&](const auto& r) {
    for (int64_t i = r.begin(); i != r.end(); ++i) {
      if (!keep(i)) continue;
      raw[count[dst[i]].fetch_add(1, std::memory_order_relaxed)] = src[i];
      if (options.symmetrize && src[i] != dst[i]) {
        raw[count[src[i]].fetch_add(1, std::memory_order_relaxed)] = dst[i];
      }
    }
  });

  // 4. Sort (and de-duplicate) every row.
  const bool dedupe = options.remove_duplicates;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_nodes, kGrain / 16), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      NodeId* b = raw.data() + raw_offsets[v];
      NodeId* e = raw.data() + raw_offsets[v + 1];
      std::sort(b, e);
      counts[v] = dedupe ? std::unique(b, e) - b : e - b;
    }
  });

  // 5. Compact.
  CsrGraph g;
  PrefixSum(counts, &g.offsets_);
  if (!dedupe) {
    g.indices_ = std::move(raw);
  } else {
    g.indices_.resize(g.offsets_.back());
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_nodes, kGrain), [&](const auto& r) {
      for (int64_t v = r.begin(); v != r.end(); ++v) {
        std::copy_n(raw.data() + raw_offsets[v], counts[v], g.indices_.data() + g.offsets_[v]);
      }
    });
  }
  if (options.norm != EdgeNorm::kNone) {
    ComputeWeights(options.norm, g.offsets_, g.indices_,
                   options.norm == EdgeNorm::kGcn ? g.OutDegrees() : std::vector<int64_t>(),
                   &g.weights_);
  }
  return g;
}

StatusOr<CsrGraph> CsrGraph::FromCsr(int64_t num_nodes, std::vector<int64_t> offsets,
                                     std::vector<NodeId> indices, std::vector<float> weights) {
  if (num_nodes < 0 || static_cast<int64_t>(offsets.size()) != num_nodes + 1) {
    return Status::InvalidArgument("CsrGraph: offsets must have num_nodes + 1 = " +
                                   std::to_string(num_nodes + 1) + " entries, got " +
                                   std::to_string(offsets.size()));
  }
  if (offsets.front() != 0 || offsets.back() != static_cast<int64_t>(indices.size())) {
    return Status::InvalidArgument("CsrGraph: offsets must run from 0 to the number of indices (" +
                                   std::to_string(indices.size()) + ")");
  }
  for (int64_t v = 0; v < num_nodes; ++v) {
    if (offsets[v + 1] < offsets[v]) {
      return Status::InvalidArgument("CsrGraph: offsets decrease at row " + std::to_string(v));
    }
  }
  for (size_t e = 0; e < indices.size(); ++e) {
    if (indices[e] < 0 || indices[e] >= num_nodes) {
      return Status::InvalidArgument("CsrGraph: index " + std::to_string(e) + " = " +
                                     std::to_string(indices[e]) + " is outside [0, " +
                                     std::to_string(num_nodes) + ")");
    }
  }
  if (!weights.empty() && weights.size() != indices.size()) {
    return Status::InvalidArgument("CsrGraph: weights must be empty or one per edge");
  }
  CsrGraph g;
  g.offsets_ = std::move(offsets);
  g.indices_ = std::move(indices);
  g.weights_ = std::move(weights);
  return g;
}

std::vector<int64_t> CsrGraph::OutDegrees() const {
  const int64_t n = num_nodes();
  std::unique_ptr<std::atomic<int64_t>[]> deg(new std::atomic<int64_t>[n]);
  for (int64_t v = 0; v < n; ++v) deg[v].store(0, std::memory_order_relaxed);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_edges(), kGrain), [&](const auto& r) {
    for (int64_t e = r.begin(); e != r.end(); ++e) {
      deg[indices_[e]].fetch_add(1, std::memory_order_relaxed);
    }
  });
  std::vector<int64_t> out(n);
  for (int64_t v = 0; v < n; ++v) out[v] = deg[v].load(std::memory_order_relaxed);
  return out;
}

CsrGraph CsrGraph::Transposed() const {
  const int64_t n = num_nodes();
  CsrGraph t;
  PrefixSum(OutDegrees(), &t.offsets_);
  t.indices_.resize(num_edges());
  if (has_weights()) t.weights_.resize(num_edges());
  // Rows of the transpose come out sorted because sources are visited in ascending order.
  std::vector<int64_t> cursor(t.offsets_.begin(), t.offsets_.end() - 1);
  for (NodeId v = 0; v < n; ++v) {
    for (int64_t e = offsets_[v]; e < offsets_[v + 1]; ++e) {
      const int64_t pos = cursor[indices_[e]]++;
      t.indices_[pos] = v;
      if (has_weights()) t.weights_[pos] = weights_[e];
    }
  }
  return t;
}

bool CsrGraph::IsSymmetric() const {
  const CsrGraph t = Transposed();
  return t.offsets_ == offsets_ && t.indices_ == indices_;
}

}  // namespace streamgnn::graph
