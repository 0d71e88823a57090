// Continuous learning over a growing event stream (continuous.h): the learner owns the stream
// of events learned so far and a TemporalTrainerImpl set up on it, whose passes it runs per
// window over a live block store.
#include "trainers/continuous.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "core/logging.h"
#include "core/rng.h"
#include "trainers/checkpoint_file.h"
#include "trainers/temporal_batch.h"
#include "trainers/temporal_trainer_impl.h"

namespace streamgnn::trainers {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kReplayStream = 0x5245504c;   // "REPL"
constexpr uint64_t kWindowStream = 0x57494e44;   // "WIND": per-window dropout seeds
constexpr int64_t kMinWarmupEvents = 10;         // what the warm-up's split needs at least

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The fixed part of a stream: its name, node id space and node features; no events.
datasets::TemporalDataset EmptyStream(const datasets::TemporalDataset& source) {
  datasets::TemporalDataset s;
  s.name = source.name;
  s.num_nodes = source.num_nodes;
  s.num_users = source.num_users;
  s.node_feat_dim = source.node_feat_dim;
  s.node_feat = source.node_feat;
  s.edge_feat_dim = source.edge_feat_dim;
  return s;
}

// Copies events [first, first + count) of `from`, with their edge features and labels, to the
// end of `to`.
void AppendEvents(const datasets::TemporalDataset& from, int64_t first, int64_t count,
                  datasets::TemporalDataset* to) {
  const auto range = [&](const auto& v, int64_t width) {
    return std::make_pair(v.begin() + first * width, v.begin() + (first + count) * width);
  };
  const auto append = [&](auto& dst, const auto& src, int64_t width) {
    const auto [b, e] = range(src, width);
    dst.insert(dst.end(), b, e);
  };
  append(to->src, from.src, 1);
  append(to->dst, from.dst, 1);
  append(to->ts, from.ts, 1);
  if (!from.labels.empty()) append(to->labels, from.labels, 1);
  if (from.edge_feat_dim > 0) append(to->edge_feat, from.edge_feat, from.edge_feat_dim);
}

// GNNFlow's replay: round(ratio x past) of the events [0, past), uniformly without replacement
// (Floyd's algorithm, Philox draws keyed by seed and window) or the newest; ascending.
std::vector<int64_t> ReplaySample(const trainers::ContinuousConfig& c, uint64_t seed, int64_t window,
                                  int64_t past) {
  const int64_t k = std::min<int64_t>(past, std::llround(c.replay_ratio * static_cast<double>(past)));
  std::vector<int64_t> out;
  if (k <= 0) return out;
  if (c.replay == trainers::ReplayKind::kRecent || k == past) {
    out.resize(static_cast<size_t>(k));
    std::iota(out.begin(), out.end(), past - k);
    return out;
  }
  core::RngStream rng(seed, kReplayStream, static_cast<uint64_t>(window));
  std::unordered_set<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(k) * 2);
  for (int64_t j = past - k; j < past; ++j) {
    const auto r = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
    chosen.insert(chosen.count(r) != 0 ? j : r);
  }
  out.assign(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<WindowRecord> ParseWindows(const std::string& lines) {
  std::vector<WindowRecord> records;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto field = [&](const char* key) { return JsonNumberAt(j, key); };
    const auto count = [&](const char* key) { return j.value(key, int64_t{0}); };
    WindowRecord r;
    r.window = count("window");
    r.first_event = count("first_event");
    r.events = count("events");
    r.prequential = {field("prequential_ap"), field("prequential_auc"), field("prequential_mrr"), r.events};
    r.prequential_inductive = {field("prequential_inductive_ap"), field("prequential_inductive_auc"),
                               field("prequential_inductive_mrr"), 0};
    r.trained_events = count("trained_events");
    r.train_loss = field("train_loss");
    r.eval_s = field("eval_s");
    r.train_s = field("train_s");
    r.checkpoint_s = field("checkpoint_s");
    records.push_back(r);
  }
  return records;
}

}  // namespace

std::string WindowRecord::ToJson(bool with_mrr) const {
  nlohmann::ordered_json j;
  j["window"] = window;
  j["first_event"] = first_event;
  j["events"] = events;
  PutMetrics(j, "prequential", prequential, with_mrr);
  PutMetrics(j, "prequential_inductive", prequential_inductive, with_mrr);
  j["trained_events"] = trained_events;
  j["train_loss"] = train_loss;
  j["eval_s"] = eval_s;
  j["train_s"] = train_s;
  j["checkpoint_s"] = checkpoint_s;
  return j.dump();
}

double ContinuousSummary::mean_prequential_ap() const {
  double sum = 0, events = 0;
  for (const WindowRecord& w : windows) {
    if (!std::isfinite(w.prequential.ap)) continue;
    sum += w.prequential.ap * static_cast<double>(w.events);
    events += static_cast<double>(w.events);
  }
  return events > 0 ? sum / events : std::numeric_limits<double>::quiet_NaN();
}

// The learner's state. The trainer holds references to config_ and stream_, so an instance never
// moves (ContinuousLearner keeps it behind a pointer).
class ContinuousLearnerImpl {
 public:
  ContinuousLearnerImpl(const trainers::TemporalConfig& config, datasets::TemporalDataset stream)
      : config_(config), stream_(std::move(stream)) {}

  // The trainer over the stream's events so far (the warm-up prefix).
  Status Setup();
  // Trains the warm-up run and keeps its best epoch's model.
  Status Warmup(const TrainOptions& options);
  // Restores what Write() wrote; the stream holds the warm-up prefix.
  Status Restore(torch::serialize::InputArchive& archive, const datasets::TemporalDataset& source,
                 int64_t events, const std::string& path);
  StatusOr<WindowRecord> Learn(const datasets::TemporalDataset& source, int64_t count,
                               const std::string& checkpoint_path);
  Status Write(const std::string& path) const;
  StatusOr<NodeEmbeddings> Embed(const std::vector<NodeId>& nodes);

  int64_t events() const { return stream_.num_events(); }
  const std::vector<WindowRecord>& windows() const { return windows_; }
  const TrainSummary& warmup() const { return warmup_; }

 private:
  Status CheckWindow(const datasets::TemporalDataset& source, int64_t count) const;
  // Takes the stream's events [from, events()) into the trainer: edge feature rows, inductive
  // flags (a node not seen before `from`), then the live store, then seen nodes and
  // destinations. A prequential pass appends to the store itself, so Learn calls the parts.
  Status Absorb(int64_t from);
  Status TakeEvents(int64_t from);
  void MarkSeen(int64_t from);
  Status ResetNegatives(bool eval);
  StatusOr<double> Train(const std::vector<int64_t>& events, int64_t window,
                         const memory::NodeMemory* start);

  const trainers::TemporalConfig config_;
  datasets::TemporalDataset stream_;
  std::unique_ptr<TemporalTrainerImpl> trainer_;
  EventStore live_;
  std::vector<uint8_t> seen_;         // per node: in an event absorbed so far
  std::vector<NodeId> destinations_;  // destinations absorbed so far, first appearance order
  std::vector<WindowRecord> windows_;
  TrainSummary warmup_;
  int64_t warmup_events_ = 0;  // the stream's first events, trained as the warm-up
};

Status ContinuousLearnerImpl::Setup() {
  if (config_.runtime.device != core::DeviceKind::kCpu) {
    return Status::Unimplemented(
        "runtime.device: continuous learning runs on the CPU for now (the device feature tables "
        "and block store do not grow yet)");
  }
  if (config_.eval.protocol == trainers::EvalProtocol::kTgb) {
    return Status::InvalidArgument(
        "eval.protocol: tgb ranks TGB's fixed val/test edges; continuous learning evaluates each "
        "window prequentially (use random)");
  }
  if (stream_.num_events() < kMinWarmupEvents) {
    return Status::InvalidArgument(fmt::format(
        "continuous: the warm-up has {} events; it needs at least {} to split and train on",
        stream_.num_events(), kMinWarmupEvents));
  }
  trainer_ = std::make_unique<TemporalTrainerImpl>(config_, stream_);
  SG_RETURN_IF_ERROR(trainer_->Setup());
  SG_ASSIGN_OR_RETURN(live_, trainer_->NewStore());
  seen_.assign(static_cast<size_t>(stream_.num_nodes), 0);
  return Status::Ok();
}

Status ContinuousLearnerImpl::Warmup(const TrainOptions& options) {
  SG_ASSIGN_OR_RETURN(warmup_, trainer_->Train(options));
  // Keep the best epoch: its checkpoint holds the memory after its training pass, and the
  // evaluation brings that memory through the warm-up's validation and test events. (Without
  // checkpoints the last epoch stays, its memory already past its evaluation.)
  const std::string best = config_.log.dir + "/best.pt";
  if (config_.train.checkpoint && fs::exists(best)) {
    int64_t epoch = 0, best_epoch = 0, bad = 0;
    std::string history;
    SG_RETURN_IF_ERROR(trainer_->ReadCheckpoint(best, true, &epoch, &history, &best_epoch, &bad));
    SG_RETURN_IF_ERROR(trainer_->Evaluate().status());
  }
  warmup_events_ = events();
  return Absorb(0);
}

Status ContinuousLearnerImpl::Restore(torch::serialize::InputArchive& archive,
                                      const datasets::TemporalDataset& source, int64_t events,
                                      const std::string& path) {
  warmup_events_ = stream_.num_events();
  AppendEvents(source, warmup_events_, events - warmup_events_, &stream_);
  SG_RETURN_IF_ERROR(Absorb(0));
  SG_RETURN_IF_ERROR(trainer_->ReadState(archive, true, path));
  c10::IValue lines;
  archive.read("continuous_windows", lines);
  windows_ = ParseWindows(lines.toStringRef());
  return Status::Ok();
}

Status ContinuousLearnerImpl::TakeEvents(int64_t from) {
  const int64_t to = events();
  // The rows may have moved as the stream grew: a fresh view (on the CPU a view, no copy).
  SG_ASSIGN_OR_RETURN(trainer_->edge_features_,
                      FeatureRows::Create(stream_.edge_feat.data(), to, stream_.edge_feat_dim,
                                          config_.runtime.feature_cache_ratio, trainer_->device_));
  std::vector<uint8_t>& inductive = trainer_->split_.inductive;
  inductive.resize(static_cast<size_t>(to), 0);
  for (int64_t e = from; e < to; ++e) inductive[e] = !seen_[stream_.src[e]] || !seen_[stream_.dst[e]];
  return Status::Ok();
}

void ContinuousLearnerImpl::MarkSeen(int64_t from) {
  for (int64_t e = from; e < events(); ++e) {
    seen_[stream_.src[e]] = 1;
    if (!seen_[stream_.dst[e]]) destinations_.push_back(stream_.dst[e]);
    seen_[stream_.dst[e]] = 1;
  }
}

Status ContinuousLearnerImpl::Absorb(int64_t from) {
  SG_RETURN_IF_ERROR(TakeEvents(from));
  std::vector<int64_t> ids(static_cast<size_t>(events() - from));
  std::iota(ids.begin(), ids.end(), from);
  SG_RETURN_IF_ERROR(trainer_->Append(&live_, ids.data(), events() - from));
  MarkSeen(from);
  return Status::Ok();
}

// Negatives from the destinations absorbed so far (train.negative_pool destinations; with `all`
// the setup's range samplers stay).
Status ContinuousLearnerImpl::ResetNegatives(bool eval) {
  if (config_.train.negative_pool != trainers::NegativePool::kDestinations) return Status::Ok();
  SG_ASSIGN_OR_RETURN(sampling::NegativeSampler s,
                      sampling::NegativeSampler::FromCandidates(destinations_, config_.train.seed));
  (eval ? trainer_->eval_negatives_ : trainer_->train_negatives_).emplace(std::move(s));
  return Status::Ok();
}

Status ContinuousLearnerImpl::CheckWindow(const datasets::TemporalDataset& source, int64_t count) const {
  const int64_t first = events();
  if (count < 1) return Status::InvalidArgument("continuous: a window needs at least one event");
  if (source.num_events() < first + count) {
    return Status::InvalidArgument(fmt::format(
        "continuous: the stream has {} events; window [{}, {}) has not arrived", source.num_events(),
        first, first + count));
  }
  if (source.num_nodes != stream_.num_nodes || source.edge_feat_dim != stream_.edge_feat_dim) {
    return Status::InvalidArgument(fmt::format(
        "continuous: the stream changed shape ({} nodes, {} edge features; learned with {}, {})",
        source.num_nodes, source.edge_feat_dim, stream_.num_nodes, stream_.edge_feat_dim));
  }
  for (int64_t e = first; e < first + count; ++e) {
    const Timestamp before = e > 0 ? source.ts[e - 1] : source.ts[e];
    if (source.ts[e] < before) {
      return Status::InvalidArgument(fmt::format(
          "continuous: event {} at time {} is older than event {} at {}", e, source.ts[e], e - 1, before));
    }
    if (source.src[e] < 0 || source.src[e] >= stream_.num_nodes || source.dst[e] < 0 ||
        source.dst[e] >= stream_.num_nodes) {
      return Status::InvalidArgument(fmt::format("continuous: event {} has a node outside [0, {})", e,
                                                 stream_.num_nodes));
    }
  }
  return Status::Ok();
}

// continuous.epoch training passes over `events`, each from node memory `start` (a reset
// memory when null), sampling from the live store. Returns the last pass's mean loss.
StatusOr<double> ContinuousLearnerImpl::Train(const std::vector<int64_t>& events, int64_t window,
                                              const memory::NodeMemory* start) {
  TemporalTrainerImpl& t = *trainer_;
  t.model_->train();
  live_.complete = true;
  double loss = 0;
  for (int64_t e = 1; e <= config_.continuous.epoch; ++e) {
    torch::manual_seed(core::StreamKey(static_cast<uint64_t>(config_.train.seed), kWindowStream,
                                       core::StreamKey(static_cast<uint64_t>(window), static_cast<uint64_t>(e))));
    if (t.memory_) {
      if (start != nullptr) {
        t.memory_.emplace(start->Clone());
      } else {
        t.memory_->Reset();
      }
    }
    if (t.pres_) t.pres_->Reset();
    // Training negatives are keyed by the pass's epoch argument: one key per (window, pass).
    const int64_t key = static_cast<int64_t>(core::StreamKey(static_cast<uint64_t>(window),
                                                            static_cast<uint64_t>(e)) >> 1);
    StatusOr<PassResult> pass = t.RunPass(PassMode::kTrain, events, &live_, key, nullptr);
    if (!pass.ok()) {
      live_.complete = false;
      return pass.status();
    }
    loss = pass->loss_sum / static_cast<double>(std::max<int64_t>(1, pass->batches));
  }
  live_.complete = false;
  return loss;
}

StatusOr<WindowRecord> ContinuousLearnerImpl::Learn(const datasets::TemporalDataset& source, int64_t count,
                                                    const std::string& checkpoint_path) {
  SG_RETURN_IF_ERROR(CheckWindow(source, count));
  TemporalTrainerImpl& t = *trainer_;
  WindowRecord r;
  r.window = static_cast<int64_t>(windows_.size()) + 1;
  r.first_event = events();
  r.events = count;

  // 1. Prequential: negatives from the destinations seen before the window.
  SG_RETURN_IF_ERROR(ResetNegatives(/*eval=*/true));
  AppendEvents(source, r.first_event, count, &stream_);
  std::optional<memory::NodeMemory> at_start;
  if (t.memory_) at_start.emplace(t.memory_->Clone());
  std::vector<int64_t> window(static_cast<size_t>(count));
  std::iota(window.begin(), window.end(), r.first_event);
  SG_RETURN_IF_ERROR(TakeEvents(r.first_event));
  const auto t0 = Clock::now();
  t.model_->eval();
  SG_ASSIGN_OR_RETURN(const PassResult scored, t.RunPass(PassMode::kPrequential, window, &live_, r.window, nullptr));
  r.prequential = scored.all;
  r.prequential_inductive = scored.inductive;
  r.eval_s = Seconds(t0);
  MarkSeen(r.first_event);

  // 2. Train on the window and its replay sample, from the memory of the window's start.
  std::optional<memory::NodeMemory> after_window;
  if (t.memory_) after_window.emplace(t.memory_->Clone());
  std::vector<int64_t> trained =
      ReplaySample(config_.continuous, static_cast<uint64_t>(config_.train.seed), r.window, r.first_event);
  const bool replay = !trained.empty();
  trained.insert(trained.end(), window.begin(), window.end());
  r.trained_events = static_cast<int64_t>(trained.size());
  SG_RETURN_IF_ERROR(ResetNegatives(/*eval=*/false));
  const auto t1 = Clock::now();
  SG_ASSIGN_OR_RETURN(r.train_loss, Train(trained, r.window, replay || !at_start ? nullptr : &*at_start));
  r.train_s = Seconds(t1);

  // 3. The memory the prequential pass left; 4. the checkpoint.
  if (after_window) t.memory_.emplace(std::move(*after_window));
  windows_.push_back(r);
  if (!checkpoint_path.empty()) {
    const auto t2 = Clock::now();
    SG_RETURN_IF_ERROR(Write(checkpoint_path));
    windows_.back().checkpoint_s = Seconds(t2);
  }
  return windows_.back();
}

StatusOr<NodeEmbeddings> ContinuousLearnerImpl::Embed(const std::vector<NodeId>& nodes) {
  for (NodeId v : nodes) {
    if (v < 0 || v >= stream_.num_nodes) {
      return Status::InvalidArgument(fmt::format("Embed: node {} is outside [0, {})", v, stream_.num_nodes));
    }
  }
  TemporalTrainerImpl& t = *trainer_;
  NodeEmbeddings out;
  // Just after the newest event, so that the sampler (strictly earlier edges) sees all of them.
  out.time = std::nextafter(stream_.ts.back(), std::numeric_limits<double>::infinity());
  BatchShard shard;
  shard.n = static_cast<int64_t>(nodes.size());
  shard.roots = nodes;
  shard.times.assign(nodes.size(), out.time);
  const bool attention = t.model_->uses_neighbors_for_embedding();
  const int64_t levels = attention ? static_cast<int64_t>(t.fanouts_.size()) + 1 : 1;
  if (attention) {
    t.sampler_->Sample(live_.graph->GetSnapshot(), Span<const NodeId>(shard.roots),
                       Span<const Timestamp>(shard.times), /*batch_key=*/0, &shard.sample);
  }
  BuildShardInputs(live_.event_of_edge, levels, &shard);
  SG_RETURN_IF_ERROR(t.GatherInputs(&shard));
  if (t.memory_) shard.rows = t.memory_->Read(shard.in.nodes);
  torch::NoGradGuard no_grad;
  t.model_->eval();
  const torch::Tensor e =
      t.model_->forward(shard.in, t.memory_ ? &shard.rows : nullptr).embeddings.to(torch::kCPU).contiguous();
  out.dim = e.size(1);
  out.values.assign(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
  return out;
}

Status ContinuousLearnerImpl::Write(const std::string& path) const {
  torch::serialize::OutputArchive archive;
  try {
    trainer_->WriteState(archive, trainer_->memory_ ? &*trainer_->memory_ : nullptr,
                         trainer_->pres_ ? &*trainer_->pres_ : nullptr);
    archive.write("continuous_warmup_events", torch::tensor(warmup_events_));
    archive.write("continuous_events", torch::tensor(events()));
    std::string lines;
    for (const WindowRecord& w : windows_) lines += w.ToJson(trainer_->with_mrr()) + "\n";
    archive.write("continuous_windows", c10::IValue(lines));
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: cannot write checkpoint: {}", path, e.what()));
  }
  return SaveCheckpointFile(archive, path);
}

ContinuousLearner::ContinuousLearner(std::unique_ptr<ContinuousLearnerImpl> impl) : impl_(std::move(impl)) {}
ContinuousLearner::~ContinuousLearner() = default;

StatusOr<std::unique_ptr<ContinuousLearner>> ContinuousLearner::Start(
    const trainers::TemporalConfig& config, const datasets::TemporalDataset& source, int64_t warmup_events,
    const TrainOptions& options) {
  if (warmup_events > source.num_events()) {
    return Status::InvalidArgument(fmt::format("continuous: a warm-up of {} events, the stream has {}",
                                               warmup_events, source.num_events()));
  }
  datasets::TemporalDataset stream = EmptyStream(source);
  AppendEvents(source, 0, warmup_events, &stream);
  auto impl = std::make_unique<ContinuousLearnerImpl>(config, std::move(stream));
  try {
    SG_RETURN_IF_ERROR(impl->Setup());
    SG_RETURN_IF_ERROR(impl->Warmup(options));
  } catch (const std::exception& e) {  // LibTorch reports by throwing
    return Status::Internal(fmt::format("continuous warm-up failed: {}", e.what()));
  }
  return std::unique_ptr<ContinuousLearner>(new ContinuousLearner(std::move(impl)));
}

StatusOr<std::unique_ptr<ContinuousLearner>> ContinuousLearner::Resume(
    const trainers::TemporalConfig& config, const datasets::TemporalDataset& source, const std::string& checkpoint_path) {
  try {
    torch::serialize::InputArchive archive;
    SG_RETURN_IF_ERROR(LoadCheckpointFile(checkpoint_path, torch::kCPU, &archive));
    const auto scalar = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t.item<int64_t>();
    };
    const int64_t warmup = scalar("continuous_warmup_events"), events = scalar("continuous_events");
    if (source.num_events() < events) {
      return Status::FailedPrecondition(fmt::format(
          "{}: the checkpoint has learned {} events, the stream has {}", checkpoint_path, events,
          source.num_events()));
    }
    datasets::TemporalDataset stream = EmptyStream(source);
    AppendEvents(source, 0, warmup, &stream);
    auto impl = std::make_unique<ContinuousLearnerImpl>(config, std::move(stream));
    SG_RETURN_IF_ERROR(impl->Setup());
    SG_RETURN_IF_ERROR(impl->Restore(archive, source, events, checkpoint_path));
    return std::unique_ptr<ContinuousLearner>(new ContinuousLearner(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: cannot resume: {}", checkpoint_path, e.what()));
  }
}

StatusOr<WindowRecord> ContinuousLearner::Learn(const datasets::TemporalDataset& source, int64_t count,
                                                const std::string& checkpoint_path) {
  try {
    return impl_->Learn(source, count, checkpoint_path);
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("continuous learning failed: {}", e.what()));
  }
}

StatusOr<NodeEmbeddings> ContinuousLearner::Embed(const std::vector<NodeId>& nodes) {
  try {
    return impl_->Embed(nodes);
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("Embed failed: {}", e.what()));
  }
}

int64_t ContinuousLearner::events_learned() const { return impl_->events(); }
int64_t ContinuousLearner::windows_learned() const { return static_cast<int64_t>(impl_->windows().size()); }
const std::vector<WindowRecord>& ContinuousLearner::windows() const { return impl_->windows(); }
const TrainSummary& ContinuousLearner::warmup() const { return impl_->warmup(); }

StatusOr<ContinuousSummary> RunContinuous(const trainers::TemporalConfig& config, const ContinuousOptions& options,
                                          const datasets::TemporalDataset* dataset) {
  std::optional<datasets::TemporalDataset> loaded;
  if (dataset == nullptr) {
    SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, LoadConfigDataset(config));
    loaded.emplace(std::move(ds));
    dataset = &*loaded;
  }
  const std::string dir = config.log.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot create log.dir: {}", dir, ec.message()));
  const std::string checkpoint = dir + "/continuous.pt", windows_path = dir + "/windows.jsonl";
  const int64_t total = dataset->num_events();
  std::unique_ptr<ContinuousLearner> learner;
  ContinuousSummary summary;
  if (options.resume && fs::exists(checkpoint)) {
    SG_ASSIGN_OR_RETURN(learner, ContinuousLearner::Resume(config, *dataset, checkpoint));
    core::Logger()->info("resuming after window {} ({} events) from {}", learner->windows_learned(),
                         learner->events_learned(), checkpoint);
  } else {
    TrainOptions warm;
    warm.resume = options.resume && fs::exists(dir + "/checkpoint.pt");  // a warm-up cut short
    warm.print_epochs = options.print_windows;
    const auto warmup = static_cast<int64_t>(config.continuous.warmup_fraction * static_cast<double>(total));
    SG_ASSIGN_OR_RETURN(learner, ContinuousLearner::Start(config, *dataset, warmup, warm));
    summary.warmup = learner->warmup();
  }
  const bool mrr = config.train.eval_negatives > 0;
  {
    std::ofstream out(windows_path, std::ios::trunc);  // exactly the windows learned so far
    for (const WindowRecord& w : learner->windows()) out << w.ToJson(mrr) << "\n";
    if (!out) return Status::IOError(fmt::format("{}: cannot write", windows_path));
  }
  int64_t run_here = 0;
  while (learner->events_learned() < total) {
    const int64_t count = std::min(config.continuous.window, total - learner->events_learned());
    SG_ASSIGN_OR_RETURN(const WindowRecord w, learner->Learn(*dataset, count, checkpoint));
    std::ofstream out(windows_path, std::ios::app);
    out << w.ToJson(mrr) << "\n";
    if (!out) return Status::IOError(fmt::format("{}: cannot write", windows_path));
    if (options.print_windows) {
      std::printf("window %lld (events %lld..%lld): prequential AP %.4f AUC %.4f (inductive AP %.4f)  "
                  "trained on %lld events, loss %.4f  eval %.1f s, train %.1f s\n",
                  static_cast<long long>(w.window), static_cast<long long>(w.first_event),
                  static_cast<long long>(w.first_event + w.events - 1), w.prequential.ap, w.prequential.auc,
                  w.prequential_inductive.ap, static_cast<long long>(w.trained_events), w.train_loss,
                  w.eval_s, w.train_s);
      std::fflush(stdout);
    }
    if (options.on_window) options.on_window(w);
    if (options.stop_after_windows > 0 && ++run_here >= options.stop_after_windows &&
        learner->events_learned() < total) {
      summary.windows = learner->windows();
      return summary;
    }
  }
  summary.windows = learner->windows();
  summary.finished = true;
  return summary;
}

}  // namespace streamgnn::trainers
