#include "features/feature_cache.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>


namespace streamgnn::features {

FeatureCache::FeatureCache(FeatureStore* backing, std::unique_ptr<CachePolicy> policy)
    : FeatureStore(backing->num_rows(), backing->dim()),
      backing_(backing),
      policy_(std::move(policy)),
      slots_(static_cast<size_t>(policy_->capacity() * backing->dim())) {}

StatusOr<std::unique_ptr<FeatureCache>> FeatureCache::Create(FeatureStore* backing,
                                                             const FeatureCacheOptions& options) {
  if (backing == nullptr) return Status::InvalidArgument("feature cache needs a backing store");
  SG_ASSIGN_OR_RETURN(std::unique_ptr<CachePolicy> policy,
                      CachePolicy::CreateWithRatio(options.policy, backing->num_rows(), options.ratio));
  return std::unique_ptr<FeatureCache>(new FeatureCache(backing, std::move(policy)));
}

std::string FeatureCache::Describe() const {
  return std::string("cache ") + CachePolicyName(policy_->kind()) + " " +
         std::to_string(policy_->capacity()) + " rows over " + backing_->Describe();
}

CacheStats FeatureCache::TakeStats() {
  const CacheStats s = stats_;
  stats_ = CacheStats();
  return s;
}

Status FeatureCache::Fill(Span<const int64_t> keys) {
  SG_RETURN_IF_ERROR(policy_->Fill(keys));
  const int64_t n = policy_->size();
  const int64_t d = dim();
  std::vector<int64_t> loaded(keys.begin(), keys.begin() + n);
  std::vector<float> rows(static_cast<size_t>(n * d));
  Status s = backing_->Gather(loaded, rows.data());
  if (!s.ok()) {
    policy_->Clear();
    return s.WithPrefix("filling the feature cache");
  }
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(slots_.data() + policy_->Find(loaded[i]) * d, rows.data() + i * d,
                sizeof(float) * d);
  }
  return Status::Ok();
}

Status FeatureCache::Gather(Span<const int64_t> ids, float* out) {
  SG_RETURN_IF_ERROR(CheckIds(ids));
  const int64_t d = dim();
  // Distinct ids in order of first appearance.
  unique_.clear();
  inverse_.resize(ids.size());
  {
    std::unordered_map<int64_t, int64_t> index;
    index.reserve(ids.size() * 2);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto [it, inserted] = index.emplace(ids[i], static_cast<int64_t>(unique_.size()));
      if (inserted) unique_.push_back(ids[i]);
      inverse_[i] = it->second;
    }
  }
  const int64_t u = static_cast<int64_t>(unique_.size());
  unique_rows_.resize(static_cast<size_t>(u * d));
  miss_keys_.clear();
  miss_pos_.clear();
  admit_slot_.clear();
  // Batch semantics (CachePolicy::AccessBatch): the rows held when the call starts are its hits.
  // Hits are copied out before any admission of this call overwrites a slot.
  accesses_.resize(u);
  for (int64_t j = 0; j < u; ++j) {
    const int64_t slot = policy_->Find(unique_[j]);
    if (slot >= 0) {
      std::memcpy(unique_rows_.data() + j * d, slots_.data() + slot * d, sizeof(float) * d);
    }
  }
  policy_->AccessBatch(unique_, accesses_.data());
  for (int64_t j = 0; j < u; ++j) {
    const CacheAccess& a = accesses_[j];
    if (a.hit) {
      ++stats_.hits;
    } else {
      miss_keys_.push_back(unique_[j]);
      miss_pos_.push_back(j);
      admit_slot_.push_back(a.slot);
      ++stats_.misses;
    }
  }
  if (!miss_keys_.empty()) {
    miss_rows_.resize(miss_keys_.size() * d);
    Status s = backing_->Gather(miss_keys_, miss_rows_.data());
    if (!s.ok()) {
      const bool admitted = std::any_of(admit_slot_.begin(), admit_slot_.end(),
                                        [](int64_t slot) { return slot >= 0; });
      if (admitted) policy_->Clear();
      return s.WithPrefix("feature cache miss fetch");
    }
    // In access order, so when two misses of this call share a slot the later one (the one the
    // policy now holds) is written last.
    for (size_t m = 0; m < miss_keys_.size(); ++m) {
      const float* row = miss_rows_.data() + m * d;
      std::memcpy(unique_rows_.data() + miss_pos_[m] * d, row, sizeof(float) * d);
      if (admit_slot_[m] >= 0) std::memcpy(slots_.data() + admit_slot_[m] * d, row, sizeof(float) * d);
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    std::memcpy(out + i * d, unique_rows_.data() + inverse_[i] * d, sizeof(float) * d);
  }
  return Status::Ok();
}

}  // namespace streamgnn::features
