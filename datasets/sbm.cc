// A stochastic block model with class-dependent Gaussian features: a node-classification
// dataset of any size whose difficulty is set by homophily and feature noise.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "datasets/static_dataset.h"

namespace streamgnn::datasets {
namespace {

constexpr uint64_t kEdgeStream = 0x5b3ed9e;
constexpr uint64_t kCentroidStream = 0x5b3ce7;
constexpr uint64_t kFeatureStream = 0x5b3fea7;

}  // namespace

StatusOr<StaticDataset> GenerateSbm(const SbmOptions& o) {
  if (o.num_nodes < 2 || o.num_classes < 1 || o.num_classes > o.num_nodes) {
    return Status::InvalidArgument("sbm: need num_nodes >= 2 and 1 <= num_classes <= num_nodes");
  }
  if (!(o.avg_degree >= 0) || !(o.homophily >= 0 && o.homophily <= 1) || o.feature_dim < 0 ||
      !(o.feature_noise >= 0) || !(o.val_fraction >= 0) || !(o.test_fraction >= 0) ||
      o.val_fraction + o.test_fraction > 1) {
    return Status::InvalidArgument(
        "sbm: need avg_degree >= 0, homophily in [0, 1], feature_dim >= 0, feature_noise >= 0 "
        "and val_fraction + test_fraction <= 1");
  }
  const int64_t n = o.num_nodes, c = o.num_classes;
  StaticDataset d;
  d.name = "sbm";
  d.num_nodes = n;
  d.num_classes = c;
  d.undirected = true;
  d.labels.resize(n);
  for (int64_t v = 0; v < n; ++v) d.labels[v] = v % c;
  const auto block_size = [&](int64_t cls) { return (n - cls + c - 1) / c; };

  // Each node proposes about avg_degree / 2 partners; pairs are canonicalised and de-duplicated.
  const double half = o.avg_degree / 2.0;
  const int64_t base = static_cast<int64_t>(std::floor(half));
  const double frac = half - static_cast<double>(base);
  const int64_t slots = base + (frac > 0 ? 1 : 0);
  std::vector<std::pair<NodeId, NodeId>> pairs(static_cast<size_t>(n * slots), {-1, -1});
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, 1024), [&](const auto& r) {
    for (int64_t u = r.begin(); u != r.end(); ++u) {
      core::RngStream rng(o.seed, core::StreamKey(kEdgeStream), static_cast<uint64_t>(u));
      const int64_t k = base + (frac > 0 && rng.Uniform() < frac ? 1 : 0);
      const int64_t cu = u % c;
      for (int64_t i = 0; i < k; ++i) {
        NodeId w = u;
        const bool inside = c == 1 || rng.Uniform() < o.homophily;
        for (int attempt = 0; attempt < 64 && (w == u || (!inside && w % c == cu)); ++attempt) {
          w = inside ? cu + c * static_cast<int64_t>(rng.Below(block_size(cu)))
                     : static_cast<int64_t>(rng.Below(n));
        }
        if (w == u || (!inside && w % c == cu)) continue;
        pairs[u * slots + i] = {std::min<NodeId>(u, w), std::max<NodeId>(u, w)};
      }
    }
  });
  pairs.erase(std::remove(pairs.begin(), pairs.end(), std::pair<NodeId, NodeId>{-1, -1}),
              pairs.end());
  tbb::parallel_sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  d.edge_src.resize(pairs.size());
  d.edge_dst.resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    d.edge_src[i] = pairs[i].first;
    d.edge_dst[i] = pairs[i].second;
  }

  const int64_t dim = o.feature_dim;
  d.feature_dim = dim;
  std::vector<float> centroids(static_cast<size_t>(c * dim));
  for (int64_t k = 0; k < c; ++k) {
    core::RngStream rng(o.seed, core::StreamKey(kCentroidStream), static_cast<uint64_t>(k));
    for (int64_t j = 0; j < dim; ++j) centroids[k * dim + j] = static_cast<float>(rng.Normal());
  }
  d.features.resize(static_cast<size_t>(n * dim));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, 1024), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      core::RngStream rng(o.seed, core::StreamKey(kFeatureStream), static_cast<uint64_t>(v));
      for (int64_t j = 0; j < dim; ++j) {
        d.features[v * dim + j] =
            centroids[(v % c) * dim + j] + static_cast<float>(o.feature_noise * rng.Normal());
      }
    }
  });
  internal::DrawSplit(&d, o.per_class_train, static_cast<int64_t>(o.val_fraction * n),
                      static_cast<int64_t>(o.test_fraction * n), o.seed);
  SG_RETURN_IF_ERROR(d.Validate());
  return d;
}

}  // namespace streamgnn::datasets
