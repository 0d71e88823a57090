// TGB's evaluation negatives (issue 21; docs/datasets.md, "TGB"): `<name>_{val,test}_ns[_v2].pkl`,
// the pickled dict TGB's NegativeEdgeGenerator writes, from each evaluated positive edge
// (src, dst, t) to the NumPy array of its negative destinations. Read through datasets/pickle.h,
// so no Python is needed. TGB ranks every positive against exactly these destinations
// (one-vs-many MRR); a positive without an entry is an error naming it, as in TGB's query_batch.
// LibTorch-free.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/span.h"
#include "core/status.h"
#include "core/types.h"

namespace streamgnn::datasets {

class TgbNegatives {
 public:
  struct Row {
    NodeId src = 0, dst = 0;
    int64_t t = 0;
    std::vector<NodeId> negatives;
  };

  // InvalidArgument / Corruption naming the file for anything but a dict of (src, dst, t) ->
  // 1-D integer arrays (or lists); typed keys (TGB's tkgl/thgl sets) are Unimplemented.
  static StatusOr<TgbNegatives> Load(const std::string& path);
  // From rows in memory; `source` names them in errors. A key twice is an error.
  static StatusOr<TgbNegatives> FromRows(std::vector<Row> rows, const std::string& source);

  // The negative destinations of the positive (src, dst, t); NotFound naming the edge and the
  // file when there are none.
  StatusOr<Span<const NodeId>> Find(NodeId src, NodeId dst, int64_t t) const;

  int64_t size() const { return static_cast<int64_t>(index_.size()); }
  int64_t max_count() const { return max_count_; }
  NodeId max_id() const { return max_id_; }  // the largest negative destination; -1 if none
  const std::string& source() const { return source_; }

 private:
  struct Key {
    NodeId src, dst;
    int64_t t;
    bool operator==(const Key& o) const { return src == o.src && dst == o.dst && t == o.t; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  Status Add(const Key& key, Span<const NodeId> negatives);

  std::string source_;
  std::unordered_map<Key, std::pair<int64_t, int64_t>, KeyHash> index_;  // offset, count
  std::vector<NodeId> negatives_;
  int64_t max_count_ = 0;
  NodeId max_id_ = -1;
};

}  // namespace streamgnn::datasets
