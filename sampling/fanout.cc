#include "sampling/fanout.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>
#include <unordered_set>

namespace streamgnn::sampling {

Status CheckFanouts(const char* who, const std::vector<int64_t>& fanouts) {
  if (fanouts.empty()) {
    return Status::InvalidArgument(std::string(who) + ": fanouts must have one entry per layer");
  }
  for (size_t l = 0; l < fanouts.size(); ++l) {
    if (fanouts[l] < 1 && fanouts[l] != -1) {
      return Status::InvalidArgument(std::string(who) + ": fanouts[" + std::to_string(l) +
                                     "] = " + std::to_string(fanouts[l]) +
                                     ", expected >= 1 or -1 (all)");
    }
  }
  return Status::Ok();
}

void DrawDistinct(core::RngStream& rng, int64_t d, int64_t k, int64_t* out) {
  if (k <= 64) {
    int64_t n = 0;
    for (int64_t j = d - k; j < d; ++j) {
      const int64_t t = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
      const bool fresh = std::find(out, out + n, t) == out + n;
      out[n++] = fresh ? t : j;
    }
  } else {
    std::unordered_set<int64_t> chosen;
    chosen.reserve(static_cast<size_t>(k) * 2);
    for (int64_t j = d - k; j < d; ++j) {
      const int64_t t = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
      chosen.insert(chosen.count(t) ? j : t);
    }
    std::copy(chosen.begin(), chosen.end(), out);
  }
  std::sort(out, out + k);
}

void DrawNeighbors(const graph::CsrGraph& graph, const std::vector<NodeId>& dst, int64_t fanout,
                   uint64_t seed, uint64_t stream, int64_t grain, std::vector<int64_t>* offsets,
                   std::vector<int64_t>* full_in_degree, std::vector<NodeId>* picked) {
  const auto& row_offsets = graph.offsets();
  const auto& indices = graph.indices();
  const int64_t num_dst = static_cast<int64_t>(dst.size());
  full_in_degree->resize(num_dst);
  offsets->assign(num_dst + 1, 0);
  for (int64_t i = 0; i < num_dst; ++i) {
    const int64_t deg = row_offsets[dst[i] + 1] - row_offsets[dst[i]];
    (*full_in_degree)[i] = deg;
    (*offsets)[i + 1] = (*offsets)[i] + (fanout == -1 ? deg : std::min(fanout, deg));
  }
  picked->resize(offsets->back());
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_dst, grain), [&](const auto& r) {
    std::vector<int64_t> pos;
    for (int64_t i = r.begin(); i != r.end(); ++i) {
      const int64_t row = row_offsets[dst[i]];
      const int64_t deg = (*full_in_degree)[i];
      const int64_t k = (*offsets)[i + 1] - (*offsets)[i];
      NodeId* out = picked->data() + (*offsets)[i];
      if (k == deg) {
        std::copy_n(indices.data() + row, deg, out);
        continue;
      }
      core::RngStream rng(seed, stream, static_cast<uint64_t>(dst[i]));
      pos.resize(k);
      DrawDistinct(rng, deg, k, pos.data());
      for (int64_t j = 0; j < k; ++j) out[j] = indices[row + pos[j]];
    }
  });
}

}  // namespace streamgnn::sampling
