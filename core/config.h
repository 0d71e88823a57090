// Run configuration: typed option structs with documented defaults, loaded from YAML.
//
// Each struct declares its fields once, in `Visit` (see core/config_schema.h); that single
// declaration drives parsing, range checks, `--set` overrides, cross-field rules, YAML/JSON dumps
// and the generated reference docs/config.md. Loading is strict: an unknown section or key, a
// wrong type, an out-of-range value, a bad enum name or a broken cross-field rule is an
// InvalidArgument Status naming the place and the key, e.g.
//
//   tgn.yml:4:11: key 'sampling.layer': expected an integer in [1, 8], got '9'
//
// Missing keys take the defaults written below. TGL's configs, which write each section as a
// one-element list ("sampling:\n  - layer: 1"), load as they are.
//
// Adding a section: write a struct with defaults and a Visit member, add it to Config and one
// `v.Section(...)` line to Config::Visit, then regenerate docs/config.md (see tests/core).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_enums.h"
#include "core/config_engine.h"
#include "core/config_schema.h"
#include "core/status.h"

namespace streamgnn::core {

// dataset.csv: column layout of a CSV edge list (format: csv). Columns are 0-based.
struct CsvOptions {
  int64_t src = 0;
  int64_t dst = 1;
  int64_t time = 2;
  int64_t label = -1;           // -1: no label column
  int64_t features_begin = -1;  // -1: no edge features
  int64_t features_end = -1;    // exclusive; -1: through the last column
  bool header = true;
  std::string delimiter = ",";

  template <class V>
  void Visit(V& v) {
    v.Field("src", &src, "Column of the source node id.", AtLeast(0));
    v.Field("dst", &dst, "Column of the destination node id.", AtLeast(0));
    v.Field("time", &time, "Column of the edge timestamp.", AtLeast(0));
    v.Field("label", &label, "Column of the edge label; -1 = no label.", AtLeast(-1));
    v.Field("features_begin", &features_begin,
            "First column of the edge features; -1 = no edge features.", AtLeast(-1));
    v.Field("features_end", &features_end,
            "One past the last feature column; -1 = through the last column.", AtLeast(-1));
    v.Field("header", &header, "The first line is a header and is skipped.");
    v.Field("delimiter", &delimiter, "Field separator (one character).");
    v.Rule("delimiter", "is exactly one character", [this]() -> std::string {
      return delimiter.size() == 1 ? "" : "exactly one character";
    });
    v.Rule("features_end", "is -1 or greater than features_begin", [this]() -> std::string {
      if (features_end == -1 || (features_begin >= 0 && features_end > features_begin)) return "";
      return features_begin < 0
                 ? "-1 when features_begin is -1"
                 : "-1 or greater than features_begin (" + std::to_string(features_begin) + ")";
    });
  }
};

// dataset.synthetic: a generated stream (format: synthetic) with community structure and a
// Zipf-distributed node activity, for tests and benchmarks.
struct SyntheticOptions {
  int64_t num_nodes = 10000;
  int64_t num_edges = 200000;
  int64_t num_communities = 20;
  double zipf_exponent = 1.0;
  int64_t node_feat_dim = 0;
  int64_t edge_feat_dim = 0;
  int64_t seed = 0;

  template <class V>
  void Visit(V& v) {
    v.Field("num_nodes", &num_nodes, "Number of nodes.", AtLeast(1));
    v.Field("num_edges", &num_edges, "Number of edges in the stream.", AtLeast(0));
    v.Field("num_communities", &num_communities,
            "Number of communities; most edges stay inside one.", AtLeast(1));
    v.Field("zipf_exponent", &zipf_exponent,
            "Skew of node activity (0 = uniform; larger = a few hubs take most edges).",
            AtLeast(0));
    v.Field("node_feat_dim", &node_feat_dim, "Width of the random node features; 0 = none.",
            AtLeast(0));
    v.Field("edge_feat_dim", &edge_feat_dim, "Width of the random edge features; 0 = none.",
            AtLeast(0));
    v.Field("seed", &seed, "Seed of the generator (independent of train.seed).");
    v.Rule("num_communities", "is at most num_nodes", [this]() -> std::string {
      if (num_communities <= num_nodes) return "";
      return "at most num_nodes (" + std::to_string(num_nodes) + ")";
    });
  }
};

// dataset: where the edges come from.
struct DatasetConfig {
  std::string name;
  DatasetFormat format = DatasetFormat::kSynthetic;
  std::string path;  // absolute after LoadConfigFile when given relative in the file
  bool cache = true;
  std::string cache_dir;  // "" = datasets::DefaultCacheDir()
  CsvOptions csv;
  SyntheticOptions synthetic;

  template <class V>
  void Visit(V& v) {
    v.Field("name", &name, "Name used in logs, caches and result files.");
    v.Field("format", &format, "On-disk format of the dataset.");
    v.Field("path", &path,
            "File or folder to read. Required unless format is synthetic. A relative path is "
            "resolved against the config file's directory.",
            kRelativeToConfig);
    v.Field("cache", &cache, "Keep a parsed binary copy of the dataset to load faster next time.");
    v.Field("cache_dir", &cache_dir,
            "Folder of the binary cache; \"\" = $STREAMGNN_CACHE_DIR, else $XDG_CACHE_HOME/streamgnn, "
            "else ~/.cache/streamgnn.");
    v.Section("csv", &csv, "Column layout of a CSV edge list (format: csv).");
    v.Section("synthetic", &synthetic,
              "Generated stream with communities and Zipf node activity (format: synthetic).");
    v.Rule("path", "is set unless format is synthetic", [this]() -> std::string {
      if (format == DatasetFormat::kSynthetic || !path.empty()) return "";
      return std::string("a path (required for format ") + EnumToString(format) + ")";
    });
  }
};

// graph: the temporal block store.
struct GraphConfig {
  bool undirected = true;
  OutOfOrderPolicy out_of_order = OutOfOrderPolicy::kInsert;
  double eviction_window = 0.0;
  int64_t min_block_capacity = 8;
  int64_t max_block_capacity = 4096;

  template <class V>
  void Visit(V& v) {
    v.Field("undirected", &undirected,
            "Store each edge for both endpoints (the reverse edge shares the edge id).");
    v.Field("out_of_order", &out_of_order,
            "An edge older than its node's newest edge is inserted in place (slow path) or "
            "refused with a count and an error; never dropped silently.");
    v.Field("eviction_window", &eviction_window,
            "Evict blocks whose edges are all older than newest time - window; 0 = keep "
            "everything.",
            AtLeast(0));
    v.Field("min_block_capacity", &min_block_capacity,
            "Edges in a node's first block; later blocks grow geometrically.", InRange(1, 1 << 20));
    v.Field("max_block_capacity", &max_block_capacity, "Upper limit of a block's capacity.",
            InRange(1, 1 << 30));
    v.Rule("max_block_capacity", "is at least min_block_capacity", [this]() -> std::string {
      if (max_block_capacity >= min_block_capacity) return "";
      return "at least min_block_capacity (" + std::to_string(min_block_capacity) + ")";
    });
  }
};

// sampling: temporal neighbor sampling (TGL's names and meanings).
struct SamplingConfig {
  int64_t layer = 1;
  std::vector<int64_t> neighbor = {10};
  SamplingStrategy strategy = SamplingStrategy::kRecent;
  bool prop_time = false;
  int64_t history = 1;
  double duration = 0.0;
  int64_t num_thread = 0;
  bool no_sample = false;

  template <class V>
  void Visit(V& v) {
    v.Field("layer", &layer, "Number of hops.", InRange(1, 8));
    v.Field("neighbor", &neighbor, "Neighbors sampled per root, one entry per hop.", AtLeast(1));
    v.Field("strategy", &strategy,
            "recent: the newest neighbors before the root's time; uniform: uniformly among them.");
    v.Field("prop_time", &prop_time,
            "Root hop l+1 at the root's time instead of at the hop-l edge times.");
    v.Field("history", &history, "Number of snapshots.",
            Exactly(1, "multi-snapshot sampling is not supported yet"));
    v.Field("duration", &duration, "Length of a snapshot.",
            Exactly(0, "multi-snapshot sampling is not supported yet"));
    v.Field("num_thread", &num_thread,
            "TGL's sampler threads, accepted so that TGL configs load, and ignored (a run says so "
            "when it is set): runtime.threads sizes every thread pool, the sampler's included.",
            AtLeast(0));
    v.Field("no_sample", &no_sample,
            "TGL's switch for models that sample no neighbours (JODIE). streamgnn samples exactly "
            "when a layer needs neighbours (attention, or mail to neighbours), and true is refused "
            "where one does.");
    v.Rule("neighbor", "has exactly `layer` entries", [this]() -> std::string {
      if (static_cast<int64_t>(neighbor.size()) == layer) return "";
      return "a list of " + std::to_string(layer) + " entr" + (layer == 1 ? "y" : "ies") +
             " (one per layer; layer = " + std::to_string(layer) + ")";
    });
  }
};

// memory: node memory of memory-based temporal GNNs (TGL's names and meanings; docs/models.md).
struct MemoryConfig {
  MemoryType type = MemoryType::kNode;
  int64_t dim_time = 100;
  DeliverTo deliver_to = DeliverTo::kSelf;
  MailCombine mail_combine = MailCombine::kLast;
  MemoryUpdate memory_update = MemoryUpdate::kGru;
  MessageFunction msg_func = MessageFunction::kIdentity;
  int64_t mailbox_size = 1;
  bool combine_node_feature = true;
  int64_t dim_out = 100;
  int64_t attention_head = 2;

  template <class V>
  void Visit(V& v) {
    v.Field("type", &type, "node: one memory vector per node (TGN, JODIE, APAN); none: no memory "
            "(TGAT).");
    v.Field("dim_time", &dim_time,
            "Width of the time encoding of (mail time - last update) fed to the memory updater; "
            "0 = none (JODIE).",
            InRange(0, 4096));
    v.Field("deliver_to", &deliver_to,
            "self: an event's mail goes to its two endpoints; neighbors: also to their sampled "
            "neighbours (APAN).");
    v.Field("mail_combine", &mail_combine,
            "Several mails to one node in one batch: keep the last, or their mean (time = the "
            "last).");
    v.Field("memory_update", &memory_update,
            "Memory updater: gru (TGN), rnn (JODIE), transformer = attention over the mailbox "
            "(APAN).");
    v.Field("msg_func", &msg_func,
            "Message function on a mail before the updater: identity (TGN's default) or a "
            "2-layer MLP.");
    v.Field("mailbox_size", &mailbox_size,
            "Mails kept per node (ring buffer); gru and rnn read exactly one.", InRange(1, 1024));
    v.Field("combine_node_feature", &combine_node_feature,
            "Add (a projection of) the node features to the memory to form the input embedding.");
    v.Field("dim_out", &dim_out, "Width of the memory vectors (0 only with type none).",
            InRange(0, 8192));
    v.Field("attention_head", &attention_head, "Heads of the transformer memory updater (APAN).",
            InRange(1, 64));
    v.Rule("mailbox_size", "is 1 for the gru and rnn updaters", [this]() -> std::string {
      if (memory_update == MemoryUpdate::kTransformer || mailbox_size == 1) return "";
      return "1 for memory_update gru or rnn (only transformer reads a mailbox of several mails)";
    });
    v.Rule("dim_out", "is at least 1 unless type is none", [this]() -> std::string {
      if (type == MemoryType::kNone || dim_out >= 1) return "";
      return "at least 1 for memory type node";
    });
    v.Rule("attention_head", "divides dim_out for the transformer updater",
           [this]() -> std::string {
             if (type == MemoryType::kNone || memory_update != MemoryUpdate::kTransformer ||
                 (dim_out > 0 && dim_out % attention_head == 0)) {
               return "";
             }
             return "a divisor of dim_out (" + std::to_string(dim_out) + ")";
           });
  }
};

// gnn: the embedding module (TGL's names and meanings; docs/models.md).
struct GnnConfig {
  GnnArch arch = GnnArch::kTransformerAttention;
  bool use_src_emb = false;
  bool use_dst_emb = false;
  int64_t layer = 1;
  int64_t att_head = 2;
  int64_t dim_time = 100;
  int64_t dim_out = 100;
  TimeTransform time_transform = TimeTransform::kNone;

  template <class V>
  void Visit(V& v) {
    v.Field("arch", &arch,
            "transformer_attention: temporal graph attention over sampled neighbours (TGN, "
            "TGAT); identity: the node's memory itself (JODIE, APAN).");
    v.Field("use_src_emb", &use_src_emb, "TGL key, accepted; must be false (no effect in TGL).");
    v.Field("use_dst_emb", &use_dst_emb, "TGL key, accepted; must be false (no effect in TGL).");
    v.Field("layer", &layer, "Attention layers (at most sampling.layer; hop l feeds layer l).",
            InRange(1, 8));
    v.Field("att_head", &att_head, "Attention heads.", InRange(1, 64));
    v.Field("dim_time", &dim_time, "Width of the time encoding of edge ages (dt).",
            InRange(1, 4096));
    v.Field("dim_out", &dim_out, "Width of the embeddings (transformer_attention).",
            InRange(1, 8192));
    v.Field("time_transform", &time_transform,
            "jodie: JODIE's time projection of the memory, Dropout(s * (1 + W dt')), dt' the time "
            "since the node's last update standardised by the training events' mean and std per "
            "side (TGN's and DyGLib's code); tgl_jodie: TGL's, LayerNorm(s) * (1 + W dt / (t + 1)).");
    v.Rule("use_src_emb", "is false", [this]() -> std::string {
      return use_src_emb ? "false (a source-embedding residual is not supported)" : "";
    });
    v.Rule("use_dst_emb", "is false", [this]() -> std::string {
      return use_dst_emb ? "false (a destination-embedding residual is not supported)" : "";
    });
    v.Rule("att_head", "divides dim_out", [this]() -> std::string {
      if (dim_out % att_head == 0) return "";
      return "a divisor of dim_out (" + std::to_string(dim_out) + ")";
    });
  }
};

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

// runtime: where and how wide the work runs.
struct RuntimeConfig {
  int64_t threads = 0;
  DeviceKind device = DeviceKind::kCpu;
  double feature_cache_ratio = 1.0;

  template <class V>
  void Visit(V& v) {
    v.Field("threads", &threads,
            "Thread budget: the cores TBB, LibTorch's pools and the temporal trainer's batch shards "
            "use (docs/architecture.md, Threads); 0 = all cores available to the process.",
            AtLeast(0));
    v.Field("device", &device,
            "Device that trains the temporal models: cpu, or cuda (model, optimiser, node memory and "
            "features on CUDA device 0, which CUDA_VISIBLE_DEVICES picks; batches sampled on the host; "
            "docs/models.md, On a GPU). `stream` runs on the CPU only.");
    v.Field("feature_cache_ratio", &feature_cache_ratio,
            "With device cuda: the fraction of node and edge feature rows kept in GPU memory. 1 = "
            "the whole tables on the device; below 1 = GNNFlow's device feature cache (LRU) over "
            "the tables in pinned host memory (features/feature_cache_cuda.h).",
            InRange(0, 1));
    v.Rule("feature_cache_ratio", "1 unless device is cuda", [this]() -> std::string {
      return feature_cache_ratio == 1.0 || device == DeviceKind::kCuda
                 ? ""
                 : "1: the feature cache is a GPU cache (runtime.device: cuda)";
    });
  }
};

// log: where results and messages go.
struct LogConfig {
  std::string dir = "runs/latest";
  LogLevel level = LogLevel::kInfo;
  ProgressMode progress = ProgressMode::kAuto;

  template <class V>
  void Visit(V& v) {
    v.Field("dir", &dir, "Folder for the log file, metrics and checkpoints of the run.");
    v.Field("level", &level, "Lowest level of the messages written.");
    v.Field("progress", &progress,
            "Progress display: auto = a bar on a terminal, plain log lines elsewhere.");
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
  double replay_ratio = 0;
  ReplayKind replay = ReplayKind::kUniform;
  int64_t epochs = 1;

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
            "streamgnn serve: when more than this many windows wait, they are learned as one "
            "(coalesced; nothing is dropped).",
            AtLeast(1));
    v.Field("replay_ratio", &replay_ratio,
            "Past events added to a window's training, as a fraction of all events before the "
            "window (GNNFlow's replay_ratio; 0 = the window only).",
            AtLeast(0));
    v.Field("replay", &replay,
            "uniform (drawn uniformly from all past events, without replacement) or recent "
            "(the newest past events).");
    v.Field("epochs", &epochs, "Training passes over each window (and its replay).", AtLeast(1));
  }
};

struct Config {
  DatasetConfig dataset;
  GraphConfig graph;
  SamplingConfig sampling;
  MemoryConfig memory;
  GnnConfig gnn;
  TrainConfig train;
  PipelineConfig pipeline;
  PresConfig pres;
  RuntimeConfig runtime;
  LogConfig log;
  ContinuousConfig continuous;

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
    v.Rule("gnn.layer", "is at most sampling.layer for transformer_attention",
           [this]() -> std::string {
             if (gnn.arch != GnnArch::kTransformerAttention || gnn.layer <= sampling.layer) {
               return "";
             }
             return "at most sampling.layer (" + std::to_string(sampling.layer) +
                    ") for arch transformer_attention: layer l attends over hop l";
           });
    v.Rule("sampling.no_sample", "is false when a layer needs neighbours",
           [this]() -> std::string {
             if (!sampling.no_sample) return "";
             if (gnn.arch == GnnArch::kTransformerAttention) {
               return "false: gnn.arch transformer_attention needs sampled neighbours";
             }
             if (memory.type == MemoryType::kNode && memory.deliver_to == DeliverTo::kNeighbors) {
               return "false: memory.deliver_to neighbors needs sampled neighbours";
             }
             return "";
           });
    v.Rule("memory.type", "is node unless gnn.arch is transformer_attention",
           [this]() -> std::string {
             if (memory.type == MemoryType::kNode || gnn.arch == GnnArch::kTransformerAttention) {
               return "";
             }
             return "node: gnn.arch identity without memory has nothing to learn";
           });
    v.Rule("pres.enabled", "is false without node memory", [this]() -> std::string {
      if (!pres.enabled || memory.type == MemoryType::kNode) return "";
      return "false: PRES corrects node memory and memory.type is none";
    });
    v.Rule("train.model", "matches the memory and gnn sections", [this]() -> std::string {
      return ModelMismatch();
    });
  }

  // "" when train.model is custom or the memory and gnn sections describe it; else what that
  // model needs.
  std::string ModelMismatch() const {
    const bool attention = gnn.arch == GnnArch::kTransformerAttention;
    const bool node = memory.type == MemoryType::kNode;
    switch (train.model) {
      case ModelName::kCustom:
        return "";
      case ModelName::kTgn:
        if (node && memory.memory_update == MemoryUpdate::kGru && attention) return "";
        return "a config matching it: tgn needs memory.type node, memory.memory_update gru and "
               "gnn.arch transformer_attention";
      case ModelName::kJodie:
        if (node && memory.memory_update == MemoryUpdate::kRnn && !attention &&
            gnn.time_transform != TimeTransform::kNone) {
          return "";
        }
        return "a config matching it: jodie needs memory.type node, memory.memory_update rnn, "
               "gnn.arch identity and gnn.time_transform jodie or tgl_jodie";
      case ModelName::kApan:
        if (node && memory.memory_update == MemoryUpdate::kTransformer &&
            memory.deliver_to == DeliverTo::kNeighbors && !attention) {
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
inline StatusOr<Config> LoadConfigFile(const std::string& path,
                                       const std::vector<std::string>& overrides = {}) {
  return LoadConfigFileAs<Config>(path, overrides);
}
inline StatusOr<Config> LoadConfigString(const std::string& yaml_text,
                                         const std::string& source_name,
                                         const std::vector<std::string>& overrides = {}) {
  return LoadConfigTextAs<Config>(yaml_text, source_name, overrides);
}
inline Status ValidateConfig(const Config& config) { return ValidateConfigFields(config); }
inline std::string ConfigToYaml(const Config& config) { return ConfigAsYaml(config); }
inline std::string ConfigToJson(const Config& config) { return ConfigAsJson(config); }

}  // namespace streamgnn::core
