#include "features/feature_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "features/feature_store_torch.h"
#include "tests/testing/file_damage.h"

namespace streamgnn::features {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("sg_feature_store_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

std::vector<float> Table(int64_t rows, int64_t dim, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal;
  std::vector<float> t(static_cast<size_t>(rows * dim));
  for (float& x : t) x = normal(gen);
  return t;
}

std::vector<int64_t> RandomIds(int64_t rows, size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<int64_t> ids(n);
  for (auto& id : ids) id = static_cast<int64_t>(gen() % rows);
  ids.push_back(rows - 1);  // the last (possibly partial) chunk
  ids.push_back(0);
  ids.push_back(0);         // duplicates
  return ids;
}

std::vector<float> GatherAll(FeatureStore& store, const std::vector<int64_t>& ids) {
  std::vector<float> out(ids.size() * store.dim(), -1.0f);
  const Status s = store.Gather(ids, out.data());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(InMemoryFeatureStore, GathersRows) {
  const std::vector<float> table = Table(50, 3, 1);
  auto store = InMemoryFeatureStore::Create(50, 3, table);
  ASSERT_TRUE(store.ok());
  const std::vector<int64_t> ids = {49, 0, 7, 7};
  const std::vector<float> rows = GatherAll(**store, ids);
  for (size_t i = 0; i < ids.size(); ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(rows[i * 3 + j], table[ids[i] * 3 + j]);
  }
  EXPECT_EQ((*store)->Describe(), "ram 50x3");
}

TEST(InMemoryFeatureStore, RejectsBadInput) {
  EXPECT_EQ(InMemoryFeatureStore::Create(4, 2, std::vector<float>(7)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(InMemoryFeatureStore::Create(-1, 2, {}).status().code(), StatusCode::kInvalidArgument);
  auto store = InMemoryFeatureStore::Create(4, 2, std::vector<float>(8));
  ASSERT_TRUE(store.ok());
  std::vector<float> out(4);
  const std::vector<int64_t> high = {1, 4};
  const Status s = (*store)->Gather(high, out.data());
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find("4"), std::string::npos);
  const std::vector<int64_t> negative = {-1};
  EXPECT_EQ((*store)->Gather(negative, out.data()).code(), StatusCode::kOutOfRange);
}

TEST(RocksDbFeatureStore, ReturnsExactlyTheRowsRamReturns) {
  if (!RocksDbAvailable()) GTEST_SKIP() << "built without RocksDB";
  const int64_t rows = 1001, dim = 5;
  const std::vector<float> table = Table(rows, dim, 2);
  auto ram = InMemoryFeatureStore::Create(rows, dim, table);
  ASSERT_TRUE(ram.ok());
  const std::vector<int64_t> ids = RandomIds(rows, 700, 3);
  const std::vector<float> expected = GatherAll(**ram, ids);
  for (int64_t chunk : {1, 7, 64, 5000}) {  // 1001 = 143 * 7: the last chunk is full for 7
    TempDir dir("exact_" + std::to_string(chunk));
    RocksDbFeatureStoreOptions o;
    o.path = dir.path();
    o.rows_per_chunk = chunk;
    o.chunks_per_write_batch = 3;
    auto disk = RocksDbFeatureStore::Build(o, rows, dim, table);
    ASSERT_TRUE(disk.ok()) << disk.status().ToString();
    EXPECT_EQ((*disk)->num_rows(), rows);
    EXPECT_EQ((*disk)->dim(), dim);
    EXPECT_EQ(GatherAll(**disk, ids), expected) << "rows_per_chunk " << chunk;
    // One batch reads each distinct chunk once.
    const int64_t before = (*disk)->chunks_read();
    const std::vector<int64_t> same_chunk = {0, 0, 0};
    GatherAll(**disk, same_chunk);
    EXPECT_EQ((*disk)->chunks_read() - before, 1);
  }
}

TEST(RocksDbFeatureStore, SurvivesReopen) {
  if (!RocksDbAvailable()) GTEST_SKIP() << "built without RocksDB";
  const int64_t rows = 333, dim = 4;
  const std::vector<float> table = Table(rows, dim, 4);
  TempDir dir("reopen");
  RocksDbFeatureStoreOptions o;
  o.path = dir.path();
  o.rows_per_chunk = 10;
  const std::vector<int64_t> ids = RandomIds(rows, 200, 5);
  std::vector<float> first;
  {
    auto disk = RocksDbFeatureStore::Build(o, rows, dim, table);
    ASSERT_TRUE(disk.ok()) << disk.status().ToString();
    first = GatherAll(**disk, ids);
  }
  // Reopened by a fresh handle with different (ignored) chunking options: the stored ones win.
  o.rows_per_chunk = 99;
  o.direct_reads = true;
  auto reopened = RocksDbFeatureStore::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->rows_per_chunk(), 10);
  EXPECT_EQ((*reopened)->num_rows(), rows);
  EXPECT_EQ(GatherAll(**reopened, ids), first);
  for (size_t i = 0; i < ids.size(); ++i) {
    for (int j = 0; j < dim; ++j) ASSERT_EQ(first[i * dim + j], table[ids[i] * dim + j]);
  }
  // Two read-only handles at once.
  auto second = RocksDbFeatureStore::Open(o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(GatherAll(**second, ids), first);
}

// A damaged store (table, manifest, CURRENT) never serves other rows: it is refused at Open or
// at Gather (Corruption / IOError / NotFound naming the store), or serves exactly the rows it was
// built with. RocksDB's block checksums are what catches a flipped bit in a table.
TEST(RocksDbFeatureStore, DamagedFilesAreRefusedOrReadExactly) {
  if (!RocksDbAvailable()) GTEST_SKIP() << "built without RocksDB";
  const int64_t rows = 400, dim = 8;
  const std::vector<float> table = Table(rows, dim, 6);
  TempDir dir("damaged");
  RocksDbFeatureStoreOptions o;
  o.path = dir.path();
  o.rows_per_chunk = 16;
  ASSERT_TRUE(RocksDbFeatureStore::Build(o, rows, dim, table).ok());
  std::vector<int64_t> ids(rows);
  for (int64_t i = 0; i < rows; ++i) ids[i] = i;
  const auto is_db_file = [](const std::string& name) {
    return name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 ||
           (name.size() > 4 && name.substr(name.size() - 4) == ".sst");
  };
  int64_t refused = 0;
  const int64_t made = testing::ForEachDamage(dir.path(), is_db_file, 24, [&](const std::string& file,
                                                                              const std::string& what) {
    SCOPED_TRACE(file + ": " + what);
    auto store = RocksDbFeatureStore::Open(o);
    Status s = store.ok() ? Status::Ok() : store.status();
    std::vector<float> out(static_cast<size_t>(rows * dim));
    if (s.ok()) s = (*store)->Gather(ids, out.data());
    if (!s.ok()) {
      EXPECT_TRUE(s.code() == StatusCode::kCorruption || s.code() == StatusCode::kIOError ||
                  s.code() == StatusCode::kNotFound) << s.ToString();
      EXPECT_NE(s.message().find(dir.path()), std::string::npos) << s.ToString();
      ++refused;
      return;
    }
    EXPECT_EQ(out, table);
  });
  EXPECT_GT(made, 30);
  EXPECT_GT(refused, 0);
}

TEST(RocksDbFeatureStore, Errors) {
  if (!RocksDbAvailable()) GTEST_SKIP() << "built without RocksDB";
  TempDir dir("errors");
  RocksDbFeatureStoreOptions o;
  o.path = dir.path();
  EXPECT_EQ(RocksDbFeatureStore::Open(o).status().code(), StatusCode::kNotFound);
  RocksDbFeatureStoreOptions bad = o;
  bad.rows_per_chunk = 0;
  EXPECT_EQ(RocksDbFeatureStore::Build(bad, 4, 2, std::vector<float>(8)).status().code(),
            StatusCode::kInvalidArgument);
  bad = o;
  bad.path.clear();
  EXPECT_EQ(RocksDbFeatureStore::Open(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RocksDbFeatureStore::Build(o, 4, 2, std::vector<float>(7)).status().code(),
            StatusCode::kInvalidArgument);

  // A build whose row source fails leaves a database without metadata: opening it says so.
  auto failed = RocksDbFeatureStore::Build(o, 100, 2, [](int64_t first, int64_t, float* out) {
    if (first >= 32) return Status::IOError("source broke");
    for (int i = 0; i < 32; ++i) out[i] = 1.0f;
    return Status::Ok();
  });
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_EQ(RocksDbFeatureStore::Open(o).status().code(), StatusCode::kCorruption);
  // A second build over an existing database is refused.
  EXPECT_EQ(RocksDbFeatureStore::Build(o, 4, 2, std::vector<float>(8)).status().code(),
            StatusCode::kFailedPrecondition);

  TempDir ok_dir("errors_ok");
  o.path = ok_dir.path();
  auto store = RocksDbFeatureStore::Build(o, 4, 2, std::vector<float>(8, 2.0f));
  ASSERT_TRUE(store.ok());
  std::vector<float> out(4);
  const std::vector<int64_t> high = {0, 4};
  EXPECT_EQ((*store)->Gather(high, out.data()).code(), StatusCode::kOutOfRange);
}

TEST(FeatureStoreTorch, GatherTensor) {
  const std::vector<float> table = Table(20, 3, 6);
  auto store = InMemoryFeatureStore::Create(20, 3, table);
  ASSERT_TRUE(store.ok());
  const torch::Tensor ids = torch::tensor({19, 2, 2}, torch::kInt64);
  auto t = GatherTensor(**store, ids);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(t->scalar_type(), torch::kFloat32);
  const torch::Tensor full = torch::from_blob(const_cast<float*>(table.data()), {20, 3}).clone();
  EXPECT_TRUE(torch::equal(*t, full.index_select(0, ids)));
  // int32 ids and a strided view work too.
  const torch::Tensor strided = torch::tensor({5, 0, 6, 0, 7, 0}, torch::kInt32).slice(0, 0, 6, 2);
  auto t2 = GatherTensor(**store, strided);
  ASSERT_TRUE(t2.ok());
  EXPECT_TRUE(torch::equal(*t2, full.index_select(0, strided.to(torch::kInt64))));
  // Shape and dtype errors.
  EXPECT_EQ(GatherTensor(**store, torch::zeros({2, 2}, torch::kInt64)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GatherTensor(**store, torch::zeros({2}, torch::kFloat32)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GatherTensor(**store, torch::tensor({20}, torch::kInt64)).status().code(),
            StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace streamgnn::features
