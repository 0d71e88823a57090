#include "trainers/halo_exchange_op.h"

namespace streamgnn::trainers {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class HaloExchangeFunction : public torch::autograd::Function<HaloExchangeFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& inner,
                               comm::HaloExchange* exchange, int64_t forward_bits,
                               int64_t backward_bits, const comm::RowBits* forward_row_bits,
                               const comm::RowBits* backward_row_bits) {
    TORCH_CHECK(inner.dim() == 2 && inner.size(0) == exchange->num_inner(),
                "HaloExchangeOp: expected [", exchange->num_inner(), ", dim] rows, got ",
                inner.sizes());
    TORCH_CHECK(inner.scalar_type() == torch::kFloat32, "HaloExchangeOp: float32 rows only");
    const int64_t dim = inner.size(1);
    torch::Tensor local = torch::empty({exchange->num_local(), dim},
                                       inner.options().device(torch::kCPU));
    local.narrow(0, 0, exchange->num_inner()).copy_(inner);
    const Status s = exchange->Forward(
        Span<float>(local.data_ptr<float>(), static_cast<size_t>(local.numel())), dim,
        static_cast<int>(forward_bits), forward_row_bits);
    TORCH_CHECK(s.ok(), "halo exchange (forward): ", s.ToString());
    ctx->saved_data["exchange"] = reinterpret_cast<int64_t>(exchange);
    ctx->saved_data["backward_bits"] = backward_bits;
    ctx->saved_data["backward_row_bits"] = reinterpret_cast<int64_t>(backward_row_bits);
    return local.to(inner.device());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto* exchange = reinterpret_cast<comm::HaloExchange*>(ctx->saved_data["exchange"].toInt());
    const int bits = static_cast<int>(ctx->saved_data["backward_bits"].toInt());
    const auto* row_bits =
        reinterpret_cast<const comm::RowBits*>(ctx->saved_data["backward_row_bits"].toInt());
    const torch::Tensor& g = grad_outputs[0];
    // A fresh contiguous host copy: the exchange adds into it in place.
    torch::Tensor grad = g.to(torch::kCPU, torch::kFloat32, /*non_blocking=*/false, /*copy=*/true)
                             .contiguous();
    const Status s = exchange->Backward(
        Span<float>(grad.data_ptr<float>(), static_cast<size_t>(grad.numel())), grad.size(1), bits, row_bits);
    TORCH_CHECK(s.ok(), "halo exchange (backward): ", s.ToString());
    return {grad.narrow(0, 0, exchange->num_inner()).to(g.device()), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor HaloExchangeOp(const torch::Tensor& inner, comm::HaloExchange* exchange,
                             int forward_bits, int backward_bits,
                             const comm::RowBits* forward_row_bits,
                             const comm::RowBits* backward_row_bits) {
  return HaloExchangeFunction::apply(inner, exchange, static_cast<int64_t>(forward_bits),
                                     static_cast<int64_t>(backward_bits), forward_row_bits,
                                     backward_row_bits);
}

}  // namespace streamgnn::trainers
