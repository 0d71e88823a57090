// PRES (Su, Zou, Wu, ICLR 2024): prediction-correction of node memory for large temporal
// batches, and the memory-coherence objective (docs/models.md, "PRES").
//
// Temporal discontinuity: all events of one batch are processed in parallel, so a node with m
// events in a batch gets one combined mail and its next memory update stands for m transitions
// but computes one. PresFilter models each node's one-step memory transition
// delta = s_new - s_prev as a Gaussian fitted by maximum likelihood (running count and moments).
// Prediction: s_hat = s_prev + mu (the transition the model expects, PRES's s + delta_hat);
// correction: s = gamma * s_hat + (1 - gamma) * s_computed, for nodes with m >= 2 whose filter
// has at least one observation (others keep s_computed: for m = 1 the computed update is exact).
// Every computed update is then an observation of one transition. The corrected memory is what
// is written back to the node memory.
//
// The coherence objective is 1 - mean over updated nodes of cos(s_computed, s_prev) (per node;
// the public code compares per dimension and detaches the term, so it has no gradient). Here it
// is differentiable through s_computed, i.e. into the memory updater.
//
// Thread-safety: none; the compute stage owns the filter.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "core/status.h"

namespace streamgnn::models {

class PresFilter {
 public:
  // Its state lives on `device`; checkpoints are written from host copies.
  PresFilter(int64_t num_nodes, int64_t dim, torch::Device device = torch::kCPU);

  // No observations (start of every epoch, with the node memory).
  void Reset();

  // Corrected memories. nodes int64 [n]; prev, computed float32 [n, dim] (computed may carry
  // gradient; the result then does too, scaled by 1 - gamma on corrected rows); events int64
  // [n] (transitions each update stands for: NodeMemory's mail_events); gamma in [0, 1].
  torch::Tensor Correct(const torch::Tensor& nodes, const torch::Tensor& prev,
                        const torch::Tensor& computed, const torch::Tensor& events,
                        double gamma) const;

  // One observed transition per row: delta = computed - prev (detached). nodes unique.
  void Observe(const torch::Tensor& nodes, const torch::Tensor& prev, const torch::Tensor& computed);

  // MLE mean and variance of the transitions of `nodes` ([n, dim]; zero without observations),
  // and their observation counts ([n]).
  torch::Tensor Mean(const torch::Tensor& nodes) const;
  torch::Tensor Variance(const torch::Tensor& nodes) const;
  torch::Tensor Count(const torch::Tensor& nodes) const { return count_.index_select(0, nodes); }

  PresFilter Clone() const;
  void Save(torch::serialize::OutputArchive& archive) const;
  // InvalidArgument when the shapes differ from this filter's.
  Status Load(torch::serialize::InputArchive& archive);

 private:
  torch::Tensor count_;  // [N] int64
  torch::Tensor sum_;    // [N, dim] float64: sum of deltas
  torch::Tensor sumsq_;  // [N, dim] float64: sum of squared deltas
};

// 1 - mean_i cos(computed_i, prev_i) over the rows where prev_i is not zero (a first update has
// no previous state to cohere with); 0 (with gradient graph) when no row qualifies.
torch::Tensor CoherenceLoss(const torch::Tensor& computed, const torch::Tensor& prev);

}  // namespace streamgnn::models
