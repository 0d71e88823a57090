// TemporalTrainerImpl: the state of one temporal training run, behind TrainTemporal and
// EvaluateCheckpoint (temporal_trainer.h). Split over files by concern, as RocksDB splits
// DBImpl:
//   temporal_trainer.cc     setup, the epoch loop, evaluation, the public functions
//   temporal_pass.cc        one pass over events: the stages of a batch (PassRunner)
//   temporal_batch.{h,cc}   a batch's shards and their model inputs
//   temporal_checkpoint.cc  checkpoints and resume
//   temporal_split.{h,cc}   the event split and inductive masking
//   continuous.cc           continuous learning over a growing stream (continuous.h)
#pragma once

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/progress.h"
#include "core/status.h"
#include "datasets/temporal_dataset.h"
#include "graph/temporal_graph.h"
#include "memory/node_memory.h"
#include "models/pres.h"
#include "models/temporal_model.h"
#include "datasets/tgb_negatives.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"
#include "trainers/feature_rows.h"
#include "trainers/temporal_device_sampling.h"
#include "trainers/temporal_split.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {

// A block store plus the map from its edge ids to dataset event ids; on a GPU also their device
// mirror, which the device sampler draws from.
struct EventStore {
  std::unique_ptr<graph::TemporalGraph> graph;
  std::vector<int64_t> event_of_edge;
  std::unique_ptr<DeviceEventStore> device;  // with device_sampler_
  // Holds every event a pass visits already: the pass appends nothing and samples the edges
  // strictly before each root's time (continuous learning trains over the live store).
  bool complete = false;
};

// kPrequential: an evaluation pass whose negatives are keyed by the pass's `epoch` argument (a
// window's number), not fixed as validation's and test's.
struct BatchShard;  // trainers/temporal_batch.h

enum class PassMode { kTrain, kVal, kTest, kPrequential };

// Every ranked positive's score and its negatives' scores, in event order (evaluation passes
// that rank, when the trainer collects them: `streamgnn eval --scores`).
struct RankScores {
  int64_t width = 0;            // negatives a row
  std::vector<float> pos;       // [P]
  std::vector<float> neg;       // [P, width]; entries past counts[i] are padding
  std::vector<int64_t> counts;  // [P]
};

struct PassResult {
  double loss_sum = 0;
  RankScores ranks;
  int64_t batches = 0;
  LinkMetrics all, inductive;
  StageTimes stages;
  BatchShapes shapes;  // sums over the batches until the end of the pass, then means
  double wall_s = 0;
  int64_t staleness_bound = 0, staleness_max = 0, mitigated = 0;
  double staleness_mean = 0;
};

class TemporalTrainerImpl {
 public:
  TemporalTrainerImpl(const trainers::TemporalConfig& config, const datasets::TemporalDataset& ds)
      : config_(config), ds_(ds) {}

  Status Setup();
  StatusOr<TrainSummary> Train(const TrainOptions& options);
  // With scores_dir, also writes each split's ranked scores there ({val,test}_{pos,neg}.npy).
  StatusOr<EvalSummary> EvaluateFrom(const std::string& checkpoint_path, const std::string& scores_dir = "");

 private:
  friend class PassRunner;
  friend class ContinuousLearnerImpl;

  StatusOr<EventStore> NewStore() const;
  // A sampled shard's model inputs onto the training device, with their node and edge feature
  // rows (the features stage of a pass; also Embed's).
  Status GatherInputs(BatchShard* shard);
  Status Append(EventStore* store, const int64_t* events, int64_t n) const;
  // Training passes follow pipeline.mode; evaluation passes are sequential. `options` (may be
  // null) supplies the test-only stage hook.
  StatusOr<PassResult> RunPass(PassMode mode, const std::vector<int64_t>& events, EventStore* store,
                               int64_t epoch, core::ProgressBar* progress,
                               const TrainOptions* options = nullptr);
  // Validation then test from the current memory; fills the metric fields of a record.
  StatusOr<EpochRecord> Evaluate();
  // PRES and similarity mitigation work across a batch's rows: such batches are computed whole.
  bool WholeBatches() const;
  // Shards per batch: the thread budget on the CPU; 1 for whole batches and on a GPU (shards
  // exist to spread a batch over cores).
  int64_t ShardsPerBatch() const;

  // temporal_checkpoint.cc. WriteState / ReadState: what every checkpoint holds (version, config,
  // model, optimiser, node memory `mem`, PRES state, RNG state, the chosen staleness).
  void WriteState(torch::serialize::OutputArchive& archive, const memory::NodeMemory* mem,
                  const models::PresFilter* pres) const;
  Status ReadState(torch::serialize::InputArchive& archive, bool with_optimizer, const std::string& path);
  Status WriteCheckpoint(const std::string& path, int64_t epoch, const memory::NodeMemory* mem,
                         const models::PresFilter* pres, const std::vector<EpochRecord>& history,
                         int64_t best_epoch, int64_t bad_epochs);
  Status ReadCheckpoint(const std::string& path, bool with_optimizer, int64_t* epoch,
                        std::string* history, int64_t* best_epoch, int64_t* bad_epochs);
  bool with_mrr() const {
    return config_.train.eval_negatives > 0 || config_.eval.protocol == trainers::EvalProtocol::kTgb;
  }
  // The validation metric that selects the epoch: MRR under TGB's protocol, else AP.
  double SelectionMetric(const LinkMetrics& val) const {
    return config_.eval.protocol == trainers::EvalProtocol::kTgb ? val.mrr : val.ap;
  }
  Status LoadTgbNegatives();

  const trainers::TemporalConfig& config_;
  const datasets::TemporalDataset& ds_;
  TemporalSplit split_;
  models::TemporalModel model_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::optional<memory::NodeMemory> memory_;
  std::optional<models::PresFilter> pres_;  // pres.enabled
  bool collect_scores_ = false;              // evaluation passes keep RankScores
  RankScores last_scores_[2];                // val, test of the last Evaluate (collect_scores_)
  int64_t auto_staleness_ = -1;             // staleness auto: the bound chosen; -1 = not yet
  std::optional<sampling::TemporalSampler> sampler_;   // on the CPU
  std::unique_ptr<DeviceShardSampler> device_sampler_;  // on a GPU, instead of sampler_
  std::optional<sampling::NegativeSampler> train_negatives_, eval_negatives_;
  std::optional<datasets::TgbNegatives> tgb_val_, tgb_test_;  // eval.protocol tgb
  std::vector<int> fanouts_;  // hops the model or mail delivery needs; empty = no sampling
  FeatureRows node_features_;  // [num_nodes, F] by node id
  FeatureRows edge_features_;  // [num_events, E] by dataset event id
  int threads_ = 1;           // the thread budget
  // runtime.device: where the model, the optimiser state, the node memory, the PRES filter and
  // the feature tables live; batches are sampled on the host and their inputs copied there.
  torch::Device device_{torch::kCPU};
};

// Parses the JSON lines of metrics.jsonl back into records (only the fields the epoch loop
// needs after a resume).
std::vector<EpochRecord> ParseHistory(const std::string& lines);
// The number under `key` of a run file's JSON object; NaN when missing, null or not a number.
double JsonNumberAt(const nlohmann::json& object, const char* key);

// The dataset config.dataset names, with a log line.
StatusOr<datasets::TemporalDataset> LoadConfigDataset(const trainers::TemporalConfig& config);

// "<prefix>_ap", "<prefix>_auc" (and "<prefix>_mrr") of a metrics record, into a run file's
// object (NaN becomes null).
void PutMetrics(nlohmann::ordered_json& object, const std::string& prefix, const LinkMetrics& m,
                bool with_mrr);

}  // namespace streamgnn::trainers
