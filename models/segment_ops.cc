#include "models/segment_ops.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamgnn::models {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Segments per parallel task: a segment is about k * H * D multiply-adds (~4k for TGN).
constexpr int64_t kGrain = 16;

// Types and devices everywhere; offsets' values only on the CPU (reading them from a device
// would synchronise it with the host).
void CheckSegments(const char* op, const torch::Tensor& offsets, int64_t slots,
                   std::initializer_list<torch::Tensor> values) {
  for (const torch::Tensor& t : values) {
    TORCH_CHECK(t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kFloat64, op,
                ": expected float32 or float64");
    TORCH_CHECK(t.device() == offsets.device(), op, ": a value on ", t.device().str(),
                " with offsets on ", offsets.device().str());
  }
  TORCH_CHECK(offsets.dim() == 1 && offsets.size(0) >= 1 && offsets.scalar_type() == torch::kInt64 &&
                  offsets.is_contiguous(),
              op, ": offsets must be a contiguous int64 [R + 1] tensor");
  if (!offsets.is_cpu()) return;
  const int64_t* off = offsets.data_ptr<int64_t>();
  TORCH_CHECK(off[0] == 0 && off[offsets.size(0) - 1] == slots, op,
              ": offsets must run from 0 to the number of slots (", slots, ")");
}

// A dot product in a fixed order (8 interleaved partial sums): vectorisable, and unlike a
// compiler-reassociated reduction its result does not depend on the operands' alignment, so
// runs are reproducible (exact resume).
template <typename T>
inline __attribute__((always_inline)) T Dot(const T* __restrict a, const T* __restrict b, int64_t n) {
  T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  }
  T tail = 0;
  for (; i < n; ++i) tail += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// The loops over roots [begin, end) of the three kernels. Each float32 loop is compiled twice,
// for AVX2 and for the baseline, and picked at load time (the build targets the baseline so
// that one binary runs everywhere). ISO C++ does not contract a * b + c into FMAs, so both
// versions compute the same bits.
struct Segments {
  const int64_t* off;
  int64_t begin, end, heads, dim;
};

// out[s, h] = q[r, h, :] . x[s, :]
template <typename T>
inline __attribute__((always_inline)) void DotLoop(const Segments& g, const T* q, const T* x, T* out) {
  for (int64_t r = g.begin; r < g.end; ++r) {
    for (int64_t s = g.off[r]; s < g.off[r + 1]; ++s) {
      for (int64_t h = 0; h < g.heads; ++h) out[s * g.heads + h] = Dot(q + (r * g.heads + h) * g.dim, x + s * g.dim, g.dim);
    }
  }
}

// out[r, h, :] = sum_s a[s, h] x[s, :]; the first slot assigns, so out needs no zeroing.
template <typename T>
inline __attribute__((always_inline)) void MixLoop(const Segments& g, const T* a, const T* x, T* out) {
  for (int64_t r = g.begin; r < g.end; ++r) {
    for (int64_t h = 0; h < g.heads; ++h) {
      T* o = out + (r * g.heads + h) * g.dim;
      if (g.off[r] == g.off[r + 1]) std::fill(o, o + g.dim, T(0));
      for (int64_t s = g.off[r]; s < g.off[r + 1]; ++s) {
        const T w = a[s * g.heads + h];
        const T* xs = x + s * g.dim;
        if (s == g.off[r]) {
          for (int64_t i = 0; i < g.dim; ++i) o[i] = w * xs[i];
        } else {
          for (int64_t i = 0; i < g.dim; ++i) o[i] += w * xs[i];
        }
      }
    }
  }
}

// out[s, :] = sum_h a[s, h] y[r, h, :]; head 0 assigns.
template <typename T>
inline __attribute__((always_inline)) void SpreadLoop(const Segments& g, const T* a, const T* y, T* out) {
  for (int64_t r = g.begin; r < g.end; ++r) {
    for (int64_t s = g.off[r]; s < g.off[r + 1]; ++s) {
      T* o = out + s * g.dim;
      for (int64_t h = 0; h < g.heads; ++h) {
        const T w = a[s * g.heads + h];
        const T* yh = y + (r * g.heads + h) * g.dim;
        if (h == 0) {
          for (int64_t i = 0; i < g.dim; ++i) o[i] = w * yh[i];
        } else {
          for (int64_t i = 0; i < g.dim; ++i) o[i] += w * yh[i];
        }
      }
    }
  }
}

#define SG_SEGMENT_CLONES __attribute__((target_clones("arch=haswell", "default")))
SG_SEGMENT_CLONES void DotLoopF(const Segments& g, const float* q, const float* x, float* out) {
  DotLoop(g, q, x, out);
}
SG_SEGMENT_CLONES void MixLoopF(const Segments& g, const float* a, const float* x, float* out) {
  MixLoop(g, a, x, out);
}
SG_SEGMENT_CLONES void SpreadLoopF(const Segments& g, const float* a, const float* y, float* out) {
  SpreadLoop(g, a, y, out);
}
void DotLoopF(const Segments& g, const double* q, const double* x, double* out) { DotLoop(g, q, x, out); }
void MixLoopF(const Segments& g, const double* a, const double* x, double* out) { MixLoop(g, a, x, out); }
void SpreadLoopF(const Segments& g, const double* a, const double* y, double* out) {
  SpreadLoop(g, a, y, out);
}

torch::Tensor DotKernel(const torch::Tensor& q_in, const torch::Tensor& x_in, const torch::Tensor& offsets) {
  const torch::Tensor q = q_in.contiguous(), x = x_in.contiguous();
  const int64_t roots = q.size(0);
  torch::Tensor out = torch::empty({x.size(0), q.size(1)}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "SegmentDot", [&] {
    at::parallel_for(0, roots, kGrain, [&](int64_t begin, int64_t end) {
      const Segments g{offsets.data_ptr<int64_t>(), begin, end, q.size(1), q.size(2)};
      DotLoopF(g, q.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>());
    });
  });
  return out;
}

torch::Tensor MixKernel(const torch::Tensor& a_in, const torch::Tensor& x_in, const torch::Tensor& offsets) {
  const torch::Tensor a = a_in.contiguous(), x = x_in.contiguous();
  const int64_t roots = offsets.size(0) - 1;
  torch::Tensor out = torch::empty({roots, a.size(1), x.size(1)}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "SegmentMix", [&] {
    at::parallel_for(0, roots, kGrain, [&](int64_t begin, int64_t end) {
      const Segments g{offsets.data_ptr<int64_t>(), begin, end, a.size(1), x.size(1)};
      MixLoopF(g, a.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>());
    });
  });
  return out;
}

torch::Tensor SpreadKernel(const torch::Tensor& a_in, const torch::Tensor& y_in, const torch::Tensor& offsets) {
  const torch::Tensor a = a_in.contiguous(), y = y_in.contiguous();
  const int64_t roots = y.size(0);
  torch::Tensor out = torch::empty({a.size(0), y.size(2)}, y.options());
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "SegmentSpread", [&] {
    at::parallel_for(0, roots, kGrain, [&](int64_t begin, int64_t end) {
      const Segments g{offsets.data_ptr<int64_t>(), begin, end, y.size(1), y.size(2)};
      SpreadLoopF(g, a.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), out.data_ptr<scalar_t>());
    });
  });
  return out;
}

torch::Tensor SoftmaxKernel(const torch::Tensor& scores_in, const torch::Tensor& offsets) {
  const torch::Tensor scores = scores_in.contiguous();
  const int64_t roots = offsets.size(0) - 1, heads = scores.size(1);
  torch::Tensor out = torch::empty_like(scores);
  const int64_t* off = offsets.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(scores.scalar_type(), "SegmentSoftmax", [&] {
    const scalar_t* sp = scores.data_ptr<scalar_t>();
    scalar_t* op = out.data_ptr<scalar_t>();
    at::parallel_for(0, roots, kGrain * 8, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        for (int64_t h = 0; h < heads; ++h) {
          scalar_t top = -std::numeric_limits<scalar_t>::infinity();
          for (int64_t s = off[r]; s < off[r + 1]; ++s) top = std::max(top, sp[s * heads + h]);
          scalar_t sum = 0;
          for (int64_t s = off[r]; s < off[r + 1]; ++s) {
            op[s * heads + h] = std::exp(sp[s * heads + h] - top);
            sum += op[s * heads + h];
          }
          for (int64_t s = off[r]; s < off[r + 1]; ++s) op[s * heads + h] /= sum;
        }
      }
    });
  });
  return out;
}

// d scores = p * (g - sum_seg p g)
torch::Tensor SoftmaxBackwardKernel(const torch::Tensor& p_in, const torch::Tensor& g_in,
                                    const torch::Tensor& offsets) {
  const torch::Tensor p = p_in.contiguous(), g = g_in.contiguous();
  const int64_t roots = offsets.size(0) - 1, heads = p.size(1);
  torch::Tensor out = torch::empty_like(p);
  const int64_t* off = offsets.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "SegmentSoftmaxBackward", [&] {
    const scalar_t* pp = p.data_ptr<scalar_t>();
    const scalar_t* gp = g.data_ptr<scalar_t>();
    scalar_t* op = out.data_ptr<scalar_t>();
    at::parallel_for(0, roots, kGrain * 8, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        for (int64_t h = 0; h < heads; ++h) {
          scalar_t dot = 0;
          for (int64_t s = off[r]; s < off[r + 1]; ++s) dot += pp[s * heads + h] * gp[s * heads + h];
          for (int64_t s = off[r]; s < off[r + 1]; ++s) {
            op[s * heads + h] = pp[s * heads + h] * (gp[s * heads + h] - dot);
          }
        }
      }
    });
  });
  return out;
}

// The backward of each op is written with the other kernels:
//   Dot:  dq = Mix(g, x),  dx = Spread(g, q)
//   Mix:  da = Dot(g, x),  dx = Spread(a, g)
struct DotFunction : torch::autograd::Function<DotFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& x,
                               const torch::Tensor& offsets) {
    ctx->save_for_backward({q, x, offsets});
    return DotKernel(q, x, offsets);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &q = saved[0], &x = saved[1], &offsets = saved[2];
    torch::Tensor dq, dx;
    if (ctx->needs_input_grad(0)) dq = MixKernel(grads[0], x, offsets);
    if (ctx->needs_input_grad(1)) dx = SpreadKernel(grads[0], q, offsets);
    return {dq, dx, torch::Tensor()};
  }
};

struct MixFunction : torch::autograd::Function<MixFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& a, const torch::Tensor& x,
                               const torch::Tensor& offsets) {
    ctx->save_for_backward({a, x, offsets});
    return MixKernel(a, x, offsets);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &a = saved[0], &x = saved[1], &offsets = saved[2];
    torch::Tensor da, dx;
    if (ctx->needs_input_grad(0)) da = DotKernel(grads[0], x, offsets);
    if (ctx->needs_input_grad(1)) dx = SpreadKernel(a, grads[0], offsets);
    return {da, dx, torch::Tensor()};
  }
};

struct SoftmaxFunction : torch::autograd::Function<SoftmaxFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& scores,
                               const torch::Tensor& offsets) {
    torch::Tensor p = SoftmaxKernel(scores, offsets);
    ctx->save_for_backward({p, offsets});
    return p;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    return {SoftmaxBackwardKernel(saved[0], grads[0], saved[1]), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor SegmentDot(const torch::Tensor& q, const torch::Tensor& x, const torch::Tensor& offsets) {
  CheckSegments("SegmentDot", offsets, x.size(0), {q, x});
  TORCH_CHECK(q.dim() == 3 && x.dim() == 2 && q.size(0) == offsets.size(0) - 1 && q.size(2) == x.size(1),
              "SegmentDot: expected q [R, H, D] and x [S, D]");
  return offsets.is_cpu() ? DotFunction::apply(q, x, offsets) : composed::SegmentDot(q, x, offsets);
}

torch::Tensor SegmentMix(const torch::Tensor& a, const torch::Tensor& x, const torch::Tensor& offsets) {
  CheckSegments("SegmentMix", offsets, x.size(0), {a, x});
  TORCH_CHECK(a.dim() == 2 && x.dim() == 2 && a.size(0) == x.size(0),
              "SegmentMix: expected a [S, H] and x [S, D]");
  return offsets.is_cpu() ? MixFunction::apply(a, x, offsets) : composed::SegmentMix(a, x, offsets);
}

torch::Tensor SegmentSoftmax(const torch::Tensor& scores, const torch::Tensor& offsets) {
  CheckSegments("SegmentSoftmax", offsets, scores.size(0), {scores});
  TORCH_CHECK(scores.dim() == 2, "SegmentSoftmax: expected scores [S, H]");
  return offsets.is_cpu() ? SoftmaxFunction::apply(scores, offsets)
                          : composed::SegmentSoftmax(scores, offsets);
}

torch::Tensor SegmentIds(const torch::Tensor& offsets) {
  const int64_t roots = offsets.size(0) - 1;
  return torch::repeat_interleave(torch::arange(roots, offsets.options()),
                                  offsets.narrow(0, 1, roots) - offsets.narrow(0, 0, roots));
}

namespace composed {
namespace {

// SegmentIds with the slot count given, so that a device computes it without reading the
// offsets back.
torch::Tensor Ids(const torch::Tensor& offsets, int64_t slots) {
  const int64_t roots = offsets.size(0) - 1;
  const torch::Tensor counts = offsets.narrow(0, 1, roots) - offsets.narrow(0, 0, roots);
  return at::repeat_interleave(counts, c10::optional<int64_t>(slots));  // not (self, repeats)
}

}  // namespace

torch::Tensor SegmentDot(const torch::Tensor& q, const torch::Tensor& x, const torch::Tensor& offsets) {
  const torch::Tensor ids = Ids(offsets, x.size(0));
  return (q.index_select(0, ids) * x.unsqueeze(1)).sum(-1);
}

torch::Tensor SegmentMix(const torch::Tensor& a, const torch::Tensor& x, const torch::Tensor& offsets) {
  const torch::Tensor ids = Ids(offsets, x.size(0));
  return torch::zeros({offsets.size(0) - 1, a.size(1), x.size(1)}, x.options())
      .index_add(0, ids, a.unsqueeze(2) * x.unsqueeze(1));
}

torch::Tensor SegmentSoftmax(const torch::Tensor& scores, const torch::Tensor& offsets) {
  const int64_t roots = offsets.size(0) - 1;
  const torch::Tensor ids = Ids(offsets, scores.size(0));
  // The segment maximum only shifts the exponents (softmax does not depend on it): no gradient.
  const torch::Tensor top =
      torch::full({roots, scores.size(1)}, -std::numeric_limits<double>::infinity(), scores.options())
          .scatter_reduce(0, ids.unsqueeze(1).expand_as(scores), scores.detach(), "amax");
  const torch::Tensor e = (scores - top.index_select(0, ids)).exp();
  const torch::Tensor sum = torch::zeros({roots, scores.size(1)}, scores.options()).index_add(0, ids, e);
  return e / sum.index_select(0, ids);
}

}  // namespace composed
}  // namespace streamgnn::models
