// The halo exchange (comm/halo_exchange.h) as a LibTorch autograd function: it turns a rank's
// inner-node rows into its local rows [inner | halo], and its backward sends the halo rows'
// gradients back to their owners, which add them to their inner rows' gradients. Distributed
// full-graph training calls it before every layer but the first (the input features of halo
// nodes are exchanged once, at setup, and need no gradient).
#pragma once

#include <torch/torch.h>

#include "comm/halo_exchange.h"

namespace streamgnn::trainers {

// inner: [num_inner, dim] float32 on any device. Returns [num_local, dim] on inner's device.
// 32-bit messages of host rows, or of device rows over a communicator that moves device memory
// (nccl), are gathered and scattered on that device; quantised messages and the rest are staged
// through host copies (AdaQP's quantiser runs on the host). Forward messages use `forward_bits`, gradients
// `backward_bits` (32, or 8/4/2 with AdaQP's quantiser). Collective: every rank calls it in the
// same order. A communication failure throws c10::Error with the Status message.
// Non-null `forward_row_bits` / `backward_row_bits` give per-row widths instead (see
// comm::HaloExchange; they must stay alive until the backward pass has run).
torch::Tensor HaloExchangeOp(const torch::Tensor& inner, comm::HaloExchange* exchange,
                             int forward_bits = 32, int backward_bits = 32,
                             const comm::RowBits* forward_row_bits = nullptr,
                             const comm::RowBits* backward_row_bits = nullptr);

}  // namespace streamgnn::trainers
