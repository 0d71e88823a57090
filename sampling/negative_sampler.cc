#include "sampling/negative_sampler.h"

#include <algorithm>
#include <unordered_set>

#include "core/rng.h"

namespace streamgnn::sampling {

namespace {
constexpr uint64_t kNegativeStream = 0x6e65676174697665ULL;  // "negative"
}  // namespace

StatusOr<NegativeSampler> NegativeSampler::FromRange(NodeId begin, NodeId end, uint64_t seed) {
  if (begin < 0 || end <= begin) {
    return Status::InvalidArgument("negative sampler range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + ") is empty or negative");
  }
  return NegativeSampler(begin, end - begin, {}, seed);
}

StatusOr<NegativeSampler> NegativeSampler::FromCandidates(std::vector<NodeId> candidates,
                                                          uint64_t seed) {
  std::unordered_set<NodeId> seen;
  std::vector<NodeId> unique;
  unique.reserve(candidates.size());
  for (NodeId v : candidates) {
    if (v < 0) return Status::InvalidArgument("negative sampler candidate " + std::to_string(v) + " is negative");
    if (seen.insert(v).second) unique.push_back(v);
  }
  if (unique.empty()) return Status::InvalidArgument("negative sampler has no candidates");
  const int64_t count = static_cast<int64_t>(unique.size());
  return NegativeSampler(0, count, std::move(unique), seed);
}

void NegativeSampler::Sample(uint64_t batch_key, Span<NodeId> out) const {
  const uint64_t stream = core::StreamKey(kNegativeStream, batch_key);
  for (size_t i = 0; i < out.size(); ++i) {
    core::RngStream rng(seed_, stream, i);
    const int64_t pick = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(count_)));
    out[i] = candidates_.empty() ? begin_ + pick : candidates_[pick];
  }
}

}  // namespace streamgnn::sampling
