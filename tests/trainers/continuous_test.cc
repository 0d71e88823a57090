// Continuous learning (trainers/continuous.h) on planted-signal streams: a window is scored by
// the model and memory of before its training (a learner resumed from the previous window's
// checkpoint scores and trains it exactly as the uninterrupted one, and training it longer
// leaves its score unchanged); embeddings are a pure function of the checkpointed state and
// move with each window; the model learns as windows arrive; replay adds the asked-for number
// of past events; RunContinuous resumes to the uninterrupted run's records; a bounded history
// keeps the newest events and resumes exactly, reading only those; skipped events are never
// learned; bad input is refused.
#include "trainers/continuous.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"

namespace streamgnn::trainers {
namespace {

using ::streamgnn::testing::TempDir;
using testing::MakeConfig;
using testing::PlantedGraph;
using testing::Quiet;
using testing::SmallModel;

ContinuousOptions Silent() {
  ContinuousOptions o;
  o.print_windows = false;
  return o;
}

std::string WithoutTimes(WindowRecord r) {
  r.eval_s = r.train_s = r.checkpoint_s = 0;
  return r.ToJson(true);
}

trainers::TemporalConfig StreamConfig(const std::string& model, const std::string& dir,
                          const std::vector<std::string>& extra = {}) {
  std::vector<std::string> overrides = {"continuous.window=600", "continuous.warmup_fraction=0.4",
                                        "train.eval_negatives=5"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return MakeConfig(model, SmallModel(), dir, 2, overrides);
}

TEST(ContinuousLearner, AResumedLearnerScoresAndTrainsTheNextWindowExactlyAsTheOriginal) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 3000, 5, 8, 11);
  TempDir dir;
  const trainers::TemporalConfig config = StreamConfig("tgn", dir.str());
  auto a = ContinuousLearner::Start(config, ds, 1200, Quiet());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::string ckpt = dir.str() + "/continuous.pt", after2 = dir.str() + "/after2.pt";
  for (int w = 0; w < 2; ++w) ASSERT_TRUE((*a)->Learn(ds, 600, ckpt).ok());
  std::filesystem::copy_file(ckpt, after2);
  auto third = (*a)->Learn(ds, 600, ckpt);
  ASSERT_TRUE(third.ok()) << third.status().ToString();

  // The checkpoint after window 2 holds a model that never trained on window 3: scoring window
  // 3 from it gives exactly what the original learner reported.
  auto b = ContinuousLearner::Resume(config, ds, after2);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->next_event(), 2400);
  ASSERT_EQ((*b)->windows_learned(), 2);
  EXPECT_EQ((*b)->windows()[1].prequential.ap, (*a)->windows()[1].prequential.ap);
  auto again = (*b)->Learn(ds, 600, "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(WithoutTimes(*again), WithoutTimes(*third));
  // How window 3 is trained cannot change its score: three passes instead of one train it
  // differently and score it the same.
  auto longer = ContinuousLearner::Resume(StreamConfig("tgn", dir.str(), {"continuous.epoch=3"}), ds, after2);
  ASSERT_TRUE(longer.ok()) << longer.status().ToString();
  auto trained_more = (*longer)->Learn(ds, 600, "");
  ASSERT_TRUE(trained_more.ok()) << trained_more.status().ToString();
  EXPECT_EQ(trained_more->prequential.ap, third->prequential.ap);
  EXPECT_EQ(trained_more->prequential.mrr, third->prequential.mrr);
  EXPECT_NE(trained_more->train_loss, third->train_loss);
  EXPECT_EQ(third->first_event, 2400);
  EXPECT_EQ(third->events, 600);
  EXPECT_EQ(third->trained_events, 600);  // no replay
  EXPECT_GT(third->prequential.mrr, 0);
}

TEST(ContinuousLearner, EmbeddingsComeFromTheCheckpointedStateAndChangeWithEachWindow) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 2400, 5, 8, 13);
  const std::vector<NodeId> nodes = {0, 7, 42, 149};
  for (const char* model : {"tgn", "jodie", "apan", "tgat"}) {
    TempDir dir;
    const trainers::TemporalConfig config = StreamConfig(model, dir.str());
    auto learner = ContinuousLearner::Start(config, ds, 1200, Quiet());
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    const std::string ckpt = dir.str() + "/continuous.pt";
    ASSERT_TRUE((*learner)->Learn(ds, 600, ckpt).ok());
    auto before = (*learner)->Embed(nodes);
    ASSERT_TRUE(before.ok()) << before.status().ToString();
    EXPECT_EQ(before->values.size(), nodes.size() * static_cast<size_t>(before->dim)) << model;
    EXPECT_GT(before->time, ds.ts[1799]);
    // Embedding changes nothing: asked twice, the same rows.
    EXPECT_EQ((*learner)->Embed(nodes)->values, before->values) << model;
    // A learner rebuilt from the checkpoint file embeds exactly the same.
    auto rebuilt = ContinuousLearner::Resume(config, ds, ckpt);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    EXPECT_EQ((*rebuilt)->Embed(nodes)->values, before->values) << model;
    // The next window moves them.
    ASSERT_TRUE((*learner)->Learn(ds, 600, ckpt).ok());
    EXPECT_NE((*learner)->Embed(nodes)->values, before->values) << model;
  }
  TempDir dir;
  auto learner = ContinuousLearner::Start(StreamConfig("jodie", dir.str()), ds, 1200, Quiet());
  ASSERT_TRUE(learner.ok());
  EXPECT_EQ((*learner)->Embed({150}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ContinuousLearner, LearnsAsWindowsArrive) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 4200, 5, 8, 5);
  TempDir dir;
  auto summary = RunContinuous(StreamConfig("jodie", dir.str()), Silent(), &ds);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_TRUE(summary->finished);
  ASSERT_EQ(summary->windows.size(), 5u);  // 1,680 warm-up events, then 4 x 600 and 120
  EXPECT_EQ(summary->windows.back().events, 120);
  for (const WindowRecord& w : summary->windows) {
    EXPECT_GT(w.prequential.ap, 0.65) << w.ToJson(true);
    EXPECT_TRUE(std::isfinite(w.train_loss));
  }
  EXPECT_GT(summary->mean_prequential_ap(), 0.7);
  EXPECT_FALSE(summary->warmup.epochs.empty());
  // One line per window in windows.jsonl.
  std::ifstream in(dir.str() + "/windows.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 5);
}

TEST(ContinuousLearner, ReplayAddsTheAskedShareOfPastEvents) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 3000, 5, 8, 2);
  for (const char* kind : {"uniform", "recent"}) {
    TempDir dir;
    const trainers::TemporalConfig config = StreamConfig(
        "jodie", dir.str(), {"continuous.replay_ratio=0.25", std::string("continuous.replay=") + kind});
    auto learner = ContinuousLearner::Start(config, ds, 1200, Quiet());
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    auto w = (*learner)->Learn(ds, 600, "");
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(w->trained_events, 600 + 300) << kind;  // a quarter of the 1,200 past events
    EXPECT_TRUE(std::isfinite(w->train_loss));
  }
}

TEST(ContinuousLearner, RunContinuousResumesToTheUninterruptedRecords) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 3000, 5, 8, 7);
  TempDir whole, cut;
  auto full = RunContinuous(StreamConfig("jodie", whole.str()), Silent(), &ds);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ContinuousOptions stop = Silent();
  stop.stop_after_windows = 2;
  auto first = RunContinuous(StreamConfig("jodie", cut.str()), stop, &ds);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->finished);
  ContinuousOptions resume = Silent();
  resume.resume = true;
  auto rest = RunContinuous(StreamConfig("jodie", cut.str()), resume, &ds);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_TRUE(rest->finished);
  EXPECT_TRUE(rest->warmup.epochs.empty());  // resumed after the warm-up
  ASSERT_EQ(rest->windows.size(), full->windows.size());
  for (size_t i = 0; i < full->windows.size(); ++i) {
    EXPECT_EQ(WithoutTimes(rest->windows[i]), WithoutTimes(full->windows[i])) << "window " << i + 1;
  }
}

// Events [first, first + count) of `ds` as a dataset of their own.
datasets::TemporalDataset Slice(const datasets::TemporalDataset& ds, int64_t first, int64_t count) {
  datasets::TemporalDataset s = ds;
  s.src.assign(ds.src.begin() + first, ds.src.begin() + first + count);
  s.dst.assign(ds.dst.begin() + first, ds.dst.begin() + first + count);
  s.ts.assign(ds.ts.begin() + first, ds.ts.begin() + first + count);
  s.edge_feat.assign(ds.edge_feat.begin() + first * ds.edge_feat_dim,
                     ds.edge_feat.begin() + (first + count) * ds.edge_feat_dim);
  if (!ds.labels.empty()) s.labels.assign(ds.labels.begin() + first, ds.labels.begin() + first + count);
  return s;
}

TEST(ContinuousLearner, ABoundedHistoryKeepsTheNewestEventsAndResumesFromThemExactly) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 4200, 5, 8, 17);
  TempDir dir;
  const trainers::TemporalConfig config =
      StreamConfig("tgn", dir.str(), {"continuous.history_events=900", "continuous.replay_ratio=0.5"});
  auto a = ContinuousLearner::Start(config, ds, 1200, Quiet());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->events_kept(), 1200);  // under twice the bound: nothing dropped yet
  const std::string ckpt = dir.str() + "/continuous.pt", after3 = dir.str() + "/after3.pt";
  std::vector<int64_t> kept, trained;
  for (int w = 0; w < 3; ++w) {
    auto r = (*a)->Learn(ds, 600, ckpt);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    kept.push_back((*a)->events_kept());
    trained.push_back(r->trained_events);
    EXPECT_GT(r->prequential.ap, 0.6) << r->ToJson(true);
  }
  // 1,800 kept reach twice the bound: the newest 900 stay; 1,500 stay under it; 2,100 do not.
  EXPECT_EQ(kept, (std::vector<int64_t>{900, 1500, 900}));
  // Replay draws half of the newest 900 kept before each window, not of all 1,200 / 1,800 / 2,400.
  EXPECT_EQ(trained, (std::vector<int64_t>{600 + 450, 600 + 450, 600 + 450}));
  std::filesystem::copy_file(ckpt, after3);
  auto fourth = (*a)->Learn(ds, 600, ckpt);
  ASSERT_TRUE(fourth.ok()) << fourth.status().ToString();

  // The checkpoint after window 3 holds the newest 900 events, [2100, 3000): resuming reads those
  // and the warm-up's [0, 1200) (for the split and model shape) and nothing else, and window 4
  // comes out exactly as the uninterrupted learner's.
  std::vector<std::pair<int64_t, int64_t>> reads;
  const EventReader read = [&](int64_t first, int64_t count) -> StatusOr<datasets::TemporalDataset> {
    reads.emplace_back(first, count);
    return Slice(ds, first, count);
  };
  auto b = ContinuousLearner::Resume(config, read, after3);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(reads, (std::vector<std::pair<int64_t, int64_t>>{{0, 1200}, {2100, 900}}));
  EXPECT_EQ((*b)->next_event(), 3000);
  EXPECT_EQ((*b)->events_kept(), 900);
  auto again = (*b)->Learn(ds, 600, "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(WithoutTimes(*again), WithoutTimes(*fourth));
  EXPECT_EQ((*b)->events_kept(), (*a)->events_kept());
  EXPECT_EQ((*b)->Embed({0, 7, 42})->values, (*a)->Embed({0, 7, 42})->values);
}

TEST(ContinuousLearner, SkippedEventsAreNeverLearnedAndCounted) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 3600, 5, 8, 19);
  TempDir dir;
  const trainers::TemporalConfig config = StreamConfig("jodie", dir.str());
  auto a = ContinuousLearner::Start(config, ds, 1200, Quiet());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::string ckpt = dir.str() + "/continuous.pt";
  // Events [1200, 1800) are skipped: the window is [1800, 2400).
  auto w = (*a)->LearnEvents(Slice(ds, 1800, 600), 1800, ckpt);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->first_event, 1800);
  EXPECT_EQ(w->skipped_events, 600);
  EXPECT_EQ((*a)->next_event(), 2400);
  EXPECT_EQ((*a)->events_kept(), 1800);  // the warm-up and the window, not the skipped events
  auto behind = (*a)->LearnEvents(Slice(ds, 2000, 600), 2000, "");
  EXPECT_EQ(behind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(behind.status().message().find("starts before event 2400"), std::string::npos)
      << behind.status().message();

  auto b = ContinuousLearner::Resume(config, ds, ckpt);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->next_event(), 2400);
  ASSERT_EQ((*b)->windows_learned(), 1);
  EXPECT_EQ((*b)->windows()[0].skipped_events, 600);
  auto next_a = (*a)->Learn(ds, 600, ""), next_b = (*b)->Learn(ds, 600, "");
  ASSERT_TRUE(next_a.ok() && next_b.ok()) << next_a.status().ToString() << next_b.status().ToString();
  EXPECT_EQ(WithoutTimes(*next_b), WithoutTimes(*next_a));
  EXPECT_EQ(next_a->skipped_events, 0);
}

TEST(ContinuousLearner, BadInputIsRefused) {
  const datasets::TemporalDataset ds = PlantedGraph(150, 2000, 5, 8, 3);
  TempDir dir;
  auto tiny = ContinuousLearner::Start(StreamConfig("jodie", dir.str()), ds, 5, Quiet());
  EXPECT_EQ(tiny.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tiny.status().message().find("at least 10"), std::string::npos) << tiny.status().message();
  auto gpu = ContinuousLearner::Start(StreamConfig("jodie", dir.str(), {"runtime.device=cuda"}), ds,
                                      800, Quiet());
  EXPECT_EQ(gpu.status().code(), StatusCode::kUnimplemented);

  auto learner = ContinuousLearner::Start(StreamConfig("jodie", dir.str()), ds, 800, Quiet());
  ASSERT_TRUE(learner.ok()) << learner.status().ToString();
  auto beyond = (*learner)->Learn(ds, 1500, "");
  EXPECT_EQ(beyond.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(beyond.status().message().find("has not arrived"), std::string::npos) << beyond.status().message();
  datasets::TemporalDataset late = ds;
  late.ts[900] = late.ts[800] - 1;  // older than the last event learned
  auto old = (*learner)->Learn(late, 200, "");
  EXPECT_EQ(old.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(old.status().message().find("older than"), std::string::npos) << old.status().message();
  datasets::TemporalDataset outside = ds;
  outside.dst[850] = ds.num_nodes;
  EXPECT_EQ((*learner)->Learn(outside, 200, "").status().code(), StatusCode::kInvalidArgument);
  // Refused windows leave the learner as it was.
  EXPECT_EQ((*learner)->next_event(), 800);
  EXPECT_TRUE((*learner)->Learn(ds, 200, "").ok());

  auto missing = ContinuousLearner::Resume(StreamConfig("jodie", dir.str()), ds, dir.str() + "/nope.pt");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace streamgnn::trainers
