#include "datasets/synthetic.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/rng.h"

namespace streamgnn::datasets {

namespace {

// One RNG stream per purpose, so changing how one part draws never shifts another part.
enum StreamTag : uint64_t {
  kPermutation = 1,
  kCommunity,
  kEvent,
  kNodeEmbedding,
  kNodeFeature,
  kEdgeTableA,
  kEdgeTableB,
  kEdgeFeature,
  kZipfEvent,
};
uint64_t Stream(StreamTag tag) { return core::StreamKey(0x53594E5448ULL /* "SYNTH" */, tag); }

// A random permutation of [0, n) (Fisher-Yates with one sequential stream: fast and
// deterministic).
std::vector<NodeId> RandomPermutation(int64_t n, uint64_t seed) {
  std::vector<NodeId> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  core::RngStream rng(seed, Stream(kPermutation), 0);
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(perm[i], perm[rng.Below(static_cast<uint64_t>(i) + 1)]);
  }
  return perm;
}

// Nodes in popularity order; position r has weight (r + 1)^-s. Sampling is inversion by binary
// search over the cumulative weights.
class PopularityPool {
 public:
  PopularityPool() = default;
  PopularityPool(std::vector<NodeId> members, double s) : members_(std::move(members)) {
    cdf_.resize(members_.size());
    double total = 0;
    for (size_t r = 0; r < members_.size(); ++r) {
      total += std::pow(static_cast<double>(r + 1), -s);
      cdf_[r] = total;
    }
    for (double& c : cdf_) c /= total;
  }

  int64_t size() const { return static_cast<int64_t>(members_.size()); }
  const std::vector<NodeId>& members() const { return members_; }

  // u uniform in [0, 1).
  NodeId Sample(double u) const { return members_[Position(u)]; }

  // An exact draw from the pool conditioned on not picking position `excluded`; size() >= 2.
  NodeId SampleExcluding(double u, int64_t excluded) const {
    const double lo = excluded > 0 ? cdf_[excluded - 1] : 0.0;
    const double w = cdf_[excluded] - lo;
    double v = u * (1.0 - w);
    if (v >= lo) v += w;
    int64_t r = Position(v);
    if (r == excluded) r = excluded + 1 < size() ? excluded + 1 : excluded - 1;  // rounding
    return members_[r];
  }

 private:
  int64_t Position(double u) const {
    const int64_t r = std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return std::min<int64_t>(r, size() - 1);
  }

  std::vector<NodeId> members_;
  std::vector<double> cdf_;
};

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Standard normal draws by Box-Muller: exact, used for the small embedding tables.
class Gaussian {
 public:
  explicit Gaussian(core::RngStream* rng) : rng_(rng) {}
  float Next() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log1p(-rng_->Uniform()));
    const double a = kTwoPi * rng_->Uniform();
    spare_ = static_cast<float>(r * std::sin(a));
    have_spare_ = true;
    return static_cast<float>(r * std::cos(a));
  }

 private:
  core::RngStream* rng_;
  float spare_ = 0;
  bool have_spare_ = false;
};

// Zero-mean, unit-variance noise shaped like a Gaussian: the sum of four 16-bit uniforms from
// one 64-bit draw (Irwin-Hall, tails cut at +-3.46). About ten times cheaper than Box-Muller,
// which matters for wide per-event feature tables; the planted signal does not need exact tails.
inline float FastNoise(core::RngStream* rng) {
  const uint64_t b = rng->NextU64();
  const uint32_t sum = static_cast<uint32_t>(b & 0xFFFF) +
                       static_cast<uint32_t>((b >> 16) & 0xFFFF) +
                       static_cast<uint32_t>((b >> 32) & 0xFFFF) + static_cast<uint32_t>(b >> 48);
  // Sum of 4 U(0,1) has mean 2 and variance 1/3.
  constexpr float kScale = 1.7320508f / 65536.0f;
  return (static_cast<float>(sum) + 2.0f - 2.0f * 65536.0f) * kScale;
}

// rows x dim standard normal table, row r from its own stream.
std::vector<float> GaussianTable(int64_t rows, int64_t dim, uint64_t seed, StreamTag tag) {
  std::vector<float> t(static_cast<size_t>(rows * dim));
  for (int64_t r = 0; r < rows; ++r) {
    core::RngStream rng(seed, Stream(tag), static_cast<uint64_t>(r));
    Gaussian g(&rng);
    for (int64_t k = 0; k < dim; ++k) t[r * dim + k] = g.Next();
  }
  return t;
}

}  // namespace

Status ValidateSyntheticOptions(const SyntheticOptions& o) {
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("synthetic dataset options: " + what);
  };
  if (o.num_nodes < 2) return bad("num_nodes must be >= 2");
  if (o.num_edges < 0) return bad("num_edges must be >= 0");
  if (o.num_users < 0 || (o.num_users > 0 && o.num_users >= o.num_nodes)) {
    return bad("num_users must be 0 (not bipartite) or in [1, num_nodes)");
  }
  if (o.num_communities < 1) return bad("num_communities must be >= 1");
  if (!(o.zipf_exponent >= 0) || !std::isfinite(o.zipf_exponent)) {
    return bad("zipf_exponent must be finite and >= 0");
  }
  if (!(o.p_recent >= 0 && o.p_recent <= 1)) return bad("p_recent must be in [0, 1]");
  if (!(o.p_community >= 0 && o.p_community <= 1)) return bad("p_community must be in [0, 1]");
  if (o.p_recent + o.p_community > 1 + 1e-12) return bad("p_recent + p_community must be <= 1");
  if (o.recent_window < 1) return bad("recent_window must be >= 1");
  if (!(o.mean_interarrival > 0) || !std::isfinite(o.mean_interarrival)) {
    return bad("mean_interarrival must be finite and > 0");
  }
  if (o.node_feat_dim < 0 || o.edge_feat_dim < 0) return bad("feature widths must be >= 0");
  if (!(o.feat_noise >= 0) || !std::isfinite(o.feat_noise)) {
    return bad("feat_noise must be finite and >= 0");
  }
  return Status::Ok();
}

StatusOr<TemporalDataset> GenerateSynthetic(const SyntheticOptions& o) {
  SG_RETURN_IF_ERROR(ValidateSyntheticOptions(o));
  const int64_t n = o.num_nodes, m = o.num_edges, C = o.num_communities;
  const bool bipartite = o.num_users > 0;

  std::vector<int32_t> community(static_cast<size_t>(n));
  tbb::parallel_for(int64_t{0}, n, [&](int64_t v) {
    core::RngStream rng(o.seed, Stream(kCommunity), static_cast<uint64_t>(v));
    community[v] = static_cast<int32_t>(rng.Below(static_cast<uint64_t>(C)));
  });

  // Popularity order: a random permutation. Sources and destinations come from pools in that
  // order; a community pool lists its members in the same (global) order, so popular nodes are
  // popular inside their community too.
  const std::vector<NodeId> order = RandomPermutation(n, o.seed);
  std::vector<NodeId> source_members, dest_members;
  std::vector<std::vector<NodeId>> community_members(static_cast<size_t>(C));
  std::vector<int64_t> dest_pos(static_cast<size_t>(n), -1), community_pos(static_cast<size_t>(n));
  for (NodeId v : order) {
    const bool is_user = bipartite && v < o.num_users;
    if (!bipartite || is_user) source_members.push_back(v);
    if (!bipartite || !is_user) {
      dest_pos[v] = static_cast<int64_t>(dest_members.size());
      dest_members.push_back(v);
      community_pos[v] = static_cast<int64_t>(community_members[community[v]].size());
      community_members[community[v]].push_back(v);
    }
  }
  const PopularityPool sources(std::move(source_members), o.zipf_exponent);
  const PopularityPool dests(std::move(dest_members), o.zipf_exponent);
  std::vector<PopularityPool> by_community;
  by_community.reserve(static_cast<size_t>(C));
  for (auto& members : community_members)
    by_community.emplace_back(std::move(members), o.zipf_exponent);

  TemporalDataset ds;
  ds.name = "synthetic";
  ds.num_nodes = n;
  ds.num_users = o.num_users;
  ds.src.resize(static_cast<size_t>(m));
  ds.dst.resize(static_cast<size_t>(m));
  ds.ts.resize(static_cast<size_t>(m));

  // The event loop is sequential: a destination may repeat one of the source's recent ones.
  const int64_t window = o.recent_window;
  std::vector<NodeId> recent(static_cast<size_t>((bipartite ? o.num_users : n) * window));
  std::vector<int64_t> history(static_cast<size_t>(bipartite ? o.num_users : n), 0);
  Timestamp t = 0;
  for (int64_t i = 0; i < m; ++i) {
    core::RngStream rng(o.seed, Stream(kEvent), static_cast<uint64_t>(i));
    const double u_src = rng.Uniform(), u_mode = rng.Uniform(), u_dst = rng.Uniform(),
                 u_gap = rng.Uniform();
    const NodeId s = sources.Sample(u_src);
    NodeId d;
    const int64_t seen = std::min(history[s], window);
    const PopularityPool& own = by_community[community[s]];
    if (u_mode < o.p_recent && seen > 0) {
      const int64_t j = std::min<int64_t>(static_cast<int64_t>(u_dst * seen), seen - 1);
      d = recent[s * window + j];
    } else if (u_mode < o.p_recent + o.p_community &&
               (bipartite ? own.size() >= 1 : own.size() >= 2)) {
      d = bipartite ? own.Sample(u_dst) : own.SampleExcluding(u_dst, community_pos[s]);
    } else {
      d = bipartite ? dests.Sample(u_dst) : dests.SampleExcluding(u_dst, dest_pos[s]);
    }
    recent[s * window + history[s] % window] = d;
    ++history[s];
    const Timestamp next = t - o.mean_interarrival * std::log1p(-u_gap);
    t = next > t ? next : std::nextafter(t, kMaxTime);
    ds.src[i] = s;
    ds.dst[i] = d;
    ds.ts[i] = t;
  }

  const float noise = static_cast<float>(o.feat_noise);
  if (o.node_feat_dim > 0) {
    const int64_t dim = o.node_feat_dim;
    const std::vector<float> emb = GaussianTable(C, dim, o.seed, kNodeEmbedding);
    ds.node_feat_dim = dim;
    ds.node_feat.resize(static_cast<size_t>(n * dim));
    tbb::parallel_for(int64_t{0}, n, [&](int64_t v) {
      core::RngStream rng(o.seed, Stream(kNodeFeature), static_cast<uint64_t>(v));
      for (int64_t k = 0; k < dim; ++k) {
        ds.node_feat[v * dim + k] = emb[community[v] * dim + k] + noise * FastNoise(&rng);
      }
    });
  }
  if (o.edge_feat_dim > 0) {
    const int64_t dim = o.edge_feat_dim;
    const std::vector<float> a = GaussianTable(C, dim, o.seed, kEdgeTableA);
    const std::vector<float> b = GaussianTable(C, dim, o.seed, kEdgeTableB);
    ds.edge_feat_dim = dim;
    ds.edge_feat.resize(static_cast<size_t>(m * dim));
    const float inv_sqrt2 = static_cast<float>(1.0 / std::sqrt(2.0));
    tbb::parallel_for(int64_t{0}, m, [&](int64_t i) {
      core::RngStream rng(o.seed, Stream(kEdgeFeature), static_cast<uint64_t>(i));
      const int64_t cs = community[ds.src[i]], cd = community[ds.dst[i]];
      for (int64_t k = 0; k < dim; ++k) {
        ds.edge_feat[i * dim + k] =
            (a[cs * dim + k] + b[cd * dim + k]) * inv_sqrt2 + noise * FastNoise(&rng);
      }
    });
  }
  return ds;
}

TemporalDataset GenerateZipfStream(int64_t num_nodes, int64_t num_edges, double exponent,
                                   uint64_t seed) {
  SG_CHECK(num_nodes >= 1 && num_edges >= 0,
           "GenerateZipfStream: need num_nodes >= 1, num_edges >= 0");
  SG_CHECK(exponent >= 0 && std::isfinite(exponent), "GenerateZipfStream: need exponent >= 0");
  const PopularityPool pool(RandomPermutation(num_nodes, seed), exponent);
  TemporalDataset ds;
  ds.name = "zipf";
  ds.num_nodes = num_nodes;
  ds.src.resize(static_cast<size_t>(num_edges));
  ds.dst.resize(static_cast<size_t>(num_edges));
  ds.ts.resize(static_cast<size_t>(num_edges));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_edges, 1 << 14),
                    [&](const tbb::blocked_range<int64_t>& r) {
                      for (int64_t i = r.begin(); i != r.end(); ++i) {
                        core::RngStream rng(seed, Stream(kZipfEvent), static_cast<uint64_t>(i));
                        ds.src[i] = pool.Sample(rng.Uniform());
                        ds.dst[i] = pool.Sample(rng.Uniform());
                        ds.ts[i] = static_cast<Timestamp>(i);
                      }
                    });
  return ds;
}

}  // namespace streamgnn::datasets
