// MSPipe pipeline and PRES in the temporal trainer: the scheduler's staleness choice, similarity
// mitigation on a hand-built case, the stage runner's error handling, staleness 0 bit-identical
// to sequential (metrics and final memory), the staleness bound under injected random stage
// delays, auto staleness, PRES's coherence term changing training (and not when detached), and
// resume with the new state.
#include "trainers/pipeline.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {
namespace {

namespace fs = std::filesystem;

TEST(ChooseStaleness, SmallestBoundThatHidesTheMemoryChain) {
  struct Case {
    StageCosts costs;
    int64_t max;
    int64_t expected;
  } cases[] = {
      // compute-bound: chain = 10 + 2 + 1 = 13 > 10 -> k = 2 -> s = 1.
      {{1, 1, 1, 10, 2}, 8, 1},
      // chain exactly one period (sampling-bound: 8 = 6 + 1 + 1): no staleness needed.
      {{8, 1, 1, 6, 1}, 8, 0},
      // slow write: chain = 4 + 9 + 1 = 14; period 9 -> k = 2 -> s = 1.
      {{1, 1, 1, 4, 9}, 8, 1},
      // sampling is the bottleneck (period 10): chain 3 + 3 + 3 = 9 -> s = 0.
      {{10, 1, 3, 3, 3}, 8, 0},
      // chain = 2 + 2 + 2 = 6 with period 2 -> k = 3 -> s = 2.
      {{1, 1, 2, 2, 2}, 8, 2},
      // clamped to max_staleness.
      {{1, 1, 2, 2, 2}, 1, 1},
      // nothing measured.
      {{0, 0, 0, 0, 0}, 8, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ChooseStaleness(c.costs, c.max), c.expected)
        << c.costs.sample << " " << c.costs.features << " " << c.costs.memory_read << " "
        << c.costs.compute << " " << c.costs.memory_write;
  }
}

TEST(MitigateStaleMemory, BlendsWithTheMostSimilarFresherRows) {
  // Row 0 is stale (last update 1). Candidates: row 1 (similar, fresher), row 2 (similar but
  // older: excluded), row 3 (fresher, less similar), row 4 (stale itself: excluded).
  const torch::Tensor memory =
      torch::tensor({1.f, 0.f, 0.9f, 0.1f, 1.f, 0.f, 0.f, 1.f, 1.f, 0.05f}).view({5, 2});
  const torch::Tensor last = torch::tensor({1.0, 5.0, 0.5, 6.0, 7.0}, torch::kFloat64);
  const torch::Tensor stale = torch::tensor({1, 0, 0, 0, 1}, torch::kInt64).to(torch::kBool);
  int64_t corrected = -1;
  // k = 1: row 1 only -> 0.9 * (1, 0) + 0.1 * (0.9, 0.1).
  torch::Tensor out = MitigateStaleMemory(memory, last, stale, 0.9, 1, &corrected);
  EXPECT_NEAR(out[0][0].item<float>(), 0.99f, 1e-6);
  EXPECT_NEAR(out[0][1].item<float>(), 0.01f, 1e-6);
  // Row 4 (last update 7) has no fresher candidate: unchanged. Fresh rows are never touched.
  EXPECT_EQ(corrected, 1);
  EXPECT_TRUE(torch::equal(out.narrow(0, 1, 4), memory.narrow(0, 1, 4)));
  // k = 3: fresher candidates are rows 1 and 3 only -> mean (0.45, 0.55).
  out = MitigateStaleMemory(memory, last, stale, 0.9, 3, &corrected);
  EXPECT_NEAR(out[0][0].item<float>(), 0.9f + 0.1f * 0.45f, 1e-6);
  EXPECT_NEAR(out[0][1].item<float>(), 0.1f * 0.55f, 1e-6);
  // Nothing stale: the same tensor.
  out = MitigateStaleMemory(memory, last, torch::zeros({5}, torch::kBool), 0.9, 3, &corrected);
  EXPECT_EQ(corrected, 0);
  EXPECT_TRUE(torch::equal(out, memory));
}

struct Item {
  int64_t index = 0;
  std::vector<std::string> seen;
};

TEST(RunPipeline, RunsEveryItemThroughEveryStageInOrderAndReportsTheFirstError) {
  std::mutex mu;
  std::vector<int64_t> done;
  const auto make = [](int64_t i) {
    auto it = std::make_unique<Item>();
    it->index = i;
    return it;
  };
  std::vector<PipelineStage<Item>> stages;
  for (const char* name : {"a", "b", "c"}) {
    stages.push_back({name, [name](Item& it) {
                        it.seen.push_back(name);
                        return Status::Ok();
                      }});
  }
  stages.push_back({"end", [&](Item& it) {
                      EXPECT_EQ(it.seen, (std::vector<std::string>{"a", "b", "c"}));
                      std::lock_guard<std::mutex> lock(mu);
                      done.push_back(it.index);
                      return Status::Ok();
                    }});
  ASSERT_TRUE(RunPipeline<Item>(50, make, stages, 2, 2, nullptr).ok());
  ASSERT_EQ(done.size(), 50u);
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(done[i], i);

  bool aborted = false;
  stages[1].run = [](Item& it) {
    it.seen.push_back("b");
    return it.index == 7 ? Status::InvalidArgument("bad item 7") : Status::Ok();
  };
  done.clear();
  Status s = RunPipeline<Item>(50, make, stages, 0, 2, [&] { aborted = true; });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad item 7"), std::string::npos);
  EXPECT_TRUE(aborted);
  EXPECT_LT(done.size(), 50u);
}

// ---- the trainer ----

using ::streamgnn::testing::TempDir;

using testing::CheckpointMemory;
using testing::Quiet;
using testing::WithoutTimes;

const datasets::TemporalDataset& Graph() {
  static const datasets::TemporalDataset ds = testing::PlantedGraph(200, 4000, 8, 8, 9);
  return ds;
}

trainers::TemporalConfig MakeConfig(const std::string& model, const std::string& dir, int64_t epochs,
                        const std::vector<std::string>& overrides = {}) {
  testing::SmallModel m;
  m.dim = 16;
  m.dim_time = 8;
  m.neighbors = 5;
  m.batch_size = 40;
  m.seed = 4;
  return testing::MakeConfig(model, m, dir, epochs, overrides);
}

class StalenessZero : public ::testing::TestWithParam<const char*> {};

TEST_P(StalenessZero, IsBitIdenticalToSequential) {
  TempDir a, b;
  auto seq = TrainTemporal(MakeConfig(GetParam(), a.str(), 2), Quiet(), &Graph());
  auto pipe = TrainTemporal(
      MakeConfig(GetParam(), b.str(), 2, {"pipeline.mode=mspipe", "pipeline.staleness=0"}), Quiet(),
      &Graph());
  ASSERT_TRUE(seq.ok()) << seq.status().message();
  ASSERT_TRUE(pipe.ok()) << pipe.status().message();
  ASSERT_EQ(seq->epochs.size(), pipe->epochs.size());
  for (size_t e = 0; e < seq->epochs.size(); ++e) {
    EXPECT_EQ(WithoutTimes(seq->epochs[e]), WithoutTimes(pipe->epochs[e]));
    EXPECT_EQ(pipe->epochs[e].train_loss, seq->epochs[e].train_loss);  // exact, not rounded
    EXPECT_EQ(pipe->epochs[e].staleness_max, 0);
  }
  EXPECT_TRUE(torch::equal(CheckpointMemory(a.str()), CheckpointMemory(b.str())));
}

INSTANTIATE_TEST_SUITE_P(Models, StalenessZero, ::testing::Values("tgn", "jodie", "apan"));

// Random delays in every stage (and a slow writer, so reads run ahead of writes): the observed
// staleness reaches but never exceeds the bound; with mitigation, stale nodes are corrected.
TEST(Pipeline, StalenessBoundHoldsUnderRandomStageDelays) {
  for (const char* model : {"tgn", "apan"}) {
    for (int64_t bound : {1, 2}) {
      SCOPED_TRACE(std::string(model) + " bound " + std::to_string(bound));
      TempDir dir;
      TrainOptions o = Quiet();
      std::mutex mu;
      std::mt19937 rng(static_cast<uint32_t>(bound));
      o.stage_hook = [&](const char* stage, int64_t) {
        int64_t us;
        {
          std::lock_guard<std::mutex> lock(mu);
          us = static_cast<int64_t>(rng() % 1500);
        }
        if (std::string(stage) == "memory_write") us += 3000;
        std::this_thread::sleep_for(std::chrono::microseconds(us));
      };
      auto r = TrainTemporal(
          MakeConfig(model, dir.str(), 1,
                     {"pipeline.mode=mspipe", "pipeline.staleness=" + std::to_string(bound),
                      "pipeline.mitigation=similarity"}),
          o, &Graph());
      ASSERT_TRUE(r.ok()) << r.status().message();
      const EpochRecord& e = r->epochs[0];
      EXPECT_EQ(e.staleness_bound, bound);
      EXPECT_LE(e.staleness_max, bound);
      EXPECT_GE(e.staleness_max, 1);  // the slow writer makes reads stale
      EXPECT_GT(e.staleness_mean, 0);
      EXPECT_GT(e.mitigated_nodes, 0);
      EXPECT_GT(e.test.ap, 0.6);  // still learns
    }
  }
}

TEST(Pipeline, AutoStalenessIsChosenOnceAndKeptAcrossEpochsAndResume) {
  TempDir a, b;
  TrainOptions o = Quiet();
  // Compute and memory write take about as long as each other and much more than sampling: the
  // chain (read + compute + write) spans about two periods -> s = 1 (or 2 with timing noise).
  o.stage_hook = [](const char* stage, int64_t) {
    const std::string s(stage);
    if (s == "compute" || s == "memory_write") std::this_thread::sleep_for(std::chrono::milliseconds(4));
  };
  const std::vector<std::string> set = {"pipeline.mode=mspipe", "pipeline.staleness=auto",
                                        "pipeline.profile_batches=10"};
  auto full = TrainTemporal(MakeConfig("jodie", a.str(), 3, set), o, &Graph());
  ASSERT_TRUE(full.ok()) << full.status().message();
  const int64_t chosen = full->epochs[0].staleness_bound;
  EXPECT_GE(chosen, 1);
  EXPECT_LE(chosen, 2);
  for (const EpochRecord& e : full->epochs) {
    EXPECT_EQ(e.staleness_bound, chosen);
    EXPECT_LE(e.staleness_max, chosen);
  }
  TrainOptions stop = o;
  stop.stop_after_epochs = 1;
  auto first = TrainTemporal(MakeConfig("jodie", b.str(), 3, set), stop, &Graph());
  ASSERT_TRUE(first.ok()) << first.status().message();
  TrainOptions resume = Quiet();  // no delays now: a fresh profile would choose 0
  resume.resume = true;
  auto rest = TrainTemporal(MakeConfig("jodie", b.str(), 3, set), resume, &Graph());
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  ASSERT_EQ(rest->epochs.size(), 3u);
  EXPECT_EQ(rest->epochs[2].staleness_bound, first->epochs[0].staleness_bound);
}

// PRES: the coherence term changes training; detached (the public code) it changes nothing
// but the reported loss.
TEST(Pres, CoherenceTermShapesTrainingUnlessDetached) {
  TempDir a, b, c;
  const std::vector<std::string> base = {"pres.enabled=true", "train.batch_size=160"};
  auto with_set = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = base;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  auto off = TrainTemporal(MakeConfig("jodie", a.str(), 2, with_set({"pres.coherence_weight=0"})),
                           Quiet(), &Graph());
  auto detached = TrainTemporal(
      MakeConfig("jodie", b.str(), 2, with_set({"pres.coherence_weight=1", "pres.detach_coherence=true"})),
      Quiet(), &Graph());
  auto on = TrainTemporal(MakeConfig("jodie", c.str(), 2, with_set({"pres.coherence_weight=0.1"})),
                          Quiet(), &Graph());
  ASSERT_TRUE(off.ok() && detached.ok() && on.ok());
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(off->epochs[e].val.ap, detached->epochs[e].val.ap);
    EXPECT_EQ(off->epochs[e].test.ap, detached->epochs[e].test.ap);
    EXPECT_NE(off->epochs[e].train_loss, detached->epochs[e].train_loss);  // constant added
  }
  EXPECT_NE(off->epochs[1].val.ap, on->epochs[1].val.ap);
  // The default weight costs no accuracy here (within 0.03 AP of the run without the term).
  EXPECT_GT(on->best().test.ap, off->best().test.ap - 0.03);
}

// PRES's correction changes the written memory: a run with gamma 0 (no correction) and no
// coherence term equals a run without PRES, bit for bit; gamma 0.9 differs.
TEST(Pres, GammaZeroWithoutCoherenceIsThePlainRun) {
  TempDir a, b, c;
  auto plain = TrainTemporal(MakeConfig("tgn", a.str(), 1, {"train.batch_size=160"}), Quiet(), &Graph());
  auto zero = TrainTemporal(MakeConfig("tgn", b.str(), 1,
                                       {"train.batch_size=160", "pres.enabled=true", "pres.gamma=0",
                                        "pres.coherence_weight=0"}),
                            Quiet(), &Graph());
  auto corrected = TrainTemporal(MakeConfig("tgn", c.str(), 1,
                                            {"train.batch_size=160", "pres.enabled=true",
                                             "pres.coherence_weight=0"}),
                                 Quiet(), &Graph());
  ASSERT_TRUE(plain.ok() && zero.ok() && corrected.ok());
  EXPECT_EQ(WithoutTimes(plain->epochs[0]), WithoutTimes(zero->epochs[0]));
  EXPECT_TRUE(torch::equal(CheckpointMemory(a.str()), CheckpointMemory(b.str())));
  EXPECT_FALSE(torch::equal(CheckpointMemory(a.str()), CheckpointMemory(c.str())));
}

// Resume with PRES state and the pipeline at staleness 0 reproduces the uninterrupted run; eval
// of best.pt reproduces its metrics (the PRES filter is in the checkpoint).
TEST(Pipeline, ResumeWithPresAndPipelineReproducesTheUninterruptedRun) {
  for (const char* model : {"tgn", "jodie", "apan"}) {
    SCOPED_TRACE(model);
    TempDir a, b;
    const std::vector<std::string> set = {"pipeline.mode=mspipe", "pipeline.staleness=0",
                                          "pres.enabled=true", "train.batch_size=160"};
    auto full = TrainTemporal(MakeConfig(model, a.str(), 3, set), Quiet(), &Graph());
    ASSERT_TRUE(full.ok()) << full.status().message();
    TrainOptions stop = Quiet();
    stop.stop_after_epochs = 1;
    ASSERT_TRUE(TrainTemporal(MakeConfig(model, b.str(), 3, set), stop, &Graph()).ok());
    TrainOptions resume = Quiet();
    resume.resume = true;
    auto rest = TrainTemporal(MakeConfig(model, b.str(), 3, set), resume, &Graph());
    ASSERT_TRUE(rest.ok()) << rest.status().message();
    ASSERT_EQ(rest->epochs.size(), 3u);
    for (size_t e = 1; e < 3; ++e) {
      EXPECT_EQ(WithoutTimes(rest->epochs[e]), WithoutTimes(full->epochs[e])) << "epoch " << e + 1;
    }
    auto eval = EvaluateCheckpoint(a.str() + "/best.pt", &Graph());
    ASSERT_TRUE(eval.ok()) << eval.status().message();
    EXPECT_EQ(eval->val.ap, full->best().val.ap);
    EXPECT_EQ(eval->test.ap, full->best().test.ap);
  }
}

TEST(PipelineConfig, BadValuesNameTheKey) {
  struct Bad {
    const char* yaml;
    const char* expected;
  } bad[] = {
      {"pipeline:\n  staleness: soon\n", "run.yml:2:14: key 'pipeline.staleness': expected an integer >= 0 or auto, got 'soon'"},
      {"pipeline:\n  staleness: -1\n", "key 'pipeline.staleness': expected an integer >= 0 or auto"},
      {"pipeline:\n  mode: async\n", "run.yml:2:9: key 'pipeline.mode'"},
      {"pipeline:\n  staleness: 9\n  max_staleness: 4\n", "key 'pipeline.max_staleness': expected at least staleness (9)"},
      {"pres:\n  gamma: 1.5\n", "run.yml:2:10: key 'pres.gamma'"},
      {"memory:\n  type: none\n  dim_out: 0\npres:\n  enabled: true\n", "key 'pres.enabled': expected false"},
  };
  for (const Bad& b : bad) {
    auto c = trainers::LoadTemporalConfigString(b.yaml, "run.yml");
    ASSERT_FALSE(c.ok()) << b.yaml;
    EXPECT_NE(c.status().message().find(b.expected), std::string::npos) << c.status().message();
  }
  auto ok = trainers::LoadTemporalConfigString("pipeline:\n  mode: mspipe\n  staleness: auto\n", "run.yml");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->pipeline.StalenessBound(), -1);
}

}  // namespace
}  // namespace streamgnn::trainers
