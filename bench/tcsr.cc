#include "bench/tcsr.h"

#include <algorithm>

namespace streamgnn::bench {

TCsr TCsr::Build(Span<const NodeId> src, Span<const NodeId> dst, Span<const Timestamp> time,
                 bool undirected) {
  TCsr g;
  NodeId max_node = -1;
  for (size_t i = 0; i < src.size(); ++i) max_node = std::max({max_node, src[i], dst[i]});
  const int64_t n = max_node + 1;
  g.indptr_.assign(n + 1, 0);
  for (size_t i = 0; i < src.size(); ++i) {
    g.indptr_[src[i] + 1]++;
    if (undirected && src[i] != dst[i]) g.indptr_[dst[i] + 1]++;
  }
  for (int64_t v = 0; v < n; ++v) g.indptr_[v + 1] += g.indptr_[v];
  const int64_t m = g.indptr_[n];
  g.indices_.resize(m);
  g.eid_.resize(m);
  g.ts_.resize(m);
  std::vector<int64_t> cursor(g.indptr_.begin(), g.indptr_.end() - 1);
  auto put = [&](NodeId u, NodeId v, EdgeId e, Timestamp t) {
    const int64_t p = cursor[u]++;
    g.indices_[p] = v;
    g.eid_[p] = e;
    g.ts_[p] = t;
  };
  for (size_t i = 0; i < src.size(); ++i) {
    put(src[i], dst[i], static_cast<EdgeId>(i), time[i]);
    if (undirected && src[i] != dst[i]) put(dst[i], src[i], static_cast<EdgeId>(i), time[i]);
  }
  return g;
}

int TCsr::Recent(NodeId node, Timestamp t, int k, graph::Neighbor* out) const {
  if (node < 0 || node + 1 >= static_cast<NodeId>(indptr_.size())) return 0;
  const int64_t begin = indptr_[node];
  const int64_t hi = std::lower_bound(ts_.begin() + begin, ts_.begin() + indptr_[node + 1], t) -
                     ts_.begin();
  int got = 0;
  for (int64_t i = hi - 1; i >= begin && got < k; --i) out[got++] = {indices_[i], eid_[i], ts_[i]};
  return got;
}

int TCsr::Uniform(NodeId node, Timestamp t, int k, core::RngStream& rng,
                  graph::Neighbor* out) const {
  if (node < 0 || node + 1 >= static_cast<NodeId>(indptr_.size())) return 0;
  const int64_t lo = indptr_[node];
  const int64_t hi = std::lower_bound(ts_.begin() + lo, ts_.begin() + indptr_[node + 1], t) -
                     ts_.begin();
  const int64_t count = hi - lo;
  if (count <= k) {
    for (int64_t i = 0; i < count; ++i) out[i] = {indices_[hi - 1 - i], eid_[hi - 1 - i], ts_[hi - 1 - i]};
    return static_cast<int>(count);
  }
  int64_t stack_picks[64];  // no allocation per root for the usual fan-outs, as in the store
  std::vector<int64_t> heap_picks(k > 64 ? k : 0);
  int64_t* picks = k > 64 ? heap_picks.data() : stack_picks;
  core::SampleDistinctDescending(count, k, rng, picks);
  for (int i = 0; i < k; ++i) out[i] = {indices_[lo + picks[i]], eid_[lo + picks[i]], ts_[lo + picks[i]]};
  return k;
}

template <typename One>
void TCsr::Pipelined(const NodeId* nodes, int64_t count, One&& one) const {
  constexpr int64_t kIndexAhead = 8, kTimesAhead = 4;
  const int64_t n = static_cast<int64_t>(indptr_.size()) - 1;
  for (int64_t i = 0; i < count; ++i) {
    if (i + kIndexAhead < count && nodes[i + kIndexAhead] >= 0 && nodes[i + kIndexAhead] < n) {
      __builtin_prefetch(&indptr_[nodes[i + kIndexAhead]]);
    }
    if (i + kTimesAhead < count && nodes[i + kTimesAhead] >= 0 && nodes[i + kTimesAhead] < n) {
      const NodeId v = nodes[i + kTimesAhead];
      __builtin_prefetch(&ts_[(indptr_[v] + indptr_[v + 1]) / 2]);
    }
    one(i);
  }
}

void TCsr::RecentBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                       graph::Neighbor* out, int32_t* counts) const {
  Pipelined(nodes, count, [&](int64_t i) { counts[i] = Recent(nodes[i], times[i], k, out + i * k); });
}

void TCsr::UniformBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                        uint64_t seed, uint64_t stream, uint64_t first_item, graph::Neighbor* out,
                        int32_t* counts) const {
  Pipelined(nodes, count, [&](int64_t i) {
    core::RngStream rng(seed, stream, first_item + static_cast<uint64_t>(i));
    counts[i] = Uniform(nodes[i], times[i], k, rng, out + i * k);
  });
}

int64_t TCsr::bytes() const {
  return static_cast<int64_t>(indptr_.size() * sizeof(int64_t) + indices_.size() * sizeof(NodeId) +
                              eid_.size() * sizeof(EdgeId) + ts_.size() * sizeof(Timestamp));
}

}  // namespace streamgnn::bench
