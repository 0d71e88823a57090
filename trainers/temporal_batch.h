// One batch of the temporal trainer on its way through the stages (sample, features, memory
// read, compute, memory write; trainers/temporal_pass.cc), and how its model inputs are built.
//
// A batch is computed as one or more shards: contiguous ranges of its events, each with its own
// roots (sources, destinations, negatives), sampled neighbourhoods, unique nodes and model
// inputs, so that the shards' forward and backward passes can run on separate cores
// (docs/architecture.md, "Threads"). The shards' losses add up to the batch's loss and their
// gradients to the batch's gradient; a node in two shards gets the same memory in both.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "core/types.h"
#include "datasets/temporal_dataset.h"
#include "memory/node_memory.h"
#include "models/temporal_model.h"
#include "sampling/temporal_sampler.h"
#include "trainers/stage_streams.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {

struct BatchShard {
  int64_t first = 0;  // the shard's events are the batch's [first, first + n)
  int64_t n = 0;
  // Roots: sources (n), destinations (n), negatives (n), MRR negatives (n * M); their times.
  std::vector<NodeId> roots;
  std::vector<Timestamp> times;
  sampling::SampleResult sample;
  models::BatchInputs in;
  std::vector<std::vector<int64_t>> edge_rows;  // per hop: the dataset event of every slot (host)
  std::vector<torch::Tensor> edge_events;       // per hop, as int64 tensors: views of edge_rows, or
                                                // built on the device (temporal_device_sampling.h)
  memory::MemoryRows rows;                      // memory rows of in.nodes
  // Compute results.
  torch::Tensor pos, negs, mrr_scores;  // logits
  torch::Tensor write_memory;           // [U, dim_memory] detached (PRES-corrected when enabled)
  torch::Tensor write_last_update;      // [U]
  std::vector<torch::Tensor> grads;     // per model parameter (undefined: unused)
  double loss = 0;                      // this shard's part of the batch loss
  double forward_s = 0, backward_s = 0;
};

struct BatchWork {
  int64_t index = 0;  // batch number in the pass (0-based)
  int64_t n = 0;      // events
  const int64_t* ev = nullptr;
  uint64_t batch_key = 0;
  std::vector<NodeId> neg, mrr_neg;  // the batch's negatives, drawn once for all shards
  std::vector<int64_t> mrr_counts;    // TGB: the negatives of each row of mrr_neg (the rest pad)
  std::vector<BatchShard> shards;
  torch::Tensor write_set;        // int64: nodes this batch's commit changes (mitigation)
  torch::Tensor batch_edge_feat;  // [n, dim_edge_feat]
  int64_t staleness = 0;
  int64_t mitigated = 0;
  double read_wait_s = 0;  // memory read: waiting for the version the bound requires
  torch::Tensor pos, negs, mrr_scores;  // the shards' logits, in event order
  double loss = 0;
  StageTimes t;
  BatchHandOver handover;  // between stages on different streams (GPU)
};

// The tensors the sample and features stages make for the batch (model inputs, feature rows,
// edge events, write set): what the stages after them must mark as used on their streams.
std::vector<torch::Tensor> PreparedTensors(const BatchWork& w);

// Splits the batch's events into `shards` (>= 1) contiguous ranges of near-equal size and fills
// each shard's roots and times from the batch's events and negatives.
void MakeShards(const datasets::TemporalDataset& ds, int64_t shards, int64_t mrr_negatives,
                BatchWork* w);

// The model inputs of a sampled shard: unique nodes and per-level index (level 0: the roots;
// level d+1: hop d's neighbours in slot order), packed hops (offsets and dt, without copies of
// the sampler's buffers) and the dataset event of every sampled edge.
void BuildShardInputs(const std::vector<int64_t>& event_of_edge, int64_t levels, BatchShard* s);

// in->nodes (the unique ids of the levels' nodes, sorted) and in->level_index (each level's
// entries as indices into them) from the levels' node ids, on their device.
void IndexLevels(const std::vector<torch::Tensor>& level_nodes, models::BatchInputs* in);

// The index tensors of `in` (nodes, level_index, root_times, offsets, dt) on `device`: copies
// off the host buffers BuildShardInputs wraps, or nothing on the CPU.
void MoveInputsTo(torch::Device device, models::BatchInputs* in);

}  // namespace streamgnn::trainers
