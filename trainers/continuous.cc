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

// Events [first, first + count) of `source` as a stream of their own.
datasets::TemporalDataset Slice(const datasets::TemporalDataset& source, int64_t first, int64_t count) {
  datasets::TemporalDataset s = EmptyStream(source);
  AppendEvents(source, first, count, &s);
  return s;
}

// Removes the first `count` events of `s`.
void DropEvents(int64_t count, datasets::TemporalDataset* s) {
  const auto drop = [&](auto& v, int64_t width) {
    if (!v.empty()) v.erase(v.begin(), v.begin() + count * width);
  };
  drop(s->src, 1);
  drop(s->dst, 1);
  drop(s->ts, 1);
  drop(s->labels, 1);
  drop(s->edge_feat, s->edge_feat_dim);
}

// GNNFlow's replay: round(ratio x past) of the events [first, first + past), uniformly without
// replacement (Floyd's algorithm, Philox draws keyed by seed and window) or the newest; ascending.
std::vector<int64_t> ReplaySample(const trainers::ContinuousConfig& c, uint64_t seed, int64_t window,
                                  int64_t first, int64_t past) {
  const int64_t k = std::min<int64_t>(past, std::llround(c.replay_ratio * static_cast<double>(past)));
  std::vector<int64_t> out;
  if (k <= 0) return out;
  if (c.replay == trainers::ReplayKind::kRecent || k == past) {
    out.resize(static_cast<size_t>(k));
    std::iota(out.begin(), out.end(), first + past - k);
    return out;
  }
  core::RngStream rng(seed, kReplayStream, static_cast<uint64_t>(window));
  std::unordered_set<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(k) * 2);
  for (int64_t j = past - k; j < past; ++j) {
    const auto r = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(j + 1)));
    chosen.insert(chosen.count(r) != 0 ? j : r);
  }
  for (int64_t e : chosen) out.push_back(first + e);
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
    r.skipped_events = count("skipped_events");
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
  j["skipped_events"] = skipped_events;
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
// moves (ContinuousLearner keeps it behind a pointer). The trainer's event ids are positions in
// stream_, the events kept; runs_ maps them back to stream positions.
class ContinuousLearnerImpl {
 public:
  ContinuousLearnerImpl(const trainers::TemporalConfig& config, datasets::TemporalDataset stream)
      : config_(config), stream_(std::move(stream)) {}

  // The trainer over the stream's events so far (the warm-up prefix).
  Status Setup();
  // Trains the warm-up run and keeps its best epoch's model.
  Status Warmup(const TrainOptions& options);
  // Restores what Write() wrote; the stream holds the warm-up prefix, `read` gives the rest.
  Status Restore(torch::serialize::InputArchive& archive, const EventReader& read, const std::string& path);
  StatusOr<WindowRecord> Learn(const datasets::TemporalDataset& events, int64_t first,
                               const std::string& checkpoint_path);
  Status Write(const std::string& path) const;
  StatusOr<NodeEmbeddings> Embed(const std::vector<NodeId>& nodes);

  int64_t kept() const { return stream_.num_events(); }
  int64_t next_event() const { return next_event_; }
  const std::vector<WindowRecord>& windows() const { return windows_; }
  const TrainSummary& warmup() const { return warmup_; }

 private:
  Status CheckWindow(const datasets::TemporalDataset& events, int64_t first) const;
  // Takes the stream's events [from, kept()) into the trainer: edge feature rows, inductive
  // flags (a node not seen before `from`), then the live store, then seen nodes and
  // destinations. A prequential pass appends to the store itself, so Learn calls the parts.
  Status Absorb(int64_t from);
  Status TakeEvents(int64_t from);
  void MarkSeen(int64_t from);
  // A fresh live store of every kept event (its edge ids follow the trainer's event ids).
  Status RebuildStore();
  // Records that stream positions [first, first + count) were appended to stream_.
  void AddRun(int64_t first, int64_t count);
  // continuous.history_events: at twice as many kept, drops all but the newest.
  Status Forget();
  Status ResetNegatives(bool eval);
  StatusOr<double> Train(const std::vector<int64_t>& events, int64_t window,
                         const memory::NodeMemory* start);

  const trainers::TemporalConfig config_;
  datasets::TemporalDataset stream_;  // the events kept, oldest first
  std::vector<std::pair<int64_t, int64_t>> runs_;  // stream_'s stream positions: (first, count), in order
  int64_t next_event_ = 0;
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
  if (kept() < kMinWarmupEvents) {
    return Status::InvalidArgument(fmt::format(
        "continuous: the warm-up has {} events; it needs at least {} to split and train on", kept(),
        kMinWarmupEvents));
  }
  trainer_ = std::make_unique<TemporalTrainerImpl>(config_, stream_);
  SG_RETURN_IF_ERROR(trainer_->Setup());
  SG_ASSIGN_OR_RETURN(live_, trainer_->NewStore());
  seen_.assign(static_cast<size_t>(stream_.num_nodes), 0);
  warmup_events_ = next_event_ = kept();
  runs_ = {{0, kept()}};
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
  SG_RETURN_IF_ERROR(Absorb(0));
  return Forget();
}

namespace {

// A 1-D tensor of `v`'s values (a copy).
template <class T>
torch::Tensor ToTensor(const std::vector<T>& v, torch::ScalarType type) {
  return torch::from_blob(const_cast<T*>(v.data()), {static_cast<int64_t>(v.size())}, type).clone();
}

template <class T>
std::vector<T> FromTensor(torch::serialize::InputArchive& archive, const char* key) {
  torch::Tensor t;
  archive.read(key, t);
  t = t.contiguous();
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
}

}  // namespace

Status ContinuousLearnerImpl::Restore(torch::serialize::InputArchive& archive, const EventReader& read,
                                      const std::string& path) {
  const std::vector<int64_t> runs = FromTensor<int64_t>(archive, "continuous_runs");
  next_event_ = FromTensor<int64_t>(archive, "continuous_next_event").at(0);
  seen_ = FromTensor<uint8_t>(archive, "continuous_seen");
  destinations_ = FromTensor<int64_t>(archive, "continuous_destinations");
  if (runs.size() % 2 != 0 || seen_.size() != static_cast<size_t>(stream_.num_nodes)) {
    return Status::Corruption(fmt::format("{}: kept runs or seen nodes do not fit a stream of {} nodes", path,
                                          stream_.num_nodes));
  }
  // Only the event columns change: the trainer views the node features in place.
  DropEvents(kept(), &stream_);
  runs_.clear();
  for (size_t i = 0; i < runs.size(); i += 2) {
    if (runs[i] < 0 || runs[i + 1] < 1 || runs[i] + runs[i + 1] > next_event_) {
      return Status::Corruption(fmt::format("{}: kept run [{}, +{}) is not before event {}", path, runs[i],
                                            runs[i + 1], next_event_));
    }
    StatusOr<datasets::TemporalDataset> part = read(runs[i], runs[i + 1]);
    if (!part.ok()) return part.status().WithPrefix(path);
    if (part->num_events() != runs[i + 1] || part->edge_feat_dim != stream_.edge_feat_dim) {
      return Status::FailedPrecondition(fmt::format(
          "{}: the stream's events [{}, +{}) read back as {} events of {} edge features, learned with {}",
          path,
          runs[i], runs[i + 1], part->num_events(), part->edge_feat_dim, stream_.edge_feat_dim));
    }
    AppendEvents(*part, 0, runs[i + 1], &stream_);
    runs_.emplace_back(runs[i], runs[i + 1]);
  }
  trainer_->split_.inductive.assign(static_cast<size_t>(this->kept()), 0);
  SG_RETURN_IF_ERROR(RebuildStore());
  SG_RETURN_IF_ERROR(trainer_->ReadState(archive, true, path));
  c10::IValue lines;
  archive.read("continuous_windows", lines);
  windows_ = ParseWindows(lines.toStringRef());
  return Status::Ok();
}

Status ContinuousLearnerImpl::TakeEvents(int64_t from) {
  const int64_t to = kept();
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
  for (int64_t e = from; e < kept(); ++e) {
    seen_[stream_.src[e]] = 1;
    if (!seen_[stream_.dst[e]]) destinations_.push_back(stream_.dst[e]);
    seen_[stream_.dst[e]] = 1;
  }
}

Status ContinuousLearnerImpl::Absorb(int64_t from) {
  SG_RETURN_IF_ERROR(TakeEvents(from));
  std::vector<int64_t> ids(static_cast<size_t>(kept() - from));
  std::iota(ids.begin(), ids.end(), from);
  SG_RETURN_IF_ERROR(trainer_->Append(&live_, ids.data(), kept() - from));
  MarkSeen(from);
  return Status::Ok();
}

Status ContinuousLearnerImpl::RebuildStore() {
  SG_ASSIGN_OR_RETURN(live_, trainer_->NewStore());
  SG_RETURN_IF_ERROR(TakeEvents(kept()));  // only the feature view: no new events
  std::vector<int64_t> ids(static_cast<size_t>(kept()));
  std::iota(ids.begin(), ids.end(), 0);
  return trainer_->Append(&live_, ids.data(), kept());
}

void ContinuousLearnerImpl::AddRun(int64_t first, int64_t count) {
  if (!runs_.empty() && runs_.back().first + runs_.back().second == first) {
    runs_.back().second += count;
  } else {
    runs_.emplace_back(first, count);
  }
}

// Halving at twice the bound keeps the rebuild's cost per learned event constant.
Status ContinuousLearnerImpl::Forget() {
  const int64_t history = config_.continuous.history_events;
  if (history == 0 || kept() < 2 * history) return Status::Ok();
  const int64_t drop = kept() - history;
  DropEvents(drop, &stream_);
  std::vector<uint8_t>& inductive = trainer_->split_.inductive;
  inductive.erase(inductive.begin(), inductive.begin() + drop);
  for (int64_t left = drop; left > 0;) {
    auto& run = runs_.front();
    const int64_t take = std::min(left, run.second);
    run.first += take;
    run.second -= take;
    left -= take;
    if (run.second == 0) runs_.erase(runs_.begin());
  }
  return RebuildStore();
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

Status ContinuousLearnerImpl::CheckWindow(const datasets::TemporalDataset& events, int64_t first) const {
  const int64_t count = events.num_events();
  if (count < 1) return Status::InvalidArgument("continuous: a window needs at least one event");
  if (first < next_event_) {
    return Status::InvalidArgument(fmt::format(
        "continuous: window [{}, {}) starts before event {}, the next one to learn", first, first + count,
        next_event_));
  }
  if (events.num_nodes != stream_.num_nodes || events.edge_feat_dim != stream_.edge_feat_dim) {
    return Status::InvalidArgument(fmt::format(
        "continuous: the stream changed shape ({} nodes, {} edge features; learned with {}, {})",
        events.num_nodes, events.edge_feat_dim, stream_.num_nodes, stream_.edge_feat_dim));
  }
  for (int64_t e = 0; e < count; ++e) {
    const Timestamp before = e > 0 ? events.ts[e - 1] : stream_.ts.back();
    if (events.ts[e] < before) {
      const std::string previous = e > 0 ? fmt::format("event {}", first + e - 1) : "the last event learned";
      return Status::InvalidArgument(fmt::format("continuous: event {} at time {} is older than {} at {}",
                                                 first + e, events.ts[e], previous, before));
    }
    if (events.src[e] < 0 || events.src[e] >= stream_.num_nodes || events.dst[e] < 0 ||
        events.dst[e] >= stream_.num_nodes) {
      return Status::InvalidArgument(fmt::format("continuous: event {} has a node outside [0, {})", first + e,
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

StatusOr<WindowRecord> ContinuousLearnerImpl::Learn(const datasets::TemporalDataset& events, int64_t first,
                                                    const std::string& checkpoint_path) {
  SG_RETURN_IF_ERROR(CheckWindow(events, first));
  TemporalTrainerImpl& t = *trainer_;
  WindowRecord r;
  r.window = static_cast<int64_t>(windows_.size()) + 1;
  r.first_event = first;
  r.events = events.num_events();
  r.skipped_events = first - next_event_;

  // 1. Prequential: negatives from the destinations seen before the window.
  SG_RETURN_IF_ERROR(ResetNegatives(/*eval=*/true));
  const int64_t at = kept();  // the window's first event id in the trainer
  AppendEvents(events, 0, r.events, &stream_);
  std::optional<memory::NodeMemory> at_start;
  if (t.memory_) at_start.emplace(t.memory_->Clone());
  std::vector<int64_t> window(static_cast<size_t>(r.events));
  std::iota(window.begin(), window.end(), at);
  SG_RETURN_IF_ERROR(TakeEvents(at));
  const auto t0 = Clock::now();
  t.model_->eval();
  SG_ASSIGN_OR_RETURN(const PassResult scored, t.RunPass(PassMode::kPrequential, window, &live_, r.window, nullptr));
  r.prequential = scored.all;
  r.prequential_inductive = scored.inductive;
  r.eval_s = Seconds(t0);
  MarkSeen(at);

  // 2. Train on the window and its replay sample (from the newest history_events kept before
  // it), from the memory of the window's start.
  std::optional<memory::NodeMemory> after_window;
  if (t.memory_) after_window.emplace(t.memory_->Clone());
  const int64_t history = config_.continuous.history_events;
  const int64_t replay_from = history > 0 ? std::max<int64_t>(0, at - history) : 0;
  std::vector<int64_t> trained = ReplaySample(config_.continuous, static_cast<uint64_t>(config_.train.seed),
                                              r.window, replay_from, at - replay_from);
  const bool replay = !trained.empty();
  trained.insert(trained.end(), window.begin(), window.end());
  r.trained_events = static_cast<int64_t>(trained.size());
  SG_RETURN_IF_ERROR(ResetNegatives(/*eval=*/false));
  const auto t1 = Clock::now();
  SG_ASSIGN_OR_RETURN(r.train_loss, Train(trained, r.window, replay || !at_start ? nullptr : &*at_start));
  r.train_s = Seconds(t1);

  // 3. The memory the prequential pass left; 4. the checkpoint.
  if (after_window) t.memory_.emplace(std::move(*after_window));
  AddRun(first, r.events);
  next_event_ = first + r.events;
  SG_RETURN_IF_ERROR(Forget());
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
    archive.write("continuous_next_event", torch::tensor(next_event_));
    std::vector<int64_t> runs;
    for (const auto& [first, count] : runs_) runs.insert(runs.end(), {first, count});
    archive.write("continuous_runs", ToTensor(runs, torch::kInt64));
    archive.write("continuous_seen", ToTensor(seen_, torch::kUInt8));
    archive.write("continuous_destinations", ToTensor(destinations_, torch::kInt64));
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
  auto impl = std::make_unique<ContinuousLearnerImpl>(config, Slice(source, 0, warmup_events));
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
  const EventReader read = [&source](int64_t first, int64_t count) -> StatusOr<datasets::TemporalDataset> {
    if (source.num_events() < first + count) {
      return Status::FailedPrecondition(fmt::format(
          "the checkpoint has learned events up to {}, the stream has {}", first + count,
          source.num_events()));
    }
    return Slice(source, first, count);
  };
  return Resume(config, read, checkpoint_path);
}

StatusOr<std::unique_ptr<ContinuousLearner>> ContinuousLearner::Resume(const trainers::TemporalConfig& config,
                                                                       const EventReader& read,
                                                                       const std::string& checkpoint_path) {
  try {
    torch::serialize::InputArchive archive;
    SG_RETURN_IF_ERROR(LoadCheckpointFile(checkpoint_path, torch::kCPU, &archive));
    torch::Tensor warmup;
    archive.read("continuous_warmup_events", warmup);
    StatusOr<datasets::TemporalDataset> prefix = read(0, warmup.item<int64_t>());
    if (!prefix.ok()) return prefix.status().WithPrefix(checkpoint_path);
    if (prefix->num_events() != warmup.item<int64_t>()) {
      return Status::FailedPrecondition(fmt::format("{}: the warm-up's {} events read back as {}",
                                                    checkpoint_path, warmup.item<int64_t>(),
                                                    prefix->num_events()));
    }
    auto impl = std::make_unique<ContinuousLearnerImpl>(config, std::move(*prefix));
    SG_RETURN_IF_ERROR(impl->Setup());
    SG_RETURN_IF_ERROR(impl->Restore(archive, read, checkpoint_path));
    return std::unique_ptr<ContinuousLearner>(new ContinuousLearner(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: cannot resume: {}", checkpoint_path, e.what()));
  }
}

StatusOr<WindowRecord> ContinuousLearner::Learn(const datasets::TemporalDataset& source, int64_t count,
                                                const std::string& checkpoint_path) {
  const int64_t first = next_event();
  if (count < 1) return Status::InvalidArgument("continuous: a window needs at least one event");
  if (source.num_events() < first + count) {
    return Status::InvalidArgument(
        fmt::format("continuous: the stream has {} events; window [{}, {}) has not arrived",
                    source.num_events(), first, first + count));
  }
  return LearnEvents(Slice(source, first, count), first, checkpoint_path);
}

StatusOr<WindowRecord> ContinuousLearner::LearnEvents(const datasets::TemporalDataset& events, int64_t first,
                                                      const std::string& checkpoint_path) {
  try {
    return impl_->Learn(events, first, checkpoint_path);
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

int64_t ContinuousLearner::next_event() const { return impl_->next_event(); }
int64_t ContinuousLearner::events_kept() const { return impl_->kept(); }
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
                         learner->next_event(), checkpoint);
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
  while (learner->next_event() < total) {
    const int64_t count = std::min(config.continuous.window, total - learner->next_event());
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
        learner->next_event() < total) {
      summary.windows = learner->windows();
      return summary;
    }
  }
  summary.windows = learner->windows();
  summary.finished = true;
  return summary;
}

}  // namespace streamgnn::trainers
