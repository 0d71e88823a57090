// Planetoid's ind.<name>.* pickles (datasets/pickle.h, LoadPlanetoidPickles): the real cora files
// give exactly the plain-text conversion; CiteSeer's gaps in the test ids are handled as Kipf's
// loader does (tests/data/planetoid_gaps, written by its make.py); damaged pickles are errors
// naming the file, never crashes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "datasets/pickle.h"
#include "datasets/static_dataset.h"
#include "datasets/text_io.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::SharedData;
using testing::TempDir;

std::set<std::pair<NodeId, NodeId>> EdgeSet(const StaticDataset& d) {
  std::set<std::pair<NodeId, NodeId>> s;
  for (int64_t e = 0; e < d.num_edges(); ++e) {
    s.insert({std::min(d.edge_src[e], d.edge_dst[e]), std::max(d.edge_src[e], d.edge_dst[e])});
  }
  return s;
}

TEST(PlanetoidPickles, CoraEqualsItsPlainTextConversion) {
  SG_REQUIRE_SHARED("cora/ind.cora.graph");
  SG_REQUIRE_SHARED("cora/converted");
  auto raw = LoadPlanetoid(SharedData("cora"));  // the folder users download
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  auto text = LoadPlanetoidConverted(SharedData("cora/converted"));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(raw->name, "cora");
  EXPECT_EQ(raw->num_nodes, 2708);
  EXPECT_EQ(raw->num_nodes, text->num_nodes);
  EXPECT_EQ(raw->num_edges(), 5278);
  EXPECT_EQ(EdgeSet(*raw), EdgeSet(*text));
  EXPECT_EQ(raw->feature_dim, text->feature_dim);
  EXPECT_EQ(raw->features, text->features);
  EXPECT_EQ(raw->labels, text->labels);
  EXPECT_EQ(raw->num_classes, 7);
  EXPECT_EQ(raw->train_idx, text->train_idx);
  EXPECT_EQ(raw->val_idx, text->val_idx);
  EXPECT_EQ(raw->test_idx, text->test_idx);
  // Through the format dispatch as well.
  StaticLoadOptions o;
  o.path = SharedData("cora");
  auto via = LoadStaticDataset(o);
  ASSERT_TRUE(via.ok()) << via.status().ToString();
  EXPECT_EQ(via->features, text->features);
}

TEST(PlanetoidPickles, TestIdGapsAsKipfsLoader) {
  const std::string dir = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/planetoid_gaps";
  auto d = LoadPlanetoid(dir);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // make.py: 520 allx rows, test ids 520..531 without 523 and 527 (the isolated ones).
  ASSERT_EQ(d->num_nodes, 532);
  ASSERT_EQ(d->feature_dim, 6);
  EXPECT_EQ(d->num_classes, 3);
  for (int64_t v = 0; v < d->num_nodes; ++v) {
    const bool gap = v == 523 || v == 527;
    for (int64_t c = 0; c < 6; ++c) {
      const float want = !gap && c == v % 6 ? static_cast<float>(v + 1) : 0.0f;
      ASSERT_EQ(d->features[v * 6 + c], want) << "node " << v << " column " << c;
    }
    EXPECT_EQ(d->labels[v], gap ? -1 : v % 3) << "node " << v;
  }
  std::vector<NodeId> train(20), val(500);
  for (int v = 0; v < 20; ++v) train[v] = v;
  for (int v = 0; v < 500; ++v) val[v] = 20 + v;
  EXPECT_EQ(d->train_idx, train);
  EXPECT_EQ(d->val_idx, val);
  EXPECT_EQ(d->test_idx, (std::vector<NodeId>{520, 521, 522, 524, 525, 526, 528, 529, 530, 531}));
  std::set<std::pair<NodeId, NodeId>> want;
  for (NodeId v = 0; v < 532; ++v) {
    const NodeId w = (v * 7 + 3) % 532;
    if (v == 523 || v == 527 || w == 523 || w == 527 || v == w) continue;
    want.insert({std::min(v, w), std::max(v, w)});
  }
  EXPECT_EQ(EdgeSet(*d), want);  // the self-loop 5 - 5 dropped, each pair once
  EXPECT_EQ(d->num_edges(), static_cast<int64_t>(want.size()));
}

TEST(PlanetoidPickles, FolderWithoutASetNamesWhatItExpected) {
  TempDir dir;
  auto d = LoadPlanetoid(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("ind.<name>.graph"), std::string::npos) << d.status().message();
}

std::string Bytes(const std::string& path) { return *internal::ReadWholeFile(path); }

// A byte string literal with its NULs.
template <size_t N>
std::string B(const char (&s)[N]) {
  return std::string(s, N - 1);
}

TEST(Pickle, EveryTruncationIsAnErrorNamingTheFile) {
  const std::string path = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/planetoid_gaps/ind.gaps.tx";
  const std::string full = Bytes(path);
  ASSERT_TRUE(pickle::Parse(full, "tx").ok());
  for (size_t cut = 0; cut < full.size(); ++cut) {
    auto r = pickle::Parse(std::string_view(full).substr(0, cut), "tx");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.status().message().rfind("tx: byte ", 0), 0u) << r.status().message();
  }
}

TEST(Pickle, FlippedBytesNeverCrash) {
  const std::string path = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/planetoid_gaps/ind.gaps.tx";
  const std::string full = Bytes(path);
  for (size_t i = 0; i < full.size(); ++i) {
    for (const uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string damaged = full;
      damaged[i] = static_cast<char>(static_cast<uint8_t>(damaged[i]) ^ flip);
      auto r = pickle::Parse(damaged, "tx");
      if (r.ok()) (void)pickle::ToCsr(*r, "tx");  // a decoded object may still be refused
    }
  }
}

TEST(Pickle, UnsupportedAndMalformedInputs) {
  // Protocol 0's text INT opcode.
  auto r = pickle::Parse(B("I1\n."), "p0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("opcode 0x49"), std::string::npos) << r.status().message();
  // An unknown memo entry, and a STOP on an empty stack.
  EXPECT_EQ(pickle::Parse(B("\x80\x02h\x05."), "m").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(pickle::Parse(B("\x80\x02."), "e").status().code(), StatusCode::kCorruption);
  // A list where the graph's dict of lists belongs.
  auto list = pickle::Parse(B("\x80\x02]q\x00."), "graph");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  auto g = pickle::ToIntListDict(*list, "graph");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("graph: expected a dict of lists, got a list"), std::string::npos)
      << g.status().message();
  // {1: [2, 3]} via EMPTY_DICT, MARK, BININT1..., SETITEMS; and a 64-bit LONG1.
  auto d = pickle::Parse(B("\x80\x02}(K\x01](K\x02K\x03" "eu."), "d");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto dict = pickle::ToIntListDict(*d, "d");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  EXPECT_EQ(*dict, (std::vector<std::pair<int64_t, std::vector<int64_t>>>{{1, {2, 3}}}));
  auto big = pickle::Parse(B("\x80\x02\x8a\x02\xff\xfe."), "l");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->integer, -257);
}

// A million nested lists would overflow the stack when destroyed: refused past kMaxDepth.
TEST(Pickle, DeepNestingIsRefused) {
  std::string deep = B("\x80\x02");
  const int n = 1000000;
  deep.append(n, ']');      // n empty lists
  deep.append(n - 1, 'a');  // each appended into the one below it
  deep.push_back('.');
  auto r = pickle::Parse(deep, "deep");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than"), std::string::npos) << r.status().message();
  // Within the bound it parses.
  std::string ok = B("\x80\x02");
  ok.append(500, ']');
  ok.append(499, 'a');
  ok.push_back('.');
  EXPECT_TRUE(pickle::Parse(ok, "ok").ok());
}

// Self-references would be shared_ptr cycles (leaked) and could grow a held object past the
// depth bound; pickles that change an object after putting it in another are refused.
TEST(Pickle, SelfReferencesAreRefused) {
  // l = []; l.append(l): EMPTY_LIST, MEMOIZE, BINGET 0, APPEND.
  auto self = pickle::Parse(B("\x80\x04]\x94h\x00" "a."), "self");
  ASSERT_FALSE(self.ok());
  EXPECT_NE(self.status().message().find("inside itself"), std::string::npos) << self.status().message();
  // a = []; b = [a]; a.append(b): the cycle goes through b, which already holds a.
  auto cycle = pickle::Parse(B("\x80\x04]\x94]\x94h\x00" "ah\x00h\x01" "a."), "cycle");
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("after it was put inside"), std::string::npos)
      << cycle.status().message();
  // Sharing without a cycle is fine: [a, a] with a = [1].
  auto shared = pickle::Parse(B("\x80\x04]\x94(]\x94K\x01" "ah\x01" "e."), "shared");
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  ASSERT_EQ((*shared)->items.size(), 2u);
  EXPECT_EQ((*shared)->items[0], (*shared)->items[1]);
}

TEST(PlanetoidPickles, DamagedFilesAreClearErrors) {
  const std::string src = std::string(STREAMGNN_SOURCE_DIR) + "/tests/data/planetoid_gaps";
  TempDir dir;
  for (const auto& e : std::filesystem::directory_iterator(src)) {
    std::filesystem::copy(e.path(), dir.File(e.path().filename().string()));
  }
  // A test.index with one id too few for tx.
  testing::WriteText(dir.File("ind.gaps.test.index"), "520\n521\n");
  auto d = LoadPlanetoid(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("test.index lists 2 ids for 10 tx rows"), std::string::npos)
      << d.status().message();
  // allx cut short.
  std::filesystem::copy(src + "/ind.gaps.test.index", dir.File("ind.gaps.test.index"),
                        std::filesystem::copy_options::overwrite_existing);
  const std::string allx = Bytes(src + "/ind.gaps.allx");
  testing::WriteText(dir.File("ind.gaps.allx"), allx.substr(0, allx.size() / 2));
  d = LoadPlanetoid(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("ind.gaps.allx: byte"), std::string::npos) << d.status().message();
}

}  // namespace
}  // namespace streamgnn::datasets
