// Writers (round trips through the loaders), summaries, Validate and the chronological split.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "datasets/loaders.h"
#include "datasets/npy.h"
#include "datasets/summary.h"
#include "datasets/writers.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::Contains;
using testing::ExpectSameDataset;
using testing::TempDir;

TemporalDataset Toy() {
  TemporalDataset ds;
  ds.name = "toy";
  ds.num_nodes = 5;
  ds.src = {0, 1, 2, 2, 4};
  ds.dst = {1, 2, 2, 0, 3};
  ds.ts = {0.1, 1e9 + 0.123456789, 1e9 + 0.123456789, 3.5e9, 3.5e9};
  ds.labels = {0, 1, 0, 2, 1};
  ds.edge_feat_dim = 2;
  ds.edge_feat = {0.1f, -2.5f, 1e-7f, 3.0f, 0, 1, 123456.78f, -0.0f, 0.3333333f, 9};
  return ds;
}

TEST(Writers, CsvRoundTripIsExact) {
  TempDir dir;
  const TemporalDataset ds = Toy();
  ASSERT_TRUE(WriteCsv(ds, dir.File("out.csv")).ok());
  EXPECT_EQ(testing::ReadText(dir.File("out.csv")).substr(0, 28), "src,dst,time,label,f0,f1\n0,1");
  CsvOptions o;
  o.label_col = 3;
  o.feat_begin = 4;
  auto back = LoadCsv(dir.File("out.csv"), o, "toy");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameDataset(ds, *back);
}

// DyGLib's ml_ files: node ids + 1 (their padding node 0), idx = event + 1 with row 0 of the
// .npy zeros, labels and features back exactly; node features (none here) as one zero column.
TEST(Writers, MlRoundTripShiftsIdsPastThePaddingNode) {
  TempDir dir;
  const TemporalDataset ds = Toy();
  ASSERT_TRUE(WriteMlCsv(ds, dir.File("ml_toy.csv")).ok());
  EXPECT_EQ(testing::ReadText(dir.File("ml_toy.csv")).substr(0, 39), ",u,i,ts,label,idx\n0,1,2,0.1,0,1\n1,2,3,1");
  auto edges = ReadNpyMatrix(dir.File("ml_toy.npy"));
  ASSERT_TRUE(edges.ok());
  EXPECT_EQ(edges->rows, ds.num_events() + 1);
  EXPECT_EQ(edges->data[0], 0.f);
  EXPECT_EQ(edges->data[2], 0.1f);
  auto back = LoadMlCsv(dir.File("ml_toy.csv"), "toy");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->num_events(), ds.num_events());
  for (int64_t e = 0; e < ds.num_events(); ++e) {
    EXPECT_EQ(back->src[e], ds.src[e] + 1);
    EXPECT_EQ(back->dst[e], ds.dst[e] + 1);
    EXPECT_EQ(back->ts[e], ds.ts[e]);
    EXPECT_EQ(back->labels[e], ds.labels[e]);
  }
  EXPECT_EQ(back->edge_feat, ds.edge_feat);
  EXPECT_EQ(back->node_feat_dim, 1);
  EXPECT_EQ(back->num_nodes, ds.num_nodes + 1);
}

TEST(Writers, TglRoundTripWithAndWithoutSplit) {
  TempDir dir;
  TemporalDataset ds = Toy();
  ds.edge_feat_dim = 0;
  ds.edge_feat.clear();
  ds.labels.clear();
  ds.split = {0, 0, 1, 2, 2};
  ASSERT_TRUE(WriteTglCsv(ds, dir.File("edges.csv")).ok());
  EXPECT_EQ(testing::ReadText(dir.File("edges.csv")).substr(0, 36),
            ",src,dst,time,int_roll,ext_roll\n0,0,");
  auto back = LoadTglEdges(dir.File("edges.csv"), "toy");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameDataset(ds, *back);

  // No split in the dataset: a chronological 70/15/15 one is written.
  TemporalDataset big;
  big.num_nodes = 2;
  for (int i = 0; i < 1000; ++i) {
    big.src.push_back(i % 2);
    big.dst.push_back(1 - i % 2);
    big.ts.push_back(i);
  }
  ASSERT_TRUE(WriteTglCsv(big, dir.File("big.csv")).ok());
  auto split = LoadTglEdges(dir.File("big.csv"));
  ASSERT_TRUE(split.ok());
  const DatasetSummary s = Summarize(*split);
  EXPECT_EQ(s.split_counts[0], 700);
  EXPECT_EQ(s.split_counts[1], 150);
  EXPECT_EQ(s.split_counts[2], 150);
}

TEST(Writers, FailureLeavesNothingBehind) {
  TempDir dir;
  const Status s = WriteCsv(Toy(), dir.File("missing/dir/out.csv"));
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(s.message(), dir.File("missing/dir/out.csv")));
  TemporalDataset invalid = Toy();
  invalid.dst[0] = 99;
  EXPECT_EQ(WriteCsv(invalid, dir.File("x.csv")).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ChronologicalSplit, NumpyQuantileSemantics) {
  // quantile([0..9], 0.7) = 6.3, quantile(0.85) = 7.65 -> train ts <= 6.3, val (6.3, 7.65].
  std::vector<Timestamp> ts;
  for (int i = 0; i < 10; ++i) ts.push_back(i);
  EXPECT_EQ(ChronologicalSplit(ts, 0.15, 0.15),
            (std::vector<int8_t>{0, 0, 0, 0, 0, 0, 0, 1, 2, 2}));
  // Ties never straddle a boundary.
  EXPECT_EQ(ChronologicalSplit({1, 1, 1, 1}, 0.25, 0.25), (std::vector<int8_t>{0, 0, 0, 0}));
  EXPECT_TRUE(ChronologicalSplit({}, 0.1, 0.1).empty());
}

TEST(Summary, CountsEverything) {
  TemporalDataset ds = Toy();
  ds.split = {0, 0, 1, 2, 2};
  ds.ts = {5, 1, 1, 7, 7};  // one out-of-order step, two ties
  const DatasetSummary s = Summarize(ds);
  EXPECT_EQ(s.num_events, 5);
  EXPECT_EQ(s.num_nodes, 5);
  EXPECT_EQ(s.active_nodes, 5);
  EXPECT_EQ(s.distinct_pairs, 5);
  EXPECT_EQ(s.self_loops, 1);
  EXPECT_EQ(s.time_min, 1);
  EXPECT_EQ(s.time_max, 7);
  EXPECT_EQ(s.time_span, 6);
  EXPECT_EQ(s.distinct_timestamps, 3);
  EXPECT_EQ(s.unsorted, 1);
  EXPECT_EQ(s.tied, 2);
  EXPECT_EQ(s.label_counts, (std::vector<std::pair<int32_t, int64_t>>{{0, 2}, {1, 2}, {2, 1}}));
  EXPECT_TRUE(s.has_split);
  EXPECT_EQ(s.split_counts, (std::array<int64_t, 3>{2, 1, 2}));

  const std::string text = FormatSummary(s);
  EXPECT_TRUE(Contains(text, "dataset         toy\n")) << text;
  EXPECT_TRUE(Contains(text, "1 out of order")) << text;
  EXPECT_TRUE(Contains(text, "0: 2, 1: 2, 2: 1")) << text;
  EXPECT_TRUE(Contains(text, "train 2, val 1, test 2")) << text;

  EXPECT_EQ(SummaryJson(s),
            "{\"name\":\"toy\",\"num_events\":5,\"num_nodes\":5,\"active_nodes\":5,"
            "\"num_users\":0,\"distinct_pairs\":5,\"self_loops\":1,\"time_min\":1.0,"
            "\"time_max\":7.0,\"time_span\":6.0,\"distinct_timestamps\":3,\"unsorted\":1,"
            "\"tied\":2,\"edge_feat_dim\":2,\"node_feat_dim\":0,\"remapped_ids\":false,"
            "\"label_counts\":{\"0\":2,\"1\":2,\"2\":1},"
            "\"split_counts\":{\"train\":2,\"val\":1,\"test\":2}}");
}

TEST(Summary, EmptyDatasetAndJsonEscaping) {
  TemporalDataset ds;
  ds.name = "a\"b\\c\n";
  const DatasetSummary s = Summarize(ds);
  EXPECT_EQ(s.num_events, 0);
  EXPECT_EQ(s.active_nodes, 0);
  EXPECT_TRUE(Contains(SummaryJson(s), "\"name\":\"a\\\"b\\\\c\\n\""));
  EXPECT_TRUE(Contains(SummaryJson(s), "\"split_counts\":null"));
  EXPECT_FALSE(FormatSummary(s).empty());
}

TEST(Validate, CatchesEachBrokenInvariant) {
  struct Case {
    const char* expect;
    void (*mutate)(TemporalDataset*);
  };
  const Case kCases[] = {
      {"outside [0, 5)", [](TemporalDataset* d) { d->src[2] = 5; }},
      {"outside [0, 5)", [](TemporalDataset* d) { d->dst[0] = -1; }},
      {"older than event", [](TemporalDataset* d) { d->ts[3] = 0; }},
      {"non-finite", [](TemporalDataset* d) { d->ts[4] = NAN; }},
      {"differ in length", [](TemporalDataset* d) { d->ts.pop_back(); }},
      {"labels has 4", [](TemporalDataset* d) { d->labels.pop_back(); }},
      {"edge_feat has 9", [](TemporalDataset* d) { d->edge_feat.pop_back(); }},
      {"node_feat has 3",
       [](TemporalDataset* d) {
         d->node_feat_dim = 1;
         d->node_feat = {1, 2, 3};
       }},
      {"split value 3",
       [](TemporalDataset* d) {
         d->split = {0, 0, 3, 0, 0};
       }},
      {"original_node_ids has 1", [](TemporalDataset* d) { d->original_node_ids = {7}; }},
      {"num_users", [](TemporalDataset* d) { d->num_users = 6; }},
  };
  ASSERT_TRUE(Validate(Toy()).ok());
  for (const Case& c : kCases) {
    TemporalDataset ds = Toy();
    c.mutate(&ds);
    const Status s = Validate(ds);
    ASSERT_FALSE(s.ok()) << c.expect;
    EXPECT_TRUE(Contains(s.message(), c.expect)) << s.message();
  }
}

TEST(CountActiveNodes, DenseAndSparsePaths) {
  TemporalDataset ds;
  ds.num_nodes = 10;
  ds.src = {1, 3, 3};
  ds.dst = {3, 1, 9};
  ds.ts = {0, 1, 2};
  EXPECT_EQ(ds.CountActiveNodes(), 3);
  ds.num_nodes = int64_t{1} << 40;  // id space far larger than the events: sort path
  EXPECT_EQ(ds.CountActiveNodes(), 3);
}

}  // namespace
}  // namespace streamgnn::datasets
