// Heterogeneous datasets: MAGNN's IMDB and HAN's ACM3025 against ../shared/datasets/README.md,
// the typed SBM generator, and damaged files (written here) that must name file and field.
#include "datasets/hetero_dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#if STREAMGNN_WITH_MATIO
#include <matio.h>
#endif

#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::Contains;
using testing::SharedData;
using testing::TempDir;
using testing::WriteText;

std::vector<int64_t> ClassCounts(const HeteroDataset& d) {
  std::vector<int64_t> counts(d.num_classes, 0);
  for (const int64_t c : d.labels) counts[c]++;
  return counts;
}

const graph::RelationEdges* FindRelation(const HeteroDataset& d, const std::string& name) {
  for (const auto& r : d.relations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST(HeteroDatasetImdb, MatchesReadmeCounts) {
  SG_REQUIRE_SHARED("imdb_magnn/node_types.npy");
  auto d = LoadMagnn(SharedData("imdb_magnn"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->node_types.size(), 3u);
  EXPECT_EQ(d->node_types[0].name, "movie");
  EXPECT_EQ(d->node_types[0].count, 4278);
  EXPECT_EQ(d->node_types[1].count, 2081);
  EXPECT_EQ(d->node_types[2].count, 5257);
  EXPECT_EQ(d->num_nodes(), 11616);
  // adjM: 34,212 non-zeros = movie-director and movie-actor edges, both directions.
  EXPECT_EQ(d->num_edges(), 34212);
  ASSERT_EQ(d->relations.size(), 4u);
  EXPECT_EQ(FindRelation(*d, "movie-director")->src.size(), 4278u);
  EXPECT_EQ(FindRelation(*d, "director-movie")->src.size(), 4278u);
  EXPECT_EQ(FindRelation(*d, "movie-actor")->src.size(), 12828u);
  EXPECT_EQ(FindRelation(*d, "actor-movie")->src.size(), 12828u);
  EXPECT_EQ(d->feature_dims, (std::vector<int64_t>{3066, 3066, 3066}));
  EXPECT_EQ(d->num_classes, 3);
  EXPECT_EQ(ClassCounts(*d), (std::vector<int64_t>{1135, 1584, 1559}));
  EXPECT_EQ(d->train_idx.size(), 400u);
  EXPECT_EQ(d->val_idx.size(), 400u);
  EXPECT_EQ(d->test_idx.size(), 3478u);
  // Every movie has exactly one director.
  auto g = d->BuildGraph();
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const auto& md = g->relation(g->RelationId("director-movie"));
  for (NodeId m = 0; m < 4278; ++m) ASSERT_EQ(md.csr.InDegree(m), 1) << m;
}

TEST(HeteroDatasetAcm, MatchesReadmeCounts) {
  SG_REQUIRE_SHARED("acm_han/ACM3025.mat");
#if !STREAMGNN_WITH_MATIO
  GTEST_SKIP() << "built without libmatio";
#endif
  auto d = LoadHanMat(SharedData("acm_han/ACM3025.mat"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->node_types.size(), 1u);
  EXPECT_EQ(d->node_types[0].count, 3025);
  ASSERT_EQ(d->relations.size(), 2u);
  // Off-diagonal non-zeros (the diagonal's self-loops are dropped).
  EXPECT_EQ(FindRelation(*d, "PAP")->src.size(), 26256u);
  EXPECT_EQ(FindRelation(*d, "PLP")->src.size(), 2207736u);
  EXPECT_EQ(d->feature_dims[0], 1870);
  EXPECT_EQ(ClassCounts(*d), (std::vector<int64_t>{1061, 965, 999}));
  EXPECT_EQ(d->train_idx.size(), 600u);
  EXPECT_EQ(d->val_idx.size(), 300u);
  EXPECT_EQ(d->test_idx.size(), 2125u);
  // Binary bag of words with 8-218 words a paper.
  for (NodeId v : {0, 1000, 3024}) {
    double words = 0;
    for (int64_t k = 0; k < 1870; ++k) words += d->features[0][v * 1870 + k];
    EXPECT_GE(words, 8);
    EXPECT_LE(words, 218);
  }
}

TEST(HeteroSbm, CountsTypesAndDeterminism) {
  HeteroSbmOptions o;
  o.nodes_per_type = 300;
  o.num_types = 3;
  o.num_relations = 7;
  o.edges_per_relation = 500;
  auto a = GenerateHeteroSbm(o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->relations.size(), 7u);
  EXPECT_EQ(a->num_edges(), 3500);
  EXPECT_EQ(a->train_idx.size() + a->val_idx.size() + a->test_idx.size(), 300u);
  // Homophily: most edges join nodes of the same block.
  int64_t same = 0;
  for (const auto& r : a->relations) {
    for (size_t e = 0; e < r.src.size(); ++e) same += r.src[e] % 4 == r.dst[e] % 4;
  }
  EXPECT_GT(same, 0.75 * 3500);
  auto b = GenerateHeteroSbm(o);
  EXPECT_EQ(a->relations[6].dst, b->relations[6].dst);
  EXPECT_EQ(a->features[2], b->features[2]);
  EXPECT_EQ(a->train_idx, b->train_idx);
  ASSERT_TRUE(a->BuildGraph({/*add_reverse=*/true}).ok());
  o.num_relations = 1000;
  o.edges_per_relation = 10;
  auto many = GenerateHeteroSbm(o);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->relations.size(), 1000u);
  o.num_classes = 1;
  EXPECT_FALSE(GenerateHeteroSbm(o).ok());
}

// A .npy v1 image of int64 values.
std::string Npy(const std::vector<int64_t>& values) {
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" +
                       std::to_string(values.size()) + ",), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t));
  return out;
}

// The shared IMDB folder copied to `dir`, so that one file can be damaged.
void CopyImdb(const TempDir& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(SharedData("imdb_magnn"))) {
    std::filesystem::copy_file(entry.path(), dir.File(entry.path().filename().string()));
  }
}

TEST(HeteroDatasetImdb, DamagedFilesNameFileAndField) {
  SG_REQUIRE_SHARED("imdb_magnn/node_types.npy");
  {
    TempDir dir;
    CopyImdb(dir);
    WriteText(dir.File("labels.npy"), Npy({0, 1, 2}));
    const Status s = LoadMagnn(dir.path()).status();
    EXPECT_TRUE(Contains(s.message(), "labels.npy: 3 labels, expected one per movie node (4278)"))
        << s.message();
  }
  {
    TempDir dir;
    CopyImdb(dir);
    std::vector<int64_t> types(11616, 0);
    types[5] = 7;
    WriteText(dir.File("node_types.npy"), Npy(types));
    const Status s = LoadMagnn(dir.path()).status();
    EXPECT_TRUE(Contains(s.message(), "node_types.npy: node 5 has type 7")) << s.message();
  }
  {
    TempDir dir;
    CopyImdb(dir);
    WriteText(dir.File("features_1.npz"), "not a zip file, clearly, not at all, really not");
    const Status s = LoadMagnn(dir.path()).status();
    EXPECT_TRUE(Contains(s.message(), "features_1.npz")) << s.message();
  }
  {
    TempDir dir;
    CopyImdb(dir);
    std::filesystem::remove(dir.File("train_val_test_idx.npz"));
    EXPECT_EQ(LoadMagnn(dir.path()).status().code(), StatusCode::kNotFound);
  }
  {
    auto good = LoadMagnn(SharedData("imdb_magnn"));
    ASSERT_TRUE(good.ok());
    TempDir dir;
    CopyImdb(dir);
    std::vector<int64_t> labels = good->labels;
    const NodeId first = good->train_idx[0];
    labels[first] = -1;
    WriteText(dir.File("labels.npy"), Npy(labels));
    const Status s = LoadMagnn(dir.path()).status();
    EXPECT_TRUE(Contains(s.message(), "split id " + std::to_string(first) + " is unlabelled"))
        << s.message();
  }
}

// A small HGB folder: papers (type 0, 2 attributes, labelled), authors (type 1, 1 attribute),
// terms (type 2, no attributes); links paper->author (0) and paper->term (1).
void WriteHgb(const TempDir& dir, const std::string& labels, const std::string& links) {
  WriteText(dir.File("node.dat"),
            "0\tp0\t0\t1,0\n1\tp1\t0\t0,1\n2\tp2\t0\t1,1\n3\tp3\t0\t0,0\n"
            "4\tp4\t0\t0.5,2\n5\tp5\t0\t1,2\n6\ta0\t1\t3\n7\ta1\t1\t4\n8\tt0\t2\n");
  WriteText(dir.File("link.dat"), links);
  WriteText(dir.File("label.dat"), labels);
  WriteText(dir.File("label.dat.test"), "4\tp4\t0\t1\n5\tp5\t0\t0\n");
}

constexpr const char* kHgbLinks = "0\t6\t0\t1.0\n1\t6\t0\t1.0\n2\t7\t0\t1.0\n0\t8\t1\t1.0\n3\t8\t1\t1.0\n";
constexpr const char* kHgbLabels = "0\tp0\t0\t0\n1\tp1\t0\t1\n2\tp2\t0\t2\n3\tp3\t0\t1\n";

TEST(HeteroDatasetHgb, ReadsTheLayout) {
  TempDir dir;
  WriteHgb(dir, kHgbLabels, kHgbLinks);
  auto d = LoadHgb(dir.path(), {0.25, 1});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->node_types.size(), 3u);
  EXPECT_EQ(d->node_types[0].count, 6);
  EXPECT_EQ(d->node_types[1].count, 2);
  EXPECT_EQ(d->feature_dims, (std::vector<int64_t>{2, 1, 0}));
  EXPECT_FLOAT_EQ(d->features[0][8], 0.5f);
  EXPECT_FLOAT_EQ(d->features[1][1], 4.0f);
  ASSERT_EQ(d->relations.size(), 4u);  // link0, rev_link0, link1, rev_link1
  const auto* link0 = FindRelation(*d, "link0");
  EXPECT_EQ(link0->src_type, "0");
  EXPECT_EQ(link0->dst_type, "1");
  EXPECT_EQ(link0->dst, (std::vector<NodeId>{0, 0, 1}));  // authors' local ids
  EXPECT_EQ(FindRelation(*d, "rev_link1")->src, (std::vector<NodeId>{0, 0}));
  EXPECT_EQ(d->target_type, 0);
  EXPECT_EQ(d->num_classes, 3);
  EXPECT_EQ(d->labels, (std::vector<int64_t>{0, 1, 2, 1, 1, 0}));
  EXPECT_EQ(d->val_idx.size(), 1u);
  EXPECT_EQ(d->train_idx.size(), 3u);
  EXPECT_EQ(d->test_idx, (std::vector<NodeId>{4, 5}));
}

TEST(HeteroDatasetHgb, BadFilesNameFileAndLine) {
  {
    TempDir dir;
    WriteHgb(dir, "0\tp0\t0\t0,2\n", kHgbLinks);
    const Status s = LoadHgb(dir.path()).status();
    EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
    EXPECT_TRUE(Contains(s.message(), "label.dat:1: multi-label targets are not supported")) << s.message();
  }
  {
    TempDir dir;
    WriteHgb(dir, kHgbLabels, std::string(kHgbLinks) + "6\t8\t0\t1.0\n");
    const Status s = LoadHgb(dir.path()).status();
    EXPECT_TRUE(Contains(s.message(), "link.dat:6: link type 0 joins types 1 -> 2 here but 0 -> 1 before"))
        << s.message();
  }
  {
    TempDir dir;
    WriteHgb(dir, kHgbLabels, "0\t99\t0\t1.0\n");
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(), "link.dat:1: expected"));
  }
  {
    TempDir dir;
    WriteHgb(dir, "6\ta0\t1\t0\n", kHgbLinks);
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(), "labelled nodes must all be of type"));
  }
  {
    TempDir dir;
    WriteHgb(dir, kHgbLabels, kHgbLinks);
    WriteText(dir.File("node.dat"), "0\tp0\t0\t1,x\n");
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(), "node.dat:1: attribute 'x' is not a number"))
        << LoadHgb(dir.path()).status().message();
    WriteText(dir.File("node.dat"), "0\tp0\t0\n2\tp2\t0\n");
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(),
                         "node.dat: node ids must be 0..1, each once; node 2 breaks that"));
    WriteText(dir.File("node.dat"), "0\tp0\t0\n99999999999\tp1\t0\n");  // no allocation by id
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(), "node 99999999999 breaks that"));
    WriteText(dir.File("node.dat"), "0\tp0\t0\n0\tp1\t0\n");
    EXPECT_TRUE(Contains(LoadHgb(dir.path()).status().message(), "node 0 breaks that"));
  }
  {
    TempDir dir;
    EXPECT_EQ(LoadHgb(dir.path()).status().code(), StatusCode::kNotFound);
  }
}

#if STREAMGNN_WITH_MATIO
// Writes a small HAN-style .mat: 4 papers, 2 classes, the variables named in `vars`.
void WriteMat(const std::string& path, const std::map<std::string, std::vector<std::vector<double>>>& vars) {
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  for (const auto& [name, rows] : vars) {
    size_t dims[2] = {rows.size(), rows.empty() ? 0 : rows[0].size()};
    std::vector<double> column_major(dims[0] * dims[1]);
    for (size_t r = 0; r < dims[0]; ++r) {
      for (size_t c = 0; c < dims[1]; ++c) column_major[c * dims[0] + r] = rows[r][c];
    }
    matvar_t* var = Mat_VarCreate(name.c_str(), MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims,
                                  column_major.data(), 0);
    ASSERT_NE(var, nullptr);
    Mat_VarWrite(mat, var, MAT_COMPRESSION_ZLIB);
    Mat_VarFree(var);
  }
  Mat_Close(mat);
}

std::map<std::string, std::vector<std::vector<double>>> SmallHan() {
  return {{"feature", {{1, 0}, {0, 1}, {1, 1}, {0, 0}}},
          {"label", {{1, 0}, {0, 1}, {1, 0}, {0, 1}}},
          {"PAP", {{1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 0, 1, 1}}},
          {"PLP", {{1, 0, 1, 0}, {0, 1, 0, 0}, {1, 0, 1, 0}, {0, 0, 0, 1}}},
          {"train_idx", {{0, 1}}},
          {"val_idx", {{2}}},
          {"test_idx", {{3}}}};
}

TEST(HeteroDatasetHanMat, ReadsAWrittenFile) {
  TempDir dir;
  WriteMat(dir.File("small.mat"), SmallHan());
  auto d = LoadHanMat(dir.File("small.mat"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->node_types[0].count, 4);
  EXPECT_EQ(d->labels, (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(FindRelation(*d, "PAP")->src, (std::vector<NodeId>{1, 0, 3, 2}));
  EXPECT_EQ(FindRelation(*d, "PLP")->dst, (std::vector<NodeId>{0, 2}));
  EXPECT_EQ(d->features[0], (std::vector<float>{1, 0, 0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(d->train_idx, (std::vector<NodeId>{0, 1}));
}

TEST(HeteroDatasetHanMat, DamagedFilesNameFileAndVariable) {
  TempDir dir;
  auto vars = SmallHan();
  vars.erase("PLP");
  WriteMat(dir.File("a.mat"), vars);
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("a.mat")).status().message(), "a.mat: no variable 'PLP'"));
  vars = SmallHan();
  vars["PAP"] = {{1, 1}, {1, 1}};
  WriteMat(dir.File("b.mat"), vars);
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("b.mat")).status().message(),
                       "b.mat: variable 'PAP' must be 4 x 4"));
  vars = SmallHan();
  vars["label"][2] = {1, 1};
  WriteMat(dir.File("c.mat"), vars);
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("c.mat")).status().message(),
                       "variable 'label' row 2 has two classes"));
  vars = SmallHan();
  vars["test_idx"] = {{9}};
  WriteMat(dir.File("d.mat"), vars);
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("d.mat")).status().message(),
                       "variable 'test_idx' holds 9, expected a node id in [0, 4)"));
  vars = SmallHan();
  vars["val_idx"] = {{1}};
  WriteMat(dir.File("e.mat"), vars);
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("e.mat")).status().message(), "in two splits"));
  WriteText(dir.File("f.mat"), "MATLAB 5.0 MAT-file, but then nothing useful follows at all");
  EXPECT_FALSE(LoadHanMat(dir.File("f.mat")).ok());
  EXPECT_EQ(LoadHanMat(dir.File("missing.mat")).status().code(), StatusCode::kIOError);
  // MATLAB v4 (no header text): refused before matio scans it.
  WriteText(dir.File("g.mat"), std::string("\0\0\0\0\x04\0\0\0", 8) + "feature");
  EXPECT_TRUE(Contains(LoadHanMat(dir.File("g.mat")).status().message(), "g.mat: not a MATLAB v5 or v7.3 file"));
}
#endif

// ---- OGB's heterogeneous layout (ogbn-mag's shape, written small) ----------------------------

void WriteOgbMag(const TempDir& dir) {
  namespace fs = std::filesystem;
  using testing::WriteGzip;
  const std::string raw = dir.path() + "/raw";
  fs::create_directories(raw + "/node-feat/paper");
  fs::create_directories(raw + "/node-label/paper");
  fs::create_directories(dir.path() + "/split/time/paper");
  // Columns in OGB's order (types come out sorted by name whatever the column order).
  WriteGzip(raw + "/num-node-dict.csv.gz", "paper,author,field_of_study,institution\n4,3,2,2\n");
  WriteGzip(raw + "/triplet-type-list.csv.gz",
            "author,affiliated_with,institution\nauthor,writes,paper\npaper,cites,paper\n"
            "paper,has_topic,field_of_study\n");
  const std::pair<const char*, const char*> rels[] = {
      {"author___affiliated_with___institution", "0,0\n1,1\n2,1\n"},
      {"author___writes___paper", "0,0\n0,1\n1,2\n2,3\n"},
      {"paper___cites___paper", "1,0\n2,0\n3,1\n"},
      {"paper___has_topic___field_of_study", "0,0\n1,0\n2,1\n3,1\n"}};
  for (const auto& [folder, edges] : rels) {
    fs::create_directories(raw + "/relations/" + folder);
    WriteGzip(raw + "/relations/" + folder + "/edge.csv.gz", edges);
    const int64_t n = std::count(edges, edges + std::strlen(edges), '\n');
    WriteGzip(raw + "/relations/" + folder + "/num-edge-list.csv.gz", std::to_string(n) + "\n");
  }
  WriteGzip(raw + "/node-feat/paper/node-feat.csv.gz", "0.5,1\n-1,2\n0,0\n3,4\n");
  WriteGzip(raw + "/nodetype-has-label.csv.gz", "author,field_of_study,institution,paper\nFalse,False,False,True\n");
  WriteGzip(raw + "/node-label/paper/node-label.csv.gz", "2\n0\n1\n2\n");
  WriteGzip(dir.path() + "/split/time/paper/train.csv.gz", "0\n1\n");
  WriteGzip(dir.path() + "/split/time/paper/valid.csv.gz", "2\n");
  WriteGzip(dir.path() + "/split/time/paper/test.csv.gz", "3\n");
}

TEST(HeteroDatasetOgb, ReadsTheHeterogeneousLayout) {
  TempDir dir;
  WriteOgbMag(dir);
  auto d = LoadOgbHetero(dir.path());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->node_types.size(), 4u);
  EXPECT_EQ(d->node_types[0].name, "author");
  EXPECT_EQ(d->node_types[3].name, "paper");
  EXPECT_EQ(d->node_types[3].count, 4);
  EXPECT_EQ(d->node_types[1].count, 2);
  EXPECT_EQ(d->target_type, 3);
  EXPECT_EQ(d->feature_dims, (std::vector<int64_t>{0, 0, 0, 2}));
  EXPECT_FLOAT_EQ(d->features[3][7], 4.0f);
  EXPECT_EQ(d->labels, (std::vector<int64_t>{2, 0, 1, 2}));
  EXPECT_EQ(d->num_classes, 3);
  ASSERT_EQ(d->relations.size(), 8u);  // four and their reverses
  const auto* writes = FindRelation(*d, "writes");
  EXPECT_EQ(writes->src_type, "author");
  EXPECT_EQ(writes->dst, (std::vector<NodeId>{0, 1, 2, 3}));
  EXPECT_EQ(FindRelation(*d, "rev_cites")->src, (std::vector<NodeId>{0, 0, 1}));
  EXPECT_EQ(d->train_idx, (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(d->test_idx, (std::vector<NodeId>{3}));
  EXPECT_TRUE(LoadOgbHetero(dir.path(), "time").ok());
  EXPECT_FALSE(LoadOgbHetero(dir.path(), "random").ok());
  EXPECT_EQ(LoadOgbHetero(dir.File("nothing")).status().code(), StatusCode::kNotFound);
}

TEST(HeteroDatasetOgb, BadFilesNameFileAndLine) {
  using testing::WriteGzip;
  const std::string rel = "/raw/relations/author___writes___paper/";
  const struct {
    std::string file, text, message;
  } cases[] = {
      {"/raw/num-node-dict.csv.gz", "paper,author\n4,x\n", "num-node-dict.csv.gz:2: type 'author': expected a node count"},
      {"/raw/num-node-dict.csv.gz", "paper,author\n4,3\n5,3\n", "expected a header and one row"},
      {"/raw/triplet-type-list.csv.gz", "author,writes,paper\nauthor,writes\n", "triplet-type-list.csv.gz:2: expected head,relation,tail"},
      {"/raw/triplet-type-list.csv.gz", "author,writes,venue\n", "triplet-type-list.csv.gz:1"},
      {rel + "edge.csv.gz", "0,0\n0,9\n", "edge.csv.gz:2: edge 0 -> 9 leaves its types (author: 3, paper: 4 nodes)"},
      {rel + "edge.csv.gz", "0,0\n0,x\n", "edge.csv.gz:2"},
      {rel + "num-edge-list.csv.gz", "7\n", "num-edge-list.csv.gz: expected one count equal to edge.csv's 4 rows"},
      {"/raw/nodetype-has-label.csv.gz", "author,paper\nFalse,yes\n", "nodetype-has-label.csv.gz:2: type 'paper': expected True or False"},
      {"/raw/nodetype-has-label.csv.gz", "author,paper\nTrue,True\n", "2 labelled node types"},
      {"/raw/node-label/paper/node-label.csv.gz", "1\n0\n", "expected 4 rows of one label"},
      {"/raw/node-feat/paper/node-feat.csv.gz", "1,2\n", "1 rows, expected 4 (one per paper)"},
      {"/split/time/paper/test.csv.gz", "3\n9\n", "test.csv.gz:2: node id 9 outside [0, 4)"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    WriteOgbMag(dir);
    WriteGzip(dir.path() + c.file, c.text);
    auto d = LoadOgbHetero(dir.path());
    ASSERT_FALSE(d.ok()) << c.file;
    EXPECT_TRUE(Contains(d.status().message(), c.message)) << d.status().message();
  }
}

}  // namespace
}  // namespace streamgnn::datasets
