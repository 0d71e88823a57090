// Continuous learning on an event stream (GNNFlow, PAPERS.md section 3; docs/continuous.md).
//
// A ContinuousLearner trains a temporal model (TGN, JODIE, APAN, TGAT) while events arrive. It
// starts with a warm-up prefix of the stream, trained as an ordinary run (the epoch loop of
// temporal_trainer.h over the prefix's train / val / test split, files in log.dir; the best
// epoch's model is kept). Every later window of events is then
//   1. scored first (prequential evaluation): the current model and node memory predict each
//      event of the window against negatives drawn from the destinations seen before the
//      window, batch by batch, with memory and block store advancing through the window as in
//      TGN's evaluation: AP, AUC and MRR, overall and on events with a node never seen before;
//   2. trained on: the window plus a replay sample of older events (continuous.replay_ratio x
//      the events before the window: uniform without replacement, or the newest), in time order,
//      for continuous.epoch passes. Every pass samples neighbours from the store of all events
//      so far (strictly earlier edges only, so nothing leaks) and starts from the node memory of
//      the window's start; with replay from a reset memory, as GNNFlow does (the memory at a
//      replayed event's time is gone);
//   3. left with the node memory of step 1: every event absorbed once, in order, by the model
//      of its time (as a deployed model would have seen it);
//   4. checkpointed: model, optimiser, node memory, events and windows done and the window
//      records, written to a temporary file and renamed, so a restart continues exactly.
//
// On an endless stream continuous.history_events bounds what the learner holds: the newest
// events (at least that many, at most twice) for neighbour sampling and replay, with the node
// memory, seen nodes and destinations that summarise the rest. LearnEvents may skip events (a
// learner that cannot keep up: `serve --learn` with continuous.on_lag newest); they are never
// learned, and the record of the window after them counts them.
//
// Determinism: the replay draws, negatives and dropout derive from train.seed and the window's
// number, so a learner resumed from the checkpoint of window k scores and trains window k + 1
// exactly as the uninterrupted learner does. Runs on the CPU (runtime.device cuda is refused for
// now: the device feature tables and store do not grow yet).
//
// This header is LibTorch-free so that apps/ and service/ can include it cheaply.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/status.h"
#include "datasets/temporal_dataset.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {

struct WindowRecord {
  int64_t window = 0;       // 1-based
  int64_t first_event = 0;  // the window is the stream's events [first_event, first_event + events)
  int64_t events = 0;
  int64_t skipped_events = 0;  // events before the window never learned (LearnEvents with a gap)
  LinkMetrics prequential, prequential_inductive;  // scored before training on the window
  int64_t trained_events = 0;                      // the window plus its replay sample
  double train_loss = 0;                           // mean over the last pass's batches
  double eval_s = 0, train_s = 0, checkpoint_s = 0;

  // One line of windows.jsonl.
  std::string ToJson(bool with_mrr) const;
};

class ContinuousLearnerImpl;

// Reads the stream's events [first, first + count): a dataset with the stream's node id space,
// node features and edge feature width, and those events with their edge features and labels.
using EventReader = std::function<StatusOr<datasets::TemporalDataset>(int64_t first, int64_t count)>;

// Embeddings of nodes: row i (dim floats) is node i's, as of `time`.
struct NodeEmbeddings {
  int64_t dim = 0;
  std::vector<float> values;
  double time = 0;
};

class ContinuousLearner {
 public:
  // Trains the warm-up: events [0, warmup_events) of `source` (which holds the stream's node
  // features and at least those events). The learner copies events out of `source` as they
  // are learned; node ids must lie in [0, source.num_nodes). `options` applies to the warm-up
  // run (resume, printing, hooks).
  static StatusOr<std::unique_ptr<ContinuousLearner>> Start(const trainers::TemporalConfig& config,
                                                            const datasets::TemporalDataset& source,
                                                            int64_t warmup_events,
                                                            const TrainOptions& options);
  // Rebuilds the learner a checkpoint describes: the warm-up split and model shape from the
  // stream's first events, the store from the events the learner kept (all learned, or the
  // newest continuous.history_events), node bookkeeping, model, optimiser and node memory from
  // the file. FailedPrecondition when `source` has fewer events than the checkpoint has learned.
  static StatusOr<std::unique_ptr<ContinuousLearner>> Resume(const trainers::TemporalConfig& config,
                                                             const datasets::TemporalDataset& source,
                                                             const std::string& checkpoint_path);
  // The same, reading the events it needs through `read` (a stream too long to hold in memory).
  static StatusOr<std::unique_ptr<ContinuousLearner>> Resume(const trainers::TemporalConfig& config,
                                                             const EventReader& read,
                                                             const std::string& checkpoint_path);
  ~ContinuousLearner();

  // Scores, then trains on, events [next_event(), next_event() + count) of `source` (the
  // stream from its first event), then writes the checkpoint to `checkpoint_path` (none when
  // empty). InvalidArgument when `source` lacks those events or they are older than the last
  // one learned. After any other error the learner is in an unknown state: resume a new one
  // from the checkpoint.
  StatusOr<WindowRecord> Learn(const datasets::TemporalDataset& source, int64_t count,
                               const std::string& checkpoint_path);
  // The same for `events`, the stream's events [first, first + events.num_events()) with
  // first >= next_event(): the events [next_event(), first) are skipped, never learned (a
  // learner that cannot keep up; WindowRecord::skipped_events).
  StatusOr<WindowRecord> LearnEvents(const datasets::TemporalDataset& events, int64_t first,
                                     const std::string& checkpoint_path);

  // The embeddings of `nodes` (as event sources) from the current model and node memory (after
  // Learn: the checkpointed ones), at the time just after the newest event learned: memory
  // updated with the pending mails, and for attention models the neighbours sampled from the
  // events kept. Pure: it changes nothing. InvalidArgument for a node outside the id space.
  StatusOr<NodeEmbeddings> Embed(const std::vector<NodeId>& nodes);

  // The stream position of the next event to learn: every earlier one was learned or skipped.
  int64_t next_event() const;
  // Learned events held for neighbour sampling and replay (bounded by continuous.history_events).
  int64_t events_kept() const;
  int64_t windows_learned() const;
  // Every window learned, resumed ones included (a few hundred bytes each).
  const std::vector<WindowRecord>& windows() const;
  // The warm-up run (empty after Resume).
  const TrainSummary& warmup() const;

 private:
  explicit ContinuousLearner(std::unique_ptr<ContinuousLearnerImpl> impl);
  std::unique_ptr<ContinuousLearnerImpl> impl_;
};

struct ContinuousOptions {
  // Continue from <log.dir>/continuous.pt when it exists (else start over).
  bool resume = false;
  // > 0: return after this many windows of this call (tests of resume).
  int64_t stop_after_windows = 0;
  // Print one line per window to stdout.
  bool print_windows = true;
  // Called after every window (record written, checkpoint taken).
  std::function<void(const WindowRecord&)> on_window;
};

struct ContinuousSummary {
  TrainSummary warmup;                // empty when resumed after the warm-up
  std::vector<WindowRecord> windows;  // every window so far, resumed ones included
  bool finished = false;              // false when stopped by stop_after_windows
  // Prequential AP over all windows' events (events-weighted mean of the windows' APs).
  double mean_prequential_ap() const;
};

// GNNFlow's protocol over a whole dataset (config.dataset, or `dataset` when given): the first
// continuous.warmup_fraction of the events is the warm-up, the rest arrives in windows of
// continuous.window events. Writes <log.dir>/windows.jsonl (one line per window),
// <log.dir>/continuous.pt (the learner after the last window) and the warm-up's files.
StatusOr<ContinuousSummary> RunContinuous(const trainers::TemporalConfig& config, const ContinuousOptions& options,
                                          const datasets::TemporalDataset* dataset = nullptr);

}  // namespace streamgnn::trainers
