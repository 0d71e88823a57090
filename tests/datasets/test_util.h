// Helpers shared by the datasets tests: a self-deleting temp directory, file writers, and the
// path of the shared real datasets.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets::testing {

inline std::string SharedData(const std::string& rel) {
  return std::string(STREAMGNN_DATASETS_DIR) + "/" + rel;
}

// Skips the calling test when the shared datasets folder is not present on this machine.
#define SG_REQUIRE_SHARED(rel)                                                       \
  do {                                                                               \
    if (!std::filesystem::exists(::streamgnn::datasets::testing::SharedData(rel))) { \
      GTEST_SKIP() << "shared dataset missing: " << (rel);                           \
    }                                                                                \
  } while (0)

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sg_datasets_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteGzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
}

// Moves the file's mtime by `seconds` (tests must not depend on the clock's granularity).
inline void BumpMtime(const std::string& path, int seconds = 5) {
  auto t = std::filesystem::last_write_time(path);
  std::filesystem::last_write_time(path, t + std::chrono::seconds(seconds));
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Every field equal (floats and times bit-for-bit through ==).
inline void ExpectSameDataset(const TemporalDataset& a, const TemporalDataset& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.num_nodes, b.num_nodes);
  EXPECT_EQ(a.num_users, b.num_users);
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.edge_feat_dim, b.edge_feat_dim);
  EXPECT_EQ(a.edge_feat, b.edge_feat);
  EXPECT_EQ(a.node_feat_dim, b.node_feat_dim);
  EXPECT_EQ(a.node_feat, b.node_feat);
  EXPECT_EQ(a.split, b.split);
  EXPECT_EQ(a.original_node_ids, b.original_node_ids);
}

}  // namespace streamgnn::datasets::testing
