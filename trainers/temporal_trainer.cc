#include "trainers/temporal_trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "core/logging.h"
#include "core/rng.h"
#include "datasets/dataset_config.h"
#include "datasets/npy.h"
#include "trainers/checkpoint_file.h"
#include "trainers/early_stopping.h"
#include "trainers/temporal_trainer_impl.h"
#include "trainers/torch_device.h"
#include "trainers/torch_threads.h"

namespace streamgnn::trainers {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

Status TemporalTrainerImpl::Setup() {
  SG_ASSIGN_OR_RETURN(device_, TorchDevice(config_.runtime.device, "runtime.device"));
  threads_ = SetTorchThreads(static_cast<int>(config_.runtime.threads),
                             WholeBatches() || !device_.is_cpu() ? TorchParallelism::kGemm
                                                                 : TorchParallelism::kTasks);
  const trainers::TrainConfig& tc = config_.train;
  if (config_.sampling.num_thread > 0) {
    core::Logger()->info("sampling.num_thread {} is ignored: runtime.threads sizes every thread pool ({} here)",
                         config_.sampling.num_thread, threads_);
  }
  if (ds_.num_events() < 10) {
    return Status::InvalidArgument(
        fmt::format("dataset {}: {} events are too few to split and train on", ds_.name, ds_.num_events()));
  }
  split_ = MakeTemporalSplit(ds_, tc);
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
  const TimeShiftStats shifts = ComputeTimeShiftStats(ds_, split_.train);
  spec.src_shift_mean = shifts.src_mean;
  spec.src_shift_std = shifts.src_std;
  spec.dst_shift_mean = shifts.dst_mean;
  spec.dst_shift_std = shifts.dst_std;
  SG_RETURN_IF_ERROR(models::ValidateModelSpec(spec));

  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  model_ = models::TemporalModel(spec);
  model_->to(device_);
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(),
                                                    torch::optim::AdamOptions(tc.lr));
  if (model_->has_memory()) {
    memory::NodeMemoryOptions mo;
    mo.num_nodes = ds_.num_nodes;
    mo.dim_memory = config_.memory.dim_out;
    mo.dim_mail = model_->dim_mail();
    mo.mailbox_size = config_.memory.mailbox_size;
    mo.combine = config_.memory.mail_combine;
    mo.device = device_;
    SG_ASSIGN_OR_RETURN(memory::NodeMemory m, memory::NodeMemory::Create(mo));
    memory_.emplace(std::move(m));
    if (config_.pres.enabled) pres_.emplace(ds_.num_nodes, config_.memory.dim_out, device_);
  }

  const bool attention = model_->uses_neighbors_for_embedding();
  const bool deliver_neighbors = model_->has_memory() &&
                                 config_.memory.deliver_to == memory::DeliverTo::kNeighbors;
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
    if (device_.is_cpu()) {
      SG_ASSIGN_OR_RETURN(sampling::TemporalSampler s, sampling::TemporalSampler::Create(so));
      sampler_.emplace(std::move(s));
    } else {
      SG_ASSIGN_OR_RETURN(device_sampler_, DeviceShardSampler::Create(so, device_));
    }
  }
  if (tc.negative_pool == trainers::NegativePool::kAllNodes) {
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

  SG_RETURN_IF_ERROR(LoadTgbNegatives());

  const double ratio = config_.runtime.feature_cache_ratio;
  SG_ASSIGN_OR_RETURN(node_features_, FeatureRows::Create(ds_.node_feat.data(), ds_.num_nodes,
                                                          ds_.node_feat_dim, ratio, device_));
  SG_ASSIGN_OR_RETURN(edge_features_, FeatureRows::Create(ds_.edge_feat.data(), ds_.num_events(),
                                                          ds_.edge_feat_dim, ratio, device_));
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

StatusOr<EventStore> TemporalTrainerImpl::NewStore() const {
  graph::TemporalGraphOptions go;
  go.undirected = config_.graph.undirected;
  go.out_of_order = config_.graph.out_of_order;
  go.eviction_window = config_.graph.eviction_window;
  go.min_block_capacity = static_cast<int32_t>(config_.graph.min_block_capacity);
  go.max_block_capacity = static_cast<int32_t>(config_.graph.max_block_capacity);
  SG_RETURN_IF_ERROR(graph::TemporalGraph::ValidateOptions(go).WithPrefix("graph"));
  EventStore store;
  store.graph = std::make_unique<graph::TemporalGraph>(go);
  if (device_sampler_) {
    SG_ASSIGN_OR_RETURN(store.device, DeviceEventStore::Create(go, ds_.num_events(), device_));
  }
  return store;
}

Status TemporalTrainerImpl::Append(EventStore* store, const int64_t* events, int64_t n) const {
  std::vector<NodeId> src(n), dst(n);
  std::vector<Timestamp> ts(n);
  for (int64_t i = 0; i < n; ++i) {
    src[i] = ds_.src[events[i]];
    dst[i] = ds_.dst[events[i]];
    ts[i] = ds_.ts[events[i]];
  }
  auto appended = store->graph->AppendEdges(src, dst, ts);
  if (!appended.ok()) return appended.status().WithPrefix(ds_.name);
  if (store->device) {
    SG_RETURN_IF_ERROR(store->device->Append(src, dst, ts, events).WithPrefix(ds_.name + " (device store)"));
  }
  store->event_of_edge.insert(store->event_of_edge.end(), events, events + n);
  return Status::Ok();
}

bool TemporalTrainerImpl::WholeBatches() const {
  const bool mitigation = config_.pipeline.mode == trainers::PipelineMode::kMspipe &&
                          config_.pipeline.mitigation == trainers::StalenessMitigation::kSimilarity;
  return config_.pres.enabled || mitigation;
}

int64_t TemporalTrainerImpl::ShardsPerBatch() const {
  return WholeBatches() || !device_.is_cpu() ? 1 : threads_;
}

// Validation, then test, from the current node memory over a store with every training event.
StatusOr<EpochRecord> TemporalTrainerImpl::Evaluate() {
  model_->eval();
  SG_ASSIGN_OR_RETURN(EventStore store, NewStore());
  SG_RETURN_IF_ERROR(Append(&store, split_.train_all.data(), static_cast<int64_t>(split_.train_all.size())));
  SG_ASSIGN_OR_RETURN(PassResult val, RunPass(PassMode::kVal, split_.val, &store, 0, nullptr));
  SG_ASSIGN_OR_RETURN(PassResult test, RunPass(PassMode::kTest, split_.test, &store, 0, nullptr));
  EpochRecord r;
  r.val = val.all;
  r.val_inductive = val.inductive;
  r.test = test.all;
  r.test_inductive = test.inductive;
  last_scores_[0] = std::move(val.ranks);
  last_scores_[1] = std::move(test.ranks);
  model_->train();
  return r;
}

StatusOr<TrainSummary> TemporalTrainerImpl::Train(const TrainOptions& options) {
  const trainers::TrainConfig& tc = config_.train;
  std::error_code ec;
  fs::create_directories(config_.log.dir, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot create log.dir: {}", config_.log.dir, ec.message()));
  const std::string checkpoint = config_.log.dir + "/checkpoint.pt";
  const std::string best_path = config_.log.dir + "/best.pt";
  const std::string metrics_path = config_.log.dir + "/metrics.jsonl";

  TrainSummary summary;
  int64_t start_epoch = 1, best_epoch = 0, bad_epochs = 0;
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
  summary.epochs = ParseHistory(history);
  // Best validation AP, or MRR under TGB's protocol (an improvement must exceed it by 1e-10, so
  // float noise never counts).
  EarlyStopping early(tc.patience, 1e-10);
  if (best_epoch > 0) early.Restore(best_epoch, SelectionMetric(summary.epochs.at(best_epoch - 1).val), bad_epochs);

  model_->train();
  int64_t run_here = 0;
  bool stop = early.stop();
  for (int64_t epoch = start_epoch; epoch <= tc.epoch && !stop; ++epoch) {
    torch::manual_seed(core::StreamKey(static_cast<uint64_t>(tc.seed), 0x45504f4348, epoch));
    if (memory_) memory_->Reset();
    if (pres_) pres_->Reset();
    SG_ASSIGN_OR_RETURN(EventStore store, NewStore());
    const auto t0 = Clock::now();
    core::ProgressBar progress(fmt::format("epoch {}/{}", epoch, tc.epoch),
                               static_cast<int64_t>(split_.train.size()), config_.log.progress);
    SG_ASSIGN_OR_RETURN(PassResult train, RunPass(PassMode::kTrain, split_.train, &store, epoch, &progress, &options));
    progress.Finish();
    EpochRecord r;
    r.epoch = epoch;
    r.train_s = Seconds(t0);
    r.train_loss = train.loss_sum / std::max<int64_t>(1, train.batches);
    r.stages = train.stages;
    r.shapes = train.shapes;
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
    const bool improved = early.Update(epoch, SelectionMetric(r.val));
    best_epoch = early.best_step();
    bad_epochs = early.since_best();
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
    stop = early.stop();
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
  nlohmann::ordered_json json;
  json["dataset"] = ds_.name;
  json["epochs"] = summary.epochs.size();
  json["best_epoch"] = best_epoch;
  json["stopped_early"] = summary.stopped_early;
  json["val_ap"] = best.val.ap;
  json["val_auc"] = best.val.auc;
  json["test_ap"] = best.test.ap;
  json["test_auc"] = best.test.auc;
  json["test_inductive_ap"] = best.test_inductive.ap;
  json["test_inductive_auc"] = best.test_inductive.auc;
  json["test_mrr"] = best.test.mrr;
  if (config_.eval.protocol == trainers::EvalProtocol::kTgb) {
    json["val_mrr"] = best.val.mrr;
    json["val_hits"] = best.val.hits;
    json["test_hits"] = best.test.hits;
    json["hits_k"] = config_.eval.hits_k;
  }
  // replace: a dataset name that is not UTF-8 must not stop the run at its end
  std::ofstream(config_.log.dir + "/summary.json")
      << json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return summary;
}

namespace {

// <dir>/<split>_pos.npy [P, 1] and <split>_neg.npy [P, K], NaN past each row's count.
Status WriteRankScores(const std::string& dir, const std::string& split, const RankScores& r) {
  if (r.pos.empty()) {
    return Status::InvalidArgument("--scores: the run ranks nothing (eval.protocol tgb or "
                                   "train.eval_negatives > 0 ranks)");
  }
  const auto rows = static_cast<int64_t>(r.pos.size());
  datasets::NpyMatrix neg{rows, r.width, r.neg};
  for (int64_t i = 0; i < rows; ++i) {
    std::fill(neg.data.begin() + i * r.width + r.counts[i], neg.data.begin() + (i + 1) * r.width,
              std::numeric_limits<float>::quiet_NaN());
  }
  SG_RETURN_IF_ERROR(datasets::WriteNpyMatrix(dir + "/" + split + "_pos.npy", {rows, 1, r.pos}));
  return datasets::WriteNpyMatrix(dir + "/" + split + "_neg.npy", neg);
}

}  // namespace

StatusOr<EvalSummary> TemporalTrainerImpl::EvaluateFrom(const std::string& checkpoint_path,
                                                        const std::string& scores_dir) {
  int64_t epoch = 0, best_epoch = 0, bad_epochs = 0;
  std::string history;
  SG_RETURN_IF_ERROR(ReadCheckpoint(checkpoint_path, false, &epoch, &history, &best_epoch, &bad_epochs));
  collect_scores_ = !scores_dir.empty();
  const auto t0 = Clock::now();
  SG_ASSIGN_OR_RETURN(const EpochRecord eval, Evaluate());
  const double eval_s = Seconds(t0);
  if (collect_scores_) {
    std::error_code ec;
    fs::create_directories(scores_dir, ec);
    if (ec) return Status::IOError(fmt::format("{}: cannot create: {}", scores_dir, ec.message()));
    SG_RETURN_IF_ERROR(WriteRankScores(scores_dir, "val", last_scores_[0]));
    SG_RETURN_IF_ERROR(WriteRankScores(scores_dir, "test", last_scores_[1]));
  }
  EvalSummary s;
  s.epoch = epoch;
  s.val = eval.val;
  s.val_inductive = eval.val_inductive;
  s.test = eval.test;
  s.test_inductive = eval.test_inductive;
  s.val_positives = static_cast<int64_t>(split_.val.size());
  s.test_positives = static_cast<int64_t>(split_.test.size());
  s.eval_s = eval_s;
  return s;
}

void PutMetrics(nlohmann::ordered_json& object, const std::string& prefix, const LinkMetrics& m,
                bool with_mrr) {
  object[prefix + "_ap"] = m.ap;
  object[prefix + "_auc"] = m.auc;
  if (with_mrr) object[prefix + "_mrr"] = m.mrr;
  if (!std::isnan(m.hits)) object[prefix + "_hits"] = m.hits;  // Hits@eval.hits_k
}

namespace {

// TGB's negatives file of a split: as configured, else next to the dataset file named after
// the dataset (<name>_<split>_ns_v2.pkl, or TGB v1's <name>_<split>_ns.pkl).
std::string TgbNegativesPath(const trainers::TemporalConfig& c, const std::string& name, const std::string& split) {
  const std::string& set = split == "val" ? c.eval.val_negatives : c.eval.test_negatives;
  if (!set.empty()) return set;
  const std::filesystem::path dir = std::filesystem::path(c.dataset.path).parent_path();
  const std::filesystem::path v2 = dir / (name + "_" + split + "_ns_v2.pkl");
  const std::filesystem::path v1 = dir / (name + "_" + split + "_ns.pkl");
  return (std::filesystem::exists(v2) || !std::filesystem::exists(v1) ? v2 : v1).string();
}

}  // namespace

Status TemporalTrainerImpl::LoadTgbNegatives() {
  if (config_.eval.protocol != trainers::EvalProtocol::kTgb) return Status::Ok();
  SG_ASSIGN_OR_RETURN(datasets::TgbNegatives val, datasets::TgbNegatives::Load(TgbNegativesPath(config_, ds_.name, "val")));
  SG_ASSIGN_OR_RETURN(datasets::TgbNegatives test, datasets::TgbNegatives::Load(TgbNegativesPath(config_, ds_.name, "test")));
  for (const datasets::TgbNegatives* n : {&val, &test}) {
    if (n->max_id() >= ds_.num_nodes) {
      return Status::InvalidArgument(n->source() + ": a negative destination is node " + std::to_string(n->max_id()) +
                                     " but " + ds_.name + " has " + std::to_string(ds_.num_nodes) +
                                     " nodes: the negatives belong to another dataset");
    }
  }
  core::Logger()->info("TGB negatives: {} val positives (up to {} negatives), {} test (up to {})", val.size(),
                       val.max_count(), test.size(), test.max_count());
  tgb_val_.emplace(std::move(val));
  tgb_test_.emplace(std::move(test));
  return Status::Ok();
}

StatusOr<datasets::TemporalDataset> LoadConfigDataset(const trainers::TemporalConfig& config) {
  datasets::LoadReport report;
  SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, datasets::LoadFromConfig(config.dataset, &report));
  core::Logger()->info("dataset {}: {} events, {} nodes, edge features {}, node features {} ({:.2f} s{})",
                       ds.name, ds.num_events(), ds.num_nodes, ds.edge_feat_dim, ds.node_feat_dim,
                       report.seconds, report.cache_hit ? ", from cache" : "");
  return ds;
}

std::string EpochRecord::ToJson(bool with_mrr) const {
  nlohmann::ordered_json j;
  j["epoch"] = epoch;
  j["train_loss"] = train_loss;
  j["train_s"] = train_s;
  j["eval_s"] = eval_s;
  PutMetrics(j, "val", val, with_mrr);
  PutMetrics(j, "val_inductive", val_inductive, with_mrr);
  PutMetrics(j, "test", test, with_mrr);
  PutMetrics(j, "test_inductive", test_inductive, with_mrr);
  j["time_sample_s"] = stages.sample;
  j["time_features_s"] = stages.features;
  j["time_memory_read_s"] = stages.memory_read;
  j["time_forward_s"] = stages.forward;
  j["time_backward_s"] = stages.backward;
  j["time_memory_write_s"] = stages.memory_write;
  j["staleness_bound"] = staleness_bound;
  j["staleness_max"] = staleness_max;
  j["staleness_mean"] = staleness_mean;
  j["mitigated_nodes"] = mitigated_nodes;
  j["batch_roots"] = shapes.roots;
  j["batch_unique_nodes"] = shapes.unique_nodes;
  j["batch_memory_updates"] = shapes.memory_updates;
  j["batch_slots"] = shapes.slots;
  j["best_epoch"] = best_epoch;
  return j.dump();
}

std::string EvalSummary::ToJson(bool with_mrr) const {
  nlohmann::ordered_json j;
  j["epoch"] = epoch;
  PutMetrics(j, "val", val, with_mrr);
  PutMetrics(j, "val_inductive", val_inductive, with_mrr);
  PutMetrics(j, "test", test, with_mrr);
  PutMetrics(j, "test_inductive", test_inductive, with_mrr);
  j["val_positives"] = val_positives;
  j["test_positives"] = test_positives;
  j["eval_s"] = eval_s;
  return j.dump();
}

Status CheckInputFiles(const trainers::TemporalConfig& config, const std::string& config_path) {
  if (config.dataset.format == datasets::Format::kSynthetic) return Status::Ok();
  std::error_code ec;
  if (fs::exists(config.dataset.path, ec)) return Status::Ok();
  return Status::InvalidArgument(fmt::format("{}: key 'dataset.path': file not found: {}",
                                             core::KeyLocation(config_path, "dataset.path"),
                                             config.dataset.path));
}

StatusOr<TrainSummary> TrainTemporal(const trainers::TemporalConfig& config, const TrainOptions& options,
                                     const datasets::TemporalDataset* dataset) {
  std::optional<datasets::TemporalDataset> loaded;
  if (dataset == nullptr) {
    SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, LoadConfigDataset(config));
    loaded.emplace(std::move(ds));
    dataset = &*loaded;
  }
  try {
    TemporalTrainerImpl trainer(config, *dataset);
    SG_RETURN_IF_ERROR(trainer.Setup());
    return trainer.Train(options);
  } catch (const std::exception& e) {  // LibTorch reports shape errors and the like by throwing
    return Status::Internal(fmt::format("training failed: {}", e.what()));
  }
}

StatusOr<EvalSummary> EvaluateCheckpoint(const std::string& checkpoint_path,
                                         const datasets::TemporalDataset* dataset,
                                         const EvalOptions& options) {
  for (const std::string& o : options.overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (std::find(std::begin(kEvalOverridableKeys), std::end(kEvalOverridableKeys), key) ==
        std::end(kEvalOverridableKeys)) {
      return Status::InvalidArgument(fmt::format(
          "eval --set {}: expected one of {} (the other keys would change the model or its scores)",
          o, fmt::join(kEvalOverridableKeys, ", ")));
    }
  }
  std::string yaml;
  try {
    torch::serialize::InputArchive archive;
    // A GPU run's checkpoint reads anywhere.
    SG_RETURN_IF_ERROR(LoadCheckpointFile(checkpoint_path, torch::kCPU, &archive));
    c10::IValue value;
    archive.read("config", value);
    yaml = value.toStringRef();
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: not a streamgnn checkpoint: {}", checkpoint_path, e.what()));
  }
  SG_ASSIGN_OR_RETURN(const trainers::TemporalConfig config,
                      trainers::LoadTemporalConfigString(yaml, checkpoint_path + " (stored config)",
                                                         options.overrides));
  std::optional<datasets::TemporalDataset> loaded;
  if (dataset == nullptr) {
    SG_ASSIGN_OR_RETURN(datasets::TemporalDataset ds, LoadConfigDataset(config));
    loaded.emplace(std::move(ds));
    dataset = &*loaded;
  }
  try {
    TemporalTrainerImpl trainer(config, *dataset);
    SG_RETURN_IF_ERROR(trainer.Setup());
    return trainer.EvaluateFrom(checkpoint_path, options.scores_dir);
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("evaluation failed: {}", e.what()));
  }
}

}  // namespace streamgnn::trainers
