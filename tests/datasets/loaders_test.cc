// Loaders against the shared real datasets (counts from /work/shared/datasets/README.md) and
// against small files written here for the cases the shared copies do not cover.
#include "datasets/loaders.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "datasets/npy.h"
#include "datasets/summary.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::Contains;
using testing::ExpectSameDataset;
using testing::SharedData;
using testing::TempDir;
using testing::WriteText;

StatusOr<TemporalDataset> LoadUncached(Format format, const std::string& path) {
  LoadSpec spec;
  spec.format = format;
  spec.path = path;
  spec.cache.enable = false;
  return LoadTemporal(spec);
}

// ---- the shared real files --------------------------------------------------------------------

struct RealCase {
  const char* label;
  Format format;
  const char* path;  // relative to the shared datasets folder
  int64_t events;
  int64_t active_nodes;
  int64_t num_nodes;  // id space
  int64_t num_users;
  double t_min, t_max;
  int64_t distinct_pairs;
  int64_t distinct_timestamps;
  int64_t edge_feat_dim;
  std::vector<std::pair<int32_t, int64_t>> labels;
  int64_t negative_weights;  // events with a negative 1-wide edge feature (ratings)
  bool remapped;
};

const RealCase kRealCases[] = {
    {"wikipedia",
     Format::kJodie,
     "wikipedia_jodie/wikipedia.csv",
     157474,
     9227,
     9227,
     8227,
     0,
     2678373,
     18257,
     152757,
     0,
     {{0, 157257}, {1, 217}},
     0,
     false},
    {"bitcoin_otc",
     Format::kSnap,
     "bitcoin_otc/soc-sign-bitcoinotc.csv",
     35592,
     5881,
     5881,
     0,
     1289241911.72836,
     1453684323.75728,
     35592,
     35592,
     1,
     {},
     3563,
     true},
    {"bitcoin_otc_gz",
     Format::kSnap,
     "bitcoin_otc/soc-sign-bitcoinotc.csv.gz",
     35592,
     5881,
     5881,
     0,
     1289241911.72836,
     1453684323.75728,
     35592,
     35592,
     1,
     {},
     3563,
     true},
    {"bitcoin_alpha",
     Format::kSnap,
     "bitcoin_alpha/soc-sign-bitcoinalpha.csv",
     24186,
     3783,
     3783,
     0,
     1289192400,
     1453438800,
     24186,
     1647,
     1,
     {},
     1536,
     true},
    {"bitcoin_alpha_gz",
     Format::kSnap,
     "bitcoin_alpha/soc-sign-bitcoinalpha.csv.gz",
     24186,
     3783,
     3783,
     0,
     1289192400,
     1453438800,
     24186,
     1647,
     1,
     {},
     1536,
     true},
    {"collegemsg",
     Format::kSnap,
     "collegemsg/CollegeMsg.txt",
     59835,
     1899,
     1899,
     0,
     1082040961,
     1098777142,
     20296,
     58911,
     0,
     {},
     0,
     true},
    {"uci_dyglib",
     Format::kMl,
     "uci_dyglib/ml_uci.csv",
     59835,
     1899,
     1900,
     0,
     0,
     16736181,
     20296,
     58911,
     0,
     {{0, 59835}},
     0,
     false},
};

class RealDatasetTest : public ::testing::TestWithParam<RealCase> {};

TEST_P(RealDatasetTest, MatchesReadmeCounts) {
  const RealCase& c = GetParam();
  SG_REQUIRE_SHARED(c.path);
  StatusOr<TemporalDataset> ds = LoadUncached(c.format, SharedData(c.path));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_TRUE(Validate(*ds).ok());
  const DatasetSummary s = Summarize(*ds);
  EXPECT_EQ(s.num_events, c.events);
  EXPECT_EQ(s.active_nodes, c.active_nodes);
  EXPECT_EQ(s.num_nodes, c.num_nodes);
  EXPECT_EQ(s.num_users, c.num_users);
  EXPECT_DOUBLE_EQ(s.time_min, c.t_min);
  EXPECT_DOUBLE_EQ(s.time_max, c.t_max);
  EXPECT_EQ(s.distinct_pairs, c.distinct_pairs);
  EXPECT_EQ(s.distinct_timestamps, c.distinct_timestamps);
  EXPECT_EQ(s.unsorted, 0);  // loaders always deliver chronological order
  EXPECT_EQ(s.self_loops, 0);
  EXPECT_EQ(s.edge_feat_dim, c.edge_feat_dim);
  EXPECT_EQ(s.label_counts, c.labels);
  EXPECT_EQ(s.remapped_ids, c.remapped);
  if (c.edge_feat_dim == 1) {
    EXPECT_EQ(
        std::count_if(ds->edge_feat.begin(), ds->edge_feat.end(), [](float w) { return w < 0; }),
        c.negative_weights);
    EXPECT_EQ(std::count(ds->edge_feat.begin(), ds->edge_feat.end(), 0.0f), 0);  // never 0
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, RealDatasetTest, ::testing::ValuesIn(kRealCases),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(RealDatasets, WikipediaKeepsOffsetItemIdsAndLabelsBelongTo217Users) {
  SG_REQUIRE_SHARED("wikipedia_jodie/wikipedia.csv");
  auto ds = LoadUncached(Format::kJodie, SharedData("wikipedia_jodie/wikipedia.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->name, "wikipedia");
  EXPECT_EQ(*std::max_element(ds->src.begin(), ds->src.end()), 8226);
  EXPECT_EQ(*std::min_element(ds->dst.begin(), ds->dst.end()), 8227);
  EXPECT_EQ(*std::max_element(ds->dst.begin(), ds->dst.end()), 9226);
  EXPECT_EQ(ds->src[1], 1);  // second row "1,8228,36,0"
  EXPECT_EQ(ds->dst[1], 8228);
  EXPECT_EQ(ds->ts[1], 36);
  std::set<NodeId> banned;
  for (int64_t i = 0; i < ds->num_events(); ++i) {
    if (ds->labels[i] == 1) banned.insert(ds->src[i]);
  }
  EXPECT_EQ(banned.size(), 217u);
}

TEST(RealDatasets, GzipEqualsPlainText) {
  for (const char* base :
       {"bitcoin_otc/soc-sign-bitcoinotc.csv", "bitcoin_alpha/soc-sign-bitcoinalpha.csv"}) {
    SG_REQUIRE_SHARED(base);
    auto plain = LoadUncached(Format::kSnap, SharedData(base));
    auto gz = LoadUncached(Format::kSnap, SharedData(std::string(base) + ".gz"));
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    ExpectSameDataset(*plain, *gz);
  }
}

// README: ml_uci.csv is CollegeMsg with ts shifted by 1082040961 and the same node ids.
TEST(RealDatasets, UciDyglibIsCollegeMsgShifted) {
  SG_REQUIRE_SHARED("uci_dyglib/ml_uci.csv");
  SG_REQUIRE_SHARED("collegemsg/CollegeMsg.txt");
  auto uci = LoadUncached(Format::kMl, SharedData("uci_dyglib/ml_uci.csv"));
  auto msg = LoadUncached(Format::kSnap, SharedData("collegemsg/CollegeMsg.txt"));
  ASSERT_TRUE(uci.ok() && msg.ok());
  ASSERT_EQ(uci->num_events(), msg->num_events());
  for (int64_t i = 0; i < uci->num_events(); ++i) {
    ASSERT_EQ(uci->ts[i] + 1082040961, msg->ts[i]) << i;
    ASSERT_EQ(uci->src[i], msg->original_node_ids[msg->src[i]]) << i;
    ASSERT_EQ(uci->dst[i], msg->original_node_ids[msg->dst[i]]) << i;
  }
}

// bitcoin_alpha is not sorted: it must come out sorted, ties in file order, ids numbered by first
// appearance in time order.
TEST(RealDatasets, BitcoinAlphaSortedWithIdsByFirstAppearance) {
  SG_REQUIRE_SHARED("bitcoin_alpha/soc-sign-bitcoinalpha.csv");
  auto ds = LoadUncached(Format::kSnap, SharedData("bitcoin_alpha/soc-sign-bitcoinalpha.csv"));
  ASSERT_TRUE(ds.ok());
  EXPECT_TRUE(std::is_sorted(ds->ts.begin(), ds->ts.end()));
  NodeId next = 0;
  for (int64_t i = 0; i < ds->num_events(); ++i) {
    for (NodeId v : {ds->src[i], ds->dst[i]}) {
      ASSERT_LE(v, next);
      if (v == next) ++next;
    }
  }
  EXPECT_EQ(next, 3783);
}

// ---- SNAP on small files ---------------------------------------------------------------------

TEST(SnapLoader, SortsStablyAndRemapsByFirstAppearance) {
  TempDir dir;
  WriteText(dir.File("e.txt"),
            "# a comment\n% another\n"
            "100 200 5\n"
            "300 100 3\n"
            "\n"
            "200 300 3\n"
            "7\t100 1.5\n");
  auto ds = LoadUncached(Format::kSnap, dir.File("e.txt"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  // Time order: (7,100,1.5), (300,100,3), (200,300,3) [tie kept in file order], (100,200,5).
  EXPECT_EQ(ds->ts, (std::vector<Timestamp>{1.5, 3, 3, 5}));
  EXPECT_EQ(ds->original_node_ids, (std::vector<int64_t>{7, 100, 300, 200}));
  EXPECT_EQ(ds->src, (std::vector<NodeId>{0, 2, 3, 1}));
  EXPECT_EQ(ds->dst, (std::vector<NodeId>{1, 1, 2, 3}));
  EXPECT_EQ(ds->num_nodes, 4);
  EXPECT_EQ(ds->edge_feat_dim, 0);
  EXPECT_EQ(ds->name, "e");
}

TEST(SnapLoader, CommaWithRatingHeaderAndCrlf) {
  TempDir dir;
  WriteText(dir.File("r.csv"), "SOURCE,TARGET,RATING,TIME\r\n5,6,-3,10.25\r\n6,5,+2,11\r\n");
  auto ds = LoadUncached(Format::kSnap, dir.File("r.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->edge_feat_dim, 1);
  EXPECT_EQ(ds->edge_feat, (std::vector<float>{-3, 2}));
  EXPECT_EQ(ds->ts, (std::vector<Timestamp>{10.25, 11}));
  EXPECT_EQ(ds->original_node_ids, (std::vector<int64_t>{5, 6}));
}

TEST(SnapLoader, SparseHugeIdsUseTheHashMapPath) {
  TempDir dir;
  WriteText(dir.File("big.txt"), "9000000000000 1 1\n1 42 2\n");
  auto ds = LoadUncached(Format::kSnap, dir.File("big.txt"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->original_node_ids, (std::vector<int64_t>{9000000000000, 1, 42}));
  EXPECT_EQ(ds->CountActiveNodes(), 3);
}

// ---- JODIE on small files --------------------------------------------------------------------

TEST(JodieLoader, FeaturesAndNonOffsetIdsAsInTheOriginalFiles) {
  TempDir dir;
  // The original JODIE header names 5 columns although rows carry all feature columns.
  WriteText(dir.File("reddit.csv"),
            "user_id,item_id,timestamp,state_label,comma_separated_list_of_features\n"
            "0,0,0.0,0,0.5,-1.25,3\n"
            "1,0,2.0,1,1e-3,0,0\n"
            "0,2,1.0,0,7,8,9\n");
  auto ds = LoadUncached(Format::kJodie, dir.File("reddit.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->name, "reddit");
  EXPECT_EQ(ds->num_users, 2);
  EXPECT_EQ(ds->num_nodes, 2 + 3);                       // items 0..2 shifted by 2
  EXPECT_EQ(ds->ts, (std::vector<Timestamp>{0, 1, 2}));  // sorted, features follow their rows
  EXPECT_EQ(ds->src, (std::vector<NodeId>{0, 0, 1}));
  EXPECT_EQ(ds->dst, (std::vector<NodeId>{2, 4, 2}));
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{0, 0, 1}));
  ASSERT_EQ(ds->edge_feat_dim, 3);
  EXPECT_EQ(ds->edge_feat, (std::vector<float>{0.5f, -1.25f, 3, 7, 8, 9, 1e-3f, 0, 0}));
}

TEST(JodieLoader, AlreadyDisjointIdsAreKeptAndHeaderIsOptional) {
  TempDir dir;
  WriteText(dir.File("w.csv"), "0,3,0,0\n2,4,1,1\n");
  auto ds = LoadUncached(Format::kJodie, dir.File("w.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->num_users, 3);
  EXPECT_EQ(ds->num_nodes, 5);
  EXPECT_EQ(ds->dst, (std::vector<NodeId>{3, 4}));
  EXPECT_EQ(ds->CountActiveNodes(), 4);
}

// Enough rows to span several parse chunks: the parallel parser must keep row order.
TEST(JodieLoader, ManyRowsAcrossChunksKeepOrder) {
  TempDir dir;
  std::string text = "u,i,ts,label,f\n";
  const int kRows = 120000;
  for (int r = 0; r < kRows; ++r) {
    text += std::to_string(r % 1000) + "," + std::to_string(1000 + r % 77) + "," +
            std::to_string(r) + "," + std::to_string(r % 2) + "," + std::to_string(r) + ".5\n";
  }
  WriteText(dir.File("big.csv"), text);
  auto ds = LoadUncached(Format::kJodie, dir.File("big.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ASSERT_EQ(ds->num_events(), kRows);
  for (int r = 0; r < kRows; ++r) {
    ASSERT_EQ(ds->ts[r], r);
    ASSERT_EQ(ds->src[r], r % 1000);
    ASSERT_EQ(ds->edge_feat[r], r + 0.5f);
  }
}

// ---- DyGLib ml_ with .npy companions -----------------------------------------------------------

// Writes a .npy with a hand-made header (not through WriteNpyMatrix), in float64, version 2.0.
void WriteNpyF8V2(const std::string& path, int64_t rows, int64_t cols,
                  const std::vector<double>& data) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  header.append((64 - (12 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
  const uint32_t len = static_cast<uint32_t>(header.size());
  bytes.append(reinterpret_cast<const char*>(&len), 4);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(double));
  WriteText(path, bytes);
}

TEST(MlLoader, NpyCompanionsGiveEdgeAndNodeFeatures) {
  TempDir dir;
  WriteText(dir.File("ml_toy.csv"),
            ",u,i,ts,label,idx\n"
            "0,1,3,0.0,0.0,1\n"
            "1,2,4,5.0,1.0,2\n"
            "2,1,4,3.0,0.0,3\n");
  // Edge features: 4 rows (row 0 padding), row k = (10k, 10k + 1).
  NpyMatrix edge{4, 2, {0, 1, 10, 11, 20, 21, 30, 31}};
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_toy.npy"), edge).ok());
  // Node features: 6 rows (ids 0..5, more than the 5 the events use), float64 v2 file.
  std::vector<double> node(6 * 3);
  for (size_t k = 0; k < node.size(); ++k) node[k] = 0.5 * static_cast<double>(k);
  WriteNpyF8V2(dir.File("ml_toy_node.npy"), 6, 3, node);

  auto ds = LoadUncached(Format::kMl, dir.File("ml_toy.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->name, "toy");
  EXPECT_EQ(ds->num_nodes, 6);
  EXPECT_EQ(ds->CountActiveNodes(), 4);
  EXPECT_EQ(ds->num_users, 3);  // every u (1, 2) below every i (3, 4)
  EXPECT_EQ(ds->ts, (std::vector<Timestamp>{0, 3, 5}));
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{0, 0, 1}));
  ASSERT_EQ(ds->edge_feat_dim, 2);
  // Sorted rows are idx 1, 3, 2.
  EXPECT_EQ(ds->edge_feat, (std::vector<float>{10, 11, 30, 31, 20, 21}));
  ASSERT_EQ(ds->node_feat_dim, 3);
  ASSERT_EQ(ds->node_feat.size(), 18u);
  EXPECT_EQ(ds->node_feat[7], 3.5f);
}

TEST(MlLoader, WithoutCompanionsKeepsPaddingIdSpace) {
  TempDir dir;
  WriteText(dir.File("ml_x.csv"), ",u,i,ts,label,idx\n0,1,2,0,0,1\n1,2,1,1,0,2\n");
  auto ds = LoadUncached(Format::kMl, dir.File("ml_x.csv"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->num_nodes, 3);
  EXPECT_EQ(ds->CountActiveNodes(), 2);
  EXPECT_EQ(ds->num_users, 0);
  EXPECT_TRUE(ds->edge_feat.empty());
}

TEST(Npy, RoundTripAndOneDimensional) {
  TempDir dir;
  NpyMatrix m{2, 3, {1, 2, 3, 4, 5, 6}};
  ASSERT_TRUE(WriteNpyMatrix(dir.File("m.npy"), m).ok());
  auto r = ReadNpyMatrix(dir.File("m.npy"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 2);
  EXPECT_EQ(r->cols, 3);
  EXPECT_EQ(r->data, m.data);
  // numpy pads the header so the data starts at a multiple of 64.
  EXPECT_EQ(testing::ReadText(dir.File("m.npy")).size() % 64, 24u);

  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size()));
  bytes.push_back(0);
  const float v[3] = {1.5f, -2, 3};
  bytes += header + std::string(reinterpret_cast<const char*>(v), sizeof(v));
  WriteText(dir.File("v.npy"), bytes);
  auto one = ReadNpyMatrix(dir.File("v.npy"));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->rows, 3);
  EXPECT_EQ(one->cols, 1);
  EXPECT_EQ(one->data, (std::vector<float>{1.5f, -2, 3}));
}

// ---- TGL edges.csv -----------------------------------------------------------------------------

TEST(TglLoader, WithAndWithoutIndexColumn) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("WIKI"));
  WriteText(dir.File("WIKI/edges.csv"),
            ",src,dst,time,int_roll,ext_roll\n0,0,5,1.0,0,0\n1,1,5,2.0,0,1\n2,0,6,3.0,0,2\n");
  WriteText(dir.File("plain.csv"), "src,dst,time,int_roll,ext_roll\n0,5,1,0,0\n1,5,2,0,1\n");
  auto a = LoadUncached(Format::kTgl, dir.File("WIKI/edges.csv"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "WIKI");
  EXPECT_EQ(a->num_nodes, 7);
  EXPECT_EQ(a->split, (std::vector<int8_t>{0, 1, 2}));
  EXPECT_EQ(a->dst, (std::vector<NodeId>{5, 5, 6}));
  auto b = LoadUncached(Format::kTgl, dir.File("plain.csv"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->split, (std::vector<int8_t>{0, 1}));
  EXPECT_EQ(b->ts, (std::vector<Timestamp>{1, 2}));
}

// ---- generic CSV -------------------------------------------------------------------------------

TEST(CsvLoader, ColumnMapping) {
  TempDir dir;
  WriteText(dir.File("g.tsv"),
            "time\tlabel\tdst\tsrc\tf0\tf1\tsplit\n"
            "2.5\t1\t10\t11\t0.25\t-1\t2\n"
            "1.5\t0\t12\t10\t4\t5\t0\n");
  CsvOptions o;
  o.time_col = 0;
  o.label_col = 1;
  o.dst_col = 2;
  o.src_col = 3;
  o.feat_begin = 4;
  o.feat_end = 6;
  o.split_col = 6;
  o.delimiter = '\t';
  auto ds = LoadCsv(dir.File("g.tsv"), o);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->ts, (std::vector<Timestamp>{1.5, 2.5}));
  EXPECT_EQ(ds->src, (std::vector<NodeId>{10, 11}));
  EXPECT_EQ(ds->dst, (std::vector<NodeId>{12, 10}));
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(ds->split, (std::vector<int8_t>{0, 2}));
  EXPECT_EQ(ds->edge_feat, (std::vector<float>{4, 5, 0.25f, -1}));
  EXPECT_EQ(ds->num_nodes, 13);
  EXPECT_TRUE(ds->original_node_ids.empty());

  o.remap_ids = true;
  auto remapped = LoadCsv(dir.File("g.tsv"), o);
  ASSERT_TRUE(remapped.ok());
  EXPECT_EQ(remapped->num_nodes, 3);
  EXPECT_EQ(remapped->original_node_ids, (std::vector<int64_t>{10, 12, 11}));
}

TEST(CsvLoader, NoHeaderFeaturesToEndOfRow) {
  TempDir dir;
  WriteText(dir.File("n.csv"), "0;1;5;9;8;7\n1;0;6;1;2;3\n");
  CsvOptions o;
  o.header = false;
  o.delimiter = ';';
  o.feat_begin = 3;
  auto ds = LoadCsv(dir.File("n.csv"), o);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->edge_feat_dim, 3);
  EXPECT_EQ(ds->edge_feat, (std::vector<float>{9, 8, 7, 1, 2, 3}));
}

TEST(CsvLoader, ViaLoadTemporal) {
  TempDir dir;
  WriteText(dir.File("x.csv"), "a,b,t\n3,4,1\n");
  LoadSpec spec;
  spec.format = Format::kCsv;
  spec.path = dir.File("x.csv");
  spec.name = "custom";
  spec.cache.enable = false;
  auto ds = LoadTemporal(spec);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->name, "custom");
  EXPECT_EQ(ds->num_nodes, 5);
}

// ---- formats -----------------------------------------------------------------------------------

TEST(Formats, ParseAndName) {
  const std::pair<const char*, Format> kCases[] = {
      {"jodie", Format::kJodie}, {"ml", Format::kMl},   {"snap", Format::kSnap},
      {"tgl", Format::kTgl},     {"csv", Format::kCsv}, {"synthetic", Format::kSynthetic}};
  for (const auto& [name, format] : kCases) {
    auto f = ParseFormat(name);
    ASSERT_TRUE(f.ok()) << name;
    EXPECT_EQ(*f, format);
    EXPECT_STREQ(FormatName(format), name);
  }
  auto bad = ParseFormat("parquet");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), "parquet"));
  EXPECT_TRUE(Contains(bad.status().message(), "jodie"));
}

TEST(Formats, SyntheticThroughLoadTemporal) {
  LoadSpec spec;
  spec.format = Format::kSynthetic;
  spec.synthetic.num_nodes = 50;
  spec.synthetic.num_edges = 300;
  LoadReport report;
  auto ds = LoadTemporal(spec, &report);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->num_events(), 300);
  EXPECT_FALSE(report.cache_hit);
  EXPECT_TRUE(report.cache_path.empty());
}

}  // namespace
}  // namespace streamgnn::datasets
