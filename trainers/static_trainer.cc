#include "trainers/static_trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <numeric>

#include "core/rng.h"
#include "core/threads.h"
#include "graph/csr_graph.h"
#include "models/static_gnn.h"
#include "sampling/neighbor_sampler.h"

namespace streamgnn::trainers {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

torch::Tensor IdTensor(const std::vector<NodeId>& ids) {
  return torch::from_blob(const_cast<NodeId*>(ids.data()), {static_cast<int64_t>(ids.size())},
                          torch::kInt64)
      .clone();
}

models::StaticModelKind KindOf(StaticModel m) {
  switch (m) {
    case StaticModel::kGcn:
      return models::StaticModelKind::kGcn;
    case StaticModel::kSage:
      return models::StaticModelKind::kSage;
    case StaticModel::kGat:
      return models::StaticModelKind::kGat;
  }
  return models::StaticModelKind::kGcn;
}

struct Eval {
  double acc = 0, loss = 0;
};

Eval Evaluate(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& idx) {
  if (idx.numel() == 0) return {};
  const torch::Tensor l = logits.index_select(0, idx);
  const torch::Tensor y = labels.index_select(0, idx);
  Eval e;
  e.acc = l.argmax(1).eq(y).to(torch::kFloat64).mean().item<double>();
  e.loss = torch::nn::functional::cross_entropy(l, y).item<double>();
  return e;
}

// Row-compressed copy of a mostly-zero feature matrix: batches are built as sparse COO tensors
// (dropout then touches only the stored entries; see models/static_gnn.h).
struct SparseRows {
  std::vector<int64_t> offsets, cols;
  std::vector<float> vals;
  int64_t dim = 0;

  static bool Worth(const datasets::StaticDataset& d) {
    return d.CountFeatureNonzeros() < static_cast<int64_t>(d.features.size()) / 10;
  }
  explicit SparseRows(const datasets::StaticDataset& d) : dim(d.feature_dim) {
    offsets.push_back(0);
    for (int64_t v = 0; v < d.num_nodes; ++v) {
      for (int64_t j = 0; j < dim; ++j) {
        const float x = d.features[v * dim + j];
        if (x != 0.0f) {
          cols.push_back(j);
          vals.push_back(x);
        }
      }
      offsets.push_back(static_cast<int64_t>(cols.size()));
    }
  }
  // Sparse COO [ids.size(), dim], coalesced, rows in the order of `ids`.
  torch::Tensor Rows(const std::vector<NodeId>& ids) const {
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
};

std::string RecordJson(const StaticEpochRecord& r) {
  std::string s = fmt::format("{{\"epoch\":{},\"loss\":{:.6f},\"epoch_seconds\":{:.6f},"
                              "\"elapsed_seconds\":{:.6f}",
                              r.epoch, r.loss, r.epoch_seconds, r.elapsed_seconds);
  if (r.evaluated) {
    s += fmt::format(",\"train_acc\":{:.6f},\"val_acc\":{:.6f},\"val_loss\":{:.6f},"
                     "\"test_acc\":{:.6f}",
                     r.train_acc, r.val_acc, r.val_loss, r.test_acc);
  }
  return s + "}";
}

StatusOr<StaticRunResult> Train(const StaticConfig& c, const datasets::StaticDataset& d,
                                const StaticEpochCallback& on_epoch) {
  static std::once_flag once;
  std::call_once(once, [] { core::OnThreadBudgetChange([](int n) { at::set_num_threads(n); }); });
  if (c.sampling.threads > 0) core::SetThreadBudget(static_cast<int>(c.sampling.threads));
  if (d.feature_dim <= 0 || d.num_classes <= 0 || d.train_idx.empty()) {
    return Status::InvalidArgument("dataset '" + d.name +
                                   "' needs node features, labels and training nodes");
  }
  const int64_t layers = c.model.layers;
  const bool sage = c.model.name == StaticModel::kSage;

  // Graph: GCN/GAT aggregate over A + I; SAGE keeps self apart (no self-loops).
  graph::CsrBuildOptions go;
  go.symmetrize = c.dataset.symmetrize || d.undirected;
  go.add_self_loops = !sage && c.model.self_loops;
  go.remove_self_loops = sage;
  SG_ASSIGN_OR_RETURN(graph::CsrGraph g, d.BuildGraph(go));
  const std::vector<int64_t> out_degree = g.OutDegrees();

  sampling::NeighborSamplerOptions so;
  so.fanouts = c.sampling.fanouts.size() == 1
                   ? std::vector<int64_t>(layers, c.sampling.fanouts[0])
                   : c.sampling.fanouts;
  so.seed = static_cast<uint64_t>(c.train.seed);
  SG_ASSIGN_OR_RETURN(sampling::NeighborSampler sampler, sampling::NeighborSampler::Create(&g, so));
  const bool full_graph = c.sampling.batch_size == -1 && sampler.samples_all();

  torch::manual_seed(static_cast<uint64_t>(c.train.seed));
  const torch::Tensor dense_x =
      torch::from_blob(const_cast<float*>(d.features.data()), {d.num_nodes, d.feature_dim},
                       torch::kFloat32);
  std::unique_ptr<SparseRows> sparse_rows;
  torch::Tensor x = dense_x;
  if (SparseRows::Worth(d)) {
    sparse_rows = std::make_unique<SparseRows>(d);
    std::vector<NodeId> all(d.num_nodes);
    std::iota(all.begin(), all.end(), NodeId{0});
    x = sparse_rows->Rows(all);
  }
  const torch::Tensor labels = IdTensor(d.labels);
  const torch::Tensor train_idx = IdTensor(d.train_idx), val_idx = IdTensor(d.val_idx),
                      test_idx = IdTensor(d.test_idx);

  // Evaluation (and full-graph training) runs on the whole graph.
  std::vector<models::BlockTensors> full_blocks;
  {
    const sampling::MiniBatch all = sampler.FullGraph();
    const models::BlockTensors b = models::MakeBlockTensors(all.blocks[0], out_degree);
    full_blocks.assign(layers, b);
  }

  models::StaticGnnOptions mo;
  mo.kind = KindOf(c.model.name);
  mo.in_dim = d.feature_dim;
  mo.hidden_dim = c.model.hidden;
  mo.out_dim = d.num_classes;
  mo.num_layers = layers;
  mo.dropout = c.model.dropout;
  mo.heads = c.model.heads;
  mo.out_heads = c.model.out_heads;
  mo.att_dropout = c.model.att_dropout;
  models::StaticGnn model(mo);

  std::vector<torch::optim::OptimizerParamGroup> groups;
  const double wd = c.train.weight_decay;
  if (c.train.weight_decay_scope == WeightDecayScope::kFirstLayer) {
    std::vector<torch::Tensor> first = model->FirstLayerParameters(), rest;
    for (const auto& p : model->parameters()) {
      if (std::none_of(first.begin(), first.end(), [&](const auto& f) { return f.is_same(p); })) {
        rest.push_back(p);
      }
    }
    groups.emplace_back(first, std::make_unique<torch::optim::AdamOptions>(
                                   torch::optim::AdamOptions(c.train.lr).weight_decay(wd)));
    if (!rest.empty()) {
      groups.emplace_back(rest, std::make_unique<torch::optim::AdamOptions>(
                                    torch::optim::AdamOptions(c.train.lr).weight_decay(0)));
    }
  } else {
    groups.emplace_back(model->parameters(),
                        std::make_unique<torch::optim::AdamOptions>(
                            torch::optim::AdamOptions(c.train.lr).weight_decay(wd)));
  }
  torch::optim::Adam optimizer(groups, torch::optim::AdamOptions(c.train.lr));

  std::FILE* metrics = nullptr;
  if (!c.log.dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(c.log.dir, ec);
    metrics = std::fopen((c.log.dir + "/metrics.jsonl").c_str(), "w");
    if (metrics == nullptr) {
      return Status::IOError("cannot write " + c.log.dir + "/metrics.jsonl");
    }
  }

  StaticRunResult result;
  result.full_graph = full_graph;
  const int64_t num_train = static_cast<int64_t>(d.train_idx.size());
  const int64_t batch_size = c.sampling.batch_size == -1 ? num_train : c.sampling.batch_size;
  result.num_batches_per_epoch = (num_train + batch_size - 1) / batch_size;
  double best_val = -1, best_val_loss = 0, elapsed = 0;
  int64_t since_best = 0;
  std::vector<NodeId> order = d.train_idx;

  for (int64_t epoch = 1; epoch <= c.train.epochs; ++epoch) {
    StaticEpochRecord rec;
    rec.epoch = epoch;
    model->train();
    const auto t0 = Clock::now();
    double loss_sum = 0;
    if (full_graph) {
      optimizer.zero_grad();
      const torch::Tensor logits = model->forward(x, full_blocks);
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits.index_select(0, train_idx),
                                                                labels.index_select(0, train_idx));
      loss.backward();
      optimizer.step();
      loss_sum = loss.item<double>();
    } else {
      // Shuffle the training seeds with a Philox key per (seed, epoch).
      std::vector<std::pair<uint64_t, NodeId>> keyed(order.size());
      for (size_t i = 0; i < order.size(); ++i) {
        core::RngStream rng(static_cast<uint64_t>(c.train.seed), core::StreamKey(0x5ea, epoch),
                            static_cast<uint64_t>(d.train_idx[i]));
        keyed[i] = {rng.NextU64(), d.train_idx[i]};
      }
      std::sort(keyed.begin(), keyed.end());
      for (size_t i = 0; i < order.size(); ++i) order[i] = keyed[i].second;
      for (int64_t b = 0; b < result.num_batches_per_epoch; ++b) {
        const int64_t begin = b * batch_size, end = std::min(num_train, begin + batch_size);
        const Span<const NodeId> seeds(order.data() + begin, static_cast<size_t>(end - begin));
        SG_ASSIGN_OR_RETURN(sampling::MiniBatch mb,
                            sampler.Sample(seeds, core::StreamKey(static_cast<uint64_t>(epoch),
                                                                  static_cast<uint64_t>(b))));
        std::vector<models::BlockTensors> blocks;
        for (const auto& blk : mb.blocks) blocks.push_back(models::MakeBlockTensors(blk, out_degree));
        const torch::Tensor input = sparse_rows ? sparse_rows->Rows(mb.input_nodes())
                                                : dense_x.index_select(0, IdTensor(mb.input_nodes()));
        optimizer.zero_grad();
        const torch::Tensor logits = model->forward(input, blocks);
        torch::Tensor loss = torch::nn::functional::cross_entropy(
            logits, labels.index_select(0, IdTensor(mb.seeds)));
        loss.backward();
        optimizer.step();
        loss_sum += loss.item<double>() * static_cast<double>(end - begin);
      }
      loss_sum /= static_cast<double>(num_train);
    }
    rec.loss = loss_sum;
    rec.epoch_seconds = Seconds(t0, Clock::now());
    elapsed += rec.epoch_seconds;
    rec.elapsed_seconds = elapsed;

    bool stop = false;
    if (epoch % c.train.eval_every == 0 || epoch == c.train.epochs) {
      torch::NoGradGuard no_grad;
      model->eval();
      const torch::Tensor logits = model->forward(x, full_blocks);
      rec.evaluated = true;
      rec.train_acc = Evaluate(logits, labels, train_idx).acc;
      const Eval val = Evaluate(logits, labels, val_idx);
      rec.val_acc = val.acc;
      rec.val_loss = val.loss;
      rec.test_acc = Evaluate(logits, labels, test_idx).acc;
      const bool better =
          rec.val_acc > best_val || (rec.val_acc == best_val && rec.val_loss < best_val_loss);
      if (better) {
        best_val = rec.val_acc;
        best_val_loss = rec.val_loss;
        since_best = 0;
        if (c.train.select == StaticSelect::kBestVal) {
          result.selected_epoch = epoch;
          result.val_acc = rec.val_acc;
          result.test_acc = rec.test_acc;
        }
      } else {
        ++since_best;
      }
      if (c.train.select == StaticSelect::kLast) {
        result.selected_epoch = epoch;
        result.val_acc = rec.val_acc;
        result.test_acc = rec.test_acc;
      }
      stop = c.train.patience > 0 && since_best >= c.train.patience;
    }
    result.epochs.push_back(rec);
    if (metrics != nullptr) std::fprintf(metrics, "%s\n", RecordJson(rec).c_str());
    if (on_epoch) on_epoch(rec);
    if (stop) break;
  }
  result.train_seconds = elapsed;
  if (metrics != nullptr) {
    std::fclose(metrics);
    std::FILE* summary = std::fopen((c.log.dir + "/summary.json").c_str(), "w");
    if (summary == nullptr) return Status::IOError("cannot write " + c.log.dir + "/summary.json");
    std::fprintf(summary,
                 "{\"dataset\":\"%s\",\"full_graph\":%s,\"selected_epoch\":%lld,\"val_acc\":%.6f,"
                 "\"test_acc\":%.6f,\"train_seconds\":%.6f,\"epochs_run\":%zu,"
                 "\"batches_per_epoch\":%lld,\"config\":%s}\n",
                 d.name.c_str(), full_graph ? "true" : "false",
                 static_cast<long long>(result.selected_epoch), result.val_acc, result.test_acc,
                 result.train_seconds, result.epochs.size(),
                 static_cast<long long>(result.num_batches_per_epoch),
                 StaticConfigToJson(c).c_str());
    std::fclose(summary);
  }
  return result;
}

}  // namespace

StatusOr<datasets::StaticDataset> LoadStaticConfigDataset(const StaticConfig& c) {
  datasets::StaticLoadOptions o;
  o.format = c.dataset.format;
  o.path = c.dataset.path;
  o.ogb_split = c.dataset.ogb_split;
  o.npz_split.seed = static_cast<uint64_t>(c.dataset.split_seed);
  o.sbm.num_nodes = c.dataset.sbm.num_nodes;
  o.sbm.num_classes = c.dataset.sbm.num_classes;
  o.sbm.avg_degree = c.dataset.sbm.avg_degree;
  o.sbm.homophily = c.dataset.sbm.homophily;
  o.sbm.feature_dim = c.dataset.sbm.feature_dim;
  o.sbm.feature_noise = c.dataset.sbm.feature_noise;
  o.sbm.seed = static_cast<uint64_t>(c.dataset.split_seed);
  SG_ASSIGN_OR_RETURN(datasets::StaticDataset d, datasets::LoadStaticDataset(o));
  if (c.dataset.row_normalize) d.RowNormalizeFeatures();
  return d;
}

StatusOr<StaticRunResult> TrainStaticOnDataset(const StaticConfig& config,
                                               const datasets::StaticDataset& dataset,
                                               const StaticEpochCallback& on_epoch) {
  try {
    return Train(config, dataset, on_epoch);
  } catch (const std::exception& e) {  // LibTorch reports through c10::Error
    return Status::Internal(std::string("static training failed: ") + e.what());
  }
}

StatusOr<StaticRunResult> TrainStatic(const StaticConfig& config,
                                      const StaticEpochCallback& on_epoch) {
  SG_ASSIGN_OR_RETURN(datasets::StaticDataset d, LoadStaticConfigDataset(config));
  return TrainStaticOnDataset(config, d, on_epoch);
}

}  // namespace streamgnn::trainers
