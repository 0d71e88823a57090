// GNNs for static graphs (issue 7): GCN (symmetric normalisation), GraphSAGE-mean and GAT
// (multi-head, LeakyReLU attention, softmax over each node's incoming edges), run over the
// message-flow blocks of sampling/neighbor_sampler.h. Full-graph training is the case where
// every block is the whole graph.
//
// Aggregation is a sparse x dense product: GCN and SAGE multiply a sparse COO block matrix
// (num_dst x num_src, built once per block by MakeBlockTensors) with the dense node matrix
// (torch::mm; cuSPARSE when the tensors live on a GPU). GAT's edge weights depend on the
// parameters, so it gathers source rows, scales them by the attention and scatters them with
// index_add_ (differentiable in both the features and the attention).
//
// Sampling correction: with fanout k < in-degree d, the sampled GCN/SAGE aggregation is rescaled
// by d / k so that it estimates the full-neighbourhood aggregation without bias; with every
// fanout -1 the weights are exactly the full-graph ones, so mini-batch training with
// `batch_size: all, fanouts: all` computes the same loss as full-graph training.
//
// Tensors: node features float32 (or float64 after .to(kDouble), used by the gradient checks),
// contiguous, on the device of the module; index tensors int64.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "core/span.h"
#include "sampling/neighbor_sampler.h"

namespace streamgnn::models {

enum class StaticModelKind { kGcn, kSage, kGat };

// One message-flow block as tensors.
struct BlockTensors {
  int64_t num_src = 0;
  int64_t num_dst = 0;
  torch::Tensor src;        // int64 [E]: local source row of each edge
  torch::Tensor dst;        // int64 [E]: local destination row
  torch::Tensor adj_gcn;    // sparse COO [num_dst, num_src], GCN weights (coalesced)
  torch::Tensor adj_mean;   // sparse COO [num_dst, num_src], 1 / sampled in-degree
};

// Builds the tensors of `block`. `out_degree[v]` is node v's out-degree in the whole graph (for
// GCN's 1/sqrt(d_u d_v)); it must cover every global id in block.src_nodes.
//   GCN:  w(u -> v) = 1 / sqrt(out_deg(u) * in_deg(v)) * in_deg(v) / sampled(v)
//   mean: w(u -> v) = 1 / sampled(v)
BlockTensors MakeBlockTensors(const sampling::MessageFlowBlock& block,
                              Span<const int64_t> out_degree,
                              torch::Device device = torch::kCPU);

// Softmax of edge scores [E, H] over each destination's incoming edges (dst [E] in
// [0, num_dst)); differentiable in the scores. GAT's and HGT's attention.
torch::Tensor EdgeSoftmax(const torch::Tensor& scores, const torch::Tensor& dst, int64_t num_dst);

struct StaticGnnOptions {
  StaticModelKind kind = StaticModelKind::kGcn;
  int64_t in_dim = 0;
  int64_t hidden_dim = 16;   // per head for GAT
  int64_t out_dim = 0;       // classes
  int64_t num_layers = 2;
  double dropout = 0.5;      // on every layer's input
  int64_t heads = 8;         // GAT hidden layers (concatenated)
  int64_t out_heads = 1;     // GAT output layer (averaged)
  double att_dropout = 0.6;  // GAT: dropout on the attention coefficients
  double negative_slope = 0.2;
  // GAT: add a linear projection of the output layer's input to its output (DGL's residual
  // GATConv; BG-HGNN's last layer).
  bool residual_last = false;
};

class StaticGnnImpl : public torch::nn::Module {
 public:
  explicit StaticGnnImpl(const StaticGnnOptions& options);

  // Distributed training (trainers/): maps layer l's input rows, after dropout, from the
  // block's num_dst rows (a rank's inner nodes) to its num_src rows (inner + halo, by the halo
  // exchange). Called for layers 1..L-1; layer 0's input is given whole.
  using LayerInputHook = std::function<torch::Tensor(int64_t layer, const torch::Tensor& h)>;

  // x: [blocks[0].num_src, in_dim] features of the batch's input nodes, dense or sparse COO
  // (coalesced; dropout then touches only the stored entries, as Kipf's). Returns logits
  // [blocks.back().num_dst, out_dim]. Requires blocks.size() == num_layers.
  // With `last_hidden`, *last_hidden gets the output layer's input rows before its dropout (the
  // last hidden representation; x itself for one layer): continual learning's representations.
  torch::Tensor forward(const torch::Tensor& x, const std::vector<BlockTensors>& blocks,
                        const LayerInputHook& layer_input = nullptr,
                        torch::Tensor* last_hidden = nullptr);

  const StaticGnnOptions& options() const { return options_; }
  // The parameters of layer 0 (Kipf applies weight decay to the first layer only).
  std::vector<torch::Tensor> FirstLayerParameters() const;

 private:
  torch::Tensor Layer(int64_t l, const torch::Tensor& h, const BlockTensors& b);

  StaticGnnOptions options_;
  std::vector<torch::Tensor> weight_;       // GCN/GAT: [in, heads*out]; SAGE: neighbour weight
  std::vector<torch::Tensor> self_weight_;  // SAGE only
  std::vector<torch::Tensor> att_src_;      // GAT only: [heads, out]
  std::vector<torch::Tensor> att_dst_;
  std::vector<torch::Tensor> bias_;
  torch::Tensor residual_;  // GAT with residual_last: [in, out] of the output layer
};
TORCH_MODULE(StaticGnn);

}  // namespace streamgnn::models
