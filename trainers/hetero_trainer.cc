// Heterogeneous node classification: R-GCN, HGT and BG-HGNN (models/hetero_gnn.h) trained on
// the whole typed graph, with the static path's epoch loop and run files (static_common.h).
#include <torch/torch.h>

#include <memory>
#include <sstream>

#include "core/threads.h"
#include "models/hetero_gnn.h"
#include "trainers/static_common.h"
#include "trainers/static_trainer.h"
#include "trainers/torch_device.h"
#include "trainers/torch_threads.h"

namespace streamgnn::trainers {
namespace {

using static_common::IdTensor;

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

models::HeteroGnnOptions ModelOptions(const StaticConfig& c, const datasets::HeteroDataset& d) {
  models::HeteroGnnOptions o;
  o.in_dims = d.feature_dims;
  o.num_relations = static_cast<int64_t>(d.relations.size());
  o.target_type = d.target_type;
  o.hidden_dim = c.model.hidden;
  o.out_dim = d.num_classes;
  o.num_layers = c.model.layers;
  o.dropout = c.model.dropout;
  o.num_bases = c.model.bases;
  o.heads = c.model.heads;
  o.att_dropout = c.model.att_dropout;
  o.rank = c.model.rank;
  o.fused_dim = c.model.fused_dim;
  o.code_dim = c.model.code_dim;
  o.code_seed = static_cast<uint64_t>(c.train.seed);
  return o;
}

StatusOr<std::shared_ptr<models::HeteroModule>> MakeModel(const StaticConfig& c,
                                                          const datasets::HeteroDataset& d,
                                                          const models::HeteroTensors& g) {
  for (size_t t = 0; t < d.feature_dims.size(); ++t) {
    if (d.feature_dims[t] <= 0) {
      return Status::Unimplemented("node type '" + d.node_types[t].name +
                                   "' has no features; featureless types are not built yet");
    }
  }
  const models::HeteroGnnOptions o = ModelOptions(c, d);
  if (c.model.name == StaticModel::kHgt && o.hidden_dim % o.heads != 0) {
    return Status::InvalidArgument("model.hidden (" + std::to_string(o.hidden_dim) +
                                   ") must be a multiple of model.heads (" +
                                   std::to_string(o.heads) + ") for hgt");
  }
  switch (c.model.name) {
    case StaticModel::kRgcn:
      return std::shared_ptr<models::HeteroModule>(std::make_shared<models::Rgcn>(o));
    case StaticModel::kHgt:
      return std::shared_ptr<models::HeteroModule>(std::make_shared<models::Hgt>(o));
    case StaticModel::kBgHgnn:
      return std::shared_ptr<models::HeteroModule>(std::make_shared<models::BgHgnn>(o, g));
    default:
      return Status::InvalidArgument("model.name: expected rgcn, hgt or bghgnn for a "
                                     "heterogeneous dataset");
  }
}

// R-GCN normalises by the relation in-degree (c_{v,r}).
models::HeteroTensors GraphTensors(const graph::HeteroGraph& g, torch::Device device) {
  return models::MakeHeteroTensors(g, models::RelationNorm::kMean, device);
}

StatusOr<StaticRunResult> Train(const StaticConfig& c, const datasets::HeteroDataset& d,
                                const StaticEpochCallback& on_epoch) {
  SetTorchThreads(c.runtime.threads > 0 ? static_cast<int>(c.runtime.threads) : core::ThreadBudget(),
                  TorchParallelism::kIntraOp);
  SG_ASSIGN_OR_RETURN(const torch::Device device, TorchDevice(c.runtime.device, "runtime.device"));
  SG_RETURN_IF_ERROR(d.Validate());
  if (d.num_classes <= 0 || d.train_idx.empty()) {
    return Status::InvalidArgument("dataset '" + d.name + "' needs labels and training nodes");
  }
  SG_ASSIGN_OR_RETURN(const graph::HeteroGraph hg, d.BuildGraph());
  const models::HeteroTensors g = GraphTensors(hg, device);
  std::vector<torch::Tensor> x;
  for (size_t t = 0; t < d.features.size(); ++t) {
    x.push_back(torch::from_blob(const_cast<float*>(d.features[t].data()),
                                 {d.node_types[t].count, d.feature_dims[t]}, torch::kFloat32)
                    .to(device));
  }
  const torch::Tensor labels = IdTensor(d.labels).to(device);
  const torch::Tensor train_idx = IdTensor(d.train_idx).to(device), val_idx = IdTensor(d.val_idx).to(device),
                      test_idx = IdTensor(d.test_idx).to(device);

  torch::manual_seed(static_cast<uint64_t>(c.train.seed));
  SG_ASSIGN_OR_RETURN(const std::shared_ptr<models::HeteroModule> model, MakeModel(c, d, g));
  model->to(device);
  const auto optimizer = static_common::MakeOptimizer(c, model->parameters(), {});
  SG_ASSIGN_OR_RETURN(std::FILE* opened, static_common::OpenMetrics(c));
  static_common::MetricsFile metrics(opened);

  StaticRunResult result;
  result.full_graph = true;
  result.num_batches_per_epoch = 1;
  const auto train = [&](int64_t) -> StatusOr<double> {
    model->train();
    optimizer->zero_grad();
    const torch::Tensor logits = model->forward(x, g);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits.index_select(0, train_idx),
                                                              labels.index_select(0, train_idx));
    loss.backward();
    optimizer->step();
    return loss.item<double>();
  };
  const auto evaluate = [&](StaticEpochRecord* rec) -> Status {
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor logits = model->forward(x, g);
    static_common::RecordEvaluation(logits, labels, train_idx, val_idx, test_idx, rec);
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(static_common::RunEpochs(c, metrics.get(), on_epoch, train, evaluate, &result));
  if (metrics) {
    metrics.reset();
    nlohmann::ordered_json model_info;
    model_info["parameters"] = model->NumParameters();
    model_info["relations"] = hg.num_relations();
    model_info["node_types"] = hg.num_node_types();
    SG_RETURN_IF_ERROR(static_common::WriteSummary(c, d.name, result, "model", model_info));
  }
  return result;
}

}  // namespace

StatusOr<datasets::HeteroDataset> LoadHeteroConfigDataset(const StaticConfig& c) {
  datasets::HeteroDataset d;
  if (c.dataset.format == "magnn") {
    datasets::MagnnOptions o;
    o.type_names = SplitCommas(c.dataset.type_names);
    SG_ASSIGN_OR_RETURN(d, datasets::LoadMagnn(c.dataset.path, o));
  } else if (c.dataset.format == "han_mat") {
    datasets::HanMatOptions o;
    o.metapaths = SplitCommas(c.dataset.metapaths);
    SG_ASSIGN_OR_RETURN(d, datasets::LoadHanMat(c.dataset.path, o));
  } else if (c.dataset.format == "hgb") {
    datasets::HgbOptions o;
    o.seed = static_cast<uint64_t>(c.dataset.split_seed);
    SG_ASSIGN_OR_RETURN(d, datasets::LoadHgb(c.dataset.path, o));
  } else if (c.dataset.format == "hetero_sbm") {
    datasets::HeteroSbmOptions o = c.dataset.hetero_sbm;
    o.seed = static_cast<uint64_t>(c.dataset.split_seed);
    SG_ASSIGN_OR_RETURN(d, datasets::GenerateHeteroSbm(o));
  } else {
    return Status::InvalidArgument("dataset.format '" + c.dataset.format +
                                   "' is not a heterogeneous format (magnn, han_mat, hgb, hetero_sbm)");
  }
  if (c.dataset.row_normalize) d.RowNormalizeFeatures();
  return d;
}

StatusOr<StaticRunResult> TrainHeteroOnDataset(const StaticConfig& config,
                                               const datasets::HeteroDataset& dataset,
                                               const StaticEpochCallback& on_epoch) {
  try {
    return Train(config, dataset, on_epoch);
  } catch (const std::exception& e) {  // LibTorch reports through c10::Error
    return Status::Internal(std::string("heterogeneous training failed: ") + e.what());
  }
}

StatusOr<int64_t> HeteroParameterCount(const StaticConfig& config,
                                       const datasets::HeteroDataset& dataset) {
  SG_ASSIGN_OR_RETURN(const graph::HeteroGraph hg, dataset.BuildGraph());
  const models::HeteroTensors g = GraphTensors(hg, torch::kCPU);
  SG_ASSIGN_OR_RETURN(const auto model, MakeModel(config, dataset, g));
  return model->NumParameters();
}

}  // namespace streamgnn::trainers
