#include "memory/importance_weights.h"

#include <cmath>
#include <string>
#include <utility>

#ifdef STREAMGNN_WITH_IPOPT
#include <IpIpoptApplication.hpp>
#include <IpTNLP.hpp>
#endif

namespace streamgnn::memory {
namespace {

// K (n_z x n_z, row-major) and kappa of the QP.
struct KmmTerms {
  int64_t n = 0;
  std::vector<double> k;
  std::vector<double> kappa;
};

double Kernel(const float* a, const float* b, int64_t dim, const KmmOptions& o) {
  double s = 0;
  if (o.kernel == KmmKernel::kLinear) {
    for (int64_t i = 0; i < dim; ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
  }
  for (int64_t i = 0; i < dim; ++i) s += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
  return std::exp(-s / (2 * o.rbf_sigma * o.rbf_sigma));
}

KmmTerms Terms(Span<const float> z, Span<const float> x, int64_t dim, const KmmOptions& o) {
  KmmTerms t;
  t.n = static_cast<int64_t>(z.size()) / dim;
  const int64_t nx = static_cast<int64_t>(x.size()) / dim;
  t.k.resize(static_cast<size_t>(t.n * t.n));
  t.kappa.assign(static_cast<size_t>(t.n), 0);
  for (int64_t i = 0; i < t.n; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      t.k[i * t.n + j] = t.k[j * t.n + i] = Kernel(&z[i * dim], &z[j * dim], dim, o);
    }
    for (int64_t j = 0; j < nx; ++j) t.kappa[i] += Kernel(&z[i * dim], &x[j * dim], dim, o);
    t.kappa[i] *= static_cast<double>(t.n) / static_cast<double>(nx);
  }
  return t;
}

double Objective(const KmmTerms& t, const double* beta) {
  double f = 0;
  for (int64_t i = 0; i < t.n; ++i) {
    double kb = 0;
    for (int64_t j = 0; j < t.n; ++j) kb += t.k[i * t.n + j] * beta[j];
    f += 0.5 * beta[i] * kb - t.kappa[i] * beta[i];
  }
  return f;
}

double Epsilon(const KmmOptions& o, int64_t n) {
  return o.epsilon >= 0 ? o.epsilon : o.upper_bound / std::sqrt(static_cast<double>(n));
}

Status CheckInput(Span<const float> z, Span<const float> x, int64_t dim) {
  if (dim < 1 || z.empty() || x.empty() || z.size() % dim != 0 || x.size() % dim != 0) {
    return Status::InvalidArgument("KernelMeanMatching: expected non-empty z and x made of rows of "
                                   "width " + std::to_string(dim) + ", got " +
                                   std::to_string(z.size()) + " and " + std::to_string(x.size()) +
                                   " values");
  }
  for (const auto& [rows, name] : {std::pair{z, "z"}, std::pair{x, "x"}}) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!std::isfinite(rows[i])) {
        return Status::InvalidArgument(std::string("KernelMeanMatching: ") + name + " row " +
                                       std::to_string(i / static_cast<size_t>(dim)) + " holds " +
                                       std::to_string(rows[i]));
      }
    }
  }
  return Status::Ok();
}

#ifdef STREAMGNN_WITH_IPOPT
using Ipopt::Index;
using Ipopt::Number;

// The QP for Ipopt: n variables, one linear constraint (sum of beta), constant Hessian K.
class KmmProgram : public Ipopt::TNLP {
 public:
  KmmProgram(const KmmTerms& t, const KmmOptions& o) : t_(t), o_(o) {}

  bool get_nlp_info(Index& n, Index& m, Index& nnz_jac_g, Index& nnz_h_lag,
                    IndexStyleEnum& index_style) override {
    n = static_cast<Index>(t_.n);
    m = 1;
    nnz_jac_g = n;
    nnz_h_lag = n * (n + 1) / 2;
    index_style = C_STYLE;
    return true;
  }
  bool get_bounds_info(Index n, Number* x_l, Number* x_u, Index, Number* g_l, Number* g_u) override {
    for (Index i = 0; i < n; ++i) {
      x_l[i] = 0;
      x_u[i] = o_.upper_bound;
    }
    const double nz = static_cast<double>(t_.n), eps = Epsilon(o_, t_.n);
    g_l[0] = nz * (1 - eps);
    g_u[0] = nz * (1 + eps);
    return true;
  }
  bool get_starting_point(Index n, bool, Number* x, bool, Number*, Number*, Index, bool, Number*) override {
    for (Index i = 0; i < n; ++i) x[i] = std::min(1.0, o_.upper_bound);
    return true;
  }
  bool eval_f(Index, const Number* x, bool, Number& f) override {
    f = Objective(t_, x);
    return true;
  }
  bool eval_grad_f(Index n, const Number* x, bool, Number* grad) override {
    for (Index i = 0; i < n; ++i) {
      double kb = 0;
      for (Index j = 0; j < n; ++j) kb += t_.k[i * t_.n + j] * x[j];
      grad[i] = kb - t_.kappa[i];
    }
    return true;
  }
  bool eval_g(Index n, const Number* x, bool, Index, Number* g) override {
    g[0] = 0;
    for (Index i = 0; i < n; ++i) g[0] += x[i];
    return true;
  }
  bool eval_jac_g(Index n, const Number*, bool, Index, Index, Index* row, Index* col,
                  Number* values) override {
    for (Index i = 0; i < n; ++i) {
      if (values == nullptr) {
        row[i] = 0;
        col[i] = i;
      } else {
        values[i] = 1;
      }
    }
    return true;
  }
  bool eval_h(Index n, const Number*, bool, Number obj_factor, Index, const Number*, bool, Index,
              Index* row, Index* col, Number* values) override {
    Index e = 0;
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j <= i; ++j, ++e) {
        if (values == nullptr) {
          row[e] = i;
          col[e] = j;
        } else {
          values[e] = obj_factor * t_.k[i * t_.n + j];
        }
      }
    }
    return true;
  }
  void finalize_solution(Ipopt::SolverReturn status, Index n, const Number* x, const Number*,
                         const Number*, Index, const Number*, const Number*, Number obj,
                         const Ipopt::IpoptData*, Ipopt::IpoptCalculatedQuantities*) override {
    status_ = status;
    beta_.assign(x, x + n);
    objective_ = obj;
  }

  Ipopt::SolverReturn status_ = Ipopt::UNASSIGNED;
  std::vector<double> beta_;
  double objective_ = 0;

 private:
  const KmmTerms& t_;
  const KmmOptions& o_;
};
#endif

}  // namespace

bool KernelMeanMatchingAvailable() {
#ifdef STREAMGNN_WITH_IPOPT
  return true;
#else
  return false;
#endif
}

double KmmObjective(Span<const float> z, Span<const float> x, int64_t dim, const KmmOptions& o,
                    Span<const double> beta) {
  return Objective(Terms(z, x, dim, o), beta.data());
}

StatusOr<KmmResult> KernelMeanMatching(Span<const float> z, Span<const float> x, int64_t dim,
                                       const KmmOptions& o) {
  SG_RETURN_IF_ERROR(CheckInput(z, x, dim));
#ifdef STREAMGNN_WITH_IPOPT
  const KmmTerms terms = Terms(z, x, dim, o);
  Ipopt::SmartPtr<KmmProgram> program = new KmmProgram(terms, o);
  Ipopt::SmartPtr<Ipopt::IpoptApplication> app = IpoptApplicationFactory();
  app->Options()->SetIntegerValue("print_level", 0);
  app->Options()->SetStringValue("sb", "yes");
  app->Options()->SetNumericValue("tol", o.tolerance);
  app->Options()->SetStringValue("hessian_constant", "yes");
  app->Options()->SetStringValue("jac_c_constant", "yes");
  app->Options()->SetStringValue("jac_d_constant", "yes");
  if (app->Initialize() != Ipopt::Solve_Succeeded) {
    return Status::Internal("KernelMeanMatching: Ipopt failed to initialise");
  }
  const Ipopt::ApplicationReturnStatus status = app->OptimizeTNLP(program);
  if (status != Ipopt::Solve_Succeeded && status != Ipopt::Solved_To_Acceptable_Level) {
    return Status::Internal("KernelMeanMatching: Ipopt stopped with status " +
                            std::to_string(static_cast<int>(status)));
  }
  return KmmResult{program->beta_, program->objective_};
#else
  return Status::Unimplemented(
      "KernelMeanMatching needs COIN-OR Ipopt, which this build lacks (install "
      "coinor-libipopt-dev and reconfigure)");
#endif
}

}  // namespace streamgnn::memory
