// Shared by the temporal-trainer tests (trainer, pipeline, GPU): planted-signal graphs, small
// configs of the four models, quiet training options and metrics without their wall times.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "datasets/synthetic.h"
#include "trainers/checkpoint_file.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers::testing {

// Links follow communities (carried by the node features: community embedding plus noise) and
// recency (repeat links): far above chance for a model that uses either.
inline datasets::TemporalDataset PlantedGraph(int64_t nodes, int64_t edges, int64_t communities,
                                              int64_t node_feat_dim, uint64_t seed) {
  datasets::SyntheticOptions o;
  o.num_nodes = nodes;
  o.num_edges = edges;
  o.num_communities = communities;
  o.p_recent = 0.2;
  o.p_community = 0.75;
  o.recent_window = 3;
  o.node_feat_dim = node_feat_dim;
  o.seed = seed;
  return datasets::GenerateSynthetic(o).value();
}

// Widths and sampling of the small models; with one thread each run takes a few seconds.
struct SmallModel {
  int64_t dim = 32;
  int64_t dim_time = 16;
  int64_t neighbors = 10;
  int64_t batch_size = 50;
  int64_t seed = 3;
};

// The memory, gnn and sampling sections of tgn | jodie | apan | tgat.
inline std::string ModelYaml(const std::string& model, const SmallModel& m) {
  const std::string dim = std::to_string(m.dim), dt = std::to_string(m.dim_time),
                    k = std::to_string(m.neighbors);
  if (model == "tgn") {
    return "memory: {type: node, memory_update: gru, dim_out: " + dim + ", dim_time: " + dt + "}\n"
           "gnn: {arch: transformer_attention, layer: 1, att_head: 2, dim_out: " + dim +
           ", dim_time: " + dt + "}\nsampling: {layer: 1, neighbor: [" + k + "]}\n";
  }
  if (model == "jodie") {
    return "memory: {type: node, memory_update: rnn, dim_out: " + dim + ", dim_time: 0}\n"
           "gnn: {arch: identity, time_transform: jodie}\nsampling: {no_sample: true}\n";
  }
  if (model == "apan") {
    return "memory: {type: node, memory_update: transformer, deliver_to: neighbors, mailbox_size: 4,"
           " dim_out: " + dim + ", dim_time: " + dt + ", attention_head: 2}\n"
           "gnn: {arch: identity}\nsampling: {layer: 1, neighbor: [" + k + "]}\n";
  }
  EXPECT_EQ(model, "tgat");
  return "memory: {type: none, dim_out: 0}\n"
         "gnn: {arch: transformer_attention, layer: 2, att_head: 2, dim_out: " + dim +
         ", dim_time: " + dt + "}\nsampling: {layer: 2, neighbor: [" + k +
         ", 5], strategy: uniform}\n";
}

inline trainers::TemporalConfig MakeConfig(const std::string& model, const SmallModel& m, const std::string& dir,
                               int64_t epochs, const std::vector<std::string>& overrides = {}) {
  const std::string yaml = ModelYaml(model, m) + "train: {model: " + model +
                           ", epoch: " + std::to_string(epochs) +
                           ", batch_size: " + std::to_string(m.batch_size) +
                           ", lr: 0.002, patience: 0, seed: " + std::to_string(m.seed) + "}\n"
                           "runtime: {threads: 1}\nlog: {dir: '" + dir + "', progress: never}\n";
  auto config = trainers::LoadTemporalConfigString(yaml, model + ".yml", overrides);
  EXPECT_TRUE(config.ok()) << config.status().message();
  return config.value();
}

inline TrainOptions Quiet() {
  TrainOptions o;
  o.print_epochs = std::getenv("STREAMGNN_TEST_VERBOSE") != nullptr;
  return o;
}

// Everything but the wall-clock fields of a metrics line.
inline std::string WithoutTimes(const EpochRecord& r, bool with_mrr = true) {
  EpochRecord copy = r;
  copy.train_s = copy.eval_s = 0;
  copy.stages = StageTimes();
  return copy.ToJson(with_mrr);
}

// The node memory in <dir>/checkpoint.pt (after the last epoch's training pass), on the host.
inline torch::Tensor CheckpointMemory(const std::string& dir) {
  torch::serialize::InputArchive archive, memory;
  const Status loaded = LoadCheckpointFile(dir + "/checkpoint.pt", torch::kCPU, &archive);
  if (!loaded.ok()) throw std::runtime_error(loaded.ToString());
  archive.read("memory", memory);
  torch::Tensor m;
  memory.read("memory", m);
  return m;
}

}  // namespace streamgnn::trainers::testing
