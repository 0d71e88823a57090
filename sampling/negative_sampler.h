// Negative destinations for link prediction.
//
// Uniform: node ids drawn uniformly from a candidate set — a contiguous id range (TGL: all
// nodes) or an explicit list (TGN: the unique destinations of a split). Draw i of batch b comes
// from Philox keyed by (seed, b, i), so a given (seed, batch) always yields the same negatives:
// a fixed evaluation set is simply a fixed seed, reproduced at every epoch and on any thread
// count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"

namespace streamgnn::sampling {

class NegativeSampler {
 public:
  // Ids drawn from [begin, end). Requires begin < end.
  static StatusOr<NegativeSampler> FromRange(NodeId begin, NodeId end, uint64_t seed);
  // Ids drawn from `candidates` (duplicates removed, order kept). Requires a non-empty list.
  static StatusOr<NegativeSampler> FromCandidates(std::vector<NodeId> candidates, uint64_t seed);

  // Writes out.size() negatives for batch `batch_key`.
  void Sample(uint64_t batch_key, Span<NodeId> out) const;
  int64_t num_candidates() const { return count_; }

 private:
  NegativeSampler(NodeId begin, int64_t count, std::vector<NodeId> candidates, uint64_t seed)
      : begin_(begin), count_(count), candidates_(std::move(candidates)), seed_(seed) {}

  NodeId begin_ = 0;
  int64_t count_ = 0;
  std::vector<NodeId> candidates_;  // empty for a range
  uint64_t seed_ = 0;
};

}  // namespace streamgnn::sampling
