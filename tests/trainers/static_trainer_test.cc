// Static node-classification trainer: strict config loading, full-graph == mini-batch with
// batch all + neighbor all, learning on a generated SBM, run files.
#include "trainers/static_trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace streamgnn::trainers {
namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(StaticConfig, ShippedExamplesLoad) {
  for (const char* name : {"gcn_cora.yaml", "gat_cora.yaml", "sage_cora.yaml", "gcn_cora_minibatch.yaml",
                           "gat_cora_minibatch.yaml", "sage_cora_minibatch.yaml", "gcn_cora_distributed.yaml"}) {
    auto c = LoadStaticConfigFile(std::string(STREAMGNN_SOURCE_DIR) + "/examples/" + name);
    ASSERT_TRUE(c.ok()) << name << ": " << c.status().ToString();
    EXPECT_TRUE(std::filesystem::path(c->dataset.path).is_absolute()) << c->dataset.path;
  }
  auto gcn = LoadStaticConfigFile(std::string(STREAMGNN_SOURCE_DIR) + "/examples/gcn_cora.yaml");
  ASSERT_TRUE(gcn.ok());
  EXPECT_EQ(gcn->train.batch_size, -1);
  EXPECT_EQ(gcn->sampling.neighbor, std::vector<int64_t>{-1});
  EXPECT_EQ(gcn->model.name, StaticModel::kGcn);
}

struct BadCase {
  const char* yaml;
  std::vector<std::string> overrides;
  const char* message;
};

TEST(StaticConfig, ErrorsNamePlaceKeyAndExpectation) {
  const BadCase cases[] = {
      {"model:\n  name: gcn\n  hiden: 16\n", {}, "cfg.yaml:4:3: key 'model.hiden': expected a key of section 'model'"},
      {"train:\n  lr: -1\n", {}, "cfg.yaml:3:7: key 'train.lr': expected a number > 0, got '-1'"},
      {"model:\n  name: gin\n", {}, "key 'model.name': expected one of gcn|sage|gat|rgcn|hgt|bghgnn, got 'gin'"},
      {"sampling:\n  neighbor: [10, 5, 2]\n", {}, "key 'sampling.neighbor': expected one entry or one per layer (model.layers = 2)"},
      {"train:\n  batch_size: 0\n", {}, "key 'train.batch_size': expected all or an integer >= 1"},
      {"sampling:\n  neighbor: [10, x]\n", {}, "key 'sampling.neighbor[1]': expected an integer >= -1 (or all = -1), got 'x'"},
      // Keys renamed to the temporal config's (TGL's) names say what they are called now.
      {"sampling:\n  fanouts: [10, 5]\n", {}, "cfg.yaml:3:3: key 'sampling.fanouts': expected a key of section 'sampling' (one of neighbor), got 'fanouts' (renamed: did you mean 'sampling.neighbor'?)"},
      {"train:\n  epochs: 5\n", {}, "key 'train.epochs': expected a key of section 'train' (one of epoch, batch_size, lr, weight_decay, weight_decay_scope, seed, patience, select, eval_every), got 'epochs' (renamed: did you mean 'train.epoch'?)"},
      {"", {"sampling.batch_size=32"}, "--set sampling.batch_size=32: key 'sampling.batch_size': expected a key of section 'sampling' (one of neighbor), got 'batch_size' (renamed: did you mean 'train.batch_size'?)"},
      {"", {"sampling.threads=1"}, "(renamed: did you mean 'runtime.threads'?)"},
      {"", {"train.device=cuda"}, "(renamed: did you mean 'runtime.device'?)"},
      {"dataset:\n  format: planetoid\n", {}, "key 'dataset.path': expected a dataset path"},
      {"", {"train.lr=-2"}, "--set train.lr=-2: key 'train.lr': expected a number > 0"},
      {"", {"train.nope=1"}, "key 'train.nope'"},
      {"optimizer: {}\n", {}, "key 'optimizer': expected a section name"},
  };
  for (const BadCase& c : cases) {
    // Line 1 names a dataset unless the case is about the dataset section.
    const std::string text = Contains(c.yaml, "dataset:") ? std::string(c.yaml)
                                                          : "dataset: {format: sbm}\n" + std::string(c.yaml);
    auto config = LoadStaticConfigString(text, "cfg.yaml", c.overrides);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_TRUE(Contains(config.status().message(), c.message))
        << "got: " << config.status().message() << "\nwanted: " << c.message;
  }
}

TEST(StaticConfig, AllIsMinusOneAndOverridesApply) {
  auto c = LoadStaticConfigString("dataset: {format: sbm}\nsampling: {neighbor: [all, 5]}\ntrain: {batch_size: 64}\n",
                                  "cfg.yaml", {"model.name=sage", "train.batch_size=all"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sampling.neighbor, (std::vector<int64_t>{-1, 5}));
  EXPECT_EQ(c->train.batch_size, -1);
  EXPECT_EQ(c->model.name, StaticModel::kSage);
  const std::string json = core::ConfigAsJson(*c);
  EXPECT_TRUE(Contains(json, "\"neighbor\":[-1,5]")) << json;
  EXPECT_TRUE(Contains(json, "\"name\":\"sage\"")) << json;
}

StaticConfig SbmConfig(StaticModel model) {
  auto c = LoadStaticConfigString(
      "dataset:\n  format: sbm\n  row_normalize: false\n"
      "  sbm: {num_nodes: 600, num_classes: 3, avg_degree: 8, homophily: 0.85, feature_dim: 8, "
      "feature_noise: 2.0}\n"
      "train: {epoch: 60, lr: 0.01, weight_decay: 0.0}\nruntime: {threads: 1}\n",
      "sbm.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  c->model.name = model;
  return *c;
}

TEST(StaticTrainer, FullGraphEqualsOneBatchWithAllNeighbours) {
  for (StaticModel m : {StaticModel::kGcn, StaticModel::kSage, StaticModel::kGat}) {
    StaticConfig c = SbmConfig(m);
    c.model.dropout = 0;
    c.model.att_dropout = 0;
    c.train.epoch = 5;
    auto data = LoadStaticConfigDataset(c);
    ASSERT_TRUE(data.ok());
    auto full = TrainStaticOnDataset(c, *data);
    c.train.batch_size = static_cast<int64_t>(data->train_idx.size());  // the sampled path
    c.sampling.neighbor = {-1, -1};
    auto batch = TrainStaticOnDataset(c, *data);
    ASSERT_TRUE(full.ok() && batch.ok()) << full.status().ToString() << batch.status().ToString();
    EXPECT_TRUE(full->full_graph);
    EXPECT_FALSE(batch->full_graph);
    for (size_t e = 0; e < 5; ++e) {
      EXPECT_NEAR(full->epochs[e].loss, batch->epochs[e].loss, 1e-4) << "epoch " << e + 1;
      EXPECT_NEAR(full->epochs[e].val_acc, batch->epochs[e].val_acc, 1e-9);
    }
  }
}

TEST(StaticTrainer, LearnsAPlantedPartitionMiniBatch) {
  for (StaticModel m : {StaticModel::kGcn, StaticModel::kSage, StaticModel::kGat}) {
    StaticConfig c = SbmConfig(m);
    c.train.batch_size = 16;
    c.sampling.neighbor = {5, 5};
    c.train.epoch = 30;
    auto r = TrainStatic(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->num_batches_per_epoch, 4);  // 60 training nodes / 16
    EXPECT_GT(r->test_acc, 0.8) << "model " << static_cast<int>(m);
    EXPECT_LT(r->epochs.back().loss, r->epochs.front().loss);
  }
}

TEST(StaticTrainer, WritesRunFilesAndStopsEarly) {
  StaticConfig c = SbmConfig(StaticModel::kGcn);
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("sg_static_" + std::to_string(::getpid()))).string();
  c.log.dir = dir;
  c.train.patience = 3;
  c.train.epoch = 500;
  c.train.lr = 0.05;
  auto r = TrainStatic(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->epochs.size(), 500u);
  EXPECT_EQ(static_cast<int64_t>(r->epochs.size()), r->selected_epoch + 3);
  std::ifstream in(dir + "/metrics.jsonl");
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_TRUE(Contains(line, "\"val_acc\":")) << line;
  }
  EXPECT_EQ(lines, r->epochs.size());
  EXPECT_TRUE(std::filesystem::exists(dir + "/summary.json"));
  std::filesystem::remove_all(dir);
}

TEST(StaticTrainer, ReportsDatasetErrors) {
  auto c = LoadStaticConfigString("dataset: {format: planetoid, path: /nonexistent/cora}\n",
                                  "cfg.yaml");
  ASSERT_TRUE(c.ok());
  auto r = TrainStatic(*c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace streamgnn::trainers
