#include "service/stream_learner.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/logging.h"

namespace streamgnn::service {

namespace fs = std::filesystem;

namespace {
// Node memory holds one row per node id: beyond this the id space is surely a mistake
// (--max-nodes defaults to 2^32).
constexpr int64_t kMaxLearnedNodes = int64_t{1} << 28;
constexpr int64_t kReadChunk = int64_t{1} << 20;  // edges per log read
// Appends window records to <dir>/windows.jsonl (truncating first with `fresh`).
Status WriteWindows(const std::string& dir, const std::vector<trainers::WindowRecord>& windows, bool mrr,
                    bool fresh) {
  const std::string path = dir + "/windows.jsonl";
  std::ofstream out(path, fresh ? std::ios::trunc : std::ios::app);
  for (const trainers::WindowRecord& w : windows) out << w.ToJson(mrr) << "\n";
  if (!out) return Status::IOError(fmt::format("{}: cannot write", path));
  return Status::Ok();
}

}  // namespace

StreamLearner::StreamLearner(const StreamStore* store, StreamLearnerOptions options)
    : store_(store), options_(std::move(options)) {}

StatusOr<std::unique_ptr<StreamLearner>> StreamLearner::Start(const StreamStore* store,
                                                               StreamLearnerOptions options) {
  if (options.num_nodes < 1 || options.num_nodes > kMaxLearnedNodes) {
    return Status::InvalidArgument(fmt::format(
        "learning keeps one node-memory row per node id: set --max-nodes to the stream's id space "
        "(1..{}), not {}",
        kMaxLearnedNodes, options.num_nodes));
  }
  if (options.dir.empty()) return Status::InvalidArgument("StreamLearner: no directory for its files");
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot create: {}", options.dir, ec.message()));
  options.config.log.dir = options.dir;
  options.config.log.progress = core::ProgressMode::kNever;
  std::unique_ptr<StreamLearner> learner(new StreamLearner(store, std::move(options)));
  learner->thread_ = std::thread([l = learner.get()] { l->Run(); });
  return learner;
}

StreamLearner::~StreamLearner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

LearnerStats StreamLearner::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  LearnerStats s = stats_;
  s.lag_events = store_->log().next_edge_id() - s.events;
  return s;
}

StatusOr<Embeddings> StreamLearner::Embed(const std::vector<NodeId>& nodes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stats_.error.empty()) {
      return Status::FailedPrecondition("learning stopped: " + stats_.error);
    }
    if (!learner_ready_) {
      return Status::FailedPrecondition(fmt::format(
          "no model yet: the learner trains its warm-up once {} edges are stored",
          options_.config.continuous.warmup_events));
    }
  }
  std::lock_guard<std::mutex> lock(learner_mu_);
  SG_ASSIGN_OR_RETURN(trainers::NodeEmbeddings e, learner_->Embed(nodes));
  return Embeddings{e.dim, std::move(e.values), e.time};
}

bool StreamLearner::WaitForWindows(int64_t windows, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stats_.windows >= windows || !stats_.error.empty(); });
  return stats_.windows >= windows;
}

void StreamLearner::Run() {
  while (true) {
    bool progressed = false;
    Status s = Step(&progressed);
    std::unique_lock<std::mutex> lock(mu_);
    stats_.training = false;
    if (!s.ok()) {
      stats_.error = s.ToString();
      cv_.notify_all();
      return;
    }
    cv_.notify_all();
    if (stop_) return;
    if (!progressed) cv_.wait_for(lock, options_.poll, [&] { return stop_; });
    if (stop_) return;
  }
}

StatusOr<datasets::TemporalDataset> StreamLearner::ReadEvents(int64_t first, int64_t count) {
  datasets::TemporalDataset events;
  events.name = "stream";
  events.num_nodes = options_.num_nodes;
  events.edge_feat_dim = width_;
  for (int64_t at = first; at < first + count;) {
    StatusOr<EdgeColumns> read =
        store_->log().Read(at, std::min(kReadChunk, first + count - at), /*one_width=*/true);
    if (read.ok() && read->size() == 0) read = Status::Internal(fmt::format("edge {} is not stored", at));
    if (read.ok() && width_ >= 0 && read->feature_dim != width_) {
      read = Status::InvalidArgument(
          fmt::format("edges from id {} carry {} features, earlier ones {}", at, read->feature_dim, width_));
    }
    if (!read.ok()) {
      return read.status().WithPrefix(fmt::format(
          "edge log, reading edges [{}, {}) to learn (learning needs one edge feature width throughout)", first,
          first + count));
    }
    width_ = events.edge_feat_dim = read->feature_dim;
    const EdgeColumns& edges = *read;
    events.src.insert(events.src.end(), edges.src.begin(), edges.src.end());
    events.dst.insert(events.dst.end(), edges.dst.begin(), edges.dst.end());
    events.ts.insert(events.ts.end(), edges.time.begin(), edges.time.end());
    events.edge_feat.insert(events.edge_feat.end(), edges.features.begin(), edges.features.end());
    at += edges.size();
  }
  return events;
}

// Resumes from continuous.pt, or trains the warm-up (resuming a warm-up cut short).
Status StreamLearner::StartLearner() {
  std::lock_guard<std::mutex> learner_lock(learner_mu_);
  const trainers::TemporalConfig& config = options_.config;
  const std::string checkpoint = options_.dir + "/continuous.pt";
  if (fs::exists(checkpoint)) {
    const trainers::EventReader read = [this](int64_t first, int64_t count) {
      return ReadEvents(first, count);
    };
    SG_ASSIGN_OR_RETURN(learner_, trainers::ContinuousLearner::Resume(config, read, checkpoint));
  } else {
    const int64_t warmup = config.continuous.warmup_events;
    if (store_->log().next_edge_id() < warmup) return Status::Ok();
    SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset prefix, ReadEvents(0, warmup));
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.training = true;
    }
    trainers::TrainOptions quiet;
    quiet.print_epochs = false;
    quiet.resume = fs::exists(options_.dir + "/checkpoint.pt");
    SG_ASSIGN_OR_RETURN(learner_, trainers::ContinuousLearner::Start(config, prefix, warmup, quiet));
  }
  SG_RETURN_IF_ERROR(WriteWindows(options_.dir, learner_->windows(), config.train.eval_negatives > 0, true));
  std::lock_guard<std::mutex> lock(mu_);
  learner_ready_ = true;
  stats_.events = learner_->next_event();
  stats_.windows = learner_->windows_learned();
  for (const trainers::WindowRecord& w : learner_->windows()) {
    stats_.skipped_events += w.skipped_events;
    stats_.prequential_ap.push_back(w.prequential.ap);
    stats_.train_s += w.train_s;
  }
  return Status::Ok();
}

Status StreamLearner::Step(bool* progressed) {
  const bool started = learner_ != nullptr;
  if (!started) {
    SG_RETURN_IF_ERROR(StartLearner());
    *progressed = learner_ != nullptr;
    return Status::Ok();
  }
  const trainers::ContinuousConfig& c = options_.config.continuous;
  const int64_t stored = store_->log().next_edge_id();
  int64_t first = learner_->next_event(), count = stored - first;
  if (count < c.window) return Status::Ok();
  if (count <= c.max_lag * c.window) {
    count = c.window;
  } else if (c.on_lag == trainers::LagPolicy::kNewest) {
    first = stored - c.window;
    count = c.window;
  }  // else coalesce: every stored edge as one window
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset events, ReadEvents(first, count));
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.training = true;
  }
  std::unique_lock<std::mutex> learner_lock(learner_mu_);
  StatusOr<trainers::WindowRecord> window =
      learner_->LearnEvents(events, first, options_.dir + "/continuous.pt");
  learner_lock.unlock();
  SG_RETURN_IF_ERROR(window.status());
  const trainers::WindowRecord& w = *window;
  SG_RETURN_IF_ERROR(
      WriteWindows(options_.dir, {w}, options_.config.train.eval_negatives > 0, /*fresh=*/false));
  core::Logger()->info(
      "learner: window {} (edges {}..{}{}{}): prequential AP {:.4f}, trained on {} edges in {:.1f} s",
      w.window, w.first_event, w.first_event + w.events - 1,
      count > c.window ? fmt::format(", {} windows coalesced", count / c.window) : "",
      w.skipped_events > 0 ? fmt::format(", {} edges skipped", w.skipped_events) : "",
      w.prequential.ap, w.trained_events, w.train_s);
  std::lock_guard<std::mutex> lock(mu_);
  stats_.windows = learner_->windows_learned();
  stats_.events = learner_->next_event();
  stats_.skipped_events += w.skipped_events;
  stats_.prequential_ap.push_back(w.prequential.ap);
  stats_.train_s += w.train_s;
  if (count > c.window) stats_.coalesced_windows += count / c.window;
  *progressed = true;
  return Status::Ok();
}

}  // namespace streamgnn::service
