// The run config of the temporal trainers (streamgnn train, stream, continuous, serve --learn):
// one YAML document whose sections are declared next to the code they configure (dataset:
// datasets/dataset_config.h, graph: graph/graph_config.h, sampling: sampling/sampling_config.h,
// memory: memory/memory_config.h, gnn: models/gnn_config.h, runtime and log: core/config.h) and
// here (train, pipeline, pres, continuous), loaded by the one config engine (core/config_engine.h).
// TGL's configs, which write each section as a one-element list, load as they are.
//
// Adding a section: a struct with defaults and a Visit member next to its code, a member here and
// one `v.Section(...)` line in TemporalConfig::Visit, then regenerate docs/config.md.
// LibTorch-free, so that apps/ can include it cheaply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_engine.h"
#include "core/config_schema.h"
#include "core/status.h"
#include "datasets/dataset_config.h"
#include "graph/graph_config.h"
#include "memory/memory_config.h"
#include "models/gnn_config.h"
#include "sampling/sampling_config.h"

namespace streamgnn::trainers {

// train.model: a named model checks that the memory and gnn sections describe it; custom takes
// them as they are.
enum class ModelName { kCustom, kTgn, kJodie, kApan, kTgat };

// train.negative_pool: where random negative destinations come from.
enum class NegativePool { kDestinations, kAllNodes };

// train.ap_mode: AP/AUC per evaluation batch then averaged (TGN, DyGLib, TGL) or over all
// events at once.
enum class ApMode { kBatchMean, kPooled };

// eval.protocol: random negatives (TGN's AP/AUC), or TGB's fixed negatives per positive.
enum class EvalProtocol { kRandom, kTgb };

// pipeline.mode: one batch after another, or MSPipe's staged pipeline with bounded staleness.
enum class PipelineMode { kSequential, kMspipe };

// pipeline.mitigation: what is done to a node whose memory misses writes (MSPipe).
enum class StalenessMitigation { kNone, kSimilarity };

// continuous.replay: which past events a window's training adds (GNNFlow's replay).
enum class ReplayKind { kUniform, kRecent };

// continuous.on_lag: what `serve --learn` does when more than continuous.max_lag windows wait.
enum class LagPolicy { kCoalesce, kNewest };
}  // namespace streamgnn::trainers

namespace streamgnn::core {
template <>
struct EnumTraits<trainers::ModelName> {
  static constexpr EnumName<trainers::ModelName> kNames[] = {
      {trainers::ModelName::kCustom, "custom"}, {trainers::ModelName::kTgn, "tgn"},   {trainers::ModelName::kJodie, "jodie"},
      {trainers::ModelName::kApan, "apan"},     {trainers::ModelName::kTgat, "tgat"},
  };
};
template <>
struct EnumTraits<trainers::NegativePool> {
  static constexpr EnumName<trainers::NegativePool> kNames[] = {
      {trainers::NegativePool::kDestinations, "destinations"},
      {trainers::NegativePool::kAllNodes, "all"},
  };
};
template <>
struct EnumTraits<trainers::ApMode> {
  static constexpr EnumName<trainers::ApMode> kNames[] = {
      {trainers::ApMode::kBatchMean, "batch_mean"},
      {trainers::ApMode::kPooled, "pooled"},
  };
};
template <>
struct EnumTraits<trainers::EvalProtocol> {
  static constexpr EnumName<trainers::EvalProtocol> kNames[] = {
      {trainers::EvalProtocol::kRandom, "random"},
      {trainers::EvalProtocol::kTgb, "tgb"},
  };
};
template <>
struct EnumTraits<trainers::PipelineMode> {
  static constexpr EnumName<trainers::PipelineMode> kNames[] = {
      {trainers::PipelineMode::kSequential, "sequential"},
      {trainers::PipelineMode::kMspipe, "mspipe"},
  };
};
template <>
struct EnumTraits<trainers::StalenessMitigation> {
  static constexpr EnumName<trainers::StalenessMitigation> kNames[] = {
      {trainers::StalenessMitigation::kNone, "none"},
      {trainers::StalenessMitigation::kSimilarity, "similarity"},
  };
};
template <>
struct EnumTraits<trainers::ReplayKind> {
  static constexpr EnumName<trainers::ReplayKind> kNames[] = {
      {trainers::ReplayKind::kUniform, "uniform"},
      {trainers::ReplayKind::kRecent, "recent"},
  };
};
template <>
struct EnumTraits<trainers::LagPolicy> {
  static constexpr EnumName<trainers::LagPolicy> kNames[] = {
      {trainers::LagPolicy::kCoalesce, "coalesce"},
      {trainers::LagPolicy::kNewest, "newest"},
  };
};
}  // namespace streamgnn::core

namespace streamgnn::trainers {

using core::AtLeast;
using core::Exactly;
using core::GreaterThan;
using core::InRange;
using core::InRangeOpenHigh;

// train: the optimisation loop and its evaluation (TGN's protocol by default; docs/models.md).
struct TrainConfig {
  int64_t seed = 0;
  int64_t epoch = 10;
  int64_t batch_size = 200;
  double lr = 1e-4;
  double dropout = 0.1;
  double att_dropout = 0.1;
  bool all_on_gpu = false;
  int64_t reorder = 1;
  ModelName model = ModelName::kCustom;
  int64_t eval_batch_size = 0;
  int64_t patience = 5;
  double val_fraction = 0.15;
  double test_fraction = 0.15;
  double inductive_fraction = 0.1;
  NegativePool negative_pool = NegativePool::kDestinations;
  ApMode ap_mode = ApMode::kBatchMean;
  int64_t eval_negatives = 0;
  bool intra_batch_neighbors = true;
  bool node_classification = false;
  bool checkpoint = true;

  template <class V>
  void Visit(V& v) {
    v.Field("seed", &seed, "Seed of every random draw of the run (sampling, init, dropout).");
    v.Field("epoch", &epoch, "Number of passes over the training edges.", AtLeast(1));
    v.Field("batch_size", &batch_size, "Edges per training batch.", AtLeast(1));
    v.Field("lr", &lr, "Learning rate (Adam).", GreaterThan(0));
    v.Field("dropout", &dropout, "Dropout probability.", InRangeOpenHigh(0, 1));
    v.Field("att_dropout", &att_dropout, "Dropout probability on attention weights.",
            InRangeOpenHigh(0, 1));
    v.Field("all_on_gpu", &all_on_gpu,
            "TGL key, accepted: keep features and node memory on the GPU.");
    v.Field("reorder", &reorder, "TGL's random chunk scheduling (chunks per batch).",
            Exactly(1, "random chunk scheduling is not supported yet"));
    v.Field("model", &model,
            "custom: the model the memory and gnn sections describe; tgn, jodie, apan, tgat: "
            "also check that they describe that model.");
    v.Field("eval_batch_size", &eval_batch_size,
            "Edges per validation/test batch; 0 = batch_size (TGN: the same).", AtLeast(0));
    v.Field("patience", &patience,
            "Stop after this many epochs without a better validation AP; 0 = never stop early.",
            AtLeast(0));
    v.Field("val_fraction", &val_fraction,
            "Validation share of the time span's events (chronological split by time quantile).",
            InRangeOpenHigh(0, 1));
    v.Field("test_fraction", &test_fraction, "Test share (the latest events).",
            InRangeOpenHigh(0, 1));
    v.Field("inductive_fraction", &inductive_fraction,
            "Share of all nodes, drawn among those active after the training period, whose "
            "training edges are removed (TGN's inductive protocol); 0 = no masking.",
            InRangeOpenHigh(0, 1));
    v.Field("negative_pool", &negative_pool,
            "Random negative destinations: destinations = the unique destinations of the split "
            "(train) or of all events (val/test), as TGN and DyGLib; all = every node id (TGL).");
    v.Field("ap_mode", &ap_mode,
            "batch_mean: AP and AUC per evaluation batch, averaged (TGN, DyGLib); pooled: over "
            "all evaluation events at once.");
    v.Field("eval_negatives", &eval_negatives,
            "> 0: also rank each val/test positive against this many random negatives and "
            "report MRR (TGB style); 0 = off.",
            InRange(0, 100000));
    v.Field("intra_batch_neighbors", &intra_batch_neighbors,
            "true: neighbour sampling sees every earlier event, earlier events of the same batch "
            "included (TGN, TGL, DyGLib); false: only events of earlier batches (PyG).");
    v.Field("node_classification", &node_classification,
            "Train a node-classification decoder on the learned embeddings (dynamic labels).");
    v.Field("checkpoint", &checkpoint,
            "Write <log.dir>/checkpoint.pt after every epoch and best.pt at the best validation "
            "AP (atomic writes).");
    v.Rule("test_fraction", "val_fraction + test_fraction < 1", [this]() -> std::string {
      if (val_fraction + test_fraction < 1) return "";
      return "less than 1 - val_fraction (" + std::to_string(1 - val_fraction) + ")";
    });
    v.Rule("node_classification", "is false (not built yet)", [this]() -> std::string {
      return node_classification ? "false (dynamic node classification is not implemented yet)"
                                 : "";
    });
  }
};

// eval: how validation and test positives are ranked (docs/models.md, "TGB protocol").
struct EvalConfig {
  EvalProtocol protocol = EvalProtocol::kRandom;
  std::string val_negatives;
  std::string test_negatives;
  int64_t hits_k = 10;
  int64_t positives_per_forward = 0;

  template <class V>
  void Visit(V& v) {
    v.Field("protocol", &protocol,
            "random: AP and AUC against one random negative per positive (TGN), plus MRR against "
            "train.eval_negatives random ones when > 0; tgb: also every positive ranked against "
            "TGB's fixed negatives (val_negatives, test_negatives) in one batched pass, MRR with "
            "TGB's tie rule and Hits@hits_k, model selection on validation MRR (TGB's protocol).");
    v.Field("val_negatives", &val_negatives,
            "tgb: TGB's <name>_val_ns_v2.pkl; \"\" = that file (or TGB v1's <name>_val_ns.pkl) "
            "next to dataset.path, <name> the dataset's (tgbl-wiki for tgbl-wiki_edgelist_v2.csv).",
            core::kRelativeToConfig);
    v.Field("test_negatives", &test_negatives, "tgb: TGB's <name>_test_ns_v2.pkl; \"\" as above.",
            core::kRelativeToConfig);
    v.Field("hits_k", &hits_k, "tgb: k of Hits@k.", core::AtLeast(1));
    v.Field("positives_per_forward", &positives_per_forward,
            "Validation/test positives whose candidates share one forward pass; 0 = a whole eval "
            "batch. Memory is still read and written once a batch, so any value gives the same "
            "scores (with uniform sampling, other draws of the same distribution). Bounds the "
            "activations of one forward (a batch of 200 with 999 negatives embeds 200,400 roots), "
            "not the batch's gathered inputs; 1 scores each positive on its own, as TGB's example "
            "loops do.",
            core::AtLeast(0));
  }
};

// pipeline: how the iterations of a training pass are scheduled (MSPipe; docs/models.md,
// "Pipeline"). Evaluation passes always run sequentially (exact memory).
struct PipelineConfig {
  PipelineMode mode = PipelineMode::kSequential;
  std::string staleness = "0";
  StalenessMitigation mitigation = StalenessMitigation::kNone;
  int64_t queue_depth = 2;
  int64_t max_staleness = 8;
  int64_t profile_batches = 20;
  double mitigation_lambda = 0.9;
  int64_t mitigation_neighbors = 10;

  // The staleness bound, or -1 for auto. Valid only after the config passed validation.
  int64_t StalenessBound() const { return staleness == "auto" ? -1 : std::stoll(staleness); }

  template <class V>
  void Visit(V& v) {
    v.Field("mode", &mode,
            "sequential: one batch after another; mspipe: sample, feature fetch, memory read, "
            "compute and memory write run as concurrent stages with bounded queues.");
    v.Field("staleness", &staleness,
            "mspipe: an integer s >= 0 (batch i may read node memory lacking the writes of at "
            "most s earlier batches; 0 = exact, bit-identical to sequential) or auto (the "
            "smallest s that hides the memory-write delay, from stage times measured over the "
            "first profile_batches batches, as MSPipe's scheduler).");
    v.Field("mitigation", &mitigation,
            "none, or similarity: a node whose memory misses writes is blended with the mean "
            "memory of its most similar (cosine) fresher nodes of the batch (MSPipe).");
    v.Field("queue_depth", &queue_depth, "Batches buffered between two pipeline stages.",
            InRange(1, 64));
    v.Field("max_staleness", &max_staleness, "Upper limit of the bound staleness: auto picks.",
            InRange(0, 64));
    v.Field("profile_batches", &profile_batches,
            "staleness auto: batches run at staleness 0 to measure stage times before choosing.",
            InRange(1, 100000));
    v.Field("mitigation_lambda", &mitigation_lambda,
            "similarity: weight of the node's own stale memory (MSPipe's lambda).",
            InRange(0, 1));
    v.Field("mitigation_neighbors", &mitigation_neighbors,
            "similarity: most similar fresher nodes averaged (MSPipe's top-K).", InRange(1, 1024));
    v.Rule("staleness", "is an integer >= 0 or auto", [this]() -> std::string {
      if (staleness == "auto") return "";
      if (!staleness.empty() && staleness.size() <= 9 &&
          staleness.find_first_not_of("0123456789") == std::string::npos) {
        return "";
      }
      return "an integer >= 0 or auto";
    });
    v.Rule("max_staleness", "is at least an integer staleness", [this]() -> std::string {
      if (staleness == "auto" || staleness.empty() ||
          staleness.find_first_not_of("0123456789") != std::string::npos || staleness.size() > 9 ||
          std::stoll(staleness) <= max_staleness) {
        return "";
      }
      return "at least staleness (" + staleness + ")";
    });
  }
};

// pres: PRES prediction-correction of node memory and the memory-coherence objective for large
// temporal batches (Su, Zou, Wu, ICLR 2024; docs/models.md, "PRES").
struct PresConfig {
  bool enabled = false;
  double coherence_weight = 0.1;
  double gamma = 0.9;
  bool detach_coherence = false;

  template <class V>
  void Visit(V& v) {
    v.Field("enabled", &enabled,
            "Correct the memory of nodes with several events in one batch with a per-node "
            "Gaussian model of memory transitions, and add the coherence objective to the loss.");
    v.Field("coherence_weight", &coherence_weight,
            "Weight of (1 - mean cosine(new memory, previous memory)) in the loss (PRES: 0.1).",
            AtLeast(0));
    v.Field("gamma", &gamma,
            "Fusion weight of the prediction: s = gamma * prediction + (1 - gamma) * computed "
            "(PRES: 0.9).",
            InRange(0, 1));
    v.Field("detach_coherence", &detach_coherence,
            "Reproduce the public PRES code, whose coherence term is detached (no gradient, no "
            "effect on training).");
  }
};

// continuous: GNNFlow's continuous learning on an event stream (docs/continuous.md). The first
// warmup_fraction of the events is trained as an ordinary run (train.*); the rest arrives in
// windows of `window` events, each first scored with the current model and memory (prequential
// evaluation), then trained on together with a replay sample of older events.
struct ContinuousConfig {
  int64_t window = 10000;
  double warmup_fraction = 0.3;
  int64_t warmup_events = 10000;
  int64_t max_lag = 4;
  LagPolicy on_lag = LagPolicy::kCoalesce;
  double replay_ratio = 0;
  ReplayKind replay = ReplayKind::kUniform;
  int64_t epoch = 1;
  int64_t history_events = 0;

  template <class V>
  void Visit(V& v) {
    v.Field("window", &window, "New events per window.", AtLeast(1));
    v.Field("warmup_fraction", &warmup_fraction,
            "Leading fraction of the stream trained as an ordinary run before the windows "
            "(GNNFlow's phase 1: 0.3).",
            InRange(0.001, 0.999));
    v.Field("warmup_events", &warmup_events,
            "streamgnn serve: events of the warm-up (a live stream has no known length, so "
            "warmup_fraction cannot apply there).",
            AtLeast(10));
    v.Field("max_lag", &max_lag,
            "streamgnn serve: more windows waiting than this are a lag; continuous.on_lag says "
            "what the learner does.",
            AtLeast(1));
    v.Field("on_lag", &on_lag,
            "streamgnn serve, beyond max_lag: coalesce (learn every waiting edge as one window; "
            "nothing is skipped, but windows grow while ingestion outpaces training) or newest "
            "(learn the newest window and skip the edges before it: they stay stored and "
            "sampled, but the model and node memory never see them; Stats counts them).");
    v.Field("replay_ratio", &replay_ratio,
            "Past events added to a window's training, as a fraction of the events kept before "
            "the window (all of them without history_events; GNNFlow's replay_ratio; 0 = the "
            "window only).",
            AtLeast(0));
    v.Field("replay", &replay,
            "uniform (drawn uniformly from all past events, without replacement) or recent "
            "(the newest past events).");
    v.Field("epoch", &epoch, "Training passes over each window (and its replay).", AtLeast(1));
    v.Field("history_events", &history_events,
            "Learned events the learner keeps for neighbour sampling and replay: the newest this "
            "many at least (it drops the older half on reaching twice as many), so its memory "
            "stays bounded on an endless stream (serve --learn). Replay draws from the newest "
            "history_events before the window. 0 keeps every event.",
            AtLeast(0));
    v.Renamed("epochs", "continuous.epoch");
  }
};

struct TemporalConfig {
  datasets::DatasetConfig dataset;
  graph::GraphConfig graph;
  sampling::SamplingConfig sampling;
  memory::MemoryConfig memory;
  models::GnnConfig gnn;
  TrainConfig train;
  PipelineConfig pipeline;
  PresConfig pres;
  core::RuntimeConfig runtime;
  core::LogConfig log;
  ContinuousConfig continuous;
  EvalConfig eval;

  template <class V>
  void Visit(V& v) {
    v.Section("dataset", &dataset, "Where the edges come from.");
    v.Section("graph", &graph, "The temporal block store.");
    v.Section("sampling", &sampling, "Temporal neighbor sampling (names as in TGL's configs).");
    v.Section("memory", &memory, "Node memory of memory-based temporal GNNs (TGL's names).");
    v.Section("gnn", &gnn, "The embedding module (TGL's names).");
    v.Section("train", &train, "The training loop and its evaluation.");
    v.Section("pipeline", &pipeline, "Scheduling of training iterations (MSPipe).");
    v.Section("pres", &pres, "PRES prediction-correction for large temporal batches.");
    v.Section("runtime", &runtime, "Threads and device.");
    v.Section("log", &log, "Logs, progress display and run folder.");
    v.Section("continuous", &continuous,
              "Continuous learning on the stream (streamgnn continuous; GNNFlow).");
    v.Section("eval", &eval, "How validation and test positives are ranked.");
    v.Rule("eval.protocol", "tgb uses TGB's split and negatives only", [this]() -> std::string {
      if (eval.protocol != EvalProtocol::kTgb) return "";
      if (train.val_fraction != 0.15 || train.test_fraction != 0.15) {
        return "random, or train.val_fraction and train.test_fraction 0.15 (TGB's split; its "
               "negatives exist for exactly those edges)";
      }
      if (train.inductive_fraction != 0) return "random, or train.inductive_fraction 0 (TGB masks no nodes)";
      if (train.eval_negatives != 0) return "random, or train.eval_negatives 0 (tgb ranks against TGB's negatives)";
      return "";
    });
    v.Rule("eval.positives_per_forward", "is 0 with PRES or on a GPU", [this]() -> std::string {
      if (eval.positives_per_forward == 0) return "";
      if (pres.enabled) return "0 with pres.enabled (PRES corrects a whole batch's memory in one step)";
      if (runtime.device != core::DeviceKind::kCpu) {
        return "0 with runtime.device cuda (a GPU batch is one forward; chunking it is not built)";
      }
      return "";
    });
    v.Rule("gnn.layer", "is at most sampling.layer for transformer_attention",
           [this]() -> std::string {
             if (gnn.arch != models::GnnArch::kTransformerAttention || gnn.layer <= sampling.layer) {
               return "";
             }
             return "at most sampling.layer (" + std::to_string(sampling.layer) +
                    ") for arch transformer_attention: layer l attends over hop l";
           });
    v.Rule("sampling.no_sample", "is false when a layer needs neighbours",
           [this]() -> std::string {
             if (!sampling.no_sample) return "";
             if (gnn.arch == models::GnnArch::kTransformerAttention) {
               return "false: gnn.arch transformer_attention needs sampled neighbours";
             }
             if (memory.type == memory::MemoryType::kNode && memory.deliver_to == memory::DeliverTo::kNeighbors) {
               return "false: memory.deliver_to neighbors needs sampled neighbours";
             }
             return "";
           });
    v.Rule("memory.type", "is node unless gnn.arch is transformer_attention",
           [this]() -> std::string {
             if (memory.type == memory::MemoryType::kNode || gnn.arch == models::GnnArch::kTransformerAttention) {
               return "";
             }
             return "node: gnn.arch identity without memory has nothing to learn";
           });
    v.Rule("pres.enabled", "is false without node memory", [this]() -> std::string {
      if (!pres.enabled || memory.type == memory::MemoryType::kNode) return "";
      return "false: PRES corrects node memory and memory.type is none";
    });
    v.Rule("train.model", "matches the memory and gnn sections", [this]() -> std::string {
      return ModelMismatch();
    });
  }

  // "" when train.model is custom or the memory and gnn sections describe it; else what that
  // model needs.
  std::string ModelMismatch() const {
    const bool attention = gnn.arch == models::GnnArch::kTransformerAttention;
    const bool node = memory.type == memory::MemoryType::kNode;
    switch (train.model) {
      case ModelName::kCustom:
        return "";
      case ModelName::kTgn:
        if (node && memory.memory_update == memory::MemoryUpdate::kGru && attention) return "";
        return "a config matching it: tgn needs memory.type node, memory.memory_update gru and "
               "gnn.arch transformer_attention";
      case ModelName::kJodie:
        if (node && memory.memory_update == memory::MemoryUpdate::kRnn && !attention &&
            gnn.time_transform != models::TimeTransform::kNone) {
          return "";
        }
        return "a config matching it: jodie needs memory.type node, memory.memory_update rnn, "
               "gnn.arch identity and gnn.time_transform jodie or tgl_jodie";
      case ModelName::kApan:
        if (node && memory.memory_update == memory::MemoryUpdate::kTransformer &&
            memory.deliver_to == memory::DeliverTo::kNeighbors && !attention) {
          return "";
        }
        return "a config matching it: apan needs memory.type node, memory.memory_update "
               "transformer, memory.deliver_to neighbors and gnn.arch identity";
      case ModelName::kTgat:
        if (!node && attention) return "";
        return "a config matching it: tgat needs memory.type none and gnn.arch "
               "transformer_attention";
    }
    return "";
  }
};

// The engine (core/config_engine.h) for this root: strict loading with "file:line:column: key
// '<section.key>'" errors, `--set` overrides ("sampling.neighbor=[10,10]"), validation, dumps.
// Relative paths in a file (dataset.path) are resolved against the file's directory.
inline StatusOr<TemporalConfig> LoadTemporalConfigFile(const std::string& path,
                                                       const std::vector<std::string>& overrides = {}) {
  return core::LoadConfigFileAs<TemporalConfig>(path, overrides);
}
inline StatusOr<TemporalConfig> LoadTemporalConfigString(const std::string& yaml_text,
                                                         const std::string& source_name,
                                                         const std::vector<std::string>& overrides = {}) {
  return core::LoadConfigTextAs<TemporalConfig>(yaml_text, source_name, overrides);
}

}  // namespace streamgnn::trainers
