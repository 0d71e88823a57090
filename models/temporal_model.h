// TemporalModel: a memory-based temporal GNN (TGN, JODIE, APAN) or TGAT, assembled by name
// from the config's memory and gnn sections (TGL's GeneralModel; docs/models.md).
//
// One forward pass covers one batch's computation graph, built by the trainer from the sampler
// output (BatchInputs): the unique nodes the batch touches, and for each hop d the packed
// neighbour lists of the level-d entries (roots are level 0; the neighbours of level d are
// level d+1, in sampler order). The model
//   1. updates the memory of the unique nodes from their mailboxes (memory updater; with
//      gradient),
//   2. forms the input embedding of every level entry (memory, plus projected node features
//      when combine_node_feature; node features alone without memory),
//   3. runs gnn.layer attention layers (layer l at levels 0..L-l) or the identity (+ LayerNorm,
//      + JODIE projection),
// and returns the root embeddings and the updated memories, which the trainer writes back after
// the optimiser step together with the batch's mails (MakeMails).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "memory/memory_config.h"
#include "models/gnn_config.h"
#include "core/status.h"
#include "memory/node_memory.h"
#include "models/modules.h"

namespace streamgnn::models {

struct ModelSpec {
  memory::MemoryConfig memory;
  models::GnnConfig gnn;
  int64_t num_nodes = 0;
  int64_t dim_node_feat = 0;
  int64_t dim_edge_feat = 0;
  double dropout = 0.1;
  double att_dropout = 0.1;
  // gnn.time_transform jodie: the mean and std of the time since a node's previous event as a
  // source (src_*) and as a destination (dst_*) over the training events (TGN's and DyGLib's
  // compute_time_statistics); std > 0.
  double src_shift_mean = 0, src_shift_std = 1, dst_shift_mean = 0, dst_shift_std = 1;
};

// Checks the spec (dimensions, heads, combinations); InvalidArgument naming the key otherwise.
Status ValidateModelSpec(const ModelSpec& spec);

struct BatchInputs {
  torch::Tensor nodes;                     // int64 [U]: unique node ids
  std::vector<torch::Tensor> level_index;  // level d: int64 [n_d], index into nodes
  torch::Tensor root_times;                // float64 [n_0]
  int64_t num_sources = 0;                 // level 0: roots [0, num_sources) are event sources
  // hop d (0 <= d < levels - 1): the neighbours of the level-d entries, packed: entry i's are
  // the level-(d+1) entries [offsets[i], offsets[i+1]) (so n_{d+1} = offsets[n_d]).
  std::vector<torch::Tensor> offsets;    // int64 [n_d + 1]
  std::vector<torch::Tensor> dt;         // float32 [n_{d+1}]: entry time - edge time
  std::vector<torch::Tensor> edge_feat;  // float32 [n_{d+1}, dim_edge_feat]
  torch::Tensor node_feat;               // float32 [U, dim_node_feat] (dim may be 0)
};

struct ForwardOutput {
  torch::Tensor embeddings;       // float32 [n_0, dim_embedding]
  torch::Tensor new_memory;       // float32 [U, dim_memory] (with gradient); undefined w/o memory
  torch::Tensor new_last_update;  // float64 [U]
};

class TemporalModelImpl : public torch::nn::Module {
 public:
  explicit TemporalModelImpl(const ModelSpec& spec);

  // `rows` are the memory rows of inputs.nodes (ignored without memory).
  ForwardOutput forward(const BatchInputs& inputs, const memory::MemoryRows* rows);

  // Link scores (logits) for pairs of root embeddings.
  torch::Tensor Score(const torch::Tensor& h_src, const torch::Tensor& h_dst) {
    return predictor_->forward(h_src, h_dst);
  }
  // Score in two halves: sources projected once, then scored against any destinations.
  torch::Tensor ProjectSources(const torch::Tensor& h_src) { return predictor_->ProjectSource(h_src); }
  torch::Tensor ScoreProjected(const torch::Tensor& src_projected, const torch::Tensor& h_dst) {
    return predictor_->Score(src_projected, h_dst);
  }

  // Mails of n events: for the source [s'_src, s'_dst, e], for the destination
  // [s'_dst, s'_src, e]. Returns [2n, dim_mail] ordered src_0, dst_0, src_1, dst_1, ...
  torch::Tensor MakeMails(const torch::Tensor& mem_src, const torch::Tensor& mem_dst,
                          const torch::Tensor& edge_feat) const;

  bool has_memory() const { return spec_.memory.type == memory::MemoryType::kNode; }
  bool uses_neighbors_for_embedding() const {
    return spec_.gnn.arch == models::GnnArch::kTransformerAttention;
  }
  int64_t dim_mail() const { return 2 * spec_.memory.dim_out + spec_.dim_edge_feat; }
  int64_t dim_embedding() const;
  const ModelSpec& spec() const { return spec_; }

 private:
  // gnn.time_transform: the JODIE projection of the roots' embeddings h [n_0, d] at the roots'
  // times, from the time since each root's last memory update.
  torch::Tensor ProjectInTime(const torch::Tensor& h, const torch::Tensor& last_update,
                              const BatchInputs& in);

  ModelSpec spec_;
  MemoryUpdater updater_{nullptr};
  torch::nn::Linear node_proj_{nullptr};
  std::vector<TemporalAttention> layers_;
  torch::nn::LayerNorm identity_norm_{nullptr};
  JodieProjection jodie_{nullptr};
  LinkPredictor predictor_{nullptr};
};
TORCH_MODULE(TemporalModel);

}  // namespace streamgnn::models
