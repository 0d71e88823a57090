// What every static training path shares (single process, distributed, heterogeneous): the
// epoch loop with selection and early stopping, evaluation, the optimiser, and the run files.
// Internal to trainers/.
#pragma once

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"
#include "models/static_gnn.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers::static_common {

torch::Tensor IdTensor(const std::vector<NodeId>& ids);

// The GCN, SAGE or GAT that model.* describes, for `d`'s features and classes.
models::StaticGnnOptions GnnOptions(const StaticConfig& c, const datasets::StaticDataset& d);

// The graph a model aggregates over: GCN/GAT over A + I; SAGE keeps self apart (no self-loops).
graph::CsrBuildOptions TrainingGraphOptions(const StaticConfig& c, const datasets::StaticDataset& d);

// Row-compressed copy of a mostly-zero feature matrix: inputs are built as sparse COO tensors
// (dropout then touches only the stored entries; see models/static_gnn.h).
struct SparseRows {
  std::vector<int64_t> offsets, cols;
  std::vector<float> vals;
  int64_t dim = 0;

  // Fewer than a tenth of the entries are non-zero.
  static bool Worth(const datasets::StaticDataset& d);
  explicit SparseRows(const datasets::StaticDataset& d)
      : SparseRows(d.features.data(), d.num_nodes, d.feature_dim) {}
  // `rows` x `dim` row-major values.
  SparseRows(const float* values, int64_t rows, int64_t dim);
  // Sparse COO [ids.size(), dim], coalesced, rows in the order of `ids`.
  torch::Tensor Rows(const std::vector<NodeId>& ids) const;
};

// One fan-out per layer from sampling.neighbor (one entry stands for every layer).
std::vector<int64_t> LayerFanouts(const StaticConfig& c);

// The training seeds in an order drawn per (train.seed, epoch): each id's Philox key, sorted.
void ShuffleSeeds(const StaticConfig& c, int64_t epoch, std::vector<NodeId>* ids);

struct Eval {
  double acc = 0, loss = 0;
  double macro_f1 = 0;  // mean over the classes present in labels or predictions of `idx`
};
// Accuracy (= micro-F1 for one label per node), mean cross-entropy and macro-F1 of the rows
// `idx` of `logits`.
Eval Evaluate(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& idx);

// Fills rec's accuracies, validation loss and macro-F1 from the logits of every node.
void RecordEvaluation(const torch::Tensor& logits, const torch::Tensor& labels,
                      const torch::Tensor& train_idx, const torch::Tensor& val_idx,
                      const torch::Tensor& test_idx, StaticEpochRecord* rec);

// Adam over `params`; with train.weight_decay_scope first_layer only `first_layer` is decayed.
std::unique_ptr<torch::optim::Adam> MakeOptimizer(const StaticConfig& c,
                                                  const std::vector<torch::Tensor>& params,
                                                  const std::vector<torch::Tensor>& first_layer);

// The epoch loop: `train(epoch)` runs an epoch's training and returns its loss; every
// train.eval_every epochs and at the last one `evaluate` fills the accuracies and the
// validation loss; then the selection (train.select), early stopping (train.patience), the
// metrics line (when `metrics` is open) and on_epoch.
Status RunEpochs(const StaticConfig& c, std::FILE* metrics, const StaticEpochCallback& on_epoch,
                 const std::function<StatusOr<double>(int64_t)>& train,
                 const std::function<Status(StaticEpochRecord*)>& evaluate, StaticRunResult* result);

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using MetricsFile = std::unique_ptr<std::FILE, FileCloser>;
// <log.dir>/metrics.jsonl, or null without log.dir.
StatusOr<std::FILE*> OpenMetrics(const StaticConfig& c);
// <log.dir>/summary.json: the selected epoch's figures, the run's shape, `extra` under `key`
// (unless null) and the config.
Status WriteSummary(const StaticConfig& c, const std::string& dataset, const StaticRunResult& result,
                    const char* key, const nlohmann::ordered_json& extra);

}  // namespace streamgnn::trainers::static_common
