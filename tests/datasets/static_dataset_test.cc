// Static node-classification loaders: the shared cora copies (README counts), a deflate npz,
// a small OGB folder written here, the SBM generator, and malformed input.
#include "datasets/static_dataset.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <filesystem>
#include <numeric>
#include <set>

#include "datasets/npz.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::Contains;
using testing::SharedData;
using testing::TempDir;
using testing::WriteGzip;
using testing::WriteText;

std::vector<int64_t> ClassCounts(const StaticDataset& d) {
  std::vector<int64_t> counts(d.num_classes, 0);
  for (int64_t c : d.labels) counts[c]++;
  return counts;
}

TEST(StaticDatasetCora, ConvertedPlanetoidMatchesReadmeCounts) {
  SG_REQUIRE_SHARED("cora/converted");
  auto d = LoadPlanetoidConverted(SharedData("cora/converted"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->name, "cora");
  EXPECT_EQ(d->num_nodes, 2708);
  EXPECT_EQ(d->num_edges(), 5278);
  EXPECT_TRUE(d->undirected);
  EXPECT_EQ(d->feature_dim, 1433);
  EXPECT_EQ(d->CountFeatureNonzeros(), 49216);
  EXPECT_EQ(d->num_classes, 7);
  EXPECT_EQ(ClassCounts(*d), (std::vector<int64_t>{351, 217, 418, 818, 426, 298, 180}));
  EXPECT_EQ(d->train_idx.size(), 140u);
  EXPECT_EQ(d->val_idx.size(), 500u);
  EXPECT_EQ(d->test_idx.size(), 1000u);
  EXPECT_EQ(d->train_idx.front(), 0);
  EXPECT_EQ(d->train_idx.back(), 139);
  EXPECT_EQ(d->val_idx.front(), 140);
  EXPECT_EQ(d->val_idx.back(), 639);
  // 20 training nodes per class.
  std::vector<int64_t> per_class(7, 0);
  for (NodeId v : d->train_idx) per_class[d->labels[v]]++;
  EXPECT_EQ(per_class, std::vector<int64_t>(7, 20));
  // The graph: 2 x 5,278 directed entries, + 2,708 self-loops, symmetric, no isolated node.
  auto g = d->BuildGraph({false, true, false, true, graph::EdgeNorm::kGcn});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->num_edges(), 2 * 5278 + 2708);
  EXPECT_TRUE(g->IsSymmetric());
  for (NodeId v = 0; v < g->num_nodes(); ++v) EXPECT_GE(g->InDegree(v), 2) << v;
  // Row normalisation makes every row sum to one.
  d->RowNormalizeFeatures();
  double s = 0;
  for (int64_t j = 0; j < d->feature_dim; ++j) s += d->features[j];
  EXPECT_NEAR(s, 1.0, 1e-5);
}

TEST(StaticDatasetCora, GnnBenchmarkNpzMatchesReadmeCounts) {
  SG_REQUIRE_SHARED("cora/cora.npz");
  auto d = LoadGnnBenchmarkNpz(SharedData("cora/cora.npz"), {20, 500, 1000, 3});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->num_nodes, 2708);
  EXPECT_EQ(d->num_edges(), 5429);  // directed citation entries
  EXPECT_EQ(d->feature_dim, 1433);
  EXPECT_EQ(d->CountFeatureNonzeros(), 49216);
  EXPECT_EQ(ClassCounts(*d), (std::vector<int64_t>{298, 418, 818, 426, 217, 180, 351}));
  auto g = d->BuildGraph({true, false, true, true, graph::EdgeNorm::kNone});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->num_edges(), 2 * 5278);
  // Drawn split: 20 per class, 500, 1000, disjoint (Validate), same for the same seed.
  EXPECT_EQ(d->train_idx.size(), 140u);
  EXPECT_EQ(d->val_idx.size(), 500u);
  EXPECT_EQ(d->test_idx.size(), 1000u);
  auto again = LoadGnnBenchmarkNpz(SharedData("cora/cora.npz"), {20, 500, 1000, 3});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->test_idx, d->test_idx);
  auto other = LoadGnnBenchmarkNpz(SharedData("cora/cora.npz"), {20, 500, 1000, 4});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->test_idx, d->test_idx);
}

// Sparse attributes claiming more columns than memory holds are refused before densifying.
TEST(GnnBenchmarkNpz, DenseAttributesBeyondMemoryAreRefused) {
  const std::string path = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/npz_huge_attr/graph.npz";
  auto d = LoadGnnBenchmarkNpz(path, {1, 1, 1, 0});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kResourceExhausted) << d.status().ToString();
  EXPECT_NE(d.status().message().find(path), std::string::npos);
  EXPECT_NE(d.status().message().find("3 x 1099511627776"), std::string::npos) << d.status().message();
}

TEST(StaticDatasetNpz, ReadsDeflateMembers) {
  SG_REQUIRE_SHARED("imdb_magnn/adjM.npz");
  auto npz = ReadNpz(SharedData("imdb_magnn/adjM.npz"));  // scipy.sparse.save_npz: deflate
  ASSERT_TRUE(npz.ok()) << npz.status().ToString();
  ASSERT_TRUE(npz->count("indices"));
  EXPECT_EQ(npz->at("indices").descr, "<i4");
  EXPECT_EQ(npz->at("indices").shape, (std::vector<int64_t>{34212}));
  auto shape = npz->at("shape").ToInt64("shape");
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(*shape, (std::vector<int64_t>{11616, 11616}));
  auto indptr = npz->at("indptr").ToInt64("indptr");
  ASSERT_TRUE(indptr.ok());
  EXPECT_EQ(indptr->back(), 34212);
  EXPECT_FALSE(npz->at("format").ToInt64("format").ok());  // a string array
}

TEST(StaticDatasetNpz, RejectsNonZip) {
  TempDir dir;
  WriteText(dir.File("x.npz"), "this is not a zip file at all, not even close......");
  auto npz = ReadNpz(dir.File("x.npz"));
  ASSERT_FALSE(npz.ok());
  EXPECT_TRUE(Contains(npz.status().message(), "not a zip")) << npz.status().message();
  EXPECT_EQ(ReadNpz(dir.File("missing.npz")).status().code(), StatusCode::kNotFound);
}

void WriteOgb(const TempDir& dir, const std::string& labels) {
  std::filesystem::create_directories(dir.path() + "/raw");
  std::filesystem::create_directories(dir.path() + "/split/time");
  WriteGzip(dir.File("raw/edge.csv.gz"), "0,1\n1,2\n3,0\n4,3\n");
  WriteGzip(dir.File("raw/node-feat.csv.gz"),
            "0.5,1\n-1,2e-1\n0,0\n1.5,-2\n3,4\n");
  WriteGzip(dir.File("raw/node-label.csv.gz"), labels);
  WriteGzip(dir.File("raw/num-node-list.csv.gz"), "5\n");
  WriteGzip(dir.File("split/time/train.csv.gz"), "0\n1\n");
  WriteGzip(dir.File("split/time/valid.csv.gz"), "2\n");
  WriteGzip(dir.File("split/time/test.csv.gz"), "3\n");
}

TEST(StaticDatasetOgb, ReadsTheNodePropertyLayout) {
  TempDir dir;
  WriteOgb(dir, "1\n0\n2\n1\nnan\n");
  auto d = LoadOgbNodeProperty(dir.path());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->num_nodes, 5);
  EXPECT_EQ(d->edge_src, (std::vector<NodeId>{0, 1, 3, 4}));
  EXPECT_EQ(d->edge_dst, (std::vector<NodeId>{1, 2, 0, 3}));
  EXPECT_FALSE(d->undirected);
  EXPECT_EQ(d->feature_dim, 2);
  EXPECT_FLOAT_EQ(d->features[3], 0.2f);
  EXPECT_EQ(d->labels, (std::vector<int64_t>{1, 0, 2, 1, -1}));
  EXPECT_EQ(d->num_classes, 3);
  EXPECT_EQ(d->train_idx, (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(d->val_idx, (std::vector<NodeId>{2}));
  EXPECT_EQ(d->test_idx, (std::vector<NodeId>{3}));
  auto named = LoadOgbNodeProperty(dir.path(), "time");
  ASSERT_TRUE(named.ok());
  EXPECT_FALSE(LoadOgbNodeProperty(dir.path(), "nope").ok());
}

TEST(StaticDatasetOgb, ErrorsNameFileAndLine) {
  TempDir dir;
  WriteOgb(dir, "1\n0\n2\n1\n0\n");
  WriteGzip(dir.File("raw/edge.csv.gz"), "0,1\n1,x\n");
  auto d = LoadOgbNodeProperty(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "edge.csv.gz:2")) << d.status().message();
  WriteGzip(dir.File("raw/edge.csv.gz"), "0,1\n1,9\n");
  d = LoadOgbNodeProperty(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "node id 9")) << d.status().message();
  EXPECT_EQ(LoadOgbNodeProperty(dir.File("nothing")).status().code(), StatusCode::kNotFound);
}

TEST(StaticDatasetPlanetoid, MalformedFilesAreReported) {
  TempDir dir;
  WriteText(dir.File("labels.tsv"), "0\t1\n1\t0\n2\t1\n");
  WriteText(dir.File("edges.tsv"), "0\t1\n1\t2\n");
  WriteText(dir.File("features.tsv"), "0\t3\n1\t0\n2\t1\n");
  WriteText(dir.File("train_idx.txt"), "0\n");
  WriteText(dir.File("val_idx.txt"), "1\n");
  WriteText(dir.File("test_idx.txt"), "2\n");
  auto d = LoadPlanetoidConverted(dir.path());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->feature_dim, 4);
  EXPECT_EQ(d->num_classes, 2);
  WriteText(dir.File("test_idx.txt"), "1\n");
  d = LoadPlanetoidConverted(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "appears twice")) << d.status().message();
  WriteText(dir.File("test_idx.txt"), "2\n");
  WriteText(dir.File("edges.tsv"), "0\t1\n1\t7\n");
  d = LoadPlanetoidConverted(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "outside [0, 3)")) << d.status().message();
  WriteText(dir.File("edges.tsv"), "0\t1\n1 2 3\n");
  d = LoadPlanetoidConverted(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "edges.tsv:2")) << d.status().message();
  // An unlabelled node (-1) outside the split loads; in the split it is refused.
  WriteText(dir.File("edges.tsv"), "0\t1\n1\t2\n");
  WriteText(dir.File("labels.tsv"), "0\t1\n1\t0\n2\t1\n3\t-1\n");
  d = LoadPlanetoidConverted(dir.path());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->num_nodes, 4);
  EXPECT_EQ(d->labels[3], -1);
  WriteText(dir.File("test_idx.txt"), "3\n");
  EXPECT_FALSE(LoadPlanetoidConverted(dir.path()).ok());
  WriteText(dir.File("labels.tsv"), "0\t1\n1\t-2\n2\t1\n");
  EXPECT_FALSE(LoadPlanetoidConverted(dir.path()).ok());
}

TEST(StaticDatasetSbm, SizesHomophilyAndDeterminism) {
  SbmOptions o;
  o.num_nodes = 3000;
  o.num_classes = 5;
  o.avg_degree = 8;
  o.homophily = 0.9;
  o.feature_dim = 16;
  o.seed = 11;
  StatusOr<StaticDataset> one = Status::Internal("unset");
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    one = GenerateSbm(o);
  }
  auto many = GenerateSbm(o);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(one->edge_src, many->edge_src);
  EXPECT_EQ(one->features, many->features);
  EXPECT_EQ(one->test_idx, many->test_idx);
  // About avg_degree / 2 undirected edges per node, few lost to duplicates.
  EXPECT_NEAR(static_cast<double>(one->num_edges()) / o.num_nodes, 4.0, 0.2);
  int64_t inside = 0;
  for (int64_t i = 0; i < one->num_edges(); ++i) {
    EXPECT_NE(one->edge_src[i], one->edge_dst[i]);
    EXPECT_LT(one->edge_src[i], one->edge_dst[i]);
    inside += one->labels[one->edge_src[i]] == one->labels[one->edge_dst[i]];
  }
  EXPECT_NEAR(static_cast<double>(inside) / one->num_edges(), 0.9, 0.03);
  EXPECT_EQ(one->train_idx.size(), 100u);
  EXPECT_EQ(one->val_idx.size(), 300u);
  EXPECT_EQ(one->test_idx.size(), 600u);
  o.seed = 12;
  auto other = GenerateSbm(o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->edge_src, one->edge_src);
  o.homophily = 2;
  EXPECT_FALSE(GenerateSbm(o).ok());
}

TEST(StaticDataset, DispatchByFormat) {
  StaticLoadOptions o;
  o.format = "sbm";
  o.sbm.num_nodes = 100;
  o.sbm.num_classes = 2;
  auto d = LoadStaticDataset(o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->num_nodes, 100);
  o.format = "pickle";
  EXPECT_EQ(LoadStaticDataset(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace streamgnn::datasets
