// TemporalTrainer: link-prediction training of memory-based temporal GNNs (TGN, JODIE, APAN)
// and TGAT on a chronological event stream, with TGN's evaluation protocol (docs/models.md).
//
// Per epoch: reset the node memory; stream the (inductively masked) training events in
// chronological batches of train.batch_size through a fresh block store, sample every batch's
// roots (sources, destinations, one random negative destination each), compute embeddings, BCE
// on positive vs negative logits, one Adam step, then write the batch's memories and mails;
// then evaluate: validation events, then test events, continuing from the end-of-training
// memory over a store holding every training event (memory and store keep updating during
// evaluation, batch by batch, as in TGN). Reports AP and ROC-AUC on all val/test events
// (transductive) and on those with a node never seen in training (inductive), and MRR when
// train.eval_negatives > 0. Early stopping on validation AP; the run's result is the epoch with
// the best validation AP.
//
// Files under log.dir: metrics.jsonl (one JSON object per epoch), checkpoint.pt (after every
// epoch: model, optimizer, node memory after that epoch's training pass, epoch, early-stopping
// state, metrics history, RNG state, config), best.pt (the checkpoint of the best epoch),
// summary.json. Checkpoints are written to a temporary file and renamed (atomic).
//
// Determinism: every random draw derives from train.seed (model init, per-epoch dropout seed,
// per-shard dropout generators, negatives through Philox streams keyed by epoch and batch), so
// the same config gives the same metrics for the same thread count (a batch is computed in
// runtime.threads shards, trainers/temporal_batch.h), and a run resumed from checkpoint.pt
// after epoch k gives exactly the metrics of the uninterrupted run.
//
// This header is LibTorch-free so that apps/ can include it cheaply.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::trainers {

struct LinkMetrics {
  double ap = 0, auc = 0, mrr = 0;  // NaN when undefined (no events, or MRR off)
  int64_t events = 0;               // positive events evaluated
  double hits = std::numeric_limits<double>::quiet_NaN();  // Hits@k (eval.protocol tgb)
};

// Seconds spent per stage of the training pass (one epoch).
struct StageTimes {
  double sample = 0;        // store append, negatives, neighbour sampling, index building
  double features = 0;      // node and edge feature gathers
  double memory_read = 0;   // node memory rows (not the wait for a memory version)
  double forward = 0;       // memory updater, embedding, predictor, loss
  double backward = 0;      // backward pass and optimiser step
  double memory_write = 0;  // memory and mailbox updates

  StageTimes& operator+=(const StageTimes& o) {
    sample += o.sample;
    features += o.features;
    memory_read += o.memory_read;
    forward += o.forward;
    backward += o.backward;
    memory_write += o.memory_write;
    return *this;
  }
};

// The work of the training pass's batches, per batch on average (summed over a batch's shards):
// what a cost model needs (bench/peers/tgn_flops.py counts TGN's FLOPs from it).
struct BatchShapes {
  double roots = 0;           // embedded (node, time) roots
  double unique_nodes = 0;    // nodes whose memory rows are read
  double memory_updates = 0;  // of those, rows with a mail (the memory updater's rows)
  double slots = 0;           // sampled neighbours, all hops
};

struct EpochRecord {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double train_s = 0;
  double eval_s = 0;
  LinkMetrics val, val_inductive, test, test_inductive;
  StageTimes stages;  // busy time per stage; with pipeline.mode mspipe the stages overlap
  BatchShapes shapes;
  // Training pass: the staleness bound used (pipeline.staleness, or the one auto chose), the
  // staleness observed on node-memory reads (max, mean over batches), and the nodes corrected
  // by staleness mitigation.
  int64_t staleness_bound = 0;
  int64_t staleness_max = 0;
  double staleness_mean = 0;
  int64_t mitigated_nodes = 0;
  int64_t best_epoch = 0;  // best epoch so far (by validation AP)

  // One line of metrics.jsonl: epoch, train_loss, train_s, eval_s, val_ap, val_auc,
  // val_inductive_ap, val_inductive_auc, test_ap, test_auc, test_inductive_ap,
  // test_inductive_auc, val_mrr/test_mrr (when enabled), time_<stage>_s, staleness_bound,
  // staleness_max, staleness_mean, mitigated_nodes, batch_<shape> (BatchShapes), best_epoch.
  // Undefined metrics are null.
  std::string ToJson(bool with_mrr) const;
};

struct TrainSummary {
  std::vector<EpochRecord> epochs;  // every epoch run so far, resumed ones included
  int64_t best_epoch = 0;           // 1-based
  bool stopped_early = false;
  bool finished = false;  // false when stopped by TrainOptions::stop_after_epochs
  const EpochRecord& best() const { return epochs.at(static_cast<size_t>(best_epoch - 1)); }
};

struct TrainOptions {
  // Continue from <log.dir>/checkpoint.pt (FailedPrecondition when it is missing).
  bool resume = false;
  // > 0: return after this many epochs of this call, as if the process was stopped there
  // (tests of resume; the checkpoint is written as usual).
  int64_t stop_after_epochs = 0;
  // Print one line per epoch to stdout.
  bool print_epochs = true;
  // Called after every epoch (metrics written, checkpoint taken), on the training thread.
  std::function<void(const EpochRecord&)> on_epoch;
  // Test-only: called at the start of every stage ("sample", "features", "memory_read",
  // "compute", "memory_write") of every training batch, on the thread running that stage
  // (injects delays into the pipeline).
  std::function<void(const char* stage, int64_t batch)> stage_hook;
};

// Checks what the config names but the config loader cannot: that the dataset file exists.
// Errors name the place: "run.yml:3:9: key 'dataset.path': file not found: /x/edges.csv".
// Call it after trainers::LoadTemporalConfigFile and before any work.
Status CheckInputFiles(const trainers::TemporalConfig& config, const std::string& config_path);

// Trains per `config`. `dataset` may be null (loaded per config.dataset) or a dataset the
// caller owns (tests). Errors: InvalidArgument for a config the model cannot be built from or
// a dataset it cannot be trained on, IOError for run files, Unimplemented for features not
// built yet (runtime.device cuda).
StatusOr<TrainSummary> TrainTemporal(const trainers::TemporalConfig& config, const TrainOptions& options,
                                     const datasets::TemporalDataset* dataset = nullptr);

struct EvalSummary {
  int64_t epoch = 0;  // epoch the checkpoint was taken after
  LinkMetrics val, val_inductive, test, test_inductive;
  int64_t val_positives = 0, test_positives = 0;
  double eval_s = 0;  // the validation and test passes, without loading
  std::string ToJson(bool with_mrr) const;
};

// How EvaluateCheckpoint runs.
struct EvalOptions {
  // When set, the ranked scores are written there too: {val,test}_pos.npy [P, 1] and
  // {val,test}_neg.npy [P, K] (row i: positive i's negatives, NaN past its count), for checking
  // the metrics with other tools (TGB's Evaluator).
  std::string scores_dir;
  // --set overrides of the stored config, limited to the keys that change no score
  // (kEvalOverridableKeys); any other key is refused.
  std::vector<std::string> overrides;
};

// Keys `streamgnn eval --set` accepts: how the evaluation runs, never what it computes.
inline constexpr const char* kEvalOverridableKeys[] = {"eval.positives_per_forward", "runtime.threads"};

// Loads a checkpoint (checkpoint.pt or best.pt), rebuilds the run from the config stored in it
// and evaluates validation and test from the node memory stored in it; the result equals the
// val/test metrics recorded for that epoch.
StatusOr<EvalSummary> EvaluateCheckpoint(const std::string& checkpoint_path,
                                         const datasets::TemporalDataset* dataset = nullptr,
                                         const EvalOptions& options = {});

}  // namespace streamgnn::trainers
