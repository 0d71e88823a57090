#include "trainers/temporal_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace streamgnn::trainers {
namespace {

using core::Bound;
using core::EnumChoices;
using core::EnumFromString;
using core::EnumToString;
using core::LogLevel;
using core::ProgressMode;
using core::DeviceKind;
using datasets::Format;
using graph::OutOfOrderPolicy;
using memory::DeliverTo;
using memory::MailCombine;
using memory::MemoryType;
using memory::MemoryUpdate;
using memory::MessageFunction;
using models::GnnArch;
using models::TimeTransform;
using sampling::Strategy;

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh folder under the test temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::path(::testing::TempDir()) /
            ("streamgnn_core_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

  std::string Write(const std::string& relative, const std::string& text) const {
    const fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// Every field set to a value different from its default (history and duration have only one
// valid value for now).
constexpr const char* kFullConfig = R"(dataset:
  name: wiki
  format: csv
  path: /data/wiki.csv
  cache: false
  cache_dir: /tmp/sgcache
  csv:
    src: 1
    dst: 2
    time: 0
    label: 3
    features_begin: 4
    features_end: 10
    header: false
    delimiter: "\t"
  synthetic:
    num_nodes: 500
    num_edges: 1000
    num_communities: 5
    zipf_exponent: 1.5
    node_feat_dim: 16
    edge_feat_dim: 8
    seed: 3
graph:
  undirected: false
  out_of_order: refuse
  eviction_window: 3600.5
  min_block_capacity: 16
  max_block_capacity: 1024
sampling:
  layer: 2
  neighbor: [10, 5]
  strategy: uniform
  prop_time: true
  history: 1
  duration: 0
  num_thread: 32
  no_sample: false
memory:
  type: node
  dim_time: 50
  deliver_to: neighbors
  mail_combine: mean
  memory_update: transformer
  msg_func: mlp
  mailbox_size: 4
  combine_node_feature: false
  dim_out: 64
  attention_head: 4
gnn:
  arch: identity
  use_src_emb: false
  use_dst_emb: false
  layer: 2
  att_head: 4
  dim_time: 32
  dim_out: 64
  time_transform: jodie
train:
  seed: 7
  epoch: 3
  batch_size: 600
  lr: 0.001
  dropout: 0.2
  att_dropout: 0.3
  all_on_gpu: true
  reorder: 1
  model: apan
  eval_batch_size: 100
  patience: 3
  val_fraction: 0.1
  test_fraction: 0.2
  inductive_fraction: 0.05
  negative_pool: all
  ap_mode: pooled
  eval_negatives: 20
  intra_batch_neighbors: false
  node_classification: false
  checkpoint: false
pipeline:
  mode: mspipe
  staleness: auto
  mitigation: similarity
  queue_depth: 4
  max_staleness: 6
  profile_batches: 30
  mitigation_lambda: 0.8
  mitigation_neighbors: 5
pres:
  enabled: true
  coherence_weight: 0.2
  gamma: 0.8
  detach_coherence: true
runtime:
  threads: 4
  device: cuda
  feature_cache_ratio: 0.25
log:
  dir: runs/wiki
  level: debug
  progress: never
continuous:
  window: 5000
  warmup_fraction: 0.5
  warmup_events: 2000
  max_lag: 8
  on_lag: newest
  history_events: 50000
  replay_ratio: 0.1
  replay: recent
  epoch: 2
eval:
  protocol: random
  val_negatives: /data/tgbl-wiki_val_ns_v2.pkl
  test_negatives: /data/tgbl-wiki_test_ns_v2.pkl
  hits_k: 20
)";

// TGL's tgn.yml, restricted to the sections defined so far (memory and gnn come later).
constexpr const char* kTglTgn = R"(sampling:
  - layer: 1
    neighbor:
      - 10
    strategy: 'recent'
    prop_time: False
    history: 1
    duration: 0
    num_thread: 32
train:
  - epoch: 10
    batch_size: 600
    # reorder: 16
    lr: 0.0001
    dropout: 0.2
    att_dropout: 0.2
    all_on_gpu: True
)";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TemporalConfig, EmptyDocumentGivesDefaults) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    StatusOr<TemporalConfig> c = LoadTemporalConfigString(text, "empty.yml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(core::ConfigAsYaml(*c), core::ConfigAsYaml(TemporalConfig()));
  }
}

TEST(TemporalConfig, DefaultsAreTheDocumentedOnes) {
  const TemporalConfig c;
  EXPECT_EQ(c.dataset.format, Format::kSynthetic);
  EXPECT_TRUE(c.dataset.cache);
  EXPECT_EQ(c.dataset.cache_dir, "");
  EXPECT_EQ(c.dataset.csv.label, -1);
  EXPECT_EQ(c.dataset.csv.delimiter, ",");
  EXPECT_EQ(c.dataset.synthetic.num_nodes, 10000);
  EXPECT_EQ(c.dataset.synthetic.num_edges, 200000);
  EXPECT_TRUE(c.graph.undirected);
  EXPECT_EQ(c.graph.out_of_order, OutOfOrderPolicy::kInsert);
  EXPECT_EQ(c.graph.min_block_capacity, 8);
  EXPECT_EQ(c.graph.max_block_capacity, 4096);
  EXPECT_EQ(c.sampling.layer, 1);
  EXPECT_EQ(c.sampling.neighbor, std::vector<int64_t>({10}));
  EXPECT_EQ(c.sampling.strategy, Strategy::kRecent);
  EXPECT_EQ(c.train.epoch, 10);
  EXPECT_EQ(c.train.batch_size, 200);
  EXPECT_DOUBLE_EQ(c.train.lr, 1e-4);
  EXPECT_EQ(c.runtime.threads, 0);
  EXPECT_EQ(c.runtime.device, DeviceKind::kCpu);
  EXPECT_EQ(c.log.dir, "runs/latest");
  EXPECT_EQ(c.log.level, LogLevel::kInfo);
  EXPECT_EQ(c.log.progress, ProgressMode::kAuto);
  EXPECT_TRUE(core::ValidateConfigFields(c).ok());
}

TEST(TemporalConfig, ParsesEveryField) {
  StatusOr<TemporalConfig> loaded = LoadTemporalConfigString(kFullConfig, "full.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const TemporalConfig& c = *loaded;
  EXPECT_EQ(c.dataset.name, "wiki");
  EXPECT_EQ(c.dataset.format, Format::kCsv);
  EXPECT_EQ(c.dataset.path, "/data/wiki.csv");
  EXPECT_FALSE(c.dataset.cache);
  EXPECT_EQ(c.dataset.cache_dir, "/tmp/sgcache");
  EXPECT_EQ(c.dataset.csv.src, 1);
  EXPECT_EQ(c.dataset.csv.dst, 2);
  EXPECT_EQ(c.dataset.csv.time, 0);
  EXPECT_EQ(c.dataset.csv.label, 3);
  EXPECT_EQ(c.dataset.csv.features_begin, 4);
  EXPECT_EQ(c.dataset.csv.features_end, 10);
  EXPECT_FALSE(c.dataset.csv.header);
  EXPECT_EQ(c.dataset.csv.delimiter, "\t");
  EXPECT_EQ(c.dataset.synthetic.num_nodes, 500);
  EXPECT_EQ(c.dataset.synthetic.num_edges, 1000);
  EXPECT_EQ(c.dataset.synthetic.num_communities, 5);
  EXPECT_DOUBLE_EQ(c.dataset.synthetic.zipf_exponent, 1.5);
  EXPECT_EQ(c.dataset.synthetic.node_feat_dim, 16);
  EXPECT_EQ(c.dataset.synthetic.edge_feat_dim, 8);
  EXPECT_EQ(c.dataset.synthetic.seed, 3);
  EXPECT_FALSE(c.graph.undirected);
  EXPECT_EQ(c.graph.out_of_order, OutOfOrderPolicy::kRefuse);
  EXPECT_DOUBLE_EQ(c.graph.eviction_window, 3600.5);
  EXPECT_EQ(c.graph.min_block_capacity, 16);
  EXPECT_EQ(c.graph.max_block_capacity, 1024);
  EXPECT_EQ(c.sampling.layer, 2);
  EXPECT_EQ(c.sampling.neighbor, std::vector<int64_t>({10, 5}));
  EXPECT_EQ(c.sampling.strategy, Strategy::kUniform);
  EXPECT_TRUE(c.sampling.prop_time);
  EXPECT_EQ(c.sampling.num_thread, 32);
  EXPECT_EQ(c.train.seed, 7);
  EXPECT_EQ(c.train.epoch, 3);
  EXPECT_EQ(c.train.batch_size, 600);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.001);
  EXPECT_DOUBLE_EQ(c.train.dropout, 0.2);
  EXPECT_DOUBLE_EQ(c.train.att_dropout, 0.3);
  EXPECT_TRUE(c.train.all_on_gpu);
  EXPECT_EQ(c.memory.dim_time, 50);
  EXPECT_EQ(c.memory.deliver_to, DeliverTo::kNeighbors);
  EXPECT_EQ(c.memory.mail_combine, MailCombine::kMean);
  EXPECT_EQ(c.memory.memory_update, MemoryUpdate::kTransformer);
  EXPECT_EQ(c.memory.msg_func, MessageFunction::kMlp);
  EXPECT_EQ(c.memory.mailbox_size, 4);
  EXPECT_FALSE(c.memory.combine_node_feature);
  EXPECT_EQ(c.memory.dim_out, 64);
  EXPECT_EQ(c.memory.attention_head, 4);
  EXPECT_EQ(c.gnn.arch, GnnArch::kIdentity);
  EXPECT_EQ(c.gnn.layer, 2);
  EXPECT_EQ(c.gnn.att_head, 4);
  EXPECT_EQ(c.gnn.dim_time, 32);
  EXPECT_EQ(c.gnn.dim_out, 64);
  EXPECT_EQ(c.gnn.time_transform, TimeTransform::kJodie);
  EXPECT_EQ(c.train.model, ModelName::kApan);
  EXPECT_EQ(c.train.eval_batch_size, 100);
  EXPECT_EQ(c.train.patience, 3);
  EXPECT_DOUBLE_EQ(c.train.val_fraction, 0.1);
  EXPECT_DOUBLE_EQ(c.train.test_fraction, 0.2);
  EXPECT_DOUBLE_EQ(c.train.inductive_fraction, 0.05);
  EXPECT_EQ(c.train.negative_pool, NegativePool::kAllNodes);
  EXPECT_EQ(c.train.ap_mode, ApMode::kPooled);
  EXPECT_EQ(c.train.eval_negatives, 20);
  EXPECT_FALSE(c.train.intra_batch_neighbors);
  EXPECT_FALSE(c.train.checkpoint);
  EXPECT_EQ(c.runtime.threads, 4);
  EXPECT_EQ(c.runtime.device, DeviceKind::kCuda);
  EXPECT_EQ(c.runtime.feature_cache_ratio, 0.25);
  EXPECT_EQ(c.log.dir, "runs/wiki");
  EXPECT_EQ(c.log.level, LogLevel::kDebug);
  EXPECT_EQ(c.log.progress, ProgressMode::kNever);
  EXPECT_EQ(c.continuous.window, 5000);
  EXPECT_DOUBLE_EQ(c.continuous.warmup_fraction, 0.5);
  EXPECT_EQ(c.continuous.warmup_events, 2000);
  EXPECT_EQ(c.continuous.max_lag, 8);
  EXPECT_EQ(c.continuous.on_lag, LagPolicy::kNewest);
  EXPECT_EQ(c.continuous.history_events, 50000);
  EXPECT_DOUBLE_EQ(c.continuous.replay_ratio, 0.1);
  EXPECT_EQ(c.continuous.replay, ReplayKind::kRecent);
  EXPECT_EQ(c.continuous.epoch, 2);
  EXPECT_EQ(c.eval.test_negatives, "/data/tgbl-wiki_test_ns_v2.pkl");
  EXPECT_EQ(c.eval.hits_k, 20);
}

TEST(TemporalConfig, FullTestConfigCoversEveryField) {
  // Guards the test above as sections grow: every field line of the dump must differ from the
  // default dump, except the fields that have a single legal value for now.
  StatusOr<TemporalConfig> loaded = LoadTemporalConfigString(kFullConfig, "full.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const std::vector<std::string> got = Lines(core::ConfigAsYaml(*loaded));
  const std::vector<std::string> defaults = Lines(core::ConfigAsYaml(TemporalConfig()));
  ASSERT_EQ(got.size(), defaults.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool is_section = got[i].back() == ':';
    // Fields with a single legal value for now, and fields whose other value conflicts with the
    // other non-default values (no_sample with deliver_to neighbors; type none with memory
    // settings; protocol tgb with the non-default split and eval_negatives; positives_per_forward
    // with pres and cuda).
    bool single_valued = false;
    for (const char* key : {"history:", "duration:", "reorder:", "node_classification:",
                            "use_src_emb:", "use_dst_emb:", "no_sample:", " type:", "protocol:",
                            "positives_per_forward:"}) {
      single_valued = single_valued || got[i].find(key) != std::string::npos;
    }
    if (is_section || single_valued) {
      EXPECT_EQ(got[i], defaults[i]);
    } else {
      EXPECT_NE(got[i], defaults[i]) << "kFullConfig leaves this field at its default";
    }
  }
}

TEST(TemporalConfig, LoadsTglListFormFile) {
  TempDir dir;
  const std::string path = dir.Write("tgn.yml", kTglTgn);
  StatusOr<TemporalConfig> c = LoadTemporalConfigFile(path, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sampling.layer, 1);
  EXPECT_EQ(c->sampling.neighbor, std::vector<int64_t>({10}));
  EXPECT_EQ(c->sampling.strategy, Strategy::kRecent);
  EXPECT_FALSE(c->sampling.prop_time);
  EXPECT_EQ(c->sampling.num_thread, 32);
  EXPECT_EQ(c->train.epoch, 10);
  EXPECT_EQ(c->train.batch_size, 600);
  EXPECT_DOUBLE_EQ(c->train.lr, 0.0001);
  EXPECT_DOUBLE_EQ(c->train.dropout, 0.2);
  EXPECT_TRUE(c->train.all_on_gpu);
  // Sections left out keep their defaults.
  EXPECT_EQ(c->graph.max_block_capacity, 4096);
}

// TGL's own model configs (config/TGN.yml, JODIE.yml, APAN.yml, TGAT.yml), memory and gnn
// sections included, load as they are.
TEST(TemporalConfig, TglModelFilesLoad) {
  const std::string tgn = std::string(kTglTgn) +
                          "memory:\n  - type: 'node'\n    dim_time: 100\n    deliver_to: 'self'\n"
                          "    mail_combine: 'last'\n    memory_update: 'gru'\n    mailbox_size: 1\n"
                          "    combine_node_feature: True\n    dim_out: 100\n"
                          "gnn:\n  - arch: 'transformer_attention'\n    use_src_emb: False\n"
                          "    use_dst_emb: False\n    layer: 1\n    att_head: 2\n    dim_time: 100\n"
                          "    dim_out: 100\n";
  StatusOr<TemporalConfig> c = LoadTemporalConfigString(tgn, "TGN.yml", {"train.model=tgn"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->memory.memory_update, MemoryUpdate::kGru);
  EXPECT_EQ(c->gnn.arch, GnnArch::kTransformerAttention);
  EXPECT_EQ(c->gnn.att_head, 2);

  const char* jodie =
      "sampling:\n  - no_sample: True\n    history: 1\nmemory:\n  - type: 'node'\n"
      "    dim_time: 0\n    deliver_to: 'self'\n    mail_combine: 'last'\n"
      "    memory_update: 'rnn'\n    mailbox_size: 1\n    combine_node_feature: True\n"
      "    dim_out: 100\ngnn:\n  - arch: 'identity'\n    time_transform: 'JODIE'\n"
      "train:\n  - epoch: 100\n    batch_size: 600\n    lr: 0.0001\n    dropout: 0.1\n"
      "    all_on_gpu: True\n";
  c = LoadTemporalConfigString(jodie, "JODIE.yml", {"train.model=jodie"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->sampling.no_sample);
  EXPECT_EQ(c->gnn.time_transform, TimeTransform::kJodie);

  const char* apan =
      "sampling:\n  - layer: 1\n    neighbor:\n      - 10\n    strategy: 'recent'\n"
      "memory:\n  - type: 'node'\n    dim_time: 100\n    deliver_to: 'neighbors'\n"
      "    mail_combine: 'last'\n    memory_update: 'transformer'\n    mailbox_size: 10\n"
      "    combine_node_feature: False\n    dim_out: 100\n    attention_head: 2\n"
      "gnn:\n  - arch: 'identity'\n";
  c = LoadTemporalConfigString(apan, "APAN.yml", {"train.model=apan"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->memory.mailbox_size, 10);
  EXPECT_EQ(c->memory.deliver_to, DeliverTo::kNeighbors);
}

TEST(TemporalConfig, ModelConfigMismatchNamesTheKey) {
  StatusOr<TemporalConfig> c = LoadTemporalConfigString("memory:\n  memory_update: rnn\ntrain:\n  model: tgn\n",
                                        "bad.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("bad.yml:4:10: key 'train.model': expected a config "
                                              "matching it: tgn needs"));
  EXPECT_THAT(c.status().message(), HasSubstr("got 'tgn'"));
  c = LoadTemporalConfigString("gnn:\n  layer: 2\n", "layers.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("key 'gnn.layer': expected at most sampling.layer (1)"));
}

TEST(TemporalConfig, UnknownSectionListsTheKnownOnes) {
  const std::string text = std::string(kTglTgn) + "model:\n  - dim: 100\n";
  StatusOr<TemporalConfig> c = LoadTemporalConfigString(text, "tgn.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("tgn.yml:18:1: key 'model': expected a section name (one of dataset, "
                        "graph, sampling, memory, gnn, train, pipeline, pres, runtime, log, continuous, eval), got 'model'"));
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* message;  // expected substring of the Status message
};

// clang-format off
const BadCase kBadCases[] = {
  {"unknown key", "sampling:\n  neigbor: [10]\n",
   "bad.yml:2:3: key 'sampling.neigbor': expected a key of section 'sampling' (one of layer, "
   "neighbor, strategy, prop_time, history, duration, num_thread, no_sample), got 'neigbor' (did you mean "
   "'neighbor'?)"},
  {"unknown nested key", "dataset:\n  csv:\n    sep: ','\n",
   "bad.yml:3:5: key 'dataset.csv.sep': expected a key of section 'dataset.csv'"},
  {"unknown section", "sampling:\n  layer: 1\nmodel:\n  dim: 100\n",
   "bad.yml:3:1: key 'model': expected a section name"},
  {"word for int", "train:\n  epoch: ten\n",
   "bad.yml:2:10: key 'train.epoch': expected an integer >= 1, got 'ten'"},
  {"fraction for int", "train:\n  batch_size: 1.5\n",
   "bad.yml:2:15: key 'train.batch_size': expected an integer >= 1, got '1.5'"},
  {"quoted int", "train:\n  epoch: '10'\n",
   "bad.yml:2:10: key 'train.epoch': expected an integer >= 1, got '10' (a quoted string)"},
  {"int overflow", "train:\n  seed: 99999999999999999999\n",
   "key 'train.seed': expected an integer, got '99999999999999999999'"},
  {"yes for bool", "dataset:\n  cache: yes\n",
   "bad.yml:2:10: key 'dataset.cache': expected a boolean (true/false), got 'yes'"},
  {"word for double", "train:\n  lr: fast\n",
   "bad.yml:2:7: key 'train.lr': expected a number > 0, got 'fast'"},
  {"nan for double", "graph:\n  eviction_window: .nan\n",
   "key 'graph.eviction_window': expected a number >= 0, got '.nan'"},
  {"list for int", "train:\n  epoch: [1]\n",
   "bad.yml:2:10: key 'train.epoch': expected an integer >= 1, got '[1]'"},
  {"null for string", "dataset:\n  name:\n",
   "bad.yml:2:3: key 'dataset.name': expected a string, got 'null'"},
  {"int above range", "sampling:\n  layer: 9\n",
   "bad.yml:2:10: key 'sampling.layer': expected an integer in [1, 8], got '9'"},
  {"int below range", "graph:\n  min_block_capacity: 0\n",
   "bad.yml:2:23: key 'graph.min_block_capacity': expected an integer in [1, 1048576], got '0'"},
  {"double at open bound", "train:\n  dropout: 1.0\n",
   "bad.yml:2:12: key 'train.dropout': expected a number in [0, 1), got '1.0'"},
  {"zero learning rate", "train:\n  lr: 0\n",
   "key 'train.lr': expected a number > 0, got '0'"},
  {"negative window", "graph:\n  eviction_window: -1\n",
   "key 'graph.eviction_window': expected a number >= 0, got '-1'"},
  {"negative threads", "runtime:\n  threads: -2\n",
   "key 'runtime.threads': expected an integer >= 0, got '-2'"},
  {"bad enum", "sampling:\n  strategy: latest\n",
   "bad.yml:2:13: key 'sampling.strategy': expected one of recent|uniform, got 'latest'"},
  {"bad format", "dataset:\n  format: parquet\n",
   "key 'dataset.format': expected one of jodie|ml|snap|tgl|csv|tgb|synthetic, got 'parquet'"},
  {"list for enum", "runtime:\n  device: [cpu]\n",
   "key 'runtime.device': expected one of cpu|cuda, got '[cpu]'"},
  {"bad list entry", "sampling:\n  neighbor: [10, 0]\n",
   "bad.yml:2:18: key 'sampling.neighbor[1]': expected an integer >= 1, got '0'"},
  {"map for list", "sampling:\n  neighbor: {a: 1}\n",
   "bad.yml:2:13: key 'sampling.neighbor': expected a list of integers, each >= 1, got '{a: 1}'"},
  {"bad scalar for list", "sampling:\n  neighbor: 0\n",
   "bad.yml:2:13: key 'sampling.neighbor': expected a list of integers, each >= 1, got '0'"},
  {"all where -1 is out of range", "sampling:\n  neighbor: all\n",
   "key 'sampling.neighbor': expected a list of integers, each >= 1, got 'all'"},
  {"history", "sampling:\n  history: 3\n",
   "bad.yml:2:12: key 'sampling.history': expected an integer equal to 1 (multi-snapshot "
   "sampling is not supported yet), got '3'"},
  {"duration", "sampling:\n  duration: 10000\n",
   "key 'sampling.duration': expected a number equal to 0 (multi-snapshot sampling is not "
   "supported yet), got '10000'"},
  {"scalar for section", "train: 5\n",
   "bad.yml:1:8: key 'train': expected a section: a map of keys, or a one-element list holding "
   "one (TGL style), got '5'"},
  {"two-element TGL list", "train:\n  - epoch: 1\n  - epoch: 2\n",
   "bad.yml:2:3: key 'train': expected a section"},
  {"duplicate key", "train:\n  lr: 0.1\n  lr: 0.2\n",
   "bad.yml:3:3: key 'train.lr': expected each key at most once, got 'lr' again (first at "
   "bad.yml:2:3)"},
  {"top level list", "- sampling\n- train\n",
   "bad.yml:1:1: expected a map of sections at the top level, got '[sampling, train]'"},
  {"syntax error", "sampling:\n  neighbor: [10,\n  layer: 1\n",
   "bad.yml:4:1: YAML syntax error: "},
  // Cross-field rules, checked after everything is read.
  {"neighbor per layer", "sampling:\n  layer: 2\n  neighbor: [10]\n",
   "bad.yml:3:13: key 'sampling.neighbor': expected a list of 2 entries (one per layer; layer = "
   "2), got '[10]'"},
  {"neighbor per layer, default list", "sampling:\n  layer: 3\n",
   "bad.yml:1:1: key 'sampling.neighbor': expected a list of 3 entries"},
  {"block capacities", "graph:\n  min_block_capacity: 64\n  max_block_capacity: 32\n",
   "bad.yml:3:23: key 'graph.max_block_capacity': expected at least min_block_capacity (64), "
   "got '32'"},
  {"path required", "dataset:\n  format: jodie\n",
   "bad.yml:1:1: key 'dataset.path': expected a path (required for format jodie), got ''"},
  {"delimiter", "dataset:\n  csv:\n    delimiter: ';;'\n",
   "bad.yml:3:16: key 'dataset.csv.delimiter': expected exactly one character, got ';;'"},
  {"feature columns", "dataset:\n  csv:\n    features_begin: 5\n    features_end: 5\n",
   "bad.yml:4:19: key 'dataset.csv.features_end': expected -1 or greater than features_begin "
   "(5), got '5'"},
  {"communities", "dataset:\n  synthetic:\n    num_nodes: 10\n    num_communities: 20\n",
   "key 'dataset.synthetic.num_communities': expected at most num_nodes (10), got '20'"},
};
// clang-format on

TEST(TemporalConfig, BadConfigsNameFileLineAndKey) {
  for (const BadCase& c : kBadCases) {
    SCOPED_TRACE(c.name);
    StatusOr<TemporalConfig> loaded = LoadTemporalConfigString(c.yaml, "bad.yml");
    ASSERT_FALSE(loaded.ok()) << "accepted:\n" << c.yaml;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(loaded.status().message(), HasSubstr(c.message));
  }
}

TEST(TemporalConfig, FileErrorsUseTheFilePath) {
  TempDir dir;
  const std::string path = dir.Write("bad.yml", "train:\n  epoch: 0\n");
  StatusOr<TemporalConfig> c = LoadTemporalConfigFile(path, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            path + ":2:10: key 'train.epoch': expected an integer >= 1, got '0'");

  StatusOr<TemporalConfig> missing = LoadTemporalConfigFile((dir.path() / "nope.yml").string(), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.yml: config file not found"));
}

TEST(TemporalConfig, OverridesApplyInOrder) {
  StatusOr<TemporalConfig> c =
      LoadTemporalConfigString(kTglTgn, "tgn.yml",
                       {"sampling.layer=2", "sampling.neighbor=[10,10]", "train.lr=0.001",
                        "train.lr=0.002", "dataset.csv.header=false", "dataset.name=wiki talk",
                        "log.level=debug", "graph.eviction_window=.inf", "dataset.cache_dir="});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sampling.layer, 2);
  EXPECT_EQ(c->sampling.neighbor, std::vector<int64_t>({10, 10}));
  EXPECT_DOUBLE_EQ(c->train.lr, 0.002);
  EXPECT_FALSE(c->dataset.csv.header);
  EXPECT_EQ(c->dataset.name, "wiki talk");
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
  EXPECT_TRUE(std::isinf(c->graph.eviction_window));
  EXPECT_EQ(c->dataset.cache_dir, "");
  EXPECT_EQ(c->train.batch_size, 600);  // from the file
}

TEST(TemporalConfig, OneValueForAListIsAOneEntryList) {
  StatusOr<TemporalConfig> c = LoadTemporalConfigString("sampling:\n  neighbor: 7\n", "x.yml", {"train.epoch=2"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sampling.neighbor, std::vector<int64_t>({7}));
}

TEST(TemporalConfig, OverrideOfAWholeSection) {
  StatusOr<TemporalConfig> c =
      LoadTemporalConfigString("", "x.yml", {"sampling={layer: 2, neighbor: [5, 3], strategy: uniform}"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sampling.neighbor, std::vector<int64_t>({5, 3}));
  EXPECT_EQ(c->sampling.strategy, Strategy::kUniform);
}

TEST(TemporalConfig, BadOverridesNameTheOverride) {
  const BadCase cases[] = {
      {"unknown key", "sampling.neigbor=[10]",
       "--set sampling.neigbor=[10]: key 'sampling.neigbor': expected a key of section "
       "'sampling'"},
      {"unknown section", "optim.lr=1", "--set optim.lr=1: key 'optim': expected a section name"},
      {"bad value", "train.lr=-1",
       "--set train.lr=-1: key 'train.lr': expected a number > 0, got '-1'"},
      {"bad list", "sampling.neighbor=[10,x]",
       "--set sampling.neighbor=[10,x]: key 'sampling.neighbor[1]': expected an integer >= 1, "
       "got 'x'"},
      {"bad enum", "log.progress=sometimes",
       "--set log.progress=sometimes: key 'log.progress': expected one of auto|always|never"},
      {"value for section", "train=5", "--set train=5: key 'train': expected a section"},
      {"no equals", "train.lr", "--set train.lr: expected 'section.key=value'"},
      {"no key", "=5", "--set =5: expected 'section.key=value'"},
      {"empty segment", "train..lr=1", "--set train..lr=1: expected 'section.key=value'"},
      {"broken YAML", "sampling.neighbor=[10,",
       "--set sampling.neighbor=[10,: key 'sampling.neighbor': expected a YAML value, got '[10,'"},
      {"breaks a rule", "sampling.layer=2",
       "key 'sampling.neighbor': expected a list of 2 entries"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    StatusOr<TemporalConfig> loaded = LoadTemporalConfigString("", "x.yml", {c.yaml});
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(loaded.status().message(), HasSubstr(c.message));
  }
}

TEST(TemporalConfig, ApplyOverrideIsAllOrNothing) {
  TemporalConfig c;
  ASSERT_TRUE(core::ApplyConfigOverride("train.epoch=5", &c).ok());
  EXPECT_EQ(c.train.epoch, 5);
  const Status s = core::ApplyConfigOverride("train={epoch: 7, lr: -1}", &c);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(c.train.epoch, 5);
}

TEST(TemporalConfig, RelativeDatasetPathIsResolvedAgainstTheConfigFile) {
  TempDir dir;
  const std::string path =
      dir.Write("configs/run.yml", "dataset:\n  format: csv\n  path: ../data/edges.csv\n");
  StatusOr<TemporalConfig> c = LoadTemporalConfigFile(path, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(fs::path(c->dataset.path), (dir.path() / "data" / "edges.csv").lexically_normal());
  EXPECT_TRUE(fs::path(c->dataset.path).is_absolute());

  // Absolute paths stay; --set paths stay as given (relative to the working directory).
  StatusOr<TemporalConfig> abs = LoadTemporalConfigFile(path, {"dataset.path=/srv/edges.csv"});
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->dataset.path, "/srv/edges.csv");
  StatusOr<TemporalConfig> set = LoadTemporalConfigFile(path, {"dataset.path=local/edges.csv"});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->dataset.path, "local/edges.csv");

  // Text configs have no directory: paths stay as written.
  StatusOr<TemporalConfig> text =
      LoadTemporalConfigString("dataset:\n  format: csv\n  path: data/edges.csv\n", "inline");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->dataset.path, "data/edges.csv");
}

TEST(TemporalConfig, YamlRoundTrips) {
  StatusOr<TemporalConfig> c = LoadTemporalConfigString(
      kFullConfig, "full.yml", {"dataset.name=\"odd: name with \\\"quotes\\\" # and hash\""});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->dataset.name, "odd: name with \"quotes\" # and hash");
  for (const TemporalConfig& original : {TemporalConfig(), *c}) {
    const std::string yaml = core::ConfigAsYaml(original);
    StatusOr<TemporalConfig> back = LoadTemporalConfigString(yaml, "dump.yml");
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << yaml;
    EXPECT_EQ(core::ConfigAsYaml(*back), yaml);
    EXPECT_EQ(back->dataset.name, original.dataset.name);
    EXPECT_EQ(back->dataset.csv.delimiter, original.dataset.csv.delimiter);
    EXPECT_EQ(back->train.lr, original.train.lr);  // exact: shortest round-trip formatting
    EXPECT_EQ(back->sampling.neighbor, original.sampling.neighbor);
  }
  EXPECT_THAT(core::ConfigAsYaml(TemporalConfig()), HasSubstr("sampling:\n  layer: 1\n  neighbor: [10]\n"));
}

TEST(TemporalConfig, JsonDump) {
  const std::string json = core::ConfigAsJson(TemporalConfig());
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_THAT(json, HasSubstr("\"sampling\":{\"layer\":1,\"neighbor\":[10],\"strategy\":\"recent\""));
  EXPECT_THAT(json, HasSubstr("\"log\":{\"dir\":\"runs/latest\""));
}

TEST(TemporalConfig, ValidateConfigChecksConfigsBuiltInCode) {
  TemporalConfig c;
  c.sampling.layer = 0;
  EXPECT_THAT(core::ValidateConfigFields(c).message(),
              HasSubstr("key 'sampling.layer': expected an integer in [1, 8], got '0'"));
  c = TemporalConfig();
  c.sampling.neighbor = {5, -1};
  c.sampling.layer = 2;
  EXPECT_THAT(core::ValidateConfigFields(c).message(),
              HasSubstr("key 'sampling.neighbor[1]': expected an integer >= 1, got '-1'"));
  c = TemporalConfig();
  c.sampling.layer = 2;
  EXPECT_THAT(core::ValidateConfigFields(c).message(),
              HasSubstr("key 'sampling.neighbor': expected a list of 2 entries"));
  c = TemporalConfig();
  c.runtime.device = static_cast<DeviceKind>(7);
  EXPECT_THAT(core::ValidateConfigFields(c).message(), HasSubstr("expected one of cpu|cuda"));
}

TEST(TemporalConfig, BoundDescriptions) {
  struct Case {
    Bound bound;
    const char* text;
  };
  const Case cases[] = {
      {AtLeast(1), ">= 1"},
      {GreaterThan(0), "> 0"},
      {InRange(1, 8), "in [1, 8]"},
      {InRangeOpenHigh(0, 1), "in [0, 1)"},
      {InRange(0.5, 1 << 20), "in [0.5, 1048576]"},
      {Exactly(1, "why"), "equal to 1 (why)"},
      {Bound(), ""},
  };
  for (const Case& c : cases) EXPECT_EQ(c.bound.Describe(), c.text);
  EXPECT_TRUE(InRangeOpenHigh(0, 1).Contains(0));
  EXPECT_FALSE(InRangeOpenHigh(0, 1).Contains(1));
  EXPECT_FALSE(GreaterThan(0).Contains(0));
  EXPECT_FALSE(AtLeast(0).Contains(std::nan("")));
}

TEST(TemporalConfig, EnumNames) {
  EXPECT_STREQ(EnumToString(Format::kJodie), "jodie");
  EXPECT_STREQ(EnumToString(LogLevel::kWarn), "warn");
  Strategy s = Strategy::kRecent;
  EXPECT_TRUE(EnumFromString("uniform", &s));
  EXPECT_EQ(s, Strategy::kUniform);
  EXPECT_FALSE(EnumFromString("Uniform", &s));
  EXPECT_EQ(EnumChoices<ProgressMode>(), "auto|always|never");
}

}  // namespace
}  // namespace streamgnn::trainers
