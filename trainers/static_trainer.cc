#include "trainers/static_trainer.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>

#include "comm/communicator.h"
#include "comm/halo_exchange.h"
#include "core/rng.h"
#include "core/threads.h"
#include "graph/csr_graph.h"
#include "graph/partition.h"
#include "models/static_gnn.h"
#include "sampling/neighbor_sampler.h"
#include "trainers/distributed_bits.h"
#include "trainers/halo_exchange_op.h"
#include "trainers/static_common.h"
#include "trainers/torch_device.h"
#include "trainers/torch_threads.h"

namespace streamgnn::trainers {
namespace {

using static_common::IdTensor;
using static_common::MakeOptimizer;
using static_common::MetricsFile;
using static_common::OpenMetrics;
using static_common::RunEpochs;
using static_common::SparseRows;
using static_common::WriteSummary;

StatusOr<graph::CsrGraph> BuildTrainingGraph(const StaticConfig& c, const datasets::StaticDataset& d) {
  return d.BuildGraph(static_common::TrainingGraphOptions(c, d));
}

StatusOr<StaticRunResult> Train(const StaticConfig& c, const datasets::StaticDataset& d,
                                const StaticEpochCallback& on_epoch) {
  SetTorchThreads(c.runtime.threads > 0 ? static_cast<int>(c.runtime.threads) : core::ThreadBudget(),
                  TorchParallelism::kIntraOp);
  SG_ASSIGN_OR_RETURN(const torch::Device device, TorchDevice(c.runtime.device, "runtime.device"));
  if (d.feature_dim <= 0 || d.num_classes <= 0 || d.train_idx.empty()) {
    return Status::InvalidArgument("dataset '" + d.name +
                                   "' needs node features, labels and training nodes");
  }
  const int64_t layers = c.model.layers;
  SG_ASSIGN_OR_RETURN(graph::CsrGraph g, BuildTrainingGraph(c, d));
  const std::vector<int64_t> out_degree = g.OutDegrees();

  sampling::NeighborSamplerOptions so;
  so.fanouts = static_common::LayerFanouts(c);
  so.seed = static_cast<uint64_t>(c.train.seed);
  SG_ASSIGN_OR_RETURN(sampling::NeighborSampler sampler, sampling::NeighborSampler::Create(&g, so));
  const bool full_graph = c.train.batch_size == -1 && sampler.samples_all();

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
  // On a GPU: the whole-graph inputs, labels, split and blocks live there; mini-batches are
  // sampled and gathered on the host and copied.
  x = x.to(device);
  const torch::Tensor labels = IdTensor(d.labels).to(device);
  const torch::Tensor train_idx = IdTensor(d.train_idx).to(device), val_idx = IdTensor(d.val_idx).to(device),
                      test_idx = IdTensor(d.test_idx).to(device);

  // Evaluation (and full-graph training) runs on the whole graph.
  std::vector<models::BlockTensors> full_blocks;
  {
    const sampling::MiniBatch all = sampler.FullGraph();
    const models::BlockTensors b = models::MakeBlockTensors(all.blocks[0], out_degree, device);
    full_blocks.assign(layers, b);
  }

  models::StaticGnn model(static_common::GnnOptions(c, d));
  model->to(device);

  std::unique_ptr<torch::optim::Adam> optimizer_holder =
      MakeOptimizer(c, model->parameters(), model->FirstLayerParameters());
  torch::optim::Adam& optimizer = *optimizer_holder;

  SG_ASSIGN_OR_RETURN(std::FILE* opened, OpenMetrics(c));
  MetricsFile metrics(opened);

  StaticRunResult result;
  result.full_graph = full_graph;
  const int64_t num_train = static_cast<int64_t>(d.train_idx.size());
  const int64_t batch_size = c.train.batch_size == -1 ? num_train : c.train.batch_size;
  result.num_batches_per_epoch = (num_train + batch_size - 1) / batch_size;
  std::vector<NodeId> order = d.train_idx;
  const auto train = [&](int64_t epoch) -> StatusOr<double> {
    model->train();
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
      order = d.train_idx;
      static_common::ShuffleSeeds(c, epoch, &order);
      for (int64_t b = 0; b < result.num_batches_per_epoch; ++b) {
        const int64_t begin = b * batch_size, end = std::min(num_train, begin + batch_size);
        const Span<const NodeId> seeds(order.data() + begin, static_cast<size_t>(end - begin));
        SG_ASSIGN_OR_RETURN(sampling::MiniBatch mb,
                            sampler.Sample(seeds, core::StreamKey(static_cast<uint64_t>(epoch),
                                                                  static_cast<uint64_t>(b))));
        std::vector<models::BlockTensors> blocks;
        for (const auto& blk : mb.blocks) blocks.push_back(models::MakeBlockTensors(blk, out_degree, device));
        const torch::Tensor input = (sparse_rows ? sparse_rows->Rows(mb.input_nodes())
                                                 : dense_x.index_select(0, IdTensor(mb.input_nodes())))
                                        .to(device);
        optimizer.zero_grad();
        const torch::Tensor logits = model->forward(input, blocks);
        torch::Tensor loss = torch::nn::functional::cross_entropy(
            logits, labels.index_select(0, IdTensor(mb.seeds).to(device)));
        loss.backward();
        optimizer.step();
        loss_sum += loss.item<double>() * static_cast<double>(end - begin);
      }
      loss_sum /= static_cast<double>(num_train);
    }
    return loss_sum;
  };
  const auto evaluate = [&](StaticEpochRecord* rec) -> Status {
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor logits = model->forward(x, full_blocks);
    static_common::RecordEvaluation(logits, labels, train_idx, val_idx, test_idx, rec);
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(RunEpochs(c, metrics.get(), on_epoch, train, evaluate, &result));
  if (metrics) {
    metrics.reset();  // closed (flushed) before the summary
    SG_RETURN_IF_ERROR(WriteSummary(c, d.name, result, "distributed", nullptr));
  }
  return result;
}

// Message width of training from distributed.quantization.bits; 0 = adaptive.
StatusOr<int> TrainingBits(const StaticConfig& c) {
  const std::string& b = c.distributed.quantization.bits;
  if (b == "32") return 32;
  if (b == "8" || b == "4" || b == "2") return std::stoi(b);
  if (b == "adaptive") {
    if (!comm::BitAssignmentAvailable()) {
      return Status::Unimplemented(
          "distributed.quantization.bits: adaptive needs the GLPK MILP solver, which this build "
          "lacks (install libglpk-dev and reconfigure); use 32, 8, 4 or 2");
    }
    return 0;
  }
  return Status::InvalidArgument("distributed.quantization.bits: expected 32|8|4|2|adaptive, got '" +
                                 b + "'");
}

// The training device of a rank: runtime.device, bound to the communicator's own CUDA device when
// it has one (nccl: local rank mod device count).
StatusOr<torch::Device> RankDevice(const StaticConfig& c, const comm::Communicator& comm) {
  SG_ASSIGN_OR_RETURN(const torch::Device device, TorchDevice(c.runtime.device, "runtime.device"));
  if (device.is_cuda() && comm.device() >= 0) {
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(comm.device()));
  }
  return device;
}

// Sums the contiguous float32 tensor `t` over the ranks, in place: where it lives when the
// communicator reads that memory (the host; a device with nccl), else through a host copy.
Status AllReduceTensor(comm::Communicator* comm, torch::Tensor* t) {
  if (t->is_cpu() || comm->device_memory()) {
    return comm->AllReduceSum(Span<float>(t->data_ptr<float>(), static_cast<size_t>(t->numel())));
  }
  torch::Tensor host = t->cpu();
  SG_RETURN_IF_ERROR(
      comm->AllReduceSum(Span<float>(host.data_ptr<float>(), static_cast<size_t>(host.numel()))));
  t->copy_(host);
  return Status::Ok();
}

// Distributed full-graph training (docs/distributed.md). Every rank holds the whole dataset,
// partitions it identically (rank 0 runs METIS and broadcasts the assignment), and computes the
// logits of its inner nodes on its local graph [inner | halo]; the halo rows of every layer but
// the first come from their owners (HaloExchangeOp). The loss is the sum over the rank's
// training nodes divided by the global number of training nodes, so the all-reduced gradient is
// the single-process gradient and every rank takes the same Adam step from the same (seeded)
// initial weights.
StatusOr<StaticRunResult> TrainDistributed(const StaticConfig& c, const datasets::StaticDataset& d,
                                           comm::Communicator* comm,
                                           const StaticEpochCallback& on_epoch) {
  SetTorchThreads(c.runtime.threads > 0 ? static_cast<int>(c.runtime.threads) : core::ThreadBudget(),
                  TorchParallelism::kIntraOp);
  if (d.feature_dim <= 0 || d.num_classes <= 0 || d.train_idx.empty()) {
    return Status::InvalidArgument("dataset '" + d.name +
                                   "' needs node features, labels and training nodes");
  }
  bool all = c.train.batch_size == -1;
  for (int64_t f : c.sampling.neighbor) all = all && f == -1;
  if (!all) {
    return Status::InvalidArgument(
        "distributed training is full-graph only: set train.batch_size: all and "
        "sampling.neighbor: all");
  }
  const int rank = comm->rank(), world = comm->size();
  SG_ASSIGN_OR_RETURN(const torch::Device device, RankDevice(c, *comm));
  if (world > d.num_nodes) {
    return Status::InvalidArgument(fmt::format(
        "{} ranks for a graph of {} nodes: every rank needs at least one node", world, d.num_nodes));
  }
  SG_ASSIGN_OR_RETURN(const int train_bits, TrainingBits(c));
  const int64_t layers = c.model.layers;
  const bool sage = c.model.name == StaticModel::kSage;
  SG_ASSIGN_OR_RETURN(graph::CsrGraph g, BuildTrainingGraph(c, d));
  const std::vector<int64_t> out_degree = g.OutDegrees();

  // Partition: rank 0 runs METIS and broadcasts, so every rank has the same book whatever METIS
  // does with threads or library versions. A failure on rank 0 is broadcast too, so no rank is
  // left waiting.
  std::vector<int64_t> owner(d.num_nodes, 0);
  if (world > 1) {
    int64_t failed = 0;
    Status partition_status;
    if (rank == 0) {
      graph::MetisOptions mo;
      mo.num_parts = world;
      mo.seed = static_cast<uint64_t>(c.distributed.partition_seed);
      mo.imbalance = c.distributed.imbalance;
      StatusOr<std::vector<int64_t>> parts = graph::MetisKway(g, mo);
      if (parts.ok()) {
        owner = std::move(*parts);
      } else {
        partition_status = parts.status();
        failed = 1;
      }
    }
    SG_RETURN_IF_ERROR(comm->Broadcast(
        Span<uint8_t>(reinterpret_cast<uint8_t*>(&failed), sizeof(failed)), 0));
    if (failed != 0) {
      return rank == 0 ? partition_status.WithPrefix("partitioning")
                       : Status::FailedPrecondition("rank 0 could not partition the graph (see "
                                                    "its error)");
    }
    SG_RETURN_IF_ERROR(comm->Broadcast(
        Span<uint8_t>(reinterpret_cast<uint8_t*>(owner.data()), owner.size() * sizeof(int64_t)),
        0));
  }
  SG_ASSIGN_OR_RETURN(graph::PartitionBook book, graph::PartitionBook::Build(g, owner, world));
  const graph::LocalPartition& part = book.partition(rank);
  SG_ASSIGN_OR_RETURN(comm::HaloExchange exchange,
                      comm::HaloExchange::Create(comm, &part, static_cast<uint64_t>(c.train.seed)));
  const int64_t num_inner = part.num_inner(), num_local = part.num_local();

  // The local graph as one block: rows = inner nodes (full in-neighbourhoods), columns = local
  // ids; GCN weights use the global degrees, so they equal the single-process ones.
  std::vector<models::BlockTensors> blocks;
  {
    sampling::MessageFlowBlock b;
    b.src_nodes = part.local_to_global;
    b.num_dst = num_inner;
    b.offsets = part.offsets;
    b.indices = part.indices;
    b.full_in_degree.resize(num_inner);
    for (int64_t i = 0; i < num_inner; ++i) b.full_in_degree[i] = b.offsets[i + 1] - b.offsets[i];
    blocks.assign(layers, models::MakeBlockTensors(b, out_degree, device));
  }

  // Input features: the rank's own rows, then the halo rows from their owners (once).
  const int64_t fdim = d.feature_dim;
  std::vector<float> local_features(static_cast<size_t>(num_local * fdim), 0.0f);
  for (int64_t i = 0; i < num_inner; ++i) {
    std::copy_n(d.features.data() + part.local_to_global[i] * fdim, fdim,
                local_features.data() + i * fdim);
  }
  SG_RETURN_IF_ERROR(exchange.Forward(Span<float>(local_features), fdim, 32));
  torch::Tensor x;
  if (SparseRows::Worth(d)) {  // a global property: the same choice on every rank
    std::vector<NodeId> rows(num_local);
    std::iota(rows.begin(), rows.end(), NodeId{0});
    x = SparseRows(local_features.data(), num_local, fdim).Rows(rows);
  } else {
    x = torch::from_blob(local_features.data(), {num_local, fdim}, torch::kFloat32).clone();
  }
  x = x.to(device);

  // Labels and split of the inner nodes (local ids).
  std::vector<uint8_t> in_train(d.num_nodes, 0), in_val(d.num_nodes, 0), in_test(d.num_nodes, 0);
  for (NodeId v : d.train_idx) in_train[v] = 1;
  for (NodeId v : d.val_idx) in_val[v] = 1;
  for (NodeId v : d.test_idx) in_test[v] = 1;
  std::vector<NodeId> local_labels(num_inner), tr, va, te;
  for (int64_t i = 0; i < num_inner; ++i) {
    const NodeId v = part.local_to_global[i];
    local_labels[i] = d.labels[v];
    if (in_train[v]) tr.push_back(i);
    if (in_val[v]) va.push_back(i);
    if (in_test[v]) te.push_back(i);
  }
  const torch::Tensor labels = IdTensor(local_labels).to(device);
  const torch::Tensor train_idx = IdTensor(tr).to(device), val_idx = IdTensor(va).to(device),
                      test_idx = IdTensor(te).to(device);
  const double num_train = static_cast<double>(d.train_idx.size());
  const double num_val = static_cast<double>(d.val_idx.size());
  const double num_test = static_cast<double>(d.test_idx.size());

  // Same initial weights as single-process training with this seed. LibTorch's generator is
  // process-global, so ranks that are threads of one process (ThreadComm) take turns.
  models::StaticGnn model(nullptr);
  {
    static std::mutex init_mu;
    std::lock_guard<std::mutex> lock(init_mu);
    torch::manual_seed(static_cast<uint64_t>(c.train.seed));
    model = models::StaticGnn(static_common::GnnOptions(c, d));
  }
  std::vector<torch::Tensor> params = model->parameters();
  int64_t num_values = 0;
  for (const auto& p : params) num_values += p.numel();
  {
    // Rank 0's weights win, so that ranks agree even if their LibTorch builds draw differently.
    std::vector<float> w;
    w.reserve(static_cast<size_t>(num_values));
    for (const auto& p : params) {
      const torch::Tensor pc = p.detach().contiguous();
      w.insert(w.end(), pc.data_ptr<float>(), pc.data_ptr<float>() + pc.numel());
    }
    SG_RETURN_IF_ERROR(comm->Broadcast(
        Span<uint8_t>(reinterpret_cast<uint8_t*>(w.data()), w.size() * sizeof(float)), 0));
    torch::NoGradGuard no_grad;
    int64_t off = 0;
    for (const auto& p : params) {
      p.copy_(torch::from_blob(w.data() + off, p.sizes(), torch::kFloat32));
      off += p.numel();
    }
  }
  model->to(device);
  params = model->parameters();
  std::unique_ptr<torch::optim::Adam> optimizer =
      MakeOptimizer(c, model->parameters(), model->FirstLayerParameters());

  // Rank 0 writes the run files; whether it could open them is broadcast, so that a bad
  // log.dir stops every rank instead of leaving the others waiting.
  MetricsFile metrics;
  Status open_status;
  int64_t open_failed = 0;
  if (rank == 0) {
    StatusOr<std::FILE*> f = OpenMetrics(c);
    if (f.ok()) {
      metrics.reset(*f);
    } else {
      open_status = f.status();
      open_failed = 1;
    }
  }
  SG_RETURN_IF_ERROR(comm->Broadcast(
      Span<uint8_t>(reinterpret_cast<uint8_t*>(&open_failed), sizeof(open_failed)), 0));
  if (open_failed != 0) {
    return rank == 0 ? open_status
                     : Status::FailedPrecondition("rank 0 could not open log.dir (see its error)");
  }

  // Adaptive widths (AdaQP): traced every training pass, re-solved after epoch 1 and then every
  // assign_every epochs.
  std::unique_ptr<AdaptiveBits> adaptive;
  if (train_bits == 0) {
    AdaptiveBitsOptions ao;
    ao.lambda = c.distributed.quantization.lambda;
    ao.group_size = c.distributed.quantization.group_size;
    ao.aggregation = sage ? comm::Aggregation::kSageMean : comm::Aggregation::kGcn;
    SG_ASSIGN_OR_RETURN(AdaptiveBits a, AdaptiveBits::Create(comm, &book, &g, layers, ao));
    adaptive = std::make_unique<AdaptiveBits>(std::move(a));
  }
  const models::StaticGnnImpl::LayerInputHook train_hook = [&](int64_t l, const torch::Tensor& h) {
    if (!adaptive) return HaloExchangeOp(h, &exchange, train_bits, train_bits);
    const torch::Tensor hc = h.detach().to(torch::kCPU).contiguous();
    const Status s = adaptive->Trace(
        l, Span<const float>(hc.data_ptr<float>(), static_cast<size_t>(hc.numel())), hc.size(1));
    TORCH_CHECK(s.ok(), s.ToString());
    return HaloExchangeOp(h, &exchange, 8, 8, &adaptive->forward(l), &adaptive->backward(l));
  };
  const models::StaticGnnImpl::LayerInputHook eval_hook =
      [&](int64_t, const torch::Tensor& h) { return HaloExchangeOp(h, &exchange, 32, 32); };
  namespace F = torch::nn::functional;
  const auto sum = F::CrossEntropyFuncOptions().reduction(torch::kSum);

  StaticRunResult result;
  result.full_graph = true;
  result.num_batches_per_epoch = 1;
  result.rank = rank;
  result.world_size = world;
  result.edge_cut = book.edge_cut();
  result.num_inner = num_inner;
  result.num_halo = part.num_halo;
  const auto train = [&](int64_t epoch) -> StatusOr<double> {
    model->train();
    optimizer->zero_grad();
    const int64_t bytes_before = exchange.stats().bytes_sent;
    const torch::Tensor logits = model->forward(x, blocks, train_hook);
    torch::Tensor loss =
        F::cross_entropy(logits.index_select(0, train_idx), labels.index_select(0, train_idx), sum) /
        num_train;
    // A rank without training nodes must still run the backward halo exchanges.
    if (tr.empty()) loss = loss + logits.sum() * 0;
    loss.backward();
    result.train_halo_bytes_sent += exchange.stats().bytes_sent - bytes_before;
    // Gradient sync: one all-reduce of every gradient plus the loss, on the training device.
    std::vector<torch::Tensor> pieces;
    for (auto& p : params) {
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      pieces.push_back(p.grad().reshape({-1}));
    }
    pieces.push_back(loss.detach().reshape({1}));
    torch::Tensor flat = torch::cat(pieces);
    SG_RETURN_IF_ERROR(AllReduceTensor(comm, &flat));
    int64_t off = 0;
    for (auto& p : params) {
      p.mutable_grad().copy_(flat.narrow(0, off, p.numel()).view_as(p));
      off += p.numel();
    }
    optimizer->step();
    if (adaptive && (epoch - 1) % c.distributed.quantization.assign_every == 0) {
      SG_RETURN_IF_ERROR(adaptive->Assign());
    }
    return flat[num_values].item<double>();
  };
  const auto evaluate = [&](StaticEpochRecord* rec) -> Status {
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor out = model->forward(x, blocks, eval_hook);
    const torch::Tensor correct = out.argmax(1).eq(labels).to(torch::kFloat64);
    double counts[4] = {correct.index_select(0, train_idx).sum().item<double>(),
                        correct.index_select(0, val_idx).sum().item<double>(),
                        correct.index_select(0, test_idx).sum().item<double>(),
                        F::cross_entropy(out.index_select(0, val_idx), labels.index_select(0, val_idx), sum)
                            .item<double>()};
    SG_RETURN_IF_ERROR(comm->AllReduceSum(Span<double>(counts, 4)));
    rec->train_acc = counts[0] / num_train;
    rec->val_acc = num_val > 0 ? counts[1] / num_val : 0;
    rec->test_acc = num_test > 0 ? counts[2] / num_test : 0;
    rec->val_loss = num_val > 0 ? counts[3] / num_val : 0;
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(RunEpochs(c, metrics.get(), on_epoch, train, evaluate, &result));
  result.halo_bytes_sent = exchange.stats().bytes_sent;
  // Every rank's training traffic, for the per-epoch figure of the communication benchmark.
  double all_train_bytes = static_cast<double>(result.train_halo_bytes_sent);
  SG_RETURN_IF_ERROR(comm->AllReduceSum(Span<double>(&all_train_bytes, 1)));
  result.all_ranks_train_halo_bytes_sent = static_cast<int64_t>(all_train_bytes);
  if (adaptive) {
    result.bit_assignments = adaptive->report().assignments;
    result.mean_bits = adaptive->report().mean_bits;
  }
  if (metrics) {
    metrics.reset();
    nlohmann::ordered_json dist;
    dist["backend"] = comm->name();
    dist["world_size"] = world;
    dist["edge_cut"] = result.edge_cut;
    dist["quantization_bits"] = c.distributed.quantization.bits;
    dist["rank0_inner"] = num_inner;
    dist["rank0_halo"] = part.num_halo;
    dist["rank0_halo_bytes_sent"] = result.halo_bytes_sent;
    dist["rank0_train_halo_bytes_sent"] = result.train_halo_bytes_sent;
    dist["train_halo_bytes_sent"] = result.all_ranks_train_halo_bytes_sent;
    dist["bit_assignments"] = result.bit_assignments;
    dist["mean_bits"] = result.mean_bits;
    SG_RETURN_IF_ERROR(WriteSummary(c, d.name, result, "distributed", dist));
  }
  return result;
}

}  // namespace

StatusOr<StaticRunResult> TrainStaticDistributed(const StaticConfig& config,
                                                 const datasets::StaticDataset& dataset,
                                                 comm::Communicator* comm,
                                                 const StaticEpochCallback& on_epoch) {
  if (comm == nullptr) return Status::InvalidArgument("TrainStaticDistributed: no communicator");
  try {
    return TrainDistributed(config, dataset, comm, on_epoch);
  } catch (const std::exception& e) {  // LibTorch and the halo exchange report through c10::Error
    return Status::Internal(std::string("distributed static training failed on rank ") +
                            std::to_string(comm->rank()) + ": " + e.what());
  }
}

comm::Backend CommBackend(DistributedBackend b) {
  switch (b) {
    case DistributedBackend::kMpi:
      return comm::Backend::kMpi;
    case DistributedBackend::kNccl:
      return comm::Backend::kNccl;
    default:
      return comm::Backend::kLocal;
  }
}

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
  if (config.distributed.backend != DistributedBackend::kNone) {
    SG_ASSIGN_OR_RETURN(std::unique_ptr<comm::Communicator> comm,
                        comm::CreateCommunicator(CommBackend(config.distributed.backend)));
    return TrainStaticDistributed(config, dataset, comm.get(), on_epoch);
  }
  try {
    return Train(config, dataset, on_epoch);
  } catch (const std::exception& e) {  // LibTorch reports through c10::Error
    return Status::Internal(std::string("static training failed: ") + e.what());
  }
}

StatusOr<StaticRunResult> TrainStatic(const StaticConfig& config,
                                      const StaticEpochCallback& on_epoch) {
  if (IsHeteroFormat(config.dataset.format)) {
    SG_ASSIGN_OR_RETURN(const datasets::HeteroDataset d, LoadHeteroConfigDataset(config));
    return TrainHeteroOnDataset(config, d, on_epoch);
  }
  SG_ASSIGN_OR_RETURN(datasets::StaticDataset d, LoadStaticConfigDataset(config));
  return TrainStaticOnDataset(config, d, on_epoch);
}

}  // namespace streamgnn::trainers
