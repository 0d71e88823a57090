// The binary dataset cache: hit/miss, invalidation by source changes, corruption handling.
#include "datasets/cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "datasets/loaders.h"
#include "datasets/npy.h"
#include "tests/datasets/test_util.h"
#include "tests/fuzz/fuzz_util.h"

namespace streamgnn::datasets {
namespace {

using testing::BumpMtime;
using testing::Contains;
using testing::ExpectSameDataset;
using testing::SharedData;
using testing::TempDir;
using testing::WriteText;

class CacheTest : public ::testing::Test {
 protected:
  LoadSpec Spec(Format format, const std::string& path) {
    LoadSpec spec;
    spec.format = format;
    spec.path = path;
    spec.cache.dir = cache_.path() + "/sub/dir";  // created on demand
    return spec;
  }
  TemporalDataset Load(const LoadSpec& spec, LoadReport* report) {
    StatusOr<TemporalDataset> ds = LoadTemporal(spec, report);
    EXPECT_TRUE(ds.ok()) << ds.status().ToString();
    return ds.ok() ? std::move(ds).value() : TemporalDataset();
  }
  int CountCacheFiles() {
    int n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(cache_.path() + "/sub/dir", ec)) {
      n += e.path().extension() == ".sgds";
    }
    return n;
  }

  TempDir data_;
  TempDir cache_;
};

TEST_F(CacheTest, MissThenHitGivesIdenticalData) {
  SG_REQUIRE_SHARED("wikipedia_jodie/wikipedia.csv");
  const LoadSpec spec = Spec(Format::kJodie, SharedData("wikipedia_jodie/wikipedia.csv"));
  LoadReport first, second;
  const TemporalDataset a = Load(spec, &first);
  EXPECT_FALSE(first.cache_hit);
  EXPECT_TRUE(first.warnings.empty());
  ASSERT_TRUE(std::filesystem::exists(first.cache_path));
  EXPECT_TRUE(Contains(first.cache_path, "/wikipedia-"));
  EXPECT_EQ(std::filesystem::path(first.cache_path).extension(), ".sgds");
  const TemporalDataset b = Load(spec, &second);
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.cache_path, first.cache_path);
  ExpectSameDataset(a, b);
  EXPECT_EQ(CountCacheFiles(), 1);
}

TEST_F(CacheTest, AllFeaturesRoundTrip) {
  // ml_ with both companions exercises every array of the cache file.
  WriteText(data_.File("ml_t.csv"), ",u,i,ts,label,idx\n0,1,2,0,1,1\n1,2,1,4,0,2\n");
  ASSERT_TRUE(WriteNpyMatrix(data_.File("ml_t.npy"), {3, 2, {0, 0, 1, 2, 3, 4}}).ok());
  ASSERT_TRUE(WriteNpyMatrix(data_.File("ml_t_node.npy"), {4, 1, {9, 8, 7, 6}}).ok());
  WriteText(data_.File("s.txt"), "10 20 1\n20 10 2\n");
  for (const auto& [format, file] :
       {std::pair{Format::kMl, "ml_t.csv"}, std::pair{Format::kSnap, "s.txt"}}) {
    const LoadSpec spec = Spec(format, data_.File(file));
    LoadReport r1, r2;
    const TemporalDataset a = Load(spec, &r1);
    const TemporalDataset b = Load(spec, &r2);
    EXPECT_FALSE(r1.cache_hit);
    EXPECT_TRUE(r2.cache_hit) << file;
    ExpectSameDataset(a, b);
  }
}

TEST_F(CacheTest, ModifiedOrTouchedSourceInvalidates) {
  const std::string path = data_.File("e.txt");
  WriteText(path, "1 2 1\n2 3 2\n");
  const LoadSpec spec = Spec(Format::kSnap, path);
  LoadReport r;
  EXPECT_EQ(Load(spec, &r).num_events(), 2);
  EXPECT_FALSE(r.cache_hit);
  Load(spec, &r);
  EXPECT_TRUE(r.cache_hit);

  // Same size, new content, new mtime.
  WriteText(path, "1 2 1\n2 4 2\n");
  BumpMtime(path);
  TemporalDataset changed = Load(spec, &r);
  EXPECT_FALSE(r.cache_hit);
  EXPECT_EQ(changed.original_node_ids.back(), 4);

  // Touch only.
  BumpMtime(path);
  Load(spec, &r);
  EXPECT_FALSE(r.cache_hit);
  Load(spec, &r);
  EXPECT_TRUE(r.cache_hit);

  // Appended event.
  WriteText(path, "1 2 1\n2 4 2\n4 1 3\n");
  BumpMtime(path);
  EXPECT_EQ(Load(spec, &r).num_events(), 3);
  EXPECT_FALSE(r.cache_hit);
}

TEST_F(CacheTest, AddingANpyCompanionInvalidates) {
  WriteText(data_.File("ml_c.csv"), ",u,i,ts,label,idx\n0,1,2,0,0,1\n");
  const LoadSpec spec = Spec(Format::kMl, data_.File("ml_c.csv"));
  LoadReport r;
  EXPECT_EQ(Load(spec, &r).edge_feat_dim, 0);
  ASSERT_TRUE(WriteNpyMatrix(data_.File("ml_c.npy"), {2, 3, {0, 0, 0, 1, 2, 3}}).ok());
  TemporalDataset ds = Load(spec, &r);
  EXPECT_FALSE(r.cache_hit);
  EXPECT_EQ(ds.edge_feat, (std::vector<float>{1, 2, 3}));
}

TEST_F(CacheTest, OptionsAndNameArePartOfTheKey) {
  WriteText(data_.File("x.csv"), "a,b,t,l\n1,2,3,4\n");
  LoadSpec spec = Spec(Format::kCsv, data_.File("x.csv"));
  LoadReport r;
  Load(spec, &r);
  spec.csv.label_col = 3;
  TemporalDataset with_label = Load(spec, &r);
  EXPECT_FALSE(r.cache_hit);
  EXPECT_EQ(with_label.labels, (std::vector<int32_t>{4}));
  spec.name = "renamed";
  EXPECT_EQ(Load(spec, &r).name, "renamed");
  EXPECT_FALSE(r.cache_hit);
  EXPECT_EQ(CountCacheFiles(), 3);
}

// Every kind of damage must be detected and answered by reparsing, with a warning.
TEST_F(CacheTest, CorruptCacheFilesAreIgnored) {
  const std::string path = data_.File("e.csv");
  std::string text = "u,i,ts,label,f0,f1\n";
  for (int k = 0; k < 200; ++k) {
    text += std::to_string(k % 7) + "," + std::to_string(100 + k % 5) + "," + std::to_string(k) +
            ",0,0.5," + std::to_string(k) + "\n";
  }
  WriteText(path, text);
  const LoadSpec spec = Spec(Format::kJodie, path);
  LoadReport r;
  const TemporalDataset truth = Load(spec, &r);
  const std::string cache_file = r.cache_path;
  const std::string good = testing::ReadText(cache_file);
  ASSERT_GT(good.size(), 1000u);

  struct Damage {
    const char* what;
    std::string bytes;
  };
  std::string flipped_data = good;
  flipped_data[good.size() / 2] ^= 0x40;  // inside the arrays: only the CRC notices
  std::string flipped_header = good;
  flipped_header[48] ^= 0x01;  // num_events: sizes no longer add up
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string bad_version = good;
  bad_version[8] = 99;
  const Damage kDamages[] = {
      {"flipped data byte", flipped_data},
      {"flipped header count", flipped_header},
      {"bad magic", bad_magic},
      {"bad version", bad_version},
      {"truncated", good.substr(0, good.size() - 9)},
      {"extended", good + "junk"},
      {"empty", ""},
  };
  for (const Damage& d : kDamages) {
    SCOPED_TRACE(d.what);
    WriteText(cache_file, d.bytes);
    const TemporalDataset ds = Load(spec, &r);
    EXPECT_FALSE(r.cache_hit);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_TRUE(Contains(r.warnings[0], "ignored dataset cache")) << r.warnings[0];
    ExpectSameDataset(ds, truth);
    // The reparse rewrote a good entry.
    Load(spec, &r);
    EXPECT_TRUE(r.cache_hit);
  }
}

TEST_F(CacheTest, ReadWithAnotherKeyIsCorruption) {
  WriteText(data_.File("e.txt"), "1 2 1\n");
  LoadReport r;
  Load(Spec(Format::kSnap, data_.File("e.txt")), &r);
  auto other = ReadDatasetCache(r.cache_path, "some other key");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(other.status().message(), r.cache_path));
  EXPECT_EQ(ReadDatasetCache(cache_.File("none.sgds"), "k").status().code(), StatusCode::kNotFound);
}

TEST_F(CacheTest, UnwritableCacheDirIsOnlyAWarning) {
  WriteText(data_.File("e.txt"), "1 2 1\n");
  WriteText(cache_.File("blocker"), "a file where a directory should be");
  LoadSpec spec = Spec(Format::kSnap, data_.File("e.txt"));
  spec.cache.dir = cache_.File("blocker") + "/cache";
  LoadReport r;
  TemporalDataset ds = Load(spec, &r);
  EXPECT_EQ(ds.num_events(), 1);
  EXPECT_FALSE(r.cache_hit);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(Contains(r.warnings[0], "not written")) << r.warnings[0];
}

TEST_F(CacheTest, DisabledCacheWritesNothing) {
  WriteText(data_.File("e.txt"), "1 2 1\n");
  LoadSpec spec = Spec(Format::kSnap, data_.File("e.txt"));
  spec.cache.enable = false;
  LoadReport r;
  Load(spec, &r);
  Load(spec, &r);
  EXPECT_FALSE(r.cache_hit);
  EXPECT_TRUE(r.cache_path.empty());
  EXPECT_EQ(CountCacheFiles(), 0);
}

TEST_F(CacheTest, MissingSourceIsNotFoundEvenWithACache) {
  LoadReport r;
  auto ds = LoadTemporal(Spec(Format::kSnap, data_.File("nope.txt")), &r);
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(ds.status().message(), data_.File("nope.txt")));
}

TEST(CacheDir, EnvironmentPrecedence) {
  auto save = [](const char* k) {
    const char* v = getenv(k);
    return std::pair<std::string, bool>(v ? v : "", v != nullptr);
  };
  const auto sg = save("STREAMGNN_CACHE_DIR"), xdg = save("XDG_CACHE_HOME"), home = save("HOME");
  setenv("STREAMGNN_CACHE_DIR", "/a", 1);
  setenv("XDG_CACHE_HOME", "/b", 1);
  setenv("HOME", "/c", 1);
  EXPECT_EQ(DefaultCacheDir(), "/a");
  unsetenv("STREAMGNN_CACHE_DIR");
  EXPECT_EQ(DefaultCacheDir(), "/b/streamgnn");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(DefaultCacheDir(), "/c/.cache/streamgnn");
  unsetenv("HOME");
  EXPECT_EQ(DefaultCacheDir(), "");
  auto restore = [](const char* k, const std::pair<std::string, bool>& v) {
    if (v.second)
      setenv(k, v.first.c_str(), 1);
    else
      unsetenv(k);
  };
  restore("STREAMGNN_CACHE_DIR", sg);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}

TEST(CacheFileName, SanitisedNameAndStableHash) {
  const std::string a = CacheFileName("we ird/name", "key");
  EXPECT_EQ(a.rfind("we_ird_name-", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("we_ird_name-").size() + 16 + 5);
  EXPECT_EQ(a, CacheFileName("we ird/name", "key"));
  EXPECT_NE(a, CacheFileName("we ird/name", "key2"));
}

// Every single-bit flip and every truncation of a cache file is Corruption naming the file:
// never a crash, never a dataset other than the one written.
TEST(CacheFile, EveryFlippedBitAndTruncationIsCorruption) {
  TempDir dir;
  WriteText(dir.File("e.csv"), "u,i,ts,label,f0\n0,5,1,0,0.5\n1,6,2,1,1.5\n0,6,3,0,2\n");
  auto truth = LoadJodieCsv(dir.File("e.csv"));
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  const std::string path = dir.File("e.sgds");
  ASSERT_TRUE(WriteDatasetCache(path, "key", *truth).ok());
  const std::string good = testing::ReadText(path);
  auto expect_corruption = [&](const std::string& bytes, const std::string& what) {
    WriteText(path, bytes);
    auto read = ReadDatasetCache(path, "key");
    ASSERT_FALSE(read.ok()) << what;
    EXPECT_EQ(read.status().code(), StatusCode::kCorruption) << what << ": " << read.status().ToString();
    EXPECT_TRUE(Contains(read.status().message(), path)) << read.status().message();
  };
  for (size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ (1 << (at % 8)));
    expect_corruption(bad, "bit flipped at byte " + std::to_string(at));
  }
  for (size_t keep = 0; keep < good.size(); ++keep) {
    expect_corruption(good.substr(0, keep), "truncated to " + std::to_string(keep));
  }
  WriteText(path, good);
  auto intact = ReadDatasetCache(path, "key");
  ASSERT_TRUE(intact.ok()) << intact.status().ToString();
  ExpectSameDataset(*intact, *truth);
}

// The dataset_cache_fuzz seeds (tests/fuzz/corpus) are cache files of the current format under
// the fuzz key; without that the fuzzer would only ever meet a header check. After a format
// change, `STREAMGNN_UPDATE_SEEDS=1 <build>/bin/datasets_test --gtest_filter='*FuzzSeeds*'`
// rewrites them.
TEST(CacheFile, FuzzSeedsAreCurrent) {
  TempDir dir;
  WriteText(dir.File("e.csv"), "u,i,ts,label,f0,f1\n0,3,1,0,0.5,1\n1,4,2,1,1.5,2\n2,3,2,0,2,3\n");
  WriteText(dir.File("ml_s.csv"), ",u,i,ts,label,idx\n0,1,2,0,1,1\n1,2,1,4,0,2\n");
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_s.npy"), {3, 2, {0, 0, 1, 2, 3, 4}}).ok());
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_s_node.npy"), {3, 1, {9, 8, 7}}).ok());
  const std::string corpus = std::string(STREAMGNN_SOURCE_DIR) + "/tests/fuzz/corpus/dataset_cache_fuzz/";
  const std::pair<const char*, StatusOr<TemporalDataset>> kSeeds[] = {
      {"seed-jodie_features", LoadJodieCsv(dir.File("e.csv"))},
      {"seed-ml_companions", LoadMlCsv(dir.File("ml_s.csv"))},
  };
  for (const auto& [name, ds] : kSeeds) {
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    if (std::getenv("STREAMGNN_UPDATE_SEEDS") != nullptr) {
      std::filesystem::create_directories(corpus);
      ASSERT_TRUE(WriteDatasetCache(corpus + name, fuzz::kCacheKey, *ds).ok());
    }
    auto seed = ReadDatasetCache(corpus + name, fuzz::kCacheKey);
    ASSERT_TRUE(seed.ok()) << seed.status().ToString()
                           << "\n  rewrite with STREAMGNN_UPDATE_SEEDS=1 (see this test's comment)";
    ExpectSameDataset(*seed, *ds);
  }
}

}  // namespace
}  // namespace streamgnn::datasets
