// GNNs for heterogeneous graphs (issue 19), for node classification on one target type:
//
//   R-GCN    (Schlichtkrull et al. 2018) one weight per relation, optionally a combination of
//            shared bases (basis decomposition), plus a self-loop weight; parameters grow
//            with the number of relations.
//   HGT      (Hu et al. 2020) per-type key/query/value/output projections, per-relation
//            attention and message matrices and priors, softmax over all of a node's incoming
//            edges whatever their relation, gated skip connections.
//   BG-HGNN  (Su, Mao, Wu; ../shared/PAPERS.md section 5) "blend": every node gets an attribute
//            part (features padded to one width, plus 1), a type part (a fixed random code of
//            its type, plus 1) and a relation part (the fixed random codes of its relations,
//            +code at the destination and -code at the source of every edge, divided by the
//            node's degree, plus 1); "grind": rank-R low-rank fusion of the three into one
//            shared space; then one homogeneous GAT over every relation's edges and a self-loop
//            per node (shared parameters for every relation), its output layer residual. Its parameters do not grow with the number of relations.
//
// All three run over message-flow blocks of sampling/hetero_neighbor_sampler.h as tensors
// (HeteroBlockTensors, one per layer): full-graph training is the case where every block is
// the whole graph (FullGraphBlocks), mini-batch training samples them per batch. Inputs are
// per-type dense matrices of the first block's src nodes (BG-HGNN pads them to the widest):
// features, or for featureless types the rows of a learned embedding that the trainer owns.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "graph/hetero_graph.h"
#include "sampling/hetero_neighbor_sampler.h"
#include "models/static_gnn.h"

namespace streamgnn::models {

// Normalisation of R-GCN's per-relation aggregation.
enum class RelationNorm {
  kMean,  // 1 / |N_r(v)| (R-GCN's c_{v,r})
  kGcn,   // 1 / sqrt(out_deg_r(u) in_deg_r(v)) (equals GCN for one relation with self-loops)
};

struct RelationTensors {
  int src_type = 0, dst_type = 0;
  int64_t num_src = 0, num_dst = 0;
  torch::Tensor src, dst;  // int64 [E]: rows among the block's src / dst nodes of their types
  torch::Tensor adj;       // sparse COO [num_dst, num_src] with the RelationNorm weights
};

// One block as tensors. Rows of type t: the block's src nodes of t, its dst nodes first. The
// "typed order" of the block's src nodes is every type's rows one type after another.
struct HeteroBlockTensors {
  std::vector<int64_t> num_src, num_dst;  // per type
  std::vector<RelationTensors> relations;
  // BG-HGNN's view: every relation as one homogeneous block with a self-loop per dst node. Its
  // rows are every type's dst nodes (typed order), then every type's other src nodes, so that
  // the dst nodes come first as StaticGnn reads them; homogeneous_order[i] is the typed-order
  // row of homogeneous row i (undefined when the two orders agree, as in full-graph blocks).
  BlockTensors homogeneous;
  torch::Tensor homogeneous_order;
  std::vector<NodeId> src_global;  // global id of each typed-order src row (host)

  int64_t dst_offset(int t) const;  // first typed-order dst row of type t
};
using HeteroBlocks = std::vector<HeteroBlockTensors>;

// Whole-graph degrees that the blocks' normalisations read; computed once per graph.
struct HeteroDegrees {
  std::vector<std::vector<int64_t>> relation_out;  // per relation, per src node
  std::vector<int64_t> homogeneous_out;            // per global id, self-loop included
  static HeteroDegrees Of(const graph::HeteroGraph& g);
};

// Sampled aggregation is rescaled by full / sampled in-degree (kGcn) or averaged over the
// sampled neighbours (kMean), as MakeBlockTensors does for homogeneous blocks.
// Without `homogeneous_view` the block's homogeneous fields stay empty (only BG-HGNN reads
// them; on ACM's PLP they would double the block's memory).
HeteroBlockTensors MakeHeteroBlockTensors(const graph::HeteroGraph& g, const HeteroDegrees& degrees,
                                          const sampling::HeteroMessageFlowBlock& block,
                                          RelationNorm norm, torch::Device device = torch::kCPU,
                                          bool homogeneous_view = true);

// `layers` copies of the whole graph's block (the tensors are shared).
HeteroBlocks FullGraphBlocks(const graph::HeteroGraph& g, RelationNorm norm, int64_t layers,
                             torch::Device device = torch::kCPU, bool homogeneous_view = true);

struct HeteroGnnOptions {
  std::vector<int64_t> in_dims;  // feature width per node type
  int64_t num_relations = 0;
  int target_type = 0;
  int64_t hidden_dim = 64;
  int64_t out_dim = 0;  // classes
  int64_t num_layers = 2;
  double dropout = 0.5;
  // R-GCN
  int64_t num_bases = 0;  // 0 or >= relations: one full weight per relation
  bool self_loop = true;
  // HGT and BG-HGNN's GAT
  int64_t heads = 4;
  double att_dropout = 0.0;
  // BG-HGNN
  int64_t rank = 4;
  int64_t fused_dim = 64;
  int64_t code_dim = 512;
  uint64_t code_seed = 0;  // the fixed random type and relation codes
};

// Shared by the three: typed inputs x[t] ([blocks[0].num_src[t], in_dims[t]]), logits for the
// last block's dst nodes of the target type. Requires blocks.size() == num_layers.
class HeteroModule : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) = 0;
  // Whether forward() reads the blocks' homogeneous view.
  virtual bool reads_homogeneous_view() const { return false; }
  // Trainable parameter count (the scaling benchmark's figure).
  int64_t NumParameters() const;
};

class Rgcn : public HeteroModule {
 public:
  explicit Rgcn(const HeteroGnnOptions& options);
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) override;

  // For the R-GCN == GCN check: layer l's weight of relation r (basis-combined) and self weight.
  torch::Tensor RelationWeight(int64_t l, int64_t r) const;

 private:
  HeteroGnnOptions o_;
  std::vector<torch::Tensor> input_proj_;  // per type; empty with one featured type
  std::vector<torch::Tensor> bases_;       // per layer [B, in, out] (or [R, in, out])
  std::vector<torch::Tensor> coeffs_;      // per layer [R, B]; undefined without bases
  std::vector<torch::Tensor> self_;        // per layer [in, out]
  std::vector<torch::Tensor> bias_;
};

class Hgt : public HeteroModule {
 public:
  explicit Hgt(const HeteroGnnOptions& options);
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) override;

 private:
  torch::Tensor Layer(int64_t l, const std::vector<torch::Tensor>& h,
                      const std::vector<torch::Tensor>& keys, const std::vector<torch::Tensor>& values,
                      const HeteroBlockTensors& b, int t) const;

  HeteroGnnOptions o_;
  std::vector<torch::Tensor> input_proj_;  // per type [in, hidden]
  // [layer][type]: [hidden, hidden] projections and [1] skip gates
  std::vector<std::vector<torch::Tensor>> k_, q_, v_, a_, skip_;
  // [layer]: [R, H, dk, dk] attention and message matrices, [R, H] priors
  std::vector<torch::Tensor> w_att_, w_msg_, prior_;
  torch::Tensor classifier_;
};

class BgHgnn : public HeteroModule {
 public:
  // The type and relation parts are fixed by `g` (every node's relations over the whole graph).
  BgHgnn(const HeteroGnnOptions& options, const graph::HeteroGraph& g);
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroBlocks& blocks) override;
  bool reads_homogeneous_view() const override { return true; }

  // The blend's fixed parts of the nodes `global_ids`: [n, code_dim + 1] each.
  torch::Tensor TypePart(const std::vector<NodeId>& global_ids) const;
  torch::Tensor RelationPart(const std::vector<NodeId>& global_ids) const;
  // z = ReLU(sum_k w_k (x_c W_c^k) * (x_t W_t^k) * (x_r W_r^k) + b) for attribute rows x_c.
  torch::Tensor Grind(const torch::Tensor& x_c, const torch::Tensor& x_t,
                      const torch::Tensor& x_r) const;

 private:
  // Grind from the three projections ([n, rank * fused_dim] each).
  torch::Tensor Fuse(const torch::Tensor& zc, const torch::Tensor& zt, const torch::Tensor& zr) const;
  // Each node's relation part as weights of the relation codes: sparse [n, R] (host).
  torch::Tensor RelationMix(const std::vector<NodeId>& global_ids) const;

  HeteroGnnOptions o_;
  int64_t attr_dim_ = 0;  // max feature width
  std::vector<int64_t> type_of_;  // per global id
  // Per global id v: the relations it touches and (in - out) / degree, CSR-like.
  std::vector<int64_t> mix_offsets_;
  std::vector<int64_t> mix_relation_;
  std::vector<float> mix_weight_;
  torch::Tensor type_codes_, relation_codes_;  // buffers [T, code_dim], [R, code_dim]
  torch::Tensor w_c_, w_t_, w_r_, rank_weight_, fusion_bias_;
  StaticGnn gat_{nullptr};  // with a residual output layer
};

}  // namespace streamgnn::models
