// TemporalTrainer end to end on small generated graphs: every model learns a planted signal,
// runs are deterministic, a resumed run reproduces the uninterrupted one, `eval` of a checkpoint
// reproduces its recorded metrics, and bad configs stop before any work.
#include "trainers/temporal_trainer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "datasets/npy.h"
#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"

namespace streamgnn::trainers {
namespace {

namespace fs = std::filesystem;

using ::streamgnn::testing::TempDir;
using testing::Quiet;
using testing::WithoutTimes;

const datasets::TemporalDataset& PlantedGraph() {
  static const datasets::TemporalDataset ds = testing::PlantedGraph(300, 8000, 10, 16, 5);
  return ds;
}

trainers::TemporalConfig MakeConfig(const std::string& model, const std::string& dir, int64_t epochs,
                        const std::vector<std::string>& overrides = {}) {
  return testing::MakeConfig(model, testing::SmallModel(), dir, epochs, overrides);
}

class Learns : public ::testing::TestWithParam<const char*> {};

TEST_P(Learns, ReachesTestApAboveNinetyOnAPlantedSignal) {
  TempDir dir;
  const trainers::TemporalConfig config = MakeConfig(GetParam(), dir.str(), 8);
  auto summary = TrainTemporal(config, Quiet(), &PlantedGraph());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const EpochRecord& best = summary->best();
  EXPECT_GT(best.test.ap, 0.9) << GetParam();
  EXPECT_GT(best.test.auc, 0.85) << GetParam();
  // Training lowered the loss.
  EXPECT_LT(summary->epochs.back().train_loss, summary->epochs.front().train_loss);
  // metrics.jsonl has one line per epoch with the documented keys.
  std::ifstream in(dir.str() + "/metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    for (const char* key : {"\"epoch\"", "\"train_loss\"", "\"train_s\"", "\"val_ap\"", "\"val_auc\"",
                            "\"test_ap\"", "\"test_auc\"", "\"val_inductive_ap\"",
                            "\"test_inductive_auc\"", "\"time_sample_s\"", "\"time_forward_s\"",
                            "\"time_backward_s\"", "\"time_memory_write_s\""}) {
      EXPECT_NE(line.find(key), std::string::npos) << key;
    }
  }
  EXPECT_EQ(lines, 8);
}

INSTANTIATE_TEST_SUITE_P(Models, Learns, ::testing::Values("tgn", "jodie", "apan", "tgat"));

// TGB's protocol on a tiny set in TGB's exact layout (tests/data/tgb_wiki): every val/test
// positive is ranked against its file's negatives; the summary reports MRR and Hits@k, and the
// epoch is selected on validation MRR.
TEST(TemporalTrainer, TgbProtocolRanksAgainstTgbsNegatives) {
  const std::string dir = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/tgb_wiki/";
  const std::vector<std::string> tgb = {
      "dataset.format=tgb", "dataset.path=" + dir + "tgbl-wiki_edgelist_v2.csv", "dataset.cache=false",
      "eval.protocol=tgb", "eval.hits_k=3", "train.inductive_fraction=0", "train.batch_size=20"};
  TempDir out;
  const trainers::TemporalConfig config = MakeConfig("tgn", out.str(), 2, tgb);
  auto summary = TrainTemporal(config, Quiet());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const EpochRecord& best = summary->best();
  for (const LinkMetrics* m : {&best.val, &best.test}) {
    EXPECT_GT(m->mrr, 1.0 / 7) << "at most 6 negatives: rank 7 at worst";
    EXPECT_LE(m->mrr, 1.0);
    EXPECT_GE(m->hits, 0.0);
    EXPECT_LE(m->hits, 1.0);
  }
  std::ifstream in(out.str() + "/summary.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(j["test_mrr"].get<double>(), best.test.mrr);
  EXPECT_DOUBLE_EQ(j["test_hits"].get<double>(), best.test.hits);
  EXPECT_EQ(j["hits_k"].get<int64_t>(), 3);
  // Negatives elsewhere: a file that does not exist is named.
  TempDir other;
  auto missing = TrainTemporal(
      MakeConfig("jodie", other.str(), 1, {tgb[0], tgb[1], tgb[2], tgb[3], tgb[5], "eval.val_negatives=/nonexistent/v.pkl"}),
      Quiet());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/v.pkl"), std::string::npos) << missing.status().message();
  // TGB's split only.
  auto wrong = trainers::LoadTemporalConfigString("eval: {protocol: tgb}\n", "c.yml", {"train.inductive_fraction=0"});
  ASSERT_TRUE(wrong.ok()) << wrong.status().message();  // 0.15 / 0.15 are the defaults
  wrong = trainers::LoadTemporalConfigString("eval: {protocol: tgb}\n", "c.yml", {"train.val_fraction=0.1"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("eval.protocol"), std::string::npos) << wrong.status().message();
}

// eval.positives_per_forward splits an evaluation batch's forward into chunks that share its
// memory read and write: every score is the whole-batch forward's (up to BLAS rounding, which
// depends on a product's row count), for TGB's negatives and for random ones, with memory (TGN,
// APAN) and without (TGAT, sampling recent: uniform draws are keyed by shard). `eval --set`
// takes that key and refuses the ones that change scores.
TEST(TemporalTrainer, PositivesPerForwardChangesNoScore) {
  const std::string dir = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/tgb_wiki/";
  const std::vector<std::string> tgb = {
      "dataset.format=tgb", "dataset.path=" + dir + "tgbl-wiki_edgelist_v2.csv", "dataset.cache=false",
      "eval.protocol=tgb", "eval.hits_k=3", "train.inductive_fraction=0", "train.batch_size=20"};
  for (const char* model : {"tgn", "apan", "tgat"}) {
    for (const bool tgb_protocol : {true, false}) {
      SCOPED_TRACE(std::string(model) + (tgb_protocol ? " tgb" : " random"));
      const datasets::TemporalDataset* ds = tgb_protocol ? nullptr : &PlantedGraph();
      TempDir out;
      auto set = tgb_protocol ? tgb : std::vector<std::string>{"train.eval_negatives=5"};
      set.push_back("sampling.strategy=recent");
      ASSERT_TRUE(TrainTemporal(MakeConfig(model, out.str(), 1, set), Quiet(), ds).ok());
      std::vector<datasets::NpyMatrix> whole;
      for (const char* chunk : {"0", "1", "7"}) {
        const std::string scores = out.str() + "/scores" + chunk;
        auto eval = EvaluateCheckpoint(out.str() + "/best.pt", ds,
                                       {scores, {std::string("eval.positives_per_forward=") + chunk}});
        ASSERT_TRUE(eval.ok()) << eval.status().message();
        EXPECT_GT(eval->test_positives, 0);
        EXPECT_TRUE(std::isfinite(eval->test.mrr));
        int k = 0;
        for (const char* file : {"val_pos", "val_neg", "test_pos", "test_neg"}) {
          auto m = datasets::ReadNpyMatrix(scores + "/" + file + ".npy");
          ASSERT_TRUE(m.ok()) << m.status().message();
          if (whole.size() < 4) {
            whole.push_back(std::move(*m));
            continue;
          }
          const datasets::NpyMatrix& w = whole[k++];
          ASSERT_EQ(m->rows, w.rows) << file;
          ASSERT_EQ(m->cols, w.cols) << file;
          for (size_t i = 0; i < w.data.size(); ++i) {
            if (std::isnan(w.data[i])) {
              ASSERT_TRUE(std::isnan(m->data[i])) << file << " " << i;
            } else {
              ASSERT_NEAR(m->data[i], w.data[i], 1e-5) << file << " " << i << " chunk " << chunk;
            }
          }
        }
      }
      if (std::string(model) == "tgn" && tgb_protocol) {
        auto refused = EvaluateCheckpoint(out.str() + "/best.pt", ds, {"", {"train.lr=0.1"}});
        ASSERT_FALSE(refused.ok());
        EXPECT_NE(refused.status().message().find("train.lr"), std::string::npos) << refused.status().message();
      }
    }
  }
  auto pres = trainers::LoadTemporalConfigString("eval: {positives_per_forward: 1}\npres: {enabled: true}\n",
                                                 "c.yml");
  ASSERT_FALSE(pres.ok());
  EXPECT_NE(pres.status().message().find("eval.positives_per_forward"), std::string::npos)
      << pres.status().message();
}

TEST(TemporalTrainer, ResumeReproducesTheUninterruptedRunAndEvalReproducesCheckpoints) {
  for (const char* model : {"tgn", "apan"}) {
    SCOPED_TRACE(model);
    TempDir a, b;
    const std::vector<std::string> mrr = {"train.eval_negatives=5"};
    auto full = TrainTemporal(MakeConfig(model, a.str(), 3, mrr), Quiet(), &PlantedGraph());
    ASSERT_TRUE(full.ok()) << full.status().message();
    ASSERT_EQ(full->epochs.size(), 3u);
    EXPECT_TRUE(std::isfinite(full->best().test.mrr));

    TrainOptions stop = Quiet();
    stop.stop_after_epochs = 1;
    auto first = TrainTemporal(MakeConfig(model, b.str(), 3, mrr), stop, &PlantedGraph());
    ASSERT_TRUE(first.ok()) << first.status().message();
    EXPECT_FALSE(first->finished);
    ASSERT_EQ(first->epochs.size(), 1u);
    TrainOptions resume = Quiet();
    resume.resume = true;
    auto rest = TrainTemporal(MakeConfig(model, b.str(), 3, mrr), resume, &PlantedGraph());
    ASSERT_TRUE(rest.ok()) << rest.status().message();
    ASSERT_EQ(rest->epochs.size(), 3u);
    for (size_t e = 1; e < 3; ++e) {
      EXPECT_EQ(WithoutTimes(rest->epochs[e]), WithoutTimes(full->epochs[e])) << "epoch " << e + 1;
    }
    EXPECT_EQ(rest->best_epoch, full->best_epoch);
    // metrics.jsonl of the resumed run has the three epochs, in order.
    std::ifstream in(b.str() + "/metrics.jsonl");
    std::vector<int64_t> epochs;
    for (std::string line; std::getline(in, line);) {
      epochs.push_back(nlohmann::json::parse(line).at("epoch").get<int64_t>());
    }
    EXPECT_EQ(epochs, (std::vector<int64_t>{1, 2, 3}));

    // `eval` of best.pt gives the validation and test metrics recorded for the best epoch.
    auto eval = EvaluateCheckpoint(a.str() + "/best.pt", &PlantedGraph());
    ASSERT_TRUE(eval.ok()) << eval.status().message();
    EXPECT_EQ(eval->epoch, full->best_epoch);
    EXPECT_EQ(eval->val.ap, full->best().val.ap);
    EXPECT_EQ(eval->test.ap, full->best().test.ap);
    EXPECT_EQ(eval->test_inductive.auc, full->best().test_inductive.auc);
    EXPECT_EQ(eval->test.mrr, full->best().test.mrr);
  }
}

// With runtime.threads 3 a batch is computed as 3 shards on 3 threads (temporal_batch.h). The
// shards compute the whole batch's function: without dropout and with the weights left as they
// are (lr 1e-30 does not move a float32 weight), losses, metrics and the memory they write
// equal the one-shard run's up to float rounding (GEMMs over fewer rows round differently; an
// untrained model has many tied scores, whose order rounding decides, hence the looser MRR).
// The shards' losses add up to the batch's, so their gradients add up to its gradient.
class Shards : public ::testing::TestWithParam<const char*> {};

TEST_P(Shards, ComputeTheWholeBatchAndAreReproducible) {
  // Uniform neighbour draws are keyed by shard, so the comparison samples the recent ones.
  const std::vector<std::string> frozen = {"train.lr=1e-30", "train.dropout=0", "train.att_dropout=0",
                                           "train.eval_negatives=5", "sampling.strategy=recent"};
  const auto run = [&](int threads, const std::vector<std::string>& overrides) {
    TempDir dir;
    std::vector<std::string> o = overrides;
    o.push_back("runtime.threads=" + std::to_string(threads));
    auto summary = TrainTemporal(MakeConfig(GetParam(), dir.str(), 2, o), Quiet(), &PlantedGraph());
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? summary->epochs : std::vector<EpochRecord>();
  };
  const std::vector<EpochRecord> whole = run(1, frozen), sharded = run(3, frozen);
  ASSERT_EQ(whole.size(), 2u);
  ASSERT_EQ(sharded.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_NEAR(sharded[e].train_loss, whole[e].train_loss, 1e-6);
    EXPECT_NEAR(sharded[e].val.ap, whole[e].val.ap, 1e-3);
    EXPECT_NEAR(sharded[e].test.ap, whole[e].test.ap, 1e-3);
    EXPECT_NEAR(sharded[e].test_inductive.auc, whole[e].test_inductive.auc, 1e-3);
    EXPECT_NEAR(sharded[e].test.mrr, whole[e].test.mrr, 5e-3);
  }
  // With dropout each shard draws its masks from its own generator: the same config gives the
  // same metrics every time.
  const std::vector<EpochRecord> a = run(3, {}), b = run(3, {});
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(WithoutTimes(a[1]), WithoutTimes(b[1]));
}

INSTANTIATE_TEST_SUITE_P(Models, Shards, ::testing::Values("tgn", "jodie", "apan", "tgat"));

TEST(TemporalTrainer, ResumeWithoutCheckpointIsAnError) {
  TempDir dir;
  TrainOptions resume = Quiet();
  resume.resume = true;
  auto r = TrainTemporal(MakeConfig("jodie", dir.str(), 1), resume, &PlantedGraph());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checkpoint.pt"), std::string::npos);
}

TEST(TemporalTrainer, EarlyStoppingAndSeeds) {
  TempDir a, b, c;
  // Same seed: same metrics; another seed: another run; the reported epoch is the best one.
  auto r1 = TrainTemporal(MakeConfig("jodie", a.str(), 4, {"train.seed=1"}), Quiet(), &PlantedGraph());
  auto r2 = TrainTemporal(MakeConfig("jodie", b.str(), 4, {"train.seed=1"}), Quiet(), &PlantedGraph());
  auto r3 = TrainTemporal(MakeConfig("jodie", c.str(), 4, {"train.seed=2"}), Quiet(), &PlantedGraph());
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  EXPECT_EQ(WithoutTimes(r1->best()), WithoutTimes(r2->best()));  // same seed, same metrics
  EXPECT_NE(r1->best().test.ap, r3->best().test.ap);              // another seed, another run
  for (const EpochRecord& r : r1->epochs) EXPECT_LE(r.val.ap, r1->best().val.ap);

  // A learning rate too small to change anything: validation AP stops improving at once, so
  // patience 1 ends the run long before 30 epochs.
  TempDir d;
  auto stopped = TrainTemporal(MakeConfig("jodie", d.str(), 30, {"train.patience=1", "train.lr=1e-9"}),
                               Quiet(), &PlantedGraph());
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(stopped->stopped_early);
  EXPECT_LT(stopped->epochs.size(), 30u);
}

TEST(TemporalTrainer, BadConfigsStopBeforeAnyWork) {
  TempDir dir;
  const std::string path = dir.str() + "/run.yml";
  std::ofstream(path) << "dataset:\n  format: jodie\n  path: missing.csv\ntrain:\n  model: tgn\n";
  auto config = trainers::LoadTemporalConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().message();
  Status s = CheckInputFiles(*config, path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path + ":3:9: key 'dataset.path': file not found"), std::string::npos)
      << s.message();

  struct Bad {
    const char* yaml;
    const char* expected;
  } bad[] = {
      {"train:\n  lr: fast\n", "run.yml:2:7: key 'train.lr': expected a number"},
      {"memory:\n  dim_outt: 10\n", "run.yml:2:3: key 'memory.dim_outt'"},
      {"memory:\n  memory_update: rnn\ntrain:\n  model: tgn\n", "run.yml:4:10: key 'train.model'"},
      {"gnn:\n  arch: identity\nmemory:\n  type: none\n", "key 'memory.type'"},
  };
  for (const Bad& b : bad) {
    std::ofstream(path) << b.yaml;
    auto c = trainers::LoadTemporalConfigFile(path);
    ASSERT_FALSE(c.ok()) << b.yaml;
    EXPECT_NE(c.status().message().find(b.expected), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace streamgnn::trainers
