// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11 — the generator cuRAND and
// PyTorch use). A draw is a pure function of (seed, stream, item, position), so parallel loops
// give the same numbers whatever the thread count or schedule: never share a mutable engine
// across threads, derive an RngStream per item instead.
//
// Usage: RngStream rng(seed, StreamKey(epoch, batch, layer), root_index); rng.Below(n);
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>

#if defined(__CUDACC__)
#define SG_HOST_DEVICE __host__ __device__
#else
#define SG_HOST_DEVICE
#endif

namespace streamgnn::core {

// SplitMix64 finaliser: a bijective 64-bit mix, used to fold several words into one key.
SG_HOST_DEVICE inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Folds up to three words (epoch, batch, layer, ...) into one stream key.
SG_HOST_DEVICE inline uint64_t StreamKey(uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return Mix64(Mix64(Mix64(a) ^ b) ^ c);
}

struct Philox4x32 {
  uint32_t v[4];
};

// One Philox4x32-10 block: 128 random bits from a 128-bit counter and a 64-bit key.
SG_HOST_DEVICE inline Philox4x32 Philox(Philox4x32 ctr, uint64_t key) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * ctr.v[0];
    const uint64_t p1 = static_cast<uint64_t>(kM1) * ctr.v[2];
    ctr = {{static_cast<uint32_t>(p1 >> 32) ^ ctr.v[1] ^ k0, static_cast<uint32_t>(p1),
            static_cast<uint32_t>(p0 >> 32) ^ ctr.v[3] ^ k1, static_cast<uint32_t>(p0)}};
    k0 += kW0;
    k1 += kW1;
  }
  return ctr;
}

// A deterministic stream of random numbers for one (seed, stream, item). Cheap to construct;
// make one per loop iteration.
class RngStream {
 public:
  SG_HOST_DEVICE RngStream(uint64_t seed, uint64_t stream, uint64_t item)
      : key_(Mix64(seed) ^ stream), item_(item) {}

  SG_HOST_DEVICE uint64_t NextU64() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    Philox4x32 out = Philox({{static_cast<uint32_t>(position_), static_cast<uint32_t>(position_ >> 32),
                              static_cast<uint32_t>(item_), static_cast<uint32_t>(item_ >> 32)}},
                            key_);
    ++position_;
    spare_ = (static_cast<uint64_t>(out.v[3]) << 32) | out.v[2];
    have_spare_ = true;
    return (static_cast<uint64_t>(out.v[1]) << 32) | out.v[0];
  }

  // Uniform in [0, 1) with 53 random bits.
  SG_HOST_DEVICE double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire's multiply-shift with
  // rejection).
  SG_HOST_DEVICE uint64_t Below(uint64_t n) {
    uint64_t x = NextU64();
    unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = NextU64();
        m = static_cast<unsigned __int128>(x) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Standard normal (Box-Muller, two uniforms a draw). Host only.
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t key_;
  uint64_t item_;
  uint64_t position_ = 0;
  uint64_t spare_ = 0;
  bool have_spare_ = false;
};

// Floyd's algorithm: k distinct values drawn uniformly from [0, n), written to out[0..k) in
// descending order. Requires 0 < k < n. Deterministic for the rng state; O(k^2), fine for
// fan-outs. The block store and the benchmarks' T-CSR draw through this one function, so their
// uniform samples are identical.
inline void SampleDistinctDescending(int64_t n, int k, RngStream& rng, int64_t* out) {
  int chosen = 0;
  for (int64_t j = n - k; j < n; ++j) {
    const int64_t r = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
    bool seen = false;
    for (int c = 0; c < chosen && !seen; ++c) seen = out[c] == r;
    out[chosen++] = seen ? j : r;
  }
  std::sort(out, out + k, std::greater<int64_t>());
}

}  // namespace streamgnn::core
