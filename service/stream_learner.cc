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
constexpr int64_t kMirrorChunk = int64_t{1} << 20;  // edges per log read
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
    : store_(store), options_(std::move(options)) {
  source_.name = "stream";
  source_.num_nodes = options_.num_nodes;
}

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

Status StreamLearner::Mirror(int64_t upto) {
  while (source_.num_events() < upto) {
    const int64_t first = source_.num_events();
    StatusOr<EdgeColumns> read = store_->log().Read(first, std::min(kMirrorChunk, upto - first),
                                                    /*one_width=*/true);
    if (first == 0 && read.ok()) source_.edge_feat_dim = read->feature_dim;
    if (read.ok() && read->feature_dim != source_.edge_feat_dim) {
      read = Status::InvalidArgument(fmt::format("edges from id {} carry {} features, earlier ones {}",
                                                 first, read->feature_dim, source_.edge_feat_dim));
    }
    if (!read.ok()) {
      return read.status().WithPrefix("learning needs one edge feature width throughout");
    }
    const EdgeColumns& edges = *read;
    if (edges.size() == 0) {
      return Status::Internal(fmt::format("edge log: edge {} is not stored", first));
    }
    source_.src.insert(source_.src.end(), edges.src.begin(), edges.src.end());
    source_.dst.insert(source_.dst.end(), edges.dst.begin(), edges.dst.end());
    source_.ts.insert(source_.ts.end(), edges.time.begin(), edges.time.end());
    source_.edge_feat.insert(source_.edge_feat.end(), edges.features.begin(), edges.features.end());
  }
  return Status::Ok();
}

// Resumes from continuous.pt, or trains the warm-up (resuming a warm-up cut short).
Status StreamLearner::StartLearner() {
  std::lock_guard<std::mutex> learner_lock(learner_mu_);
  const trainers::TemporalConfig& config = options_.config;
  const std::string checkpoint = options_.dir + "/continuous.pt";
  if (fs::exists(checkpoint)) {
    SG_RETURN_IF_ERROR(Mirror(store_->log().next_edge_id()));
    SG_ASSIGN_OR_RETURN(learner_, trainers::ContinuousLearner::Resume(config, source_, checkpoint));
  } else {
    const int64_t warmup = config.continuous.warmup_events;
    if (store_->log().next_edge_id() < warmup) return Status::Ok();
    SG_RETURN_IF_ERROR(Mirror(warmup));
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.training = true;
    }
    trainers::TrainOptions quiet;
    quiet.print_epochs = false;
    quiet.resume = fs::exists(options_.dir + "/checkpoint.pt");
    SG_ASSIGN_OR_RETURN(learner_, trainers::ContinuousLearner::Start(config, source_, warmup, quiet));
  }
  SG_RETURN_IF_ERROR(WriteWindows(options_.dir, learner_->windows(), config.train.eval_negatives > 0, true));
  std::lock_guard<std::mutex> lock(mu_);
  learner_ready_ = true;
  stats_.events = learner_->events_learned();
  stats_.windows = learner_->windows_learned();
  for (const trainers::WindowRecord& w : learner_->windows()) {
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
  const int64_t learned = learner_->events_learned();
  const int64_t pending = store_->log().next_edge_id() - learned;
  if (pending < c.window) return Status::Ok();
  // Behind by more than max_lag windows: everything stored, as one window.
  const int64_t count = pending > c.max_lag * c.window ? pending : c.window;
  SG_RETURN_IF_ERROR(Mirror(learned + count));
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.training = true;
  }
  std::unique_lock<std::mutex> learner_lock(learner_mu_);
  StatusOr<trainers::WindowRecord> window = learner_->Learn(source_, count, options_.dir + "/continuous.pt");
  learner_lock.unlock();
  SG_RETURN_IF_ERROR(window.status());
  const trainers::WindowRecord& w = *window;
  SG_RETURN_IF_ERROR(
      WriteWindows(options_.dir, {w}, options_.config.train.eval_negatives > 0, /*fresh=*/false));
  core::Logger()->info(
      "learner: window {} (edges {}..{}{}): prequential AP {:.4f}, trained on {} edges in {:.1f} s",
      w.window, w.first_event, w.first_event + w.events - 1,
      count > c.window ? fmt::format(", {} windows coalesced", count / c.window) : "",
      w.prequential.ap, w.trained_events, w.train_s);
  std::lock_guard<std::mutex> lock(mu_);
  stats_.windows = learner_->windows_learned();
  stats_.events = learner_->events_learned();
  stats_.prequential_ap.push_back(w.prequential.ap);
  stats_.train_s += w.train_s;
  if (count > c.window) stats_.coalesced_windows += count / c.window;
  *progressed = true;
  return Status::Ok();
}

}  // namespace streamgnn::service
