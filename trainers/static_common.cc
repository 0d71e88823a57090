#include "trainers/static_common.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/rng.h"
#include "trainers/early_stopping.h"

namespace streamgnn::trainers::static_common {
namespace {

using Clock = std::chrono::steady_clock;

std::string RecordJson(const StaticEpochRecord& r) {
  nlohmann::ordered_json j;
  j["epoch"] = r.epoch;
  j["loss"] = r.loss;
  j["epoch_seconds"] = r.epoch_seconds;
  j["elapsed_seconds"] = r.elapsed_seconds;
  if (r.evaluated) {
    j["train_acc"] = r.train_acc;
    j["val_acc"] = r.val_acc;
    j["val_loss"] = r.val_loss;
    j["test_acc"] = r.test_acc;
    if (r.has_macro_f1) {
      j["val_macro_f1"] = r.val_macro_f1;
      j["test_macro_f1"] = r.test_macro_f1;
    }
  }
  return j.dump();
}

}  // namespace

torch::Tensor IdTensor(const std::vector<NodeId>& ids) {
  return torch::from_blob(const_cast<NodeId*>(ids.data()), {static_cast<int64_t>(ids.size())},
                          torch::kInt64)
      .clone();
}

namespace {

models::StaticModelKind KindOf(StaticModel m) {
  switch (m) {
    case StaticModel::kGcn:
      return models::StaticModelKind::kGcn;
    case StaticModel::kSage:
      return models::StaticModelKind::kSage;
    case StaticModel::kGat:
      return models::StaticModelKind::kGat;
    case StaticModel::kRgcn:
    case StaticModel::kHgt:
    case StaticModel::kBgHgnn:
      break;  // the config's rules send heterogeneous models to hetero_trainer.cc
  }
  TORCH_CHECK(!IsHeteroModel(m), "a heterogeneous model on the homogeneous path");
  return models::StaticModelKind::kGcn;
}

}  // namespace

models::StaticGnnOptions GnnOptions(const StaticConfig& c, const datasets::StaticDataset& d) {
  models::StaticGnnOptions mo;
  mo.kind = KindOf(c.model.name);
  mo.in_dim = d.feature_dim;
  mo.hidden_dim = c.model.hidden;
  mo.out_dim = d.num_classes;
  mo.num_layers = c.model.layers;
  mo.dropout = c.model.dropout;
  mo.heads = c.model.heads;
  mo.out_heads = c.model.out_heads;
  mo.att_dropout = c.model.att_dropout;
  return mo;
}

graph::CsrBuildOptions TrainingGraphOptions(const StaticConfig& c, const datasets::StaticDataset& d) {
  graph::CsrBuildOptions go;
  go.symmetrize = c.dataset.symmetrize || d.undirected;
  const bool sage = c.model.name == StaticModel::kSage;
  go.add_self_loops = !sage && c.model.self_loops;
  go.remove_self_loops = sage;
  return go;
}

bool SparseRows::Worth(const datasets::StaticDataset& d) {
  return d.CountFeatureNonzeros() < static_cast<int64_t>(d.features.size()) / 10;
}

SparseRows::SparseRows(const float* values, int64_t rows, int64_t dim_) : dim(dim_) {
  offsets.push_back(0);
  for (int64_t v = 0; v < rows; ++v) {
    for (int64_t j = 0; j < dim; ++j) {
      const float x = values[v * dim + j];
      if (x != 0.0f) {
        cols.push_back(j);
        vals.push_back(x);
      }
    }
    offsets.push_back(static_cast<int64_t>(cols.size()));
  }
}

torch::Tensor SparseRows::Rows(const std::vector<NodeId>& ids) const {
  std::vector<int64_t> idx_row, idx_col;
  std::vector<float> v;
  for (size_t r = 0; r < ids.size(); ++r) {
    for (int64_t e = offsets[ids[r]]; e < offsets[ids[r] + 1]; ++e) {
      idx_row.push_back(static_cast<int64_t>(r));
      idx_col.push_back(cols[e]);
      v.push_back(vals[e]);
    }
  }
  const int64_t nnz = static_cast<int64_t>(v.size());
  const torch::Tensor index =
      torch::stack({torch::from_blob(idx_row.data(), {nnz}, torch::kInt64),
                    torch::from_blob(idx_col.data(), {nnz}, torch::kInt64)});  // stack copies
  return torch::sparse_coo_tensor(index, torch::from_blob(v.data(), {nnz}, torch::kFloat32).clone(),
                                  {static_cast<int64_t>(ids.size()), dim})
      ._coalesced_(true);
}

std::vector<int64_t> LayerFanouts(const StaticConfig& c) {
  return c.sampling.neighbor.size() == 1
             ? std::vector<int64_t>(static_cast<size_t>(c.model.layers), c.sampling.neighbor[0])
             : c.sampling.neighbor;
}

void ShuffleSeeds(const StaticConfig& c, int64_t epoch, std::vector<NodeId>* ids) {
  std::vector<std::pair<uint64_t, NodeId>> keyed(ids->size());
  for (size_t i = 0; i < ids->size(); ++i) {
    core::RngStream rng(static_cast<uint64_t>(c.train.seed), core::StreamKey(0x5ea, epoch),
                        static_cast<uint64_t>((*ids)[i]));
    keyed[i] = {rng.NextU64(), (*ids)[i]};
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < ids->size(); ++i) (*ids)[i] = keyed[i].second;
}

Eval Evaluate(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& idx) {
  if (idx.numel() == 0) return {};
  const torch::Tensor l = logits.index_select(0, idx);
  const torch::Tensor y = labels.index_select(0, idx);
  const torch::Tensor pred = l.argmax(1);
  Eval e;
  e.acc = pred.eq(y).to(torch::kFloat64).mean().item<double>();
  e.loss = torch::nn::functional::cross_entropy(l, y).item<double>();
  // Macro-F1 as scikit-learn's f1_score(average='macro') over the classes that occur.
  const int64_t classes = logits.size(1);
  const torch::Tensor one = torch::ones_like(y, torch::kFloat64);
  const torch::Tensor tp = torch::zeros({classes}, torch::kFloat64).index_add(0, y.masked_select(pred.eq(y)), one.masked_select(pred.eq(y)));
  const torch::Tensor actual = torch::zeros({classes}, torch::kFloat64).index_add(0, y, one);
  const torch::Tensor predicted = torch::zeros({classes}, torch::kFloat64).index_add(0, pred, one);
  const torch::Tensor present = (actual + predicted).gt(0);
  const torch::Tensor f1 = 2 * tp / (actual + predicted).clamp_min(1);
  e.macro_f1 = (f1.masked_select(present).sum() / present.sum().clamp_min(1)).item<double>();
  return e;
}

void RecordEvaluation(const torch::Tensor& logits, const torch::Tensor& labels,
                      const torch::Tensor& train_idx, const torch::Tensor& val_idx,
                      const torch::Tensor& test_idx, StaticEpochRecord* rec) {
  rec->train_acc = Evaluate(logits, labels, train_idx).acc;
  const Eval val = Evaluate(logits, labels, val_idx), test = Evaluate(logits, labels, test_idx);
  rec->val_acc = val.acc;
  rec->val_loss = val.loss;
  rec->test_acc = test.acc;
  rec->has_macro_f1 = true;
  rec->val_macro_f1 = val.macro_f1;
  rec->test_macro_f1 = test.macro_f1;
}

std::unique_ptr<torch::optim::Adam> MakeOptimizer(const StaticConfig& c,
                                                  const std::vector<torch::Tensor>& params,
                                                  const std::vector<torch::Tensor>& first_layer) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  const double wd = c.train.weight_decay;
  if (c.train.weight_decay_scope == WeightDecayScope::kFirstLayer) {
    std::vector<torch::Tensor> rest;
    for (const auto& p : params) {
      if (std::none_of(first_layer.begin(), first_layer.end(), [&](const auto& f) { return f.is_same(p); })) {
        rest.push_back(p);
      }
    }
    groups.emplace_back(first_layer, std::make_unique<torch::optim::AdamOptions>(
                                         torch::optim::AdamOptions(c.train.lr).weight_decay(wd)));
    if (!rest.empty()) {
      groups.emplace_back(rest, std::make_unique<torch::optim::AdamOptions>(
                                    torch::optim::AdamOptions(c.train.lr).weight_decay(0)));
    }
  } else {
    groups.emplace_back(params, std::make_unique<torch::optim::AdamOptions>(
                                    torch::optim::AdamOptions(c.train.lr).weight_decay(wd)));
  }
  return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(c.train.lr));
}

Status RunEpochs(const StaticConfig& c, std::FILE* metrics, const StaticEpochCallback& on_epoch,
                 const std::function<StatusOr<double>(int64_t)>& train,
                 const std::function<Status(StaticEpochRecord*)>& evaluate, StaticRunResult* result) {
  EarlyStopping early(c.train.patience);
  double elapsed = 0;
  for (int64_t epoch = 1; epoch <= c.train.epoch; ++epoch) {
    StaticEpochRecord rec;
    rec.epoch = epoch;
    const auto t0 = Clock::now();
    SG_ASSIGN_OR_RETURN(rec.loss, train(epoch));
    rec.epoch_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    elapsed += rec.epoch_seconds;
    rec.elapsed_seconds = elapsed;
    if (epoch % c.train.eval_every == 0 || epoch == c.train.epoch) {
      SG_RETURN_IF_ERROR(evaluate(&rec));
      rec.evaluated = true;
      // Best validation accuracy, ties to the lower validation loss; or simply the last.
      const bool best = early.Update(epoch, rec.val_acc, rec.val_loss);
      if (best || c.train.select == StaticSelect::kLast) {
        result->selected_epoch = epoch;
        result->val_acc = rec.val_acc;
        result->test_acc = rec.test_acc;
        result->test_macro_f1 = rec.test_macro_f1;
      }
    }
    result->epochs.push_back(rec);
    if (metrics != nullptr) std::fprintf(metrics, "%s\n", RecordJson(rec).c_str());
    if (on_epoch) on_epoch(rec);
    if (rec.evaluated && early.stop()) break;
  }
  result->train_seconds = elapsed;
  return Status::Ok();
}

StatusOr<std::FILE*> OpenMetrics(const StaticConfig& c) {
  if (c.log.dir.empty()) return static_cast<std::FILE*>(nullptr);
  std::error_code ec;
  std::filesystem::create_directories(c.log.dir, ec);
  std::FILE* metrics = std::fopen((c.log.dir + "/metrics.jsonl").c_str(), "w");
  if (metrics == nullptr) return Status::IOError("cannot write " + c.log.dir + "/metrics.jsonl");
  return metrics;
}

Status WriteSummary(const StaticConfig& c, const std::string& dataset, const StaticRunResult& result,
                    const char* key, const nlohmann::ordered_json& extra) {
  nlohmann::ordered_json j;
  j["dataset"] = dataset;
  j["full_graph"] = result.full_graph;
  j["selected_epoch"] = result.selected_epoch;
  j["val_acc"] = result.val_acc;
  j["test_acc"] = result.test_acc;
  if (!result.epochs.empty() && result.epochs.back().has_macro_f1) {
    j["test_macro_f1"] = result.test_macro_f1;
  }
  j["train_seconds"] = result.train_seconds;
  j["epochs_run"] = result.epochs.size();
  j["batches_per_epoch"] = result.num_batches_per_epoch;
  if (!extra.is_null()) j[key] = extra;
  j["config"] = nlohmann::ordered_json::parse(core::ConfigAsJson(c));
  std::ofstream out(c.log.dir + "/summary.json");
  out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (!out) return Status::IOError("cannot write " + c.log.dir + "/summary.json");
  return Status::Ok();
}

}  // namespace streamgnn::trainers::static_common
