// SEA-ER's structural alignment (issue 20; ../shared/PAPERS.md section 6a): importance weights
// for the replayed nodes by kernel mean matching (Huang et al. 2007), so that the weighted
// replay matches the distribution of the current task's representations. The quadratic program:
//
//   min_beta  1/2 beta^T K beta - kappa^T beta
//   s.t.      0 <= beta_i <= B,   | sum_i beta_i - n_z | <= n_z * eps
//
// with Z the n_z replayed rows, X the n_x current rows, K_ij = k(z_i, z_j) and
// kappa_i = (n_z / n_x) sum_j k(z_i, x_j). SEA-ER's code uses the linear kernel k(a, b) = a.b,
// B = 1 and eps = B / sqrt(n_z); the RBF kernel exp(-|a - b|^2 / (2 sigma^2)) is KMM's original.
// Solved by COIN-OR Ipopt (Debian coinor-libipopt-dev; without it: Unimplemented). The weights
// multiply each replayed node's own loss term (SEA-ER's code multiplies the already-averaged
// loss by their mean, which is only a global rescale).
// LibTorch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"

namespace streamgnn::memory {

enum class KmmKernel { kLinear, kRbf };

struct KmmOptions {
  KmmKernel kernel = KmmKernel::kLinear;
  double rbf_sigma = 1.0;
  double upper_bound = 1.0;  // B
  double epsilon = -1;       // < 0: B / sqrt(n_z)
  double tolerance = 1e-8;   // Ipopt's
};

struct KmmResult {
  std::vector<double> weights;  // beta, one per replayed row
  double objective = 0;         // 1/2 beta^T K beta - kappa^T beta at beta
};

// z: n_z x dim rows (the replayed nodes), x: n_x x dim rows (the current task's), row-major.
// InvalidArgument on empty or mis-sized input; Internal when Ipopt does not converge.
StatusOr<KmmResult> KernelMeanMatching(Span<const float> z, Span<const float> x, int64_t dim,
                                       const KmmOptions& options = {});

// The QP's objective at `beta` (for checks: any feasible beta scores >= the solution's).
double KmmObjective(Span<const float> z, Span<const float> x, int64_t dim, const KmmOptions& options,
                    Span<const double> beta);

// Whether Ipopt was found at build time.
bool KernelMeanMatchingAvailable();

}  // namespace streamgnn::memory
