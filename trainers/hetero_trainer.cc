// Heterogeneous node classification: R-GCN, HGT and BG-HGNN (models/hetero_gnn.h) trained on
// the whole typed graph or on typed fan-out samples (sampling/hetero_neighbor_sampler.h), with
// the static path's epoch loop and run files (static_common.h).
//
// Evaluation runs on the whole graph when every fan-out is all; otherwise it samples the
// labelled nodes' neighbourhoods with the training fan-outs, with one fixed key, so that every
// evaluation (and so the model selection) sees the same neighbourhoods, as DGL's sampled
// inference for R-GCN does. Whole-graph inference on a dense relation (ACM's PLP: 2.2 million
// edges on 3,025 papers) would cost HGT more than the training it selects from.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "core/rng.h"
#include "core/threads.h"
#include "models/hetero_gnn.h"
#include "sampling/hetero_neighbor_sampler.h"
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
  for (int64_t& dim : o.in_dims) {
    if (dim <= 0) dim = c.model.embedding_dim;  // a featureless type's learned embedding
  }
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
                                                          const graph::HeteroGraph& g) {
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
constexpr models::RelationNorm kNorm = models::RelationNorm::kMean;

// The trainable input rows of every featureless type ([count, model.embedding_dim], on
// `device`; undefined for featured types), drawn from N(0, 1 / embedding_dim) so that a row has
// unit norm on average. Trained with the model (dense Adam: every row each step).
std::vector<torch::Tensor> EmbeddingTables(const StaticConfig& c, const datasets::HeteroDataset& d,
                                           torch::Device device) {
  std::vector<torch::Tensor> tables(d.feature_dims.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    if (d.feature_dims[t] > 0) continue;
    const int64_t dim = c.model.embedding_dim;
    tables[t] = (torch::randn({d.node_types[t].count, dim}) / std::sqrt(static_cast<double>(dim)))
                    .to(device)
                    .requires_grad_(true);
  }
  return tables;
}

// The graph, its sampler and the input rows a batch reads: features, or embedding rows.
class BatchSource {
 public:
  BatchSource(const StaticConfig& c, const datasets::HeteroDataset& d, const graph::HeteroGraph& g,
              const sampling::HeteroNeighborSampler& sampler, std::vector<torch::Tensor> tables,
              bool homogeneous_view, torch::Device device)
      : c_(c), d_(d), g_(g), sampler_(sampler), device_(device), degrees_(models::HeteroDegrees::Of(g)),
        tables_(std::move(tables)), homogeneous_view_(homogeneous_view) {
    for (size_t t = 0; t < d.features.size(); ++t) {
      host_x_.push_back(tables_[t].defined()
                            ? torch::Tensor()
                            : torch::from_blob(const_cast<float*>(d.features[t].data()),
                                               {d.node_types[t].count, d.feature_dims[t]},
                                               torch::kFloat32));
    }
  }

  // The blocks and input rows of `seeds` (target-type ids).
  StatusOr<std::pair<models::HeteroBlocks, std::vector<torch::Tensor>>> Batch(
      Span<const NodeId> seeds, uint64_t key) const {
    SG_ASSIGN_OR_RETURN(const sampling::HeteroMiniBatch mb, sampler_.Sample(d_.target_type, seeds, key));
    models::HeteroBlocks blocks;
    for (const auto& b : mb.blocks) {
      blocks.push_back(models::MakeHeteroBlockTensors(g_, degrees_, b, kNorm, device_, homogeneous_view_));
    }
    std::vector<torch::Tensor> x;
    for (size_t t = 0; t < host_x_.size(); ++t) {
      const torch::Tensor ids = IdTensor(mb.blocks.front().src_nodes[t]);
      x.push_back(tables_[t].defined() ? tables_[t].index_select(0, ids.to(device_))
                                       : host_x_[t].index_select(0, ids).to(device_));
    }
    return std::make_pair(std::move(blocks), std::move(x));
  }

  // The whole graph's blocks and features.
  std::pair<models::HeteroBlocks, std::vector<torch::Tensor>> Whole() const {
    std::vector<torch::Tensor> x;
    for (size_t t = 0; t < host_x_.size(); ++t) {
      x.push_back(tables_[t].defined() ? tables_[t] : host_x_[t].to(device_));
    }
    return {models::FullGraphBlocks(g_, kNorm, c_.model.layers, device_, homogeneous_view_),
            std::move(x)};
  }

 private:
  const StaticConfig& c_;
  const datasets::HeteroDataset& d_;
  const graph::HeteroGraph& g_;
  const sampling::HeteroNeighborSampler& sampler_;
  torch::Device device_;
  models::HeteroDegrees degrees_;
  std::vector<torch::Tensor> tables_;
  bool homogeneous_view_;
  std::vector<torch::Tensor> host_x_;
};

// Every node of the split, once, ascending.
std::vector<NodeId> LabelledNodes(const datasets::HeteroDataset& d) {
  std::vector<NodeId> ids = d.train_idx;
  ids.insert(ids.end(), d.val_idx.begin(), d.val_idx.end());
  ids.insert(ids.end(), d.test_idx.begin(), d.test_idx.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Seeds per batch of sampled evaluation. A node's draws are keyed by the node, not by its batch,
// so the batching does not change the logits; larger batches only amortise the per-batch work
// (and this bounds their memory).
constexpr int64_t kEvalBatch = 8192;

// Splits `ids` into batches of `size` (-1: one batch).
std::vector<Span<const NodeId>> Batches(int64_t size, const std::vector<NodeId>& ids) {
  const int64_t n = static_cast<int64_t>(ids.size());
  if (size == -1) size = std::max<int64_t>(n, 1);
  std::vector<Span<const NodeId>> out;
  for (int64_t begin = 0; begin < n; begin += size) {
    out.emplace_back(ids.data() + begin, static_cast<size_t>(std::min(size, n - begin)));
  }
  return out;
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
  sampling::NeighborSamplerOptions so;
  so.fanouts = static_common::LayerFanouts(c);
  so.seed = static_cast<uint64_t>(c.train.seed);
  SG_ASSIGN_OR_RETURN(const auto sampler, sampling::HeteroNeighborSampler::Create(&hg, so));
  torch::manual_seed(static_cast<uint64_t>(c.train.seed));
  const std::vector<torch::Tensor> tables = EmbeddingTables(c, d, device);
  SG_ASSIGN_OR_RETURN(const std::shared_ptr<models::HeteroModule> model, MakeModel(c, d, hg));
  model->to(device);
  const BatchSource source(c, d, hg, sampler, tables, model->reads_homogeneous_view(), device);
  const bool full_graph = c.train.batch_size == -1 && sampler.samples_all();
  // Whole-graph blocks serve full-graph training and unsampled evaluation.
  std::pair<models::HeteroBlocks, std::vector<torch::Tensor>> whole;
  if (sampler.samples_all()) whole = source.Whole();

  const torch::Tensor labels = IdTensor(d.labels).to(device);
  const torch::Tensor train_idx = IdTensor(d.train_idx).to(device), val_idx = IdTensor(d.val_idx).to(device),
                      test_idx = IdTensor(d.test_idx).to(device);
  const std::vector<NodeId> labelled = LabelledNodes(d);

  std::vector<torch::Tensor> params = model->parameters();
  for (const torch::Tensor& t : tables) {
    if (t.defined()) params.push_back(t);
  }
  const auto optimizer = static_common::MakeOptimizer(c, params, {});
  SG_ASSIGN_OR_RETURN(std::FILE* opened, static_common::OpenMetrics(c));
  static_common::MetricsFile metrics(opened);

  StaticRunResult result;
  result.full_graph = full_graph;
  std::vector<NodeId> order = d.train_idx;
  result.num_batches_per_epoch = static_cast<int64_t>(Batches(c.train.batch_size, order).size());
  // One Adam step on the logits of `seeds`; `rows` picks them among the forward's rows (the
  // whole graph's target nodes) or is undefined (a batch's rows are its seeds).
  const auto step = [&](const models::HeteroBlocks& blocks, const std::vector<torch::Tensor>& x,
                        const torch::Tensor& seeds, const torch::Tensor& rows) {
    optimizer->zero_grad();
    torch::Tensor logits = model->forward(x, blocks);
    if (rows.defined()) logits = logits.index_select(0, rows);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels.index_select(0, seeds));
    loss.backward();
    optimizer->step();
    return loss.item<double>();
  };
  const auto train = [&](int64_t epoch) -> StatusOr<double> {
    model->train();
    if (full_graph) return step(whole.first, whole.second, train_idx, train_idx);
    order = d.train_idx;
    static_common::ShuffleSeeds(c, epoch, &order);
    double loss_sum = 0;
    const std::vector<Span<const NodeId>> batches = Batches(c.train.batch_size, order);
    for (size_t b = 0; b < batches.size(); ++b) {
      SG_ASSIGN_OR_RETURN(auto batch, source.Batch(batches[b], core::StreamKey(static_cast<uint64_t>(epoch), b)));
      const std::vector<NodeId> seeds(batches[b].begin(), batches[b].end());
      loss_sum += step(batch.first, batch.second, IdTensor(seeds).to(device), torch::Tensor()) *
                  static_cast<double>(seeds.size());
    }
    return loss_sum / static_cast<double>(order.size());
  };
  const auto evaluate = [&](StaticEpochRecord* rec) -> Status {
    torch::NoGradGuard no_grad;
    model->eval();
    torch::Tensor logits;
    if (sampler.samples_all()) {
      logits = model->forward(whole.second, whole.first);
    } else {
      logits = torch::zeros({d.node_types[d.target_type].count, d.num_classes},
                            torch::TensorOptions().device(device));
      for (const Span<const NodeId> seeds : Batches(kEvalBatch, labelled)) {
        SG_ASSIGN_OR_RETURN(auto batch, source.Batch(seeds, core::StreamKey(0xe7a1)));
        const std::vector<NodeId> ids(seeds.begin(), seeds.end());
        logits.index_copy_(0, IdTensor(ids).to(device), model->forward(batch.second, batch.first));
      }
    }
    static_common::RecordEvaluation(logits, labels, train_idx, val_idx, test_idx, rec);
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(static_common::RunEpochs(c, metrics.get(), on_epoch, train, evaluate, &result));
  if (metrics) {
    metrics.reset();
    nlohmann::ordered_json model_info;
    model_info["parameters"] = model->NumParameters();
    int64_t embedding_parameters = 0;
    for (const torch::Tensor& t : tables) {
      if (t.defined()) embedding_parameters += t.numel();
    }
    model_info["embedding_parameters"] = embedding_parameters;
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
  } else if (c.dataset.format == "ogb_hetero") {
    SG_ASSIGN_OR_RETURN(d, datasets::LoadOgbHetero(c.dataset.path, c.dataset.ogb_split));
  } else if (c.dataset.format == "hetero_sbm") {
    datasets::HeteroSbmOptions o = c.dataset.hetero_sbm;
    o.seed = static_cast<uint64_t>(c.dataset.split_seed);
    SG_ASSIGN_OR_RETURN(d, datasets::GenerateHeteroSbm(o));
  } else {
    return Status::InvalidArgument("dataset.format '" + c.dataset.format +
                                   "' is not a heterogeneous format (magnn, han_mat, hgb, ogb_hetero, hetero_sbm)");
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
  SG_ASSIGN_OR_RETURN(const auto model, MakeModel(config, dataset, hg));
  return model->NumParameters();
}

}  // namespace streamgnn::trainers
