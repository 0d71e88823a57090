#include "trainers/halo_exchange_op.h"

namespace streamgnn::trainers {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// 32-bit messages of rows the communicator can read where they are (host memory, or the
// rank's device with nccl) go through the packed exchange: gathered and scattered with LibTorch
// on the rows' device. Quantised messages, and device rows on a host-only communicator, are
// staged through host copies.
bool PackedPath(const torch::Tensor& t, const comm::HaloExchange& exchange, int64_t bits,
                const comm::RowBits* row_bits) {
  return bits == 32 && row_bits == nullptr && (t.is_cpu() || exchange.comm()->device_memory());
}

torch::Tensor SendIndex(const comm::HaloExchange& exchange, torch::Device device) {
  const std::vector<int64_t>& ids = exchange.send_order();
  return torch::tensor(ids, torch::kInt64).to(device);
}

torch::Tensor ForwardPacked(const torch::Tensor& inner, comm::HaloExchange* exchange) {
  const int64_t dim = inner.size(1), num_inner = exchange->num_inner();
  const torch::Tensor send = inner.index_select(0, SendIndex(*exchange, inner.device())).contiguous();
  torch::Tensor local = torch::empty({exchange->num_local(), dim}, inner.options());
  local.narrow(0, 0, num_inner).copy_(inner);
  // The halo rows are the tail of the row-major [num_local, dim] block: contiguous.
  const Status s = exchange->ForwardPacked(send.data_ptr<float>(),
                                           local.data_ptr<float>() + num_inner * dim, dim);
  TORCH_CHECK(s.ok(), "halo exchange (forward): ", s.ToString());
  return local;
}

torch::Tensor BackwardPacked(const torch::Tensor& g, comm::HaloExchange* exchange) {
  const int64_t dim = g.size(1), num_inner = exchange->num_inner();
  const torch::Tensor grad = g.to(torch::kFloat32).contiguous();
  const torch::Tensor index = SendIndex(*exchange, g.device());
  torch::Tensor returned = torch::empty({index.size(0), dim}, grad.options());
  const Status s = exchange->BackwardPacked(grad.data_ptr<float>() + num_inner * dim,
                                            returned.data_ptr<float>(), dim);
  TORCH_CHECK(s.ok(), "halo exchange (backward): ", s.ToString());
  return grad.narrow(0, 0, num_inner).clone().index_add_(0, index, returned);
}

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
    ctx->saved_data["exchange"] = reinterpret_cast<int64_t>(exchange);
    ctx->saved_data["backward_bits"] = backward_bits;
    ctx->saved_data["backward_row_bits"] = reinterpret_cast<int64_t>(backward_row_bits);
    if (PackedPath(inner, *exchange, forward_bits, forward_row_bits)) {
      return ForwardPacked(inner.contiguous(), exchange);
    }
    const int64_t dim = inner.size(1);
    torch::Tensor local = torch::empty({exchange->num_local(), dim},
                                       inner.options().device(torch::kCPU));
    local.narrow(0, 0, exchange->num_inner()).copy_(inner);
    const Status s = exchange->Forward(
        Span<float>(local.data_ptr<float>(), static_cast<size_t>(local.numel())), dim,
        static_cast<int>(forward_bits), forward_row_bits);
    TORCH_CHECK(s.ok(), "halo exchange (forward): ", s.ToString());
    return local.to(inner.device());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto* exchange = reinterpret_cast<comm::HaloExchange*>(ctx->saved_data["exchange"].toInt());
    const int bits = static_cast<int>(ctx->saved_data["backward_bits"].toInt());
    const auto* row_bits =
        reinterpret_cast<const comm::RowBits*>(ctx->saved_data["backward_row_bits"].toInt());
    const torch::Tensor& g = grad_outputs[0];
    if (PackedPath(g, *exchange, bits, row_bits)) {
      return {BackwardPacked(g, exchange), torch::Tensor(), torch::Tensor(), torch::Tensor(),
              torch::Tensor(), torch::Tensor()};
    }
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
