// Node classification on static graphs (issue 7): full-graph and mini-batch training of GCN,
// GraphSAGE-mean and GAT from one config. Full-graph training is `train.batch_size: all` with
// `sampling.neighbor: all`; any other batch size or fan-out samples message-flow blocks
// (sampling/neighbor_sampler.h), so the full-graph vs mini-batch comparison of Liu et al. is a
// config change.
//
// The config is its own YAML document (sections dataset, model, sampling, train, runtime, log
// and distributed) in the temporal config's dialect (TGL's names: train.epoch,
// train.batch_size, sampling.neighbor, runtime.threads), loaded by the one config engine
// (core/config_engine.h): unknown or renamed keys, wrong types and ranges are errors of the form
// "gcn.yaml:7:9: key 'train.lr': expected a number > 0, got '-1'".
//
// This header is LibTorch-free so that apps/ can include it cheaply.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/config_enums.h"
#include "core/config_engine.h"
#include "core/config_schema.h"
#include "core/status.h"
#include "datasets/hetero_dataset.h"
#include "datasets/static_dataset.h"
#include "trainers/continual_config.h"

namespace streamgnn::trainers {

enum class StaticModel { kGcn, kSage, kGat, kRgcn, kHgt, kBgHgnn };
// R-GCN, HGT and BG-HGNN train on heterogeneous datasets (formats magnn, han_mat, hgb,
// ogb_hetero, hetero_sbm).
inline bool IsHeteroModel(StaticModel m) {
  return m == StaticModel::kRgcn || m == StaticModel::kHgt || m == StaticModel::kBgHgnn;
}
inline bool IsHeteroFormat(const std::string& format) {
  return format == "magnn" || format == "han_mat" || format == "hgb" || format == "ogb_hetero" ||
         format == "hetero_sbm";
}
enum class StaticSelect { kBestVal, kLast };
enum class WeightDecayScope { kAll, kFirstLayer };
// none = one process, no partitioning; local / mpi / nccl = distributed full-graph training
// over that communicator (local: one rank, the whole graph as one part).
enum class DistributedBackend { kNone, kLocal, kMpi, kNccl };

}  // namespace streamgnn::trainers

namespace streamgnn::core {
template <>
struct EnumTraits<trainers::StaticModel> {
  static constexpr EnumName<trainers::StaticModel> kNames[] = {
      {trainers::StaticModel::kGcn, "gcn"},
      {trainers::StaticModel::kSage, "sage"},
      {trainers::StaticModel::kGat, "gat"},
      {trainers::StaticModel::kRgcn, "rgcn"},
      {trainers::StaticModel::kHgt, "hgt"},
      {trainers::StaticModel::kBgHgnn, "bghgnn"}};
};
template <>
struct EnumTraits<trainers::StaticSelect> {
  static constexpr EnumName<trainers::StaticSelect> kNames[] = {
      {trainers::StaticSelect::kBestVal, "best_val"}, {trainers::StaticSelect::kLast, "last"}};
};
template <>
struct EnumTraits<trainers::WeightDecayScope> {
  static constexpr EnumName<trainers::WeightDecayScope> kNames[] = {
      {trainers::WeightDecayScope::kAll, "all"},
      {trainers::WeightDecayScope::kFirstLayer, "first_layer"}};
};
template <>
struct EnumTraits<trainers::DistributedBackend> {
  static constexpr EnumName<trainers::DistributedBackend> kNames[] = {
      {trainers::DistributedBackend::kNone, "none"},
      {trainers::DistributedBackend::kLocal, "local"},
      {trainers::DistributedBackend::kMpi, "mpi"},
      {trainers::DistributedBackend::kNccl, "nccl"}};
};
}  // namespace streamgnn::core

namespace streamgnn::comm {
class Communicator;
enum class Backend;
}

namespace streamgnn::trainers {

using core::AtLeast;
using core::GreaterThan;
using core::InRange;
using core::InRangeOpenHigh;

struct StaticSbmSection {
  int64_t num_nodes = 10000;
  int64_t num_classes = 10;
  double avg_degree = 10.0;
  double homophily = 0.8;
  int64_t feature_dim = 64;
  double feature_noise = 1.0;

  template <class V>
  void Visit(V& v) {
    v.Field("num_nodes", &num_nodes, "Number of nodes.", AtLeast(2));
    v.Field("num_classes", &num_classes, "Number of classes (one block each).", AtLeast(1));
    v.Field("avg_degree", &avg_degree, "Expected undirected degree.", AtLeast(0));
    v.Field("homophily", &homophily, "Fraction of edges inside a block.", InRange(0, 1));
    v.Field("feature_dim", &feature_dim, "Feature dimension.", AtLeast(1));
    v.Field("feature_noise", &feature_noise, "Std of the noise around the class centroid.",
            AtLeast(0));
  }
};

struct StaticDatasetSection {
  std::string format = "planetoid";
  std::string path;
  bool row_normalize = true;
  bool symmetrize = true;
  std::string ogb_split;
  int64_t split_seed = 0;
  std::string metapaths = "PAP,PLP";
  std::string type_names = "movie,director,actor";
  StaticSbmSection sbm;
  datasets::HeteroSbmOptions hetero_sbm;  // the generator's options are the section

  template <class V>
  void Visit(V& v) {
    v.Field("format", &format,
            "planetoid | npz | ogb | sbm (homogeneous), magnn | han_mat | hgb | ogb_hetero | "
            "hetero_sbm (heterogeneous: MAGNN's preprocessed folder, HAN's .mat, HGB's folder, "
            "OGB's heterogeneous folder such as ogbn_mag, a typed SBM).");
    v.Field("path", &path,
            "Dataset folder (planetoid: the downloaded ind.<name>.* folder or its converted/ "
            "form; ogb, ogb_hetero, magnn, hgb: the dataset folder) or file (npz, han_mat: the "
            ".mat); relative to the config file.",
            core::kRelativeToConfig);
    v.Field("row_normalize", &row_normalize, "Divide each feature row by its sum (Kipf).");
    v.Field("symmetrize", &symmetrize, "Add the reverse of every edge.");
    v.Field("ogb_split", &ogb_split,
            "Folder under split/ (ogb, ogb_hetero); empty = the only one.");
    v.Field("split_seed", &split_seed,
            "Seed of the drawn split (npz, sbm, hetero_sbm; hgb: the validation share of "
            "label.dat).",
            AtLeast(0));
    v.Field("metapaths", &metapaths,
            "han_mat: the meta-path adjacencies to read, comma-separated (HAN: PAP and PLP).");
    v.Field("type_names", &type_names,
            "magnn: names of the node types 0, 1, ..., comma-separated (IMDB's by default).");
    v.Section("sbm", &sbm, "Generator parameters (format: sbm).");
    v.Section("hetero_sbm", &hetero_sbm, "Generator parameters (format: hetero_sbm).");
    v.Rule("format", "a known format", [this]() -> std::string {
      return format == "planetoid" || format == "npz" || format == "ogb" || format == "sbm" ||
                     IsHeteroFormat(format)
                 ? ""
                 : "one of planetoid|npz|ogb|sbm|magnn|han_mat|hgb|ogb_hetero|hetero_sbm";
    });
    v.Rule("path", "set unless the format is a generator", [this]() -> std::string {
      return format == "sbm" || format == "hetero_sbm" || !path.empty()
                 ? ""
                 : "a dataset path (format " + format + ")";
    });
  }
};

struct StaticModelSection {
  StaticModel name = StaticModel::kGcn;
  int64_t layers = 2;
  int64_t hidden = 16;
  double dropout = 0.5;
  int64_t heads = 8;
  int64_t out_heads = 1;
  double att_dropout = 0.6;
  bool self_loops = true;
  int64_t bases = 0;
  int64_t rank = 4;
  int64_t fused_dim = 64;
  int64_t code_dim = 512;
  int64_t embedding_dim = 64;

  template <class V>
  void Visit(V& v) {
    v.Field("name", &name,
            "gcn | sage | gat on homogeneous graphs; rgcn | hgt | bghgnn on heterogeneous ones.");
    v.Field("layers", &layers, "Number of layers.", InRange(1, 8));
    v.Field("hidden", &hidden, "Hidden units (per head for gat).", AtLeast(1));
    v.Field("dropout", &dropout, "Dropout on every layer's input.", InRangeOpenHigh(0, 1));
    v.Field("heads", &heads, "GAT: attention heads of the hidden layers.", AtLeast(1));
    v.Field("out_heads", &out_heads, "GAT: heads of the output layer (averaged).", AtLeast(1));
    v.Field("att_dropout", &att_dropout, "GAT: dropout on attention coefficients.",
            InRangeOpenHigh(0, 1));
    v.Field("self_loops", &self_loops,
            "Add a self-loop to every node (gcn, gat; sage keeps a separate self weight and "
            "never adds them).");
    v.Field("bases", &bases,
            "rgcn: shared bases of the relation weights (basis decomposition); 0 = one full "
            "weight per relation.",
            AtLeast(0));
    v.Field("rank", &rank, "bghgnn: rank of the low-rank fusion (grind).", AtLeast(1));
    v.Field("fused_dim", &fused_dim, "bghgnn: width of the fused shared space.", AtLeast(1));
    v.Field("code_dim", &code_dim, "bghgnn: width of the random type and relation codes.",
            AtLeast(1));
    v.Field("embedding_dim", &embedding_dim,
            "rgcn, hgt, bghgnn: width of the learned input embedding of every node type "
            "without features (e.g. ogbn-mag's authors, institutions and fields).",
            AtLeast(1));
  }
};

// Names as in the temporal config (TGL's): sampling.neighbor, train.batch_size, runtime.threads.
struct StaticSamplingSection {
  std::vector<int64_t> neighbor = {-1};  // one per layer (or one for all); -1 = all

  template <class V>
  void Visit(V& v) {
    v.Field("neighbor", &neighbor,
            "Neighbours drawn per node, one entry per layer (input layer first) or one for all; "
            "all (or -1) = every neighbour. train.batch_size: all + sampling.neighbor: all is "
            "full-graph training.",
            AtLeast(-1), core::kAllIsMinusOne);
    v.Rule("neighbor", "entries are all (-1) or >= 1", [this]() -> std::string {
      if (neighbor.empty()) return "at least one entry";
      for (int64_t f : neighbor) {
        if (f == 0) return "entries that are all (-1) or >= 1";
      }
      return "";
    });
    v.Renamed("fanouts", "sampling.neighbor");
    v.Renamed("batch_size", "train.batch_size");
    v.Renamed("threads", "runtime.threads");
  }
};

struct StaticTrainSection {
  int64_t epoch = 200;
  int64_t batch_size = -1;  // -1 = all training nodes in one batch
  double lr = 0.01;
  double weight_decay = 5e-4;
  WeightDecayScope weight_decay_scope = WeightDecayScope::kAll;
  int64_t seed = 0;
  int64_t patience = 0;
  StaticSelect select = StaticSelect::kBestVal;
  int64_t eval_every = 1;

  template <class V>
  void Visit(V& v) {
    v.Field("epoch", &epoch, "Maximum number of epochs.", AtLeast(1));
    v.Field("batch_size", &batch_size,
            "Training seeds per batch; all (or -1) = every training node in one batch.",
            AtLeast(-1), core::kAllIsMinusOne);
    v.Field("lr", &lr, "Adam learning rate.", GreaterThan(0));
    v.Field("weight_decay", &weight_decay, "L2 penalty added to the gradient (Adam).", AtLeast(0));
    v.Field("weight_decay_scope", &weight_decay_scope,
            "all | first_layer (Kipf & Welling decay only the first layer).");
    v.Field("seed", &seed, "Seed of initialisation, dropout, shuffling and sampling.", AtLeast(0));
    v.Field("patience", &patience,
            "Stop after this many evaluations without a better validation accuracy; 0 = off.",
            AtLeast(0));
    v.Field("select", &select,
            "Which epoch's test accuracy is reported: best_val (highest validation accuracy, "
            "ties to the lower validation loss) or last.");
    v.Field("eval_every", &eval_every, "Evaluate every this many epochs.", AtLeast(1));
    v.Rule("batch_size", "all (-1) or >= 1", [this]() -> std::string {
      return batch_size == 0 ? "all or an integer >= 1" : "";
    });
    v.Renamed("epochs", "train.epoch");
    v.Renamed("device", "runtime.device");
  }
};

struct StaticRuntimeSection {
  int64_t threads = 0;
  core::DeviceKind device = core::DeviceKind::kCpu;

  template <class V>
  void Visit(V& v) {
    v.Field("threads", &threads, "Threads for sampling and LibTorch; 0 = all cores.", AtLeast(0));
    v.Field("device", &device,
            "cpu | cuda: where the model, the features and the block matrices live (sampling "
            "stays on the host). CUDA device 0, or with distributed.backend nccl the rank's own "
            "device.");
  }
};

struct StaticLogSection {
  std::string dir;
  bool quiet = false;

  template <class V>
  void Visit(V& v) {
    v.Field("dir", &dir, "Run folder for metrics.jsonl and summary.json; empty = none.",
            core::kRelativeToConfig);
    v.Field("quiet", &quiet, "Print only the final summary line.");
  }
};

struct StaticQuantizationSection {
  std::string bits = "32";
  int64_t assign_every = 50;
  double lambda = 0.5;
  int64_t group_size = 100;

  template <class V>
  void Visit(V& v) {
    v.Field("bits", &bits,
            "Width of the halo messages of training (AdaQP): 32 (float32), 8, 4, 2, or adaptive "
            "(per-message widths from the bit-width solver). Evaluation always exchanges "
            "float32.");
    v.Field("assign_every", &assign_every,
            "adaptive: re-solve the widths after epoch 1 and then every this many epochs.",
            AtLeast(1));
    v.Field("lambda", &lambda, "adaptive: weight of variance (vs time) in the objective.",
            InRange(0, 1));
    v.Field("group_size", &group_size, "adaptive: messages per bit-width group.", AtLeast(1));
    v.Rule("bits", "32, 8, 4, 2 or adaptive", [this]() -> std::string {
      return bits == "32" || bits == "8" || bits == "4" || bits == "2" || bits == "adaptive"
                 ? ""
                 : "one of 32|8|4|2|adaptive";
    });
  }
};

// Distributed full-graph training (docs/distributed.md): the graph is METIS-partitioned into one
// part per rank (the communicator's size), every rank trains on its inner nodes with a halo
// exchange before every layer, and gradients are summed over ranks.
struct StaticDistributedSection {
  DistributedBackend backend = DistributedBackend::kNone;
  int64_t partition_seed = 0;
  double imbalance = 1.03;
  StaticQuantizationSection quantization;

  template <class V>
  void Visit(V& v) {
    v.Field("backend", &backend,
            "none (single process) | local (one rank) | mpi (one rank per MPI process; run "
            "under mpirun) | nccl (one CUDA device per MPI process; with runtime.device cuda the "
            "float32 halo rows and the gradients never leave the devices).");
    v.Field("partition_seed", &partition_seed, "METIS seed.", AtLeast(0));
    v.Field("imbalance", &imbalance, "METIS: allowed max part size / average.", AtLeast(1));
    v.Section("quantization", &quantization, "Message quantisation (AdaQP).");
  }
};

// The whole static-training config (one YAML document).
struct StaticConfig {
  StaticDatasetSection dataset;
  StaticModelSection model;
  StaticSamplingSection sampling;
  StaticTrainSection train;
  StaticRuntimeSection runtime;
  StaticLogSection log;
  StaticDistributedSection distributed;
  ContinualSection continual;

  template <class V>
  void Visit(V& v) {
    v.Section("dataset", &dataset, "The static graph and its split.");
    v.Section("model", &model, "The GNN.");
    v.Section("sampling", &sampling, "Fan-outs (with train.batch_size all + all = full graph).");
    v.Section("train", &train, "Batches, optimisation and model selection.");
    v.Section("runtime", &runtime, "Threads and device.");
    v.Section("log", &log, "Outputs.");
    v.Section("distributed", &distributed, "Distributed full-graph training (AdaQP).");
    v.Section("continual", &continual,
              "Graph continual learning over a task stream (streamgnn continual-train).");
    v.Rule("distributed.backend", "none unless training is full-graph", [this]() -> std::string {
      if (distributed.backend == DistributedBackend::kNone) return "";
      bool all = train.batch_size == -1;
      for (int64_t f : sampling.neighbor) all = all && f == -1;
      return all ? ""
                 : "none: distributed training is full-graph only (set train.batch_size: all "
                   "and sampling.neighbor: all)";
    });
    v.Rule("model.name", "matches the dataset (heterogeneous models on heterogeneous formats)",
           [this]() -> std::string {
             if (IsHeteroModel(model.name) == IsHeteroFormat(dataset.format)) return "";
             return IsHeteroModel(model.name)
                        ? "gcn, sage or gat for format " + dataset.format
                        : "rgcn, hgt or bghgnn for the heterogeneous format " + dataset.format;
           });
    v.Rule("train.weight_decay_scope", "all for heterogeneous models", [this]() -> std::string {
      return !IsHeteroModel(model.name) || train.weight_decay_scope == WeightDecayScope::kAll
                 ? ""
                 : "all for rgcn/hgt/bghgnn (first_layer is Kipf's GCN recipe)";
    });
    v.Rule("distributed.backend", "none for heterogeneous models", [this]() -> std::string {
      return !IsHeteroModel(model.name) || distributed.backend == DistributedBackend::kNone
                 ? ""
                 : "none for rgcn/hgt/bghgnn (distributed heterogeneous training is not built)";
    });
    v.Rule("sampling.neighbor", "one entry, or one per layer", [this]() -> std::string {
      const size_t n = sampling.neighbor.size();
      return n == 1 || static_cast<int64_t>(n) == model.layers
                 ? ""
                 : "one entry or one per layer (model.layers = " + std::to_string(model.layers) +
                       ")";
    });
  }
};

// The engine (core/config_engine.h) for this root; see the top of this file.
inline StatusOr<StaticConfig> LoadStaticConfigFile(const std::string& path,
                                                   const std::vector<std::string>& overrides = {}) {
  return core::LoadConfigFileAs<StaticConfig>(path, overrides);
}
inline StatusOr<StaticConfig> LoadStaticConfigString(
    const std::string& yaml_text, const std::string& source_name,
    const std::vector<std::string>& overrides = {}) {
  return core::LoadConfigTextAs<StaticConfig>(yaml_text, source_name, overrides);
}

struct StaticEpochRecord {
  int64_t epoch = 0;
  double loss = 0;  // mean training loss over the epoch's batches
  double train_acc = 0, val_acc = 0, test_acc = 0, val_loss = 0;
  bool evaluated = false;
  // Macro-F1 (single-process runs; the distributed path reports accuracies only).
  bool has_macro_f1 = false;
  double val_macro_f1 = 0, test_macro_f1 = 0;
  double epoch_seconds = 0;    // training step time of this epoch (no evaluation)
  double elapsed_seconds = 0;  // cumulative training time
};

struct StaticRunResult {
  std::vector<StaticEpochRecord> epochs;
  int64_t selected_epoch = 0;  // per train.select
  double val_acc = 0;          // at the selected epoch
  double test_acc = 0;         // at the selected epoch
  double test_macro_f1 = 0;    // at the selected epoch (single-process runs)
  double train_seconds = 0;    // sum of epoch_seconds
  int64_t num_batches_per_epoch = 0;
  bool full_graph = false;
  // Distributed runs: this rank's view.
  int rank = 0;
  int world_size = 1;
  int64_t edge_cut = 0;            // edges between parts
  int64_t num_inner = 0;           // this rank's inner / halo node counts
  int64_t num_halo = 0;
  int64_t halo_bytes_sent = 0;     // this rank, training + evaluation + setup, all epochs
  int64_t train_halo_bytes_sent = 0;  // this rank, training passes only (forward + backward)
  int64_t all_ranks_train_halo_bytes_sent = 0;  // the same summed over every rank
  // quantization.bits adaptive: widths assigned, and the mean width of this rank's forward rows
  // after the last assignment.
  int64_t bit_assignments = 0;
  double mean_bits = 0;
};

// Called after every epoch (from the training thread), e.g. to print progress.
// Distributed runs call it on every rank with the global (all-rank) figures.
using StaticEpochCallback = std::function<void(const StaticEpochRecord&)>;

// Loads the dataset named in the config and trains. Writes <log.dir>/metrics.jsonl (one JSON
// object per epoch) and <log.dir>/summary.json when log.dir is set.
StatusOr<StaticRunResult> TrainStatic(const StaticConfig& config,
                                      const StaticEpochCallback& on_epoch = nullptr);
// Trains on an already loaded dataset (features as given: row normalisation is the loader
// caller's job here). For multi-seed experiments that load once.
StatusOr<StaticRunResult> TrainStaticOnDataset(const StaticConfig& config,
                                               const datasets::StaticDataset& dataset,
                                               const StaticEpochCallback& on_epoch = nullptr);
// Distributed full-graph training on `comm` (every rank calls it with the same config and
// dataset). distributed.backend is ignored: the communicator is given. Only rank 0 writes
// log.dir. See docs/distributed.md.
StatusOr<StaticRunResult> TrainStaticDistributed(const StaticConfig& config,
                                                 const datasets::StaticDataset& dataset,
                                                 comm::Communicator* comm,
                                                 const StaticEpochCallback& on_epoch = nullptr);

// The communicator backend of a distributed section (none -> local).
comm::Backend CommBackend(DistributedBackend backend);

// The dataset the config names, row-normalised if asked.
StatusOr<datasets::StaticDataset> LoadStaticConfigDataset(const StaticConfig& config);

// Heterogeneous node classification (model.name rgcn | hgt | bghgnn; trainers/hetero_trainer.cc):
// full-graph training on the target type's labels with the same epoch loop, selection, early
// stopping and run files as the homogeneous path. TrainStatic dispatches here by format.
StatusOr<datasets::HeteroDataset> LoadHeteroConfigDataset(const StaticConfig& config);
StatusOr<StaticRunResult> TrainHeteroOnDataset(const StaticConfig& config,
                                               const datasets::HeteroDataset& dataset,
                                               const StaticEpochCallback& on_epoch = nullptr);
// The trainable parameters of the configured heterogeneous model on `dataset` (without the
// input embeddings of featureless types; summary.json lists those as embedding_parameters).
StatusOr<int64_t> HeteroParameterCount(const StaticConfig& config,
                                       const datasets::HeteroDataset& dataset);

}  // namespace streamgnn::trainers
