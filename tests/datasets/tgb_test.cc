// TGB's link-prediction files (LoadTgbEdgelist, TgbNegatives): on a tiny set written in TGB's
// exact layout by tests/data/tgb_wiki/make.py (TGB's own id, timestamp and split rules), every
// val/test edge under the chronological 0.15/0.15 split finds its negatives and no train edge
// does, so ids, timestamps and split agree with TGB's; the string-id layouts; damaged files.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <tuple>

#include "datasets/loaders.h"
#include "datasets/temporal_dataset.h"
#include "datasets/text_io.h"
#include "datasets/tgb_negatives.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::TempDir;
using testing::WriteText;

std::string Fixture(const std::string& file) {
  return std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/tgb_wiki/" + file;
}

TEST(TgbEdgelist, WikiLayoutMatchesTgbsNegativesAndSplit) {
  auto ds = LoadTgbEdgelist(Fixture("tgbl-wiki_edgelist_v2.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->name, "tgbl-wiki");
  ASSERT_EQ(ds->num_events(), 200);
  EXPECT_EQ(ds->edge_feat_dim, 3);
  for (int64_t i = 0; i < ds->num_events(); ++i) {
    ASSERT_LT(ds->src[i], ds->num_users);
    ASSERT_GE(ds->dst[i], ds->num_users);  // items shifted by max(user) + 1, always
    ASSERT_EQ(ds->ts[i], std::trunc(ds->ts[i]));
  }
  auto val = TgbNegatives::Load(Fixture("tgbl-wiki_val_ns_v2.pkl"));
  auto test = TgbNegatives::Load(Fixture("tgbl-wiki_test_ns_v2.pkl"));
  ASSERT_TRUE(val.ok()) << val.status().ToString();
  ASSERT_TRUE(test.ok()) << test.status().ToString();
  EXPECT_EQ(val->max_count(), 6);
  EXPECT_LT(val->max_id(), ds->num_nodes);
  EXPECT_GE(val->max_id(), ds->num_users);
  const std::vector<int8_t> split = ChronologicalSplit(ds->ts, 0.15, 0.15);
  std::set<std::tuple<NodeId, NodeId, int64_t>> keys[3];
  for (int64_t i = 0; i < ds->num_events(); ++i) {
    const auto t = static_cast<int64_t>(ds->ts[i]);
    keys[split[i]].insert({ds->src[i], ds->dst[i], t});
    const auto in_val = val->Find(ds->src[i], ds->dst[i], t);
    const auto in_test = test->Find(ds->src[i], ds->dst[i], t);
    EXPECT_EQ(in_val.ok(), split[i] == 1) << "event " << i;
    EXPECT_EQ(in_test.ok(), split[i] == 2) << "event " << i;
    for (const auto* found : {&in_val, &in_test}) {
      if (!found->ok()) continue;
      EXPECT_GE((*found)->size(), 5u);
      for (const NodeId v : **found) {
        EXPECT_GE(v, ds->num_users);
        EXPECT_NE(v, ds->dst[i]);
      }
    }
  }
  EXPECT_EQ(val->size(), static_cast<int64_t>(keys[1].size()));
  EXPECT_EQ(test->size(), static_cast<int64_t>(keys[2].size()));
  // A positive the file does not list names itself and the file.
  const auto missing = val->Find(0, 1, -5);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("(0, 1, -5)"), std::string::npos);
  EXPECT_NE(missing.status().message().find("tgbl-wiki_val_ns_v2.pkl"), std::string::npos);
  // Through LoadTemporal's format dispatch.
  LoadSpec spec;
  spec.format = Format::kTgb;
  spec.path = Fixture("tgbl-wiki_edgelist_v2.csv");
  spec.cache.enable = false;
  auto via = LoadTemporal(spec);
  ASSERT_TRUE(via.ok()) << via.status().ToString();
  EXPECT_EQ(via->dst, ds->dst);
}

TEST(TgbEdgelist, StringIdLayouts) {
  TempDir dir;
  WriteText(dir.File("tgbl-coin_edgelist_v2.csv"),
            "time,src,dst,weight\n5,0xaa,0xbb,8.0\n7,0xbb,0xcc,0\n7,0xcc,0xaa,0.5\n");
  auto coin = LoadTgbEdgelist(dir.File("tgbl-coin_edgelist_v2.csv"));
  ASSERT_TRUE(coin.ok()) << coin.status().ToString();
  EXPECT_EQ(coin->src, (std::vector<NodeId>{0, 1, 2}));  // first appearance, src before dst
  EXPECT_EQ(coin->dst, (std::vector<NodeId>{1, 2, 0}));
  EXPECT_EQ(coin->edge_feat, (std::vector<float>{3.0f, 0.0f, -1.0f}));  // log2, 0 read as 1
  EXPECT_EQ(coin->num_nodes, 3);
  WriteText(dir.File("tgbl-comment_edgelist.csv"), "ts,src,dst,num_words,score\n1,u,v,500,-2\n");
  auto comment = LoadTgbEdgelist(dir.File("tgbl-comment_edgelist.csv"));
  ASSERT_TRUE(comment.ok()) << comment.status().ToString();
  EXPECT_EQ(comment->edge_feat, (std::vector<float>{0.1f, -2.0f}));
  // Bad rows name file and line.
  WriteText(dir.File("tgbl-review_edgelist_v2.csv"), "time,src,dst,weight\n5,a,b,1\n6,a,b\n");
  auto bad = LoadTgbEdgelist(dir.File("tgbl-review_edgelist_v2.csv"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tgbl-review_edgelist_v2.csv:3"), std::string::npos)
      << bad.status().message();
  WriteText(dir.File("tgbl-review_edgelist_v2.csv"), "time,src,dst,weight\n5,a,b,-1\n");
  EXPECT_FALSE(LoadTgbEdgelist(dir.File("tgbl-review_edgelist_v2.csv")).ok());
  // Names decide the layout.
  WriteText(dir.File("tgbl-flight_edgelist_v2.csv"), "day,src,dst,callsign,typecode\n");
  EXPECT_EQ(LoadTgbEdgelist(dir.File("tgbl-flight_edgelist_v2.csv")).status().code(),
            StatusCode::kUnimplemented);
  WriteText(dir.File("mystery.csv"), "a,b,c,d\n1,2,3,4\n");
  auto unknown = LoadTgbEdgelist(dir.File("mystery.csv"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("not a TGB link-prediction dataset"), std::string::npos);
  EXPECT_TRUE(LoadTgbEdgelist(dir.File("mystery.csv"), "tgbl-uci").ok());  // dataset.name decides
}

TEST(TgbNegatives, DamagedFilesAreClearErrors) {
  TempDir dir;
  const std::string full = *internal::ReadWholeFile(Fixture("tgbl-wiki_test_ns_v2.pkl"));
  for (const size_t cut : {size_t{0}, size_t{1}, full.size() / 3, full.size() - 1}) {
    WriteText(dir.File("cut.pkl"), full.substr(0, cut));
    auto r = TgbNegatives::Load(dir.File("cut.pkl"));
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_NE(r.status().message().find("cut.pkl"), std::string::npos) << r.status().message();
  }
  WriteText(dir.File("list.pkl"), std::string("\x80\x02]q\x00.", 6));
  auto list = TgbNegatives::Load(dir.File("list.pkl"));
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("expected TGB's dict"), std::string::npos);
  EXPECT_EQ(TgbNegatives::Load(dir.File("absent.pkl")).status().code(), StatusCode::kNotFound);
  // A key twice.
  auto twice = TgbNegatives::FromRows({{1, 2, 3, {4}}, {1, 2, 3, {5}}}, "rows");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("(1, 2, 3) twice"), std::string::npos);
}

}  // namespace
}  // namespace streamgnn::datasets
