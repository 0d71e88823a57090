#include "trainers/continual_trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/threads.h"
#include "datasets/task_stream.h"
#include "memory/importance_weights.h"
#include "memory/replay_buffer.h"
#include "models/ssrm.h"
#include "models/static_gnn.h"
#include "sampling/neighbor_sampler.h"
#include "trainers/static_common.h"
#include "trainers/torch_device.h"
#include "trainers/torch_threads.h"

namespace streamgnn::trainers {
namespace {

using static_common::IdTensor;

Status CheckConfig(const StaticConfig& c) {
  if (IsHeteroModel(c.model.name)) {
    return Status::InvalidArgument("model.name: continual learning trains gcn, sage or gat");
  }
  if (c.distributed.backend != DistributedBackend::kNone) {
    return Status::InvalidArgument("distributed.backend: continual learning runs in one process (none)");
  }
  bool all = c.train.batch_size == -1;
  for (const int64_t f : c.sampling.neighbor) all = all && f == -1;
  if (!all) {
    return Status::Unimplemented(
        "train.batch_size / sampling.neighbor: continual learning trains on each task's whole "
        "graph (all / all); mini-batch continual training is not built");
  }
  if (c.continual.replay.weighting == ReplayWeighting::kKmm &&
      c.continual.strategy == ContinualStrategy::kReplay && !memory::KernelMeanMatchingAvailable()) {
    return Status::Unimplemented(
        "continual.replay.weighting: kmm needs COIN-OR Ipopt, which this build lacks (install "
        "coinor-libipopt-dev and reconfigure)");
  }
  return Status::Ok();
}

// Which logits a node of task j is judged on at task i: a range of classes.
struct ClassRange {
  int64_t first = 0, count = 0;
};

// One run over the stream: the model, the inputs and what the strategy keeps between tasks.
class ContinualRun {
 public:
  ContinualRun(const StaticConfig& c, const datasets::StaticDataset& d,
               const datasets::TaskStream& stream, torch::Device device)
      : c_(c), d_(d), stream_(stream), device_(device), k_(c.continual.classes_per_task) {
    dense_x_ = torch::from_blob(const_cast<float*>(d.features.data()),
                                {d.num_nodes, d.feature_dim}, torch::kFloat32);
    // Bag-of-words features (cora) go in as a sparse matrix, as in static training.
    if (static_common::SparseRows::Worth(d)) {
      std::vector<NodeId> all(static_cast<size_t>(d.num_nodes));
      for (NodeId v = 0; v < d.num_nodes; ++v) all[v] = v;
      x_ = static_common::SparseRows(d).Rows(all).to(device);
    } else {
      x_ = dense_x_.to(device);
    }
    labels_ = IdTensor(d.labels).to(device);
    torch::manual_seed(static_cast<uint64_t>(c.train.seed));
    model_ = models::StaticGnn(static_common::GnnOptions(c, d));
    model_->to(device);
  }

  // Trains task i and evaluates every task so far; appends to `result`.
  Status RunTask(int i, ContinualResult* result) {
    SG_RETURN_IF_ERROR(BuildBlocks(i));
    train_idx_.push_back(IdTensor(Train(i)).to(device_));
    test_idx_.push_back(IdTensor(stream_.task(i).test).to(device_));
    SG_RETURN_IF_ERROR(PrepareReplay(i));
    result->buffer_size.push_back(buffer_.size());
    const auto start = std::chrono::steady_clock::now();
    const auto optimizer = static_common::MakeOptimizer(c_, model_->parameters(), {});
    for (int64_t epoch = 0; epoch < c_.train.epoch; ++epoch) {
      model_->train();
      optimizer->zero_grad();
      Loss(i).backward();
      optimizer->step();
    }
    result->task_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    result->accuracy.push_back(Evaluate(i));
    return FinishTask(i);
  }

 private:
  Status BuildBlocks(int i) {
    SG_ASSIGN_OR_RETURN(graph_, stream_.GraphAt(i, static_common::TrainingGraphOptions(c_, d_)));
    SG_ASSIGN_OR_RETURN(const auto sampler, sampling::NeighborSampler::Create(&graph_, {{-1}, 0}));
    const std::vector<int64_t> out_degree = graph_.OutDegrees();
    const models::BlockTensors b =
        models::MakeBlockTensors(sampler.FullGraph().blocks[0], Span<const int64_t>(out_degree), device_);
    blocks_.assign(static_cast<size_t>(c_.model.layers), b);
    return Status::Ok();
  }

  ClassRange Classes(int i, int j) const {
    if (c_.continual.setting == ContinualSetting::kClassIncremental) return {0, (i + 1) * k_};
    return {j * k_, k_};
  }

  // Class-balanced mean of the per-node losses of the rows `idx` (all of task j), each scaled by
  // `weights` (undefined: 1): every class's weighted mean, then the mean over classes. A class
  // whose weights are all 0 (KMM may zero a small class) drops out instead of giving 0 / 0.
  torch::Tensor TaskLoss(const torch::Tensor& logits, const torch::Tensor& idx, int i, int j,
                         const torch::Tensor& weights) const {
    const ClassRange r = Classes(i, j);
    const torch::Tensor y = labels_.index_select(0, idx) - r.first;
    const torch::Tensor per_node = torch::nn::functional::cross_entropy(
        logits.index_select(0, idx).narrow(1, r.first, r.count), y,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    const torch::Tensor w = weights.defined() ? weights : torch::ones_like(per_node);
    const torch::Tensor class_w = torch::zeros({r.count}, w.options()).index_add(0, y, w);
    const torch::Tensor norm = class_w.index_select(0, y) * class_w.gt(0).sum();
    return (w * per_node / norm.clamp_min(1e-12)).sum();
  }

  // The training nodes of task j.
  const std::vector<NodeId>& Train(int j) const { return stream_.task(j).train; }

  torch::Tensor Loss(int i) {
    torch::Tensor hidden;
    const bool ssrm = ssrm_old_.defined();
    const torch::Tensor logits = model_->forward(x_, blocks_, nullptr, ssrm ? &hidden : nullptr);
    torch::Tensor loss;
    if (c_.continual.strategy == ContinualStrategy::kJoint) {
      loss = torch::zeros({}, logits.options());
      for (int j = 0; j <= i; ++j) loss = loss + TaskLoss(logits, train_idx_[j], i, j, {}) / (i + 1);
      return loss;
    }
    loss = TaskLoss(logits, train_idx_[i], i, i, {});
    if (c_.continual.strategy != ContinualStrategy::kReplay || buffer_.size() == 0) return loss;
    const double beta = c_.continual.replay.beta;
    loss = beta * loss + (1 - beta) * ReplayLoss(logits, i);
    if (ssrm) {
      const double alpha = c_.continual.ssrm.alpha;
      const torch::Tensor now = hidden.index_select(0, buffer_idx_);
      loss = alpha * loss + (1 - alpha) * models::MultiBandwidthMmd(now, ssrm_old_);
    }
    return loss;
  }

  // The buffer's loss, task by task (each task's class range), averaged over the tasks.
  torch::Tensor ReplayLoss(const torch::Tensor& logits, int i) const {
    torch::Tensor loss = torch::zeros({}, logits.options());
    for (const ReplayGroup& g : replay_groups_) loss = loss + TaskLoss(logits, g.idx, i, g.task, g.weights) / i;
    return loss;
  }

  // The last hidden representations of `nodes` on the current graph (eval mode, no gradient).
  torch::Tensor Representations(const std::vector<NodeId>& nodes) {
    torch::NoGradGuard no_grad;
    model_->eval();
    torch::Tensor hidden;
    model_->forward(x_, blocks_, nullptr, &hidden);
    return hidden.index_select(0, IdTensor(nodes).to(device_));
  }

  // The buffer's rows on the device, grouped by task, with SEA-ER's weights against task i's
  // training nodes on task i's graph: built once a task, read every epoch.
  Status PrepareReplay(int i) {
    replay_groups_.clear();
    if (c_.continual.strategy != ContinualStrategy::kReplay || buffer_.size() == 0) return Status::Ok();
    buffer_idx_ = IdTensor(buffer_.nodes()).to(device_);
    torch::Tensor weights;
    if (c_.continual.replay.weighting == ReplayWeighting::kKmm) {
      const torch::Tensor z = Representations(buffer_.nodes()).cpu().contiguous();
      const torch::Tensor x = Representations(Train(i)).cpu().contiguous();
      SG_ASSIGN_OR_RETURN(
          const memory::KmmResult kmm,
          memory::KernelMeanMatching(Span<const float>(z.data_ptr<float>(), z.numel()),
                                     Span<const float>(x.data_ptr<float>(), x.numel()), z.size(1)));
      weights = torch::tensor(kmm.weights, torch::kFloat32).to(device_);
    }
    for (int j = 0; j < i; ++j) {
      std::vector<NodeId> rows;
      std::vector<int64_t> positions;
      for (int64_t n = 0; n < buffer_.size(); ++n) {
        if (buffer_.tasks()[n] != j) continue;
        rows.push_back(buffer_.nodes()[n]);
        positions.push_back(n);
      }
      ReplayGroup g{j, IdTensor(rows).to(device_), torch::Tensor()};
      if (weights.defined()) g.weights = weights.index_select(0, IdTensor(positions).to(device_));
      replay_groups_.push_back(std::move(g));
    }
    return Status::Ok();
  }

  // Test accuracy of every task so far.
  std::vector<double> Evaluate(int i) {
    torch::NoGradGuard no_grad;
    model_->eval();
    const torch::Tensor logits = model_->forward(x_, blocks_);
    std::vector<double> acc;
    for (int j = 0; j <= i; ++j) {
      const ClassRange r = Classes(i, j);
      const torch::Tensor& idx = test_idx_[j];
      const torch::Tensor pred = logits.index_select(0, idx).narrow(1, r.first, r.count).argmax(1) + r.first;
      acc.push_back(pred.eq(labels_.index_select(0, idx)).to(torch::kFloat64).mean().item<double>());
    }
    return acc;
  }

  // After task i: its replay nodes join the buffer; SSRM keeps the buffer's representations.
  Status FinishTask(int i) {
    if (c_.continual.strategy != ContinualStrategy::kReplay) return Status::Ok();
    const std::vector<NodeId>& candidates = Train(i);
    std::vector<int64_t> classes;
    for (const NodeId v : candidates) classes.push_back(d_.labels[v]);
    torch::Tensor rows;
    if (c_.continual.replay.space == ReplaySpace::kRepresentation) {
      rows = Representations(candidates).cpu().contiguous();
    } else {
      rows = dense_x_.index_select(0, IdTensor(candidates)).contiguous();
    }
    memory::ReplaySelectOptions o;
    o.selection = c_.continual.replay.selection;
    o.per_class_budget = c_.continual.replay.per_class_budget;
    o.coverage_distance = c_.continual.replay.coverage_distance;
    o.coverage_scale = c_.continual.replay.coverage_scale;
    o.seed = static_cast<uint64_t>(c_.train.seed);
    SG_ASSIGN_OR_RETURN(const std::vector<NodeId> kept,
                        memory::SelectReplay(candidates, classes,
                                             Span<const float>(rows.data_ptr<float>(), rows.numel()),
                                             rows.size(1), o));
    buffer_.Add(i, kept);
    if (c_.continual.ssrm.enabled) ssrm_old_ = Representations(buffer_.nodes()).detach();
    return Status::Ok();
  }

  const StaticConfig& c_;
  const datasets::StaticDataset& d_;
  const datasets::TaskStream& stream_;
  torch::Device device_;
  int64_t k_;
  torch::Tensor dense_x_;  // host features
  torch::Tensor x_, labels_;  // on the device; x_ sparse for mostly-zero features
  models::StaticGnn model_{nullptr};
  graph::CsrGraph graph_;
  std::vector<models::BlockTensors> blocks_;
  std::vector<torch::Tensor> train_idx_, test_idx_;  // per task seen, on the device
  memory::ReplayBuffer buffer_;
  // The buffer's rows of one earlier task, and their KMM weights (undefined: uniform).
  struct ReplayGroup {
    int task;
    torch::Tensor idx, weights;
  };
  std::vector<ReplayGroup> replay_groups_;  // for the current task
  torch::Tensor buffer_idx_;                // every buffer node, in buffer order
  torch::Tensor ssrm_old_;                  // the buffer's representations when their tasks ended
};

void Summarise(ContinualResult* r) {
  const int t = r->num_tasks;
  const std::vector<double>& last = r->accuracy.back();
  r->average_performance = 0;
  for (const double a : last) r->average_performance += a / t;
  r->average_forgetting = 0;
  for (int j = 0; j + 1 < t; ++j) {
    r->average_forgetting += (r->accuracy[j][j] - last[j]) / (t - 1);
  }
}

nlohmann::ordered_json ResultFields(const ContinualResult& r) {
  nlohmann::ordered_json j;
  j["num_tasks"] = r.num_tasks;
  j["accuracy"] = r.accuracy;
  j["average_performance"] = r.average_performance;
  j["average_forgetting"] = r.average_forgetting;
  j["task_seconds"] = r.task_seconds;
  j["buffer_size"] = r.buffer_size;
  return j;
}

Status WriteResult(const StaticConfig& c, const datasets::StaticDataset& d,
                   const datasets::TaskStream& s, const ContinualResult& r) {
  if (c.log.dir.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(c.log.dir, ec);
  nlohmann::ordered_json j;
  j["dataset"] = d.name;
  const nlohmann::ordered_json fields = ResultFields(r);  // items() must not outlive it
  for (const auto& [key, value] : fields.items()) j[key] = value;
  for (int i = 0; i < s.num_tasks(); ++i) {
    const datasets::Task& t = s.task(i);
    j["tasks"].push_back({{"classes", t.classes}, {"train", t.train.size()}, {"val", t.val.size()},
                          {"test", t.test.size()}});
  }
  j["config"] = nlohmann::ordered_json::parse(core::ConfigAsJson(c));
  std::ofstream out(c.log.dir + "/continual.json");
  out << j.dump() << "\n";
  if (!out) return Status::IOError("cannot write " + c.log.dir + "/continual.json");
  return Status::Ok();
}

StatusOr<ContinualResult> Run(const StaticConfig& c, const datasets::StaticDataset& d) {
  SG_RETURN_IF_ERROR(CheckConfig(c));
  SetTorchThreads(c.runtime.threads > 0 ? static_cast<int>(c.runtime.threads) : core::ThreadBudget(),
                  TorchParallelism::kIntraOp);
  SG_ASSIGN_OR_RETURN(const torch::Device device, TorchDevice(c.runtime.device, "runtime.device"));
  if (d.feature_dim <= 0 || d.num_classes <= 0) {
    return Status::InvalidArgument("dataset '" + d.name + "' needs node features and labels");
  }
  datasets::TaskStreamOptions so;
  so.classes_per_task = c.continual.classes_per_task;
  so.visibility = c.continual.visibility;
  so.inter_task_edges = c.continual.inter_task_edges;
  so.train_fraction = c.continual.train_fraction;
  so.val_fraction = c.continual.val_fraction;
  so.seed = static_cast<uint64_t>(c.continual.split_seed);
  SG_ASSIGN_OR_RETURN(const datasets::TaskStream stream, datasets::TaskStream::Create(&d, so));
  ContinualRun run(c, d, stream, device);
  ContinualResult result;
  result.num_tasks = stream.num_tasks();
  for (int i = 0; i < stream.num_tasks(); ++i) SG_RETURN_IF_ERROR(run.RunTask(i, &result));
  Summarise(&result);
  SG_RETURN_IF_ERROR(WriteResult(c, d, stream, result));
  return result;
}

}  // namespace

std::string ContinualResult::ToJson() const { return ResultFields(*this).dump(); }

StatusOr<ContinualResult> TrainContinual(const StaticConfig& config,
                                         const datasets::StaticDataset& dataset) {
  try {
    return Run(config, dataset);
  } catch (const std::exception& e) {  // LibTorch reports through c10::Error
    return Status::Internal(std::string("continual training failed: ") + e.what());
  }
}

StatusOr<ContinualResult> TrainContinualFromConfig(const StaticConfig& config) {
  if (IsHeteroFormat(config.dataset.format)) {
    return Status::InvalidArgument("dataset.format: continual learning reads homogeneous datasets");
  }
  SG_ASSIGN_OR_RETURN(const datasets::StaticDataset d, LoadStaticConfigDataset(config));
  return TrainContinual(config, d);
}

}  // namespace streamgnn::trainers
