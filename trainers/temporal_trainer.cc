#include "trainers/temporal_trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "core/logging.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/threads.h"
#include "datasets/dataset_config.h"
#include "graph/temporal_graph.h"
#include "memory/node_memory.h"
#include "models/pres.h"
#include "models/temporal_model.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"
#include "trainers/link_metrics.h"
#include "trainers/pipeline.h"
#include "trainers/torch_threads.h"
#include <torch/csrc/autograd/profiler_legacy.h>

namespace streamgnn::trainers {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Seeds of fixed draws (independent of train.seed, as TGN's random.seed(2020) and its fixed
// evaluation negative seeds).
constexpr uint64_t kInductiveSeed = 2020;
constexpr uint64_t kValNegativeStream = 0x56414c;   // "VAL"
constexpr uint64_t kTestNegativeStream = 0x54455354;  // "TEST"
constexpr uint64_t kMrrStream = 0x4d5252;             // "MRR"
constexpr int64_t kCheckpointVersion = 1;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string Num(double x) { return std::isfinite(x) ? fmt::format("{}", x) : "null"; }

// ---- split ------------------------------------------------------------------------------------

struct Split {
  std::vector<int64_t> train_all;  // every training event, chronological
  std::vector<int64_t> train;      // training events without masked nodes (the ones trained on)
  std::vector<int64_t> val, test;
  std::vector<uint8_t> inductive;  // per event: val/test event with a node unseen in training
  std::vector<NodeId> train_destinations, all_destinations;  // negative pools
  int64_t masked_nodes = 0;
};

std::vector<NodeId> UniqueSorted(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Split MakeSplit(const datasets::TemporalDataset& ds, const core::TrainConfig& tc) {
  Split s;
  const int64_t n = ds.num_events();
  const std::vector<int8_t> split =
      ds.split.empty() ? datasets::ChronologicalSplit(ds.ts, tc.val_fraction, tc.test_fraction)
                       : ds.split;
  // TGN's inductive masking: int(fraction * #nodes) nodes drawn among those active after the
  // training period lose all their training events.
  std::vector<NodeId> all_nodes, later_nodes;
  for (int64_t i = 0; i < n; ++i) {
    all_nodes.push_back(ds.src[i]);
    all_nodes.push_back(ds.dst[i]);
    if (split[i] != 0) {
      later_nodes.push_back(ds.src[i]);
      later_nodes.push_back(ds.dst[i]);
    }
  }
  all_nodes = UniqueSorted(std::move(all_nodes));
  later_nodes = UniqueSorted(std::move(later_nodes));
  const int64_t k = std::min<int64_t>(
      static_cast<int64_t>(tc.inductive_fraction * static_cast<double>(all_nodes.size())),
      static_cast<int64_t>(later_nodes.size()));
  std::vector<uint8_t> masked(static_cast<size_t>(ds.num_nodes), 0);
  core::RngStream rng(kInductiveSeed, 0, 0);
  for (int64_t i = 0; i < k; ++i) {  // partial Fisher-Yates
    const int64_t j = i + static_cast<int64_t>(rng.Below(later_nodes.size() - i));
    std::swap(later_nodes[i], later_nodes[j]);
    masked[later_nodes[i]] = 1;
  }
  s.masked_nodes = k;
  std::vector<uint8_t> seen(static_cast<size_t>(ds.num_nodes), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (split[i] == 0) {
      s.train_all.push_back(i);
      if (!masked[ds.src[i]] && !masked[ds.dst[i]]) {
        s.train.push_back(i);
        seen[ds.src[i]] = seen[ds.dst[i]] = 1;
        s.train_destinations.push_back(ds.dst[i]);
      }
    } else {
      (split[i] == 1 ? s.val : s.test).push_back(i);
    }
    s.all_destinations.push_back(ds.dst[i]);
  }
  s.inductive.assign(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (split[i] != 0) s.inductive[i] = !seen[ds.src[i]] || !seen[ds.dst[i]];
  }
  s.train_destinations = UniqueSorted(std::move(s.train_destinations));
  s.all_destinations = UniqueSorted(std::move(s.all_destinations));
  return s;
}

// Mean gap between successive events of a node in the training events (JODIE's time scale).
double MeanNodeGap(const datasets::TemporalDataset& ds, const std::vector<int64_t>& events) {
  std::vector<double> last(static_cast<size_t>(ds.num_nodes), -1);
  double sum = 0;
  int64_t count = 0;
  for (int64_t e : events) {
    for (NodeId v : {ds.src[e], ds.dst[e]}) {
      if (last[v] >= 0) {
        sum += ds.ts[e] - last[v];
        ++count;
      }
      last[v] = ds.ts[e];
    }
  }
  const double mean = count > 0 ? sum / static_cast<double>(count) : 0;
  return mean > 0 ? mean : 1.0;
}

// ---- per-pass accumulation --------------------------------------------------------------------

struct MetricAccumulator {
  core::ApMode mode = core::ApMode::kBatchMean;
  // batch_mean
  double ap_sum = 0, auc_sum = 0;
  int64_t batches = 0;
  // pooled
  std::vector<float> scores;
  std::vector<uint8_t> labels;
  // MRR
  double rr_sum = 0;
  int64_t events = 0;

  void AddBatch(const std::vector<float>& pos, const std::vector<float>& neg) {
    if (pos.empty()) return;
    events += static_cast<int64_t>(pos.size());
    std::vector<float> s(pos);
    s.insert(s.end(), neg.begin(), neg.end());
    std::vector<uint8_t> l(pos.size(), 1);
    l.resize(s.size(), 0);
    if (mode == core::ApMode::kBatchMean) {
      ap_sum += AveragePrecision(s, l);
      auc_sum += RocAuc(s, l);
      ++batches;
    } else {
      scores.insert(scores.end(), s.begin(), s.end());
      labels.insert(labels.end(), l.begin(), l.end());
    }
  }
  void AddRanks(const std::vector<float>& pos, const std::vector<float>& neg, int64_t num_neg) {
    if (pos.empty()) return;
    rr_sum += MeanReciprocalRank(pos, neg, num_neg) * static_cast<double>(pos.size());
  }
  LinkMetrics Result(bool with_mrr) const {
    LinkMetrics m;
    m.events = events;
    if (mode == core::ApMode::kBatchMean) {
      m.ap = batches ? ap_sum / static_cast<double>(batches) : kNaN;
      m.auc = batches ? auc_sum / static_cast<double>(batches) : kNaN;
    } else {
      m.ap = AveragePrecision(scores, labels);
      m.auc = RocAuc(scores, labels);
    }
    m.mrr = with_mrr && events ? rr_sum / static_cast<double>(events) : kNaN;
    return m;
  }
};

std::vector<float> ToVector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// A block store plus the map from its edge ids to dataset event ids.
struct EventStore {
  std::unique_ptr<graph::TemporalGraph> graph;
  std::vector<int64_t> event_of_edge;
};

// ---- the trainer ------------------------------------------------------------------------------

class Trainer {
 public:
  Trainer(const core::Config& config, const datasets::TemporalDataset& ds)
      : config_(config), ds_(ds) {}

  Status Setup();
  StatusOr<TrainSummary> Train(const TrainOptions& options);
  StatusOr<EvalSummary> EvaluateFrom(const std::string& checkpoint_path);

 private:
  enum class Mode { kTrain, kVal, kTest };
  struct PassResult {
    double loss_sum = 0;
    int64_t batches = 0;
    LinkMetrics all, inductive;
    StageTimes stages;
    double wall_s = 0;
    int64_t staleness_bound = 0, staleness_max = 0, mitigated = 0;
    double staleness_mean = 0;
  };

  StatusOr<EventStore> NewStore() const;
  Status Append(EventStore* store, const int64_t* events, int64_t n) const;
  // Training passes follow pipeline.mode; evaluation passes are sequential. `options` (may be
  // null) supplies the test-only stage hook.
  StatusOr<PassResult> RunPass(Mode mode, const std::vector<int64_t>& events, EventStore* store,
                               int64_t epoch, core::ProgressBar* progress,
                               const TrainOptions* options = nullptr);
  // Validation then test from the current memory; fills the metric fields of a record.
  StatusOr<EpochRecord> Evaluate();
  Status WriteCheckpoint(const std::string& path, int64_t epoch, const memory::NodeMemory* mem,
                         const models::PresFilter* pres, const std::vector<EpochRecord>& history,
                         int64_t best_epoch, int64_t bad_epochs);
  Status ReadCheckpoint(const std::string& path, bool with_optimizer, int64_t* epoch,
                        std::string* history, int64_t* best_epoch, int64_t* bad_epochs);
  bool with_mrr() const { return config_.train.eval_negatives > 0; }

  const core::Config& config_;
  const datasets::TemporalDataset& ds_;
  Split split_;
  models::TemporalModel model_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::optional<memory::NodeMemory> memory_;
  std::optional<models::PresFilter> pres_;  // pres.enabled
  int64_t auto_staleness_ = -1;             // staleness auto: the bound chosen; -1 = not yet
  std::optional<sampling::TemporalSampler> sampler_;
  std::optional<sampling::NegativeSampler> train_negatives_, eval_negatives_;
  std::vector<int> fanouts_;  // hops the model or mail delivery needs; empty = no sampling
  torch::Tensor node_feat_;   // [num_nodes, F]
  torch::Tensor edge_feat_;   // [num_events, E]
  std::vector<std::string> history_lines_;
  int threads_ = 1;  // the thread budget
};

Status Trainer::Setup() {
  threads_ = SetTorchThreads(static_cast<int>(config_.runtime.threads), TorchParallelism::kTasks);
  if (config_.runtime.device == core::DeviceKind::kCuda) {
    return Status::Unimplemented(
        "runtime.device: cuda training is not implemented yet; use runtime.device: cpu");
  }
  const core::TrainConfig& tc = config_.train;
  if (ds_.num_events() < 10) {
    return Status::InvalidArgument(
        fmt::format("dataset {}: {} events are too few to split and train on", ds_.name, ds_.num_events()));
  }
  split_ = MakeSplit(ds_, tc);
  if (split_.train.empty() || split_.val.empty() || split_.test.empty()) {
    return Status::InvalidArgument(fmt::format(
        "dataset {}: the split has {} training, {} validation and {} test events; each needs at "
        "least one (train.val_fraction, train.test_fraction, train.inductive_fraction)",
        ds_.name, split_.train.size(), split_.val.size(), split_.test.size()));
  }

  models::ModelSpec spec;
  spec.memory = config_.memory;
  spec.gnn = config_.gnn;
  spec.num_nodes = ds_.num_nodes;
  spec.dim_node_feat = ds_.node_feat_dim;
  spec.dim_edge_feat = ds_.edge_feat_dim;
  spec.dropout = tc.dropout;
  spec.att_dropout = tc.att_dropout;
  spec.time_scale = MeanNodeGap(ds_, split_.train);
  SG_RETURN_IF_ERROR(models::ValidateModelSpec(spec));

  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  model_ = models::TemporalModel(spec);
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(),
                                                    torch::optim::AdamOptions(tc.lr));
  if (model_->has_memory()) {
    memory::NodeMemoryOptions mo;
    mo.num_nodes = ds_.num_nodes;
    mo.dim_memory = config_.memory.dim_out;
    mo.dim_mail = model_->dim_mail();
    mo.mailbox_size = config_.memory.mailbox_size;
    mo.combine = config_.memory.mail_combine;
    SG_ASSIGN_OR_RETURN(memory::NodeMemory m, memory::NodeMemory::Create(mo));
    memory_.emplace(std::move(m));
    if (config_.pres.enabled) pres_.emplace(ds_.num_nodes, config_.memory.dim_out);
  }

  const bool attention = model_->uses_neighbors_for_embedding();
  const bool deliver_neighbors = model_->has_memory() &&
                                 config_.memory.deliver_to == core::DeliverTo::kNeighbors;
  if (attention) {
    for (int64_t l = 0; l < config_.gnn.layer; ++l) {
      fanouts_.push_back(static_cast<int>(config_.sampling.neighbor[l]));
    }
  } else if (deliver_neighbors) {
    fanouts_.push_back(static_cast<int>(config_.sampling.neighbor[0]));
  }
  if (!fanouts_.empty()) {
    sampling::TemporalSamplerOptions so;
    so.fanouts = fanouts_;
    so.strategy = config_.sampling.strategy;
    so.prop_time = config_.sampling.prop_time;
    so.seed = static_cast<uint64_t>(tc.seed);
    SG_ASSIGN_OR_RETURN(sampling::TemporalSampler s, sampling::TemporalSampler::Create(so));
    sampler_.emplace(std::move(s));
  }
  if (tc.negative_pool == core::NegativePool::kAllNodes) {
    SG_ASSIGN_OR_RETURN(auto a, sampling::NegativeSampler::FromRange(0, ds_.num_nodes, tc.seed));
    SG_ASSIGN_OR_RETURN(auto b, sampling::NegativeSampler::FromRange(0, ds_.num_nodes, tc.seed));
    train_negatives_.emplace(std::move(a));
    eval_negatives_.emplace(std::move(b));
  } else {
    SG_ASSIGN_OR_RETURN(auto a, sampling::NegativeSampler::FromCandidates(split_.train_destinations, tc.seed));
    SG_ASSIGN_OR_RETURN(auto b, sampling::NegativeSampler::FromCandidates(split_.all_destinations, tc.seed));
    train_negatives_.emplace(std::move(a));
    eval_negatives_.emplace(std::move(b));
  }

  // Features as tensors over the dataset's own buffers (no copy).
  auto* nf = const_cast<float*>(ds_.node_feat.data());
  node_feat_ = ds_.node_feat_dim > 0
                   ? torch::from_blob(nf, {ds_.num_nodes, ds_.node_feat_dim}, torch::kFloat32)
                   : torch::zeros({ds_.num_nodes, 0}, torch::kFloat32);
  auto* ef = const_cast<float*>(ds_.edge_feat.data());
  edge_feat_ = ds_.edge_feat_dim > 0
                   ? torch::from_blob(ef, {ds_.num_events(), ds_.edge_feat_dim}, torch::kFloat32)
                   : torch::zeros({ds_.num_events(), 0}, torch::kFloat32);
  core::Logger()->info(
      "split: {} train events ({} after masking {} nodes), {} val, {} test; {} parameters",
      split_.train_all.size(), split_.train.size(), split_.masked_nodes, split_.val.size(),
      split_.test.size(), [&] {
        int64_t p = 0;
        for (const auto& t : model_->parameters()) p += t.numel();
        return p;
      }());
  return Status::Ok();
}

StatusOr<EventStore> Trainer::NewStore() const {
  graph::TemporalGraphOptions go;
  go.undirected = config_.graph.undirected;
  go.out_of_order = config_.graph.out_of_order;
  go.eviction_window = config_.graph.eviction_window;
  go.min_block_capacity = static_cast<int32_t>(config_.graph.min_block_capacity);
  go.max_block_capacity = static_cast<int32_t>(config_.graph.max_block_capacity);
  SG_RETURN_IF_ERROR(graph::TemporalGraph::ValidateOptions(go).WithPrefix("graph"));
  EventStore store;
  store.graph = std::make_unique<graph::TemporalGraph>(go);
  return store;
}

Status Trainer::Append(EventStore* store, const int64_t* events, int64_t n) const {
  std::vector<NodeId> src(n), dst(n);
  std::vector<Timestamp> ts(n);
  for (int64_t i = 0; i < n; ++i) {
    src[i] = ds_.src[events[i]];
    dst[i] = ds_.dst[events[i]];
    ts[i] = ds_.ts[events[i]];
  }
  auto appended = store->graph->AppendEdges(src, dst, ts);
  if (!appended.ok()) return appended.status().WithPrefix(ds_.name);
  store->event_of_edge.insert(store->event_of_edge.end(), events, events + n);
  return Status::Ok();
}

// One batch on its way through the stages. Owns every buffer its tensors view.
struct BatchWork {
  int64_t index = 0;  // batch number in the pass (0-based)
  int64_t n = 0;      // events
  const int64_t* ev = nullptr;
  uint64_t batch_key = 0;
  std::vector<NodeId> roots, neg, mrr_neg;
  std::vector<Timestamp> times;
  sampling::SampleResult sample;
  models::BatchInputs in;
  std::vector<std::vector<int64_t>> edge_rows;
  torch::Tensor write_set;  // int64: nodes whose memory or mailbox this batch's commit changes
  torch::Tensor batch_edge_feat;
  memory::MemoryRows rows;
  int64_t staleness = 0;
  int64_t mitigated = 0;
  double read_wait_s = 0;  // memory_read: waiting for the version the bound requires
  // compute results
  torch::Tensor pos, negs, mrr_scores;
  torch::Tensor write_memory;  // [U, dim_memory] detached (PRES-corrected when enabled)
  torch::Tensor write_last_update;
  double loss = 0;
  StageTimes t;
};

StatusOr<Trainer::PassResult> Trainer::RunPass(Mode mode, const std::vector<int64_t>& events,
                                               EventStore* store, int64_t epoch,
                                               core::ProgressBar* progress,
                                               const TrainOptions* options) {
  const core::TrainConfig& tc = config_.train;
  const bool training = mode == Mode::kTrain;
  const int64_t batch = training || tc.eval_batch_size == 0 ? tc.batch_size : tc.eval_batch_size;
  const int64_t mrr_negatives = training ? 0 : tc.eval_negatives;
  const bool attention = model_->uses_neighbors_for_embedding();
  const bool deliver_neighbors = model_->has_memory() &&
                                 config_.memory.deliver_to == core::DeliverTo::kNeighbors;
  const int64_t levels = attention ? static_cast<int64_t>(fanouts_.size()) + 1 : 1;
  const uint64_t pass_stream = training ? core::StreamKey(1, static_cast<uint64_t>(epoch))
                                        : (mode == Mode::kVal ? kValNegativeStream : kTestNegativeStream);
  const sampling::NegativeSampler& negatives = training ? *train_negatives_ : *eval_negatives_;
  const bool pipelined = training && config_.pipeline.mode == core::PipelineMode::kMspipe;
  const core::PipelineConfig& pc = config_.pipeline;
  const bool mitigate = pipelined && memory_ && pc.mitigation == core::StalenessMitigation::kSimilarity;
  const std::function<void(const char*, int64_t)> hook =
      options != nullptr && training ? options->stage_hook : nullptr;

  PassResult result;
  MetricAccumulator all_acc, ind_acc;
  all_acc.mode = ind_acc.mode = tc.ap_mode;
  const int64_t total = static_cast<int64_t>(events.size());
  const int64_t num_batches = (total + batch - 1) / batch;
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  if (memory_) memory_->ResetStalenessStats();
  // Memory versions count commits since the memory was reset; evaluation continues from the
  // training pass's memory, so its batches start at the current version.
  const int64_t base_version = memory_ ? memory_->version() : 0;

  // Staleness bound: 0 for sequential passes; for mspipe the configured one, or with auto, 0
  // while profiling then the chosen one (kept across epochs and in checkpoints).
  const int64_t configured = pc.StalenessBound();
  std::atomic<int64_t> bound{0};
  const bool profile = pipelined && configured < 0 && auto_staleness_ < 0;
  if (pipelined) bound = configured >= 0 ? configured : std::max<int64_t>(0, auto_staleness_);
  StageTimes profiled;
  // Write sets of batches whose commits a read may lack (mitigation), by batch index.
  std::mutex write_sets_mu;
  std::map<int64_t, torch::Tensor> write_sets;

  const auto since = [](Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); };

  // ---- sample: store, negatives, neighbours, index tensors ----
  const auto stage_sample = [&](BatchWork& w) -> Status {
    const auto t0 = Clock::now();
    if (hook) hook("sample", w.index);  // inside the stage's time: a slow stage
    const int64_t n = w.n;
    const int64_t* ev = w.ev;
    if (tc.intra_batch_neighbors) SG_RETURN_IF_ERROR(Append(store, ev, n));
    w.neg.resize(n);
    negatives.Sample(w.batch_key, w.neg);
    w.mrr_neg.resize(n * mrr_negatives);
    if (mrr_negatives > 0) negatives.Sample(core::StreamKey(kMrrStream, w.batch_key), w.mrr_neg);
    for (int64_t i = 0; i < n; ++i) w.roots.push_back(ds_.src[ev[i]]);
    for (int64_t i = 0; i < n; ++i) w.roots.push_back(ds_.dst[ev[i]]);
    w.roots.insert(w.roots.end(), w.neg.begin(), w.neg.end());
    w.roots.insert(w.roots.end(), w.mrr_neg.begin(), w.mrr_neg.end());
    for (int64_t r = 0; r < 3 + mrr_negatives; ++r) {
      for (int64_t i = 0; i < n; ++i) w.times.push_back(ds_.ts[ev[i]]);
    }
    const int64_t num_roots = static_cast<int64_t>(w.roots.size());
    if (sampler_) {
      const graph::Snapshot snapshot = store->graph->GetSnapshot();
      // With deliver_to neighbors and an identity embedding, only the positive roots'
      // neighbours are needed.
      const int64_t sampled_roots = attention ? num_roots : 2 * n;
      sampler_->Sample(snapshot, Span<const NodeId>(w.roots.data(), sampled_roots),
                       Span<const Timestamp>(w.times.data(), sampled_roots), w.batch_key, &w.sample);
    }
    if (!tc.intra_batch_neighbors) SG_RETURN_IF_ERROR(Append(store, ev, n));

    models::BatchInputs& in = w.in;
    std::vector<torch::Tensor> level_nodes;
    level_nodes.push_back(torch::from_blob(w.roots.data(), {num_roots}, i64));
    for (int64_t d = 0; d + 1 < levels; ++d) {
      auto& layer = w.sample.layers[d];
      level_nodes.push_back(torch::from_blob(layer.neighbors.data(), {layer.num_sampled()}, i64));
    }
    {
      const torch::Tensor cat = torch::cat(level_nodes);
      auto [unique, inverse] = at::_unique(cat, /*sorted=*/true, /*return_inverse=*/true);
      in.nodes = unique;
      int64_t offset = 0;
      for (const auto& t : level_nodes) {
        in.level_index.push_back(inverse.narrow(0, offset, t.size(0)));
        offset += t.size(0);
      }
    }
    in.root_times = torch::from_blob(w.times.data(), {num_roots}, torch::kFloat64);
    w.edge_rows.assign(static_cast<size_t>(levels > 1 ? levels - 1 : 0), {});
    for (int64_t d = 0; d + 1 < levels; ++d) {
      auto& layer = w.sample.layers[d];
      const int64_t r = layer.num_roots(), s = layer.num_sampled();
      std::vector<int64_t>& rows = w.edge_rows[d];
      rows.resize(static_cast<size_t>(s));
      for (int64_t j = 0; j < s; ++j) rows[j] = store->event_of_edge[layer.edges[j]];
      in.offsets.push_back(torch::from_blob(layer.offsets.data(), {r + 1}, i64));
      in.dt.push_back(torch::from_blob(layer.dt.data(), {s}, torch::kFloat32));
    }
    if (mitigate) {
      // Nodes this batch's commit will change: its endpoints and, for APAN, their mail
      // recipients (the sampled neighbours of the positive roots).
      std::vector<int64_t> touched(w.roots.begin(), w.roots.begin() + 2 * n);
      if (deliver_neighbors) {
        const auto& layer = w.sample.layers[0];
        touched.insert(touched.end(), layer.neighbors.begin(),
                       layer.neighbors.begin() + layer.offsets[2 * n]);
      }
      w.write_set = std::get<0>(at::_unique(torch::tensor(touched, i64)));
      std::lock_guard<std::mutex> lock(write_sets_mu);
      write_sets[w.index] = w.write_set;
    }
    w.t.sample += since(t0);
    return Status::Ok();
  };

  // ---- features ----
  const auto stage_features = [&](BatchWork& w) -> Status {
    const auto t0 = Clock::now();
    if (hook) hook("features", w.index);
    models::BatchInputs& in = w.in;
    in.node_feat = node_feat_.index_select(0, in.nodes);
    for (int64_t d = 0; d + 1 < levels; ++d) {
      std::vector<int64_t>& rows = w.edge_rows[d];
      in.edge_feat.push_back(edge_feat_.index_select(
          0, torch::from_blob(rows.data(), {static_cast<int64_t>(rows.size())}, i64)));
    }
    std::vector<int64_t> batch_events(w.ev, w.ev + w.n);
    w.batch_edge_feat = edge_feat_.index_select(0, torch::tensor(batch_events, i64));
    w.t.features += since(t0);
    return Status::Ok();
  };

  // ---- memory read: waits for the version the staleness bound requires ----
  const auto stage_read = [&](BatchWork& w) -> Status {
    const auto t0 = Clock::now();
    if (hook) hook("memory_read", w.index);
    if (memory_) {
      SG_ASSIGN_OR_RETURN(memory::VersionedRows vr,
                          memory_->ReadAtLeast(w.in.nodes, base_version + w.index, bound.load()));
      w.rows = std::move(vr.rows);
      w.staleness = vr.staleness;
      // The stage's cost is the read, not the wait for the writer: auto staleness needs the
      // former (a wait at staleness 0 would count the write twice).
      w.read_wait_s = vr.wait_s;
      if (mitigate) {
        // The commits this read lacks are those of batches version..index-1.
        std::vector<torch::Tensor> missing;
        {
          std::lock_guard<std::mutex> lock(write_sets_mu);
          for (auto it = write_sets.begin(); it != write_sets.end();) {
            if (it->first < vr.version - base_version) {
              it = write_sets.erase(it);  // committed and seen: no later read can miss it
            } else {
              if (it->first < w.index) missing.push_back(it->second);
              ++it;
            }
          }
        }
        if (!missing.empty()) {
          const torch::Tensor stale = at::isin(w.in.nodes, torch::cat(missing));
          w.rows.memory = MitigateStaleMemory(w.rows.memory, w.rows.last_update, stale,
                                              pc.mitigation_lambda, pc.mitigation_neighbors,
                                              &w.mitigated);
        }
      }
    }
    w.t.memory_read += since(t0) - w.read_wait_s;
    return Status::Ok();
  };

  // ---- compute: forward, loss, backward, optimiser step (on the calling thread) ----
  const auto stage_compute = [&](BatchWork& w) -> Status {
    const auto t0 = Clock::now();
    if (hook) hook("compute", w.index);
    const int64_t n = w.n;
    std::optional<torch::NoGradGuard> no_grad;
    if (!training) no_grad.emplace();
    models::ForwardOutput out = model_->forward(w.in, memory_ ? &w.rows : nullptr);
    const torch::Tensor h_src = out.embeddings.narrow(0, 0, n);
    const torch::Tensor h_dst = out.embeddings.narrow(0, n, n);
    const torch::Tensor h_neg = out.embeddings.narrow(0, 2 * n, n);
    w.pos = model_->Score(h_src, h_dst);
    w.negs = model_->Score(h_src, h_neg);
    torch::Tensor loss = torch::binary_cross_entropy_with_logits(w.pos, torch::ones_like(w.pos)) +
                         torch::binary_cross_entropy_with_logits(w.negs, torch::zeros_like(w.negs));
    if (mrr_negatives > 0) {
      w.mrr_scores = model_->Score(h_src.repeat_interleave(mrr_negatives, 0),
                                   out.embeddings.narrow(0, 3 * n, n * mrr_negatives));
    }
    if (memory_) {
      w.write_memory = out.new_memory.detach();
      w.write_last_update = out.new_last_update;
    }
    if (pres_) {
      const torch::Tensor updated = w.rows.mail_valid.any(1).nonzero().squeeze(1);
      const torch::Tensor prev = w.rows.memory.index_select(0, updated);
      const torch::Tensor computed = out.new_memory.index_select(0, updated);
      if (training && config_.pres.coherence_weight > 0) {
        torch::Tensor coherence = models::CoherenceLoss(computed, prev);
        if (config_.pres.detach_coherence) coherence = coherence.detach();
        loss = loss + config_.pres.coherence_weight * coherence;
      }
      const torch::Tensor nodes = w.in.nodes.index_select(0, updated);
      const torch::Tensor corrected =
          pres_->Correct(nodes, prev, computed.detach(), w.rows.mail_events.index_select(0, updated),
                         config_.pres.gamma);
      pres_->Observe(nodes, prev, computed);
      w.write_memory = w.write_memory.index_copy(0, updated, corrected);
    }
    const auto t1 = Clock::now();
    w.t.forward += std::chrono::duration<double>(t1 - t0).count();
    if (training) {
      // Gradients are cleared to "none", not zeroed: a parameter this batch does not use (the
      // memory updater while no node has mail) then gets no Adam step, whatever earlier batches
      // of this process did, so a resumed run takes the uninterrupted run's steps.
      for (torch::Tensor& p : model_->parameters()) p.mutable_grad() = torch::Tensor();
      loss.backward();
      optimizer_->step();
    }
    w.loss = loss.item<double>();
    if (!std::isfinite(w.loss)) {
      return Status::Internal(fmt::format("epoch {} batch {}: the loss is {} (lower train.lr?)",
                                          epoch, w.index, w.loss));
    }
    w.t.backward += since(t1);
    return Status::Ok();
  };

  // ---- memory write: the batch's endpoints and their mails, as one version ----
  const auto stage_write = [&](BatchWork& w) -> Status {
    const auto t0 = Clock::now();
    if (hook) hook("memory_write", w.index);
    if (memory_) {
      torch::NoGradGuard guard;
      const int64_t n = w.n;
      const models::BatchInputs& in = w.in;
      const torch::Tensor idx_src = in.level_index[0].narrow(0, 0, n);
      const torch::Tensor idx_dst = in.level_index[0].narrow(0, n, n);
      const torch::Tensor positives = std::get<0>(at::_unique(torch::cat({idx_src, idx_dst})));
      const torch::Tensor mem_src = w.write_memory.index_select(0, idx_src);
      const torch::Tensor mem_dst = w.write_memory.index_select(0, idx_dst);
      const torch::Tensor mails = model_->MakeMails(mem_src, mem_dst, w.batch_edge_feat);
      const torch::Tensor ev_times = torch::from_blob(w.times.data(), {n}, torch::kFloat64);
      const torch::Tensor src_nodes = torch::from_blob(w.roots.data(), {n}, i64);
      const torch::Tensor dst_nodes = torch::from_blob(w.roots.data() + n, {n}, i64);
      torch::Tensor mail_nodes = torch::stack({src_nodes, dst_nodes}, 1).reshape({-1});
      torch::Tensor mail_times = torch::stack({ev_times, ev_times}, 1).reshape({-1});
      torch::Tensor mail_rows = mails;
      if (deliver_neighbors) {
        // Each endpoint's mail also goes to its sampled neighbours (APAN), in event order.
        const auto& layer = w.sample.layers[0];
        std::vector<int64_t> nodes_v, mail_index;
        for (int64_t i = 0; i < n; ++i) {
          for (int64_t side = 0; side < 2; ++side) {
            const int64_t root = side * n + i;
            nodes_v.push_back(w.roots[root]);
            mail_index.push_back(2 * i + side);
            for (int64_t j = layer.offsets[root]; j < layer.offsets[root + 1]; ++j) {
              nodes_v.push_back(layer.neighbors[j]);
              mail_index.push_back(2 * i + side);
            }
          }
        }
        const torch::Tensor mi = torch::tensor(mail_index, i64);
        mail_nodes = torch::tensor(nodes_v, i64);
        mail_rows = mails.index_select(0, mi);
        mail_times = mail_times.index_select(0, mi);
      }
      memory_->Commit(in.nodes.index_select(0, positives), w.write_memory.index_select(0, positives),
                      w.write_last_update.index_select(0, positives), mail_nodes, mail_rows,
                      mail_times);
    }
    w.t.memory_write += since(t0);
    return Status::Ok();
  };

  // ---- bookkeeping after the write: totals, metrics, progress, auto staleness ----
  int64_t done_events = 0;
  const auto finish = [&](BatchWork& w) {
    result.stages.sample += w.t.sample;
    result.stages.features += w.t.features;
    result.stages.memory_read += w.t.memory_read;
    result.stages.forward += w.t.forward;
    result.stages.backward += w.t.backward;
    result.stages.memory_write += w.t.memory_write;
    result.loss_sum += w.loss;
    result.mitigated += w.mitigated;
    ++result.batches;
    done_events += w.n;
    if (profile && w.index < pc.profile_batches) {
      profiled.sample += w.t.sample;
      profiled.features += w.t.features;
      profiled.memory_read += w.t.memory_read;
      profiled.forward += w.t.forward + w.t.backward;
      profiled.memory_write += w.t.memory_write;
      if (w.index + 1 == std::min(pc.profile_batches, num_batches)) {
        const double b = static_cast<double>(w.index + 1);
        StageCosts costs;
        costs.sample = profiled.sample / b;
        costs.features = profiled.features / b;
        costs.memory_read = profiled.memory_read / b;
        costs.compute = profiled.forward / b;
        costs.memory_write = profiled.memory_write / b;
        auto_staleness_ = ChooseStaleness(costs, pc.max_staleness);
        bound = auto_staleness_;
        core::Logger()->info(
            "pipeline: staleness auto chose {} from {} profiled batches (per batch: sample {:.2f} "
            "ms, features {:.2f} ms, memory read {:.2f} ms, compute {:.2f} ms, memory write "
            "{:.2f} ms)",
            auto_staleness_, w.index + 1, 1e3 * costs.sample, 1e3 * costs.features,
            1e3 * costs.memory_read, 1e3 * costs.compute, 1e3 * costs.memory_write);
      }
    }
    if (!training) {
      const std::vector<float> p = ToVector(w.pos), q = ToVector(w.negs);
      all_acc.AddBatch(p, q);
      std::vector<float> mrr_all;
      if (mrr_negatives > 0) {
        mrr_all = ToVector(w.mrr_scores);
        all_acc.AddRanks(p, mrr_all, mrr_negatives);
      }
      std::vector<float> ip, iq, imrr;
      for (int64_t i = 0; i < w.n; ++i) {
        if (!split_.inductive[w.ev[i]]) continue;
        ip.push_back(p[i]);
        iq.push_back(q[i]);
        if (mrr_negatives > 0) {
          imrr.insert(imrr.end(), mrr_all.begin() + i * mrr_negatives,
                      mrr_all.begin() + (i + 1) * mrr_negatives);
        }
      }
      ind_acc.AddBatch(ip, iq);
      if (mrr_negatives > 0) ind_acc.AddRanks(ip, imrr, mrr_negatives);
    }
  };

  const auto make = [&](int64_t index) {
    auto w = std::make_unique<BatchWork>();
    w->index = index;
    const int64_t b = index * batch;
    w->n = std::min(batch, total - b);
    w->ev = events.data() + b;
    w->batch_key = core::StreamKey(pass_stream, static_cast<uint64_t>(index));
    return w;
  };

  const auto t_pass = Clock::now();
  if (!pipelined) {
    for (int64_t index = 0; index < num_batches; ++index) {
      std::unique_ptr<BatchWork> w = make(index);
      SG_RETURN_IF_ERROR(stage_sample(*w));
      SG_RETURN_IF_ERROR(stage_features(*w));
      SG_RETURN_IF_ERROR(stage_read(*w));
      SG_RETURN_IF_ERROR(stage_compute(*w));
      SG_RETURN_IF_ERROR(stage_write(*w));
      finish(*w);
      if (progress != nullptr) {
        progress->Set(done_events, fmt::format("loss {:.4f}", result.loss_sum / result.batches));
      }
    }
  } else {
    // The calling thread computes (the model, the optimiser and the torch generator stay on
    // one thread, as in a sequential pass); the other stages run on their own threads.
    std::vector<PipelineStage<BatchWork>> stages = {
        {"sample", stage_sample},
        {"features", stage_features},
        {"memory_read", stage_read},
        {"compute",
         [&](BatchWork& w) -> Status {
           SG_RETURN_IF_ERROR(stage_compute(w));
           if (progress != nullptr) {
             progress->Set(std::min(total, (w.index + 1) * batch), fmt::format("loss {:.4f}", w.loss));
           }
           return Status::Ok();
         }},
        {"memory_write",
         [&](BatchWork& w) -> Status {
           SG_RETURN_IF_ERROR(stage_write(w));
           finish(w);
           return Status::Ok();
         }},
    };
    SG_RETURN_IF_ERROR(RunPipeline<BatchWork>(
        num_batches, make, stages, /*caller_stage=*/3, pc.queue_depth,
        [&] { if (memory_) memory_->Abort(); }));
  }
  result.wall_s = since(t_pass);
  if (memory_) {
    const memory::StalenessStats st = memory_->staleness_stats();
    result.staleness_max = st.max;
    result.staleness_mean = st.mean();
  }
  result.staleness_bound = pipelined ? bound.load() : 0;
  result.all = all_acc.Result(mrr_negatives > 0);
  result.inductive = ind_acc.Result(mrr_negatives > 0);
  return result;
}

// Validation, then test, from the current node memory over a store with every training event.
StatusOr<EpochRecord> Trainer::Evaluate() {
  model_->eval();
  SG_ASSIGN_OR_RETURN(EventStore store, NewStore());
  SG_RETURN_IF_ERROR(Append(&store, split_.train_all.data(), static_cast<int64_t>(split_.train_all.size())));
  SG_ASSIGN_OR_RETURN(PassResult val, RunPass(Mode::kVal, split_.val, &store, 0, nullptr));
  SG_ASSIGN_OR_RETURN(PassResult test, RunPass(Mode::kTest, split_.test, &store, 0, nullptr));
  EpochRecord r;
  r.val = val.all;
  r.val_inductive = val.inductive;
  r.test = test.all;
  r.test_inductive = test.inductive;
  model_->train();
  return r;
}

Status Trainer::WriteCheckpoint(const std::string& path, int64_t epoch,
                                const memory::NodeMemory* mem, const models::PresFilter* pres,
                                const std::vector<EpochRecord>& history, int64_t best_epoch,
                                int64_t bad_epochs) {
  const std::string tmp = path + ".tmp";
  try {
    torch::serialize::OutputArchive archive;
    archive.write("version", torch::tensor(kCheckpointVersion));
    archive.write("config", c10::IValue(core::ConfigToYaml(config_)));
    archive.write("epoch", torch::tensor(epoch));
    archive.write("best_epoch", torch::tensor(best_epoch));
    archive.write("bad_epochs", torch::tensor(bad_epochs));
    std::string lines;
    for (const EpochRecord& r : history) lines += r.ToJson(with_mrr()) + "\n";
    archive.write("history", c10::IValue(lines));
    archive.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
    torch::serialize::OutputArchive model_archive, optimizer_archive, memory_archive;
    model_->save(model_archive);
    optimizer_->save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    if (mem != nullptr) {
      mem->Save(memory_archive);
      archive.write("memory", memory_archive);
    }
    if (pres != nullptr) {
      torch::serialize::OutputArchive pres_archive;
      pres->Save(pres_archive);
      archive.write("pres", pres_archive);
    }
    archive.write("pipeline_staleness", torch::tensor(auto_staleness_));
    archive.save_to(tmp);
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: cannot write checkpoint: {}", tmp, e.what()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot rename to {}: {}", tmp, path, ec.message()));
  return Status::Ok();
}

Status Trainer::ReadCheckpoint(const std::string& path, bool with_optimizer, int64_t* epoch,
                               std::string* history, int64_t* best_epoch, int64_t* bad_epochs) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    const auto scalar = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t.item<int64_t>();
    };
    *epoch = scalar("epoch");
    *best_epoch = scalar("best_epoch");
    *bad_epochs = scalar("bad_epochs");
    c10::IValue lines;
    archive.read("history", lines);
    *history = lines.toStringRef();
    torch::serialize::InputArchive model_archive, optimizer_archive, memory_archive;
    archive.read("model", model_archive);
    model_->load(model_archive);
    if (with_optimizer) {
      archive.read("optimizer", optimizer_archive);
      optimizer_->load(optimizer_archive);
      torch::Tensor rng;
      archive.read("torch_rng", rng);
      at::Generator generator = at::detail::getDefaultCPUGenerator();  // shares the state
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_state(rng);
    }
    if (memory_) {
      archive.read("memory", memory_archive);
      SG_RETURN_IF_ERROR(memory_->Load(memory_archive).WithPrefix(path));
    }
    if (pres_) {
      torch::serialize::InputArchive pres_archive;
      if (!archive.try_read("pres", pres_archive)) {
        return Status::InvalidArgument(fmt::format(
            "{}: the checkpoint has no PRES state (written with pres.enabled false)", path));
      }
      SG_RETURN_IF_ERROR(pres_->Load(pres_archive).WithPrefix(path));
    }
    torch::Tensor chosen;
    if (archive.try_read("pipeline_staleness", chosen)) auto_staleness_ = chosen.item<int64_t>();
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: cannot read checkpoint: {}", path, e.what()));
  }
  return Status::Ok();
}

StatusOr<TrainSummary> Trainer::Train(const TrainOptions& options) {
  const core::TrainConfig& tc = config_.train;
  std::error_code ec;
  fs::create_directories(config_.log.dir, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot create log.dir: {}", config_.log.dir, ec.message()));
  const std::string checkpoint = config_.log.dir + "/checkpoint.pt";
  const std::string best_path = config_.log.dir + "/best.pt";
  const std::string metrics_path = config_.log.dir + "/metrics.jsonl";

  TrainSummary summary;
  int64_t start_epoch = 1, best_epoch = 0, bad_epochs = 0;
  double best_ap = -1;
  std::string history;
  if (options.resume) {
    if (!fs::exists(checkpoint)) {
      return Status::FailedPrecondition(fmt::format("{}: no checkpoint to resume from", checkpoint));
    }
    int64_t done = 0;
    SG_RETURN_IF_ERROR(ReadCheckpoint(checkpoint, true, &done, &history, &best_epoch, &bad_epochs));
    start_epoch = done + 1;
    core::Logger()->info("resuming after epoch {} from {}", done, checkpoint);
  }
  // metrics.jsonl holds exactly the epochs done so far.
  {
    std::ofstream out(metrics_path, std::ios::trunc);
    out << history;
    if (!out) return Status::IOError(fmt::format("{}: cannot write", metrics_path));
  }
  // Rebuild the records of resumed epochs from their JSON lines (only what later logic needs).
  {
    std::istringstream lines(history);
    for (std::string line; std::getline(lines, line);) {
      EpochRecord r;
      r.epoch = static_cast<int64_t>(summary.epochs.size()) + 1;
      const auto field = [&](const std::string& key) {
        const size_t at = line.find("\"" + key + "\": ");
        if (at == std::string::npos) return kNaN;
        const std::string rest = line.substr(at + key.size() + 4);
        return rest.rfind("null", 0) == 0 ? kNaN : std::strtod(rest.c_str(), nullptr);
      };
      r.train_loss = field("train_loss");
      r.val.ap = field("val_ap");
      r.val.auc = field("val_auc");
      r.val_inductive.ap = field("val_inductive_ap");
      r.val_inductive.auc = field("val_inductive_auc");
      r.test.ap = field("test_ap");
      r.test.auc = field("test_auc");
      r.test_inductive.ap = field("test_inductive_ap");
      r.test_inductive.auc = field("test_inductive_auc");
      r.val.mrr = field("val_mrr");
      r.test.mrr = field("test_mrr");
      r.best_epoch = static_cast<int64_t>(field("best_epoch"));
      summary.epochs.push_back(r);
    }
    if (best_epoch > 0) best_ap = summary.epochs.at(best_epoch - 1).val.ap;
  }

  model_->train();
  int64_t run_here = 0;
  bool stop = best_epoch > 0 && tc.patience > 0 && bad_epochs >= tc.patience;
  for (int64_t epoch = start_epoch; epoch <= tc.epoch && !stop; ++epoch) {
    torch::manual_seed(core::StreamKey(static_cast<uint64_t>(tc.seed), 0x45504f4348, epoch));
    if (memory_) memory_->Reset();
    if (pres_) pres_->Reset();
    SG_ASSIGN_OR_RETURN(EventStore store, NewStore());
    const auto t0 = Clock::now();
    core::ProgressBar progress(fmt::format("epoch {}/{}", epoch, tc.epoch),
                               static_cast<int64_t>(split_.train.size()), config_.log.progress);
    std::optional<torch::autograd::profiler::RecordProfile> prof;
    if (std::getenv("SG_PROFILE")) prof.emplace(std::getenv("SG_PROFILE"));
    SG_ASSIGN_OR_RETURN(PassResult train, RunPass(Mode::kTrain, split_.train, &store, epoch, &progress, &options));
    prof.reset();
    progress.Finish();
    EpochRecord r;
    r.epoch = epoch;
    r.train_s = Seconds(t0);
    r.train_loss = train.loss_sum / std::max<int64_t>(1, train.batches);
    r.stages = train.stages;
    r.staleness_bound = train.staleness_bound;
    r.staleness_max = train.staleness_max;
    r.staleness_mean = train.staleness_mean;
    r.mitigated_nodes = train.mitigated;
    std::optional<memory::NodeMemory> after_training;
    if (memory_) after_training.emplace(memory_->Clone());
    std::optional<models::PresFilter> pres_after_training;
    if (pres_) pres_after_training.emplace(pres_->Clone());
    const auto t1 = Clock::now();
    SG_ASSIGN_OR_RETURN(const EpochRecord eval, Evaluate());
    r.eval_s = Seconds(t1);
    r.val = eval.val;
    r.val_inductive = eval.val_inductive;
    r.test = eval.test;
    r.test_inductive = eval.test_inductive;
    const bool improved = r.val.ap > best_ap + 1e-10;
    if (improved) {
      best_ap = r.val.ap;
      best_epoch = epoch;
      bad_epochs = 0;
    } else {
      ++bad_epochs;
    }
    r.best_epoch = best_epoch;
    summary.epochs.push_back(r);
    if (tc.checkpoint) {
      SG_RETURN_IF_ERROR(WriteCheckpoint(checkpoint, epoch, after_training ? &*after_training : nullptr,
                                         pres_after_training ? &*pres_after_training : nullptr,
                                         summary.epochs, best_epoch, bad_epochs));
      if (improved) {
        fs::copy_file(checkpoint, best_path + ".tmp", fs::copy_options::overwrite_existing, ec);
        if (!ec) fs::rename(best_path + ".tmp", best_path, ec);
        if (ec) return Status::IOError(fmt::format("{}: {}", best_path, ec.message()));
      }
    }
    {
      std::ofstream out(metrics_path, std::ios::app);
      out << r.ToJson(with_mrr()) << "\n";
      if (!out) return Status::IOError(fmt::format("{}: cannot write", metrics_path));
    }
    if (options.print_epochs) {
      std::printf(
          "epoch %lld: loss %.4f  val AP %.4f AUC %.4f (inductive AP %.4f)  test AP %.4f AUC %.4f "
          "(inductive AP %.4f)  train %.1f s, eval %.1f s\n",
          static_cast<long long>(epoch), r.train_loss, r.val.ap, r.val.auc, r.val_inductive.ap,
          r.test.ap, r.test.auc, r.test_inductive.ap, r.train_s, r.eval_s);
      std::fflush(stdout);
    }
    if (options.on_epoch) options.on_epoch(r);
    stop = tc.patience > 0 && bad_epochs >= tc.patience;
    summary.stopped_early = stop && epoch < tc.epoch;
    ++run_here;
    if (options.stop_after_epochs > 0 && run_here >= options.stop_after_epochs && epoch < tc.epoch && !stop) {
      summary.best_epoch = best_epoch;
      return summary;
    }
  }
  summary.best_epoch = best_epoch;
  summary.finished = true;
  if (best_epoch == 0) return Status::Internal("no epoch was evaluated");
  const EpochRecord& best = summary.best();
  const std::string json = fmt::format(
      "{{\"dataset\": \"{}\", \"epochs\": {}, \"best_epoch\": {}, \"stopped_early\": {}, "
      "\"val_ap\": {}, \"val_auc\": {}, \"test_ap\": {}, \"test_auc\": {}, "
      "\"test_inductive_ap\": {}, \"test_inductive_auc\": {}, \"test_mrr\": {}}}",
      ds_.name, summary.epochs.size(), best_epoch, summary.stopped_early ? "true" : "false",
      Num(best.val.ap), Num(best.val.auc), Num(best.test.ap), Num(best.test.auc),
      Num(best.test_inductive.ap), Num(best.test_inductive.auc), Num(best.test.mrr));
  std::ofstream(config_.log.dir + "/summary.json") << json << "\n";
  return summary;
}

StatusOr<EvalSummary> Trainer::EvaluateFrom(const std::string& checkpoint_path) {
  int64_t epoch = 0, best_epoch = 0, bad_epochs = 0;
  std::string history;
  SG_RETURN_IF_ERROR(ReadCheckpoint(checkpoint_path, false, &epoch, &history, &best_epoch, &bad_epochs));
  SG_ASSIGN_OR_RETURN(const EpochRecord eval, Evaluate());
  EvalSummary s;
  s.epoch = epoch;
  s.val = eval.val;
  s.val_inductive = eval.val_inductive;
  s.test = eval.test;
  s.test_inductive = eval.test_inductive;
  return s;
}

std::string MetricsJson(const char* prefix, const LinkMetrics& m, bool with_mrr) {
  std::string out = fmt::format("\"{}_ap\": {}, \"{}_auc\": {}", prefix, Num(m.ap), prefix, Num(m.auc));
  if (with_mrr) out += fmt::format(", \"{}_mrr\": {}", prefix, Num(m.mrr));
  return out;
}

StatusOr<datasets::TemporalDataset> LoadDataset(const core::Config& config) {
  datasets::LoadReport report;
  SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, datasets::LoadFromConfig(config.dataset, &report));
  core::Logger()->info("dataset {}: {} events, {} nodes, edge features {}, node features {} ({:.2f} s{})",
                       ds.name, ds.num_events(), ds.num_nodes, ds.edge_feat_dim, ds.node_feat_dim,
                       report.seconds, report.cache_hit ? ", from cache" : "");
  return ds;
}

}  // namespace

std::string EpochRecord::ToJson(bool with_mrr) const {
  return fmt::format(
      "{{\"epoch\": {}, \"train_loss\": {}, \"train_s\": {:.3f}, \"eval_s\": {:.3f}, {}, {}, {}, {}, "
      "\"time_sample_s\": {:.3f}, \"time_features_s\": {:.3f}, \"time_memory_read_s\": {:.3f}, "
      "\"time_forward_s\": {:.3f}, \"time_backward_s\": {:.3f}, \"time_memory_write_s\": {:.3f}, "
      "\"staleness_bound\": {}, \"staleness_max\": {}, \"staleness_mean\": {:.4f}, "
      "\"mitigated_nodes\": {}, \"best_epoch\": {}}}",
      epoch, Num(train_loss), train_s, eval_s, MetricsJson("val", val, with_mrr),
      MetricsJson("val_inductive", val_inductive, with_mrr), MetricsJson("test", test, with_mrr),
      MetricsJson("test_inductive", test_inductive, with_mrr), stages.sample, stages.features,
      stages.memory_read, stages.forward, stages.backward, stages.memory_write, staleness_bound,
      staleness_max, staleness_mean, mitigated_nodes, best_epoch);
}

std::string EvalSummary::ToJson(bool with_mrr) const {
  return fmt::format("{{\"epoch\": {}, {}, {}, {}, {}}}", epoch, MetricsJson("val", val, with_mrr),
                     MetricsJson("val_inductive", val_inductive, with_mrr),
                     MetricsJson("test", test, with_mrr),
                     MetricsJson("test_inductive", test_inductive, with_mrr));
}

Status CheckInputFiles(const core::Config& config, const std::string& config_path) {
  if (config.dataset.format == core::DatasetFormat::kSynthetic) return Status::Ok();
  std::error_code ec;
  if (fs::exists(config.dataset.path, ec)) return Status::Ok();
  return Status::InvalidArgument(fmt::format("{}: key 'dataset.path': file not found: {}",
                                             core::KeyLocation(config_path, "dataset.path"),
                                             config.dataset.path));
}

StatusOr<TrainSummary> TrainTemporal(const core::Config& config, const TrainOptions& options,
                                     const datasets::TemporalDataset* dataset) {
  std::optional<datasets::TemporalDataset> loaded;
  if (dataset == nullptr) {
    SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, LoadDataset(config));
    loaded.emplace(std::move(ds));
    dataset = &*loaded;
  }
  try {
    Trainer trainer(config, *dataset);
    SG_RETURN_IF_ERROR(trainer.Setup());
    return trainer.Train(options);
  } catch (const std::exception& e) {  // LibTorch reports shape errors and the like by throwing
    return Status::Internal(fmt::format("training failed: {}", e.what()));
  }
}

StatusOr<EvalSummary> EvaluateCheckpoint(const std::string& checkpoint_path,
                                         const datasets::TemporalDataset* dataset) {
  if (!fs::exists(checkpoint_path)) {
    return Status::NotFound(fmt::format("{}: checkpoint not found", checkpoint_path));
  }
  std::string yaml;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(checkpoint_path);
    c10::IValue value;
    archive.read("config", value);
    yaml = value.toStringRef();
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: not a streamgnn checkpoint: {}", checkpoint_path, e.what()));
  }
  SG_ASSIGN_OR_RETURN(const core::Config config,
                      core::LoadConfigString(yaml, checkpoint_path + " (stored config)"));
  std::optional<datasets::TemporalDataset> loaded;
  if (dataset == nullptr) {
    SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, LoadDataset(config));
    loaded.emplace(std::move(ds));
    dataset = &*loaded;
  }
  try {
    Trainer trainer(config, *dataset);
    SG_RETURN_IF_ERROR(trainer.Setup());
    return trainer.EvaluateFrom(checkpoint_path);
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("evaluation failed: {}", e.what()));
  }
}

}  // namespace streamgnn::trainers
