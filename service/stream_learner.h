// StreamLearner: continuous learning inside `streamgnn serve --learn CONFIG` (docs/continuous.md,
// "In the service"; GNNFlow).
//
// One thread follows the store. Once continuous.warmup_events edges are stored it trains the
// warm-up; after that, whenever continuous.window new edges are stored, it learns them as a
// window (trainers/continuous.h: scored first, then trained on with replay), checkpoints to
// <dir>/continuous.pt and appends the window's record to <dir>/windows.jsonl. It reads each
// window's edges from the durable edge log and never takes the store's writer lock, so ingestion
// goes on while it trains. When more than continuous.max_lag windows wait, continuous.on_lag
// decides: coalesce learns every stored edge as one window (Stats counts the windows coalesced;
// no edge is skipped), newest learns the newest window and skips the rest (Stats counts the
// edges skipped). With continuous.history_events its memory stays bounded. On start it resumes
// from the checkpoint (or from a warm-up cut short), so a restarted server, after kill -9 too,
// continues with the first edge the checkpoint has not learned: no acknowledged edge is lost or
// scored twice.
//
// Learning needs edges in time order (the store's default out-of-order policy, refuse) and one
// edge feature width throughout. A learning error stops learning and is reported by Stats;
// ingestion is unaffected.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "trainers/temporal_config.h"
#include "core/status.h"
#include "datasets/temporal_dataset.h"
#include "service/server.h"
#include "service/stream_store.h"
#include "trainers/continuous.h"

namespace streamgnn::service {

struct StreamLearnerOptions {
  trainers::TemporalConfig config;  // the model, train.* and continuous.*; log.dir is replaced by `dir`
  std::string dir;      // the warm-up's run files and continuous.pt
  int64_t num_nodes = 0;  // the node id space (one node-memory row per id): the store's max_nodes
  std::chrono::milliseconds poll{50};  // how often the thread looks for new edges
};

class StreamLearner {
 public:
  // Starts the thread. InvalidArgument for a node id space too large to hold in memory or an
  // empty dir; errors of the config or the data surface later, in Stats().error.
  static StatusOr<std::unique_ptr<StreamLearner>> Start(const StreamStore* store,
                                                        StreamLearnerOptions options);
  ~StreamLearner();  // stops after the warm-up or window in progress

  LearnerStats Stats() const;
  // Embeddings from the latest checkpointed model and memory (ContinuousLearner::Embed). A call
  // during a window waits for it, so it answers from that window's checkpoint.
  // FailedPrecondition before the warm-up is done or after learning stopped with an error.
  StatusOr<Embeddings> Embed(const std::vector<NodeId>& nodes);
  // Blocks until `windows` windows are learned, learning has stopped with an error, or
  // `timeout` passes; true when the windows were reached.
  bool WaitForWindows(int64_t windows, std::chrono::milliseconds timeout) const;

 private:
  StreamLearner(const StreamStore* store, StreamLearnerOptions options);
  void Run();
  // One warm-up or window when enough edges are stored; *progressed says whether it learned.
  Status Step(bool* progressed);
  Status StartLearner();
  // The log's edges [first, first + count) as the learner's events; InvalidArgument when their
  // feature width differs from the first edges read.
  StatusOr<datasets::TemporalDataset> ReadEvents(int64_t first, int64_t count);

  const StreamStore* store_;
  const StreamLearnerOptions options_;
  int64_t width_ = -1;  // edge feature width of the first edges read (-1: none read yet)
  // After the warm-up. The learner thread holds learner_mu_ while it sets or uses learner_, Embed
  // while it embeds; learner_ready_ says (under mu_) that learner_ is set and usable.
  std::unique_ptr<trainers::ContinuousLearner> learner_;
  std::mutex learner_mu_;
  bool learner_ready_ = false;

  mutable std::mutex mu_;  // guards stats_ and stop_
  mutable std::condition_variable cv_;
  LearnerStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace streamgnn::service
