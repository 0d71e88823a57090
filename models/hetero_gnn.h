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
// All three run over HeteroTensors, the whole graph as tensors (full-graph training). Inputs
// are per-type dense feature matrices; every type needs features (BG-HGNN pads them to the
// widest). Featureless types (learned embeddings, as HGB's datasets need) are not built yet.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "graph/hetero_graph.h"
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
  torch::Tensor src, dst;  // int64 [E], grouped by destination
  torch::Tensor adj;       // sparse COO [num_dst, num_src] with the RelationNorm weights
};

struct HeteroTensors {
  std::vector<int64_t> counts;  // nodes per type
  std::vector<int64_t> offsets;  // global id of each type's first node
  std::vector<RelationTensors> relations;
  BlockTensors homogeneous;  // every relation over global ids, plus one self-loop per node
};

HeteroTensors MakeHeteroTensors(const graph::HeteroGraph& g, RelationNorm norm,
                                torch::Device device = torch::kCPU);

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

// Shared by the three: typed inputs, logits for the target type's nodes.
class HeteroModule : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) = 0;
  // Trainable parameter count (the scaling benchmark's figure).
  int64_t NumParameters() const;
};

class Rgcn : public HeteroModule {
 public:
  explicit Rgcn(const HeteroGnnOptions& options);
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) override;

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
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) override;

 private:
  torch::Tensor Layer(int64_t l, const std::vector<torch::Tensor>& h,
                      const std::vector<torch::Tensor>& keys, const std::vector<torch::Tensor>& values,
                      const HeteroTensors& g, int t) const;

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
  BgHgnn(const HeteroGnnOptions& options, const HeteroTensors& g);
  torch::Tensor forward(const std::vector<torch::Tensor>& x, const HeteroTensors& g) override;

  // The blend of the whole graph: [N, code_dim + 1] type part and relation part (fixed).
  const torch::Tensor& type_part() const { return type_part_; }
  const torch::Tensor& relation_part() const { return relation_part_; }
  // z = ReLU(sum_k w_k (x_c W_c^k) * (x_t W_t^k) * (x_r W_r^k) + b) for attribute rows x_c.
  torch::Tensor Grind(const torch::Tensor& x_c, const torch::Tensor& x_t,
                      const torch::Tensor& x_r) const;

 private:
  HeteroGnnOptions o_;
  int64_t attr_dim_ = 0;  // max feature width
  torch::Tensor type_part_, relation_part_;  // buffers
  torch::Tensor w_c_, w_t_, w_r_, rank_weight_, fusion_bias_;
  StaticGnn gat_{nullptr};  // with a residual output layer
};

}  // namespace streamgnn::models
