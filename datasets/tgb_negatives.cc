#include "datasets/tgb_negatives.h"

#include <algorithm>

#include "datasets/pickle.h"

namespace streamgnn::datasets {

size_t TgbNegatives::KeyHash::operator()(const Key& k) const {
  // splitmix64 over the three fields.
  uint64_t h = static_cast<uint64_t>(k.src) * 0x9e3779b97f4a7c15ULL;
  h ^= static_cast<uint64_t>(k.dst) + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(k.t) + 0x8cb92ba72f3d8dd7ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

namespace {

std::string EdgeText(NodeId src, NodeId dst, int64_t t) {
  return "(" + std::to_string(src) + ", " + std::to_string(dst) + ", " + std::to_string(t) + ")";
}

}  // namespace

Status TgbNegatives::Add(const Key& key, Span<const NodeId> negatives) {
  const auto [it, inserted] =
      index_.try_emplace(key, static_cast<int64_t>(negatives_.size()), static_cast<int64_t>(negatives.size()));
  if (!inserted) return Status::InvalidArgument(source_ + ": edge " + EdgeText(key.src, key.dst, key.t) + " twice");
  negatives_.insert(negatives_.end(), negatives.begin(), negatives.end());
  max_count_ = std::max(max_count_, static_cast<int64_t>(negatives.size()));
  for (const NodeId v : negatives) max_id_ = std::max(max_id_, v);
  return Status::Ok();
}

StatusOr<TgbNegatives> TgbNegatives::Load(const std::string& path) {
  SG_ASSIGN_OR_RETURN(const pickle::Ref root, pickle::ParseFile(path));
  if (root->kind != pickle::Object::Kind::kDict) {
    return Status::InvalidArgument(path + ": expected TGB's dict {(src, dst, t): negative destinations}");
  }
  TgbNegatives out;
  out.source_ = path;
  out.index_.reserve(root->entries.size());
  std::vector<NodeId> negatives;
  for (size_t e = 0; e < root->entries.size(); ++e) {
    const auto& [k, v] = root->entries[e];
    const std::string what = path + ": entry " + std::to_string(e);
    if (k->kind != pickle::Object::Kind::kTuple || k->items.size() != 3) {
      if (k->kind == pickle::Object::Kind::kTuple && k->items.size() == 4) {
        return Status::Unimplemented(what + ": typed keys (src, dst, t, edge type) of TGB's tkgl/thgl sets");
      }
      return Status::InvalidArgument(what + ": expected a key (src, dst, t)");
    }
    Key key{};
    SG_ASSIGN_OR_RETURN(key.src, pickle::ToInt64(k->items[0], what + " src"));
    SG_ASSIGN_OR_RETURN(key.dst, pickle::ToInt64(k->items[1], what + " dst"));
    SG_ASSIGN_OR_RETURN(key.t, pickle::ToInt64(k->items[2], what + " t"));
    negatives.clear();
    if (v->kind == pickle::Object::Kind::kList) {
      for (const pickle::Ref& x : v->items) {
        SG_ASSIGN_OR_RETURN(const int64_t id, pickle::ToInt64(x, what + " negative"));
        negatives.push_back(id);
      }
    } else {
      SG_ASSIGN_OR_RETURN(const pickle::Array a, pickle::ToArray(v, what + " negatives"));
      if (a.shape.size() != 1) return Status::InvalidArgument(what + ": expected a 1-D array of negatives");
      for (const double x : a.values) {
        if (!(x >= 0 && x == static_cast<double>(static_cast<int64_t>(x)))) {
          return Status::InvalidArgument(what + ": negative destination " + std::to_string(x) + " is not a node id");
        }
        negatives.push_back(static_cast<NodeId>(x));
      }
    }
    for (const NodeId id : negatives) {
      if (id < 0) return Status::InvalidArgument(what + ": negative destination " + std::to_string(id));
    }
    SG_RETURN_IF_ERROR(out.Add(key, negatives));
  }
  return out;
}

StatusOr<TgbNegatives> TgbNegatives::FromRows(std::vector<Row> rows, const std::string& source) {
  TgbNegatives out;
  out.source_ = source;
  for (const Row& r : rows) SG_RETURN_IF_ERROR(out.Add(Key{r.src, r.dst, r.t}, r.negatives));
  return out;
}

StatusOr<Span<const NodeId>> TgbNegatives::Find(NodeId src, NodeId dst, int64_t t) const {
  const auto it = index_.find(Key{src, dst, t});
  if (it == index_.end()) {
    return Status::NotFound("the edge " + EdgeText(src, dst, t) + " has no negatives in " + source_ +
                            " (TGB evaluates exactly the edges its file lists: the dataset or split "
                            "does not match the file)");
  }
  return Span<const NodeId>(negatives_.data() + it->second.first, static_cast<size_t>(it->second.second));
}

}  // namespace streamgnn::datasets
