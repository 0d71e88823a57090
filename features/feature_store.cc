#include "features/feature_store.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#if defined(STREAMGNN_WITH_ROCKSDB)
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#endif

namespace streamgnn::features {

Status FeatureStore::CheckIds(Span<const int64_t> ids) const {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= num_rows_) {
      return Status::OutOfRange("feature row id " + std::to_string(ids[i]) + " (position " +
                                std::to_string(i) + ") is outside [0, " + std::to_string(num_rows_) +
                                ")");
    }
  }
  return Status::Ok();
}

// ---- RAM ------------------------------------------------------------------------------------

StatusOr<std::unique_ptr<InMemoryFeatureStore>> InMemoryFeatureStore::Create(int64_t num_rows,
                                                                             int64_t dim,
                                                                             std::vector<float> data) {
  if (num_rows < 0 || dim < 0) {
    return Status::InvalidArgument("feature table sizes must be >= 0, got " +
                                   std::to_string(num_rows) + " x " + std::to_string(dim));
  }
  if (static_cast<int64_t>(data.size()) != num_rows * dim) {
    return Status::InvalidArgument("feature table has " + std::to_string(data.size()) +
                                   " floats, expected " + std::to_string(num_rows) + " x " +
                                   std::to_string(dim));
  }
  return std::unique_ptr<InMemoryFeatureStore>(
      new InMemoryFeatureStore(num_rows, dim, std::move(data)));
}

Status InMemoryFeatureStore::Gather(Span<const int64_t> ids, float* out) {
  SG_RETURN_IF_ERROR(CheckIds(ids));
  const int64_t d = dim();
  for (size_t i = 0; i < ids.size(); ++i) {
    std::memcpy(out + i * d, data_.data() + ids[i] * d, sizeof(float) * d);
  }
  return Status::Ok();
}

std::string InMemoryFeatureStore::Describe() const {
  return "ram " + std::to_string(num_rows()) + "x" + std::to_string(dim());
}

// ---- RocksDB --------------------------------------------------------------------------------


bool RocksDbAvailable() {
#if defined(STREAMGNN_WITH_ROCKSDB)
  return true;
#else
  return false;
#endif
}

#if defined(STREAMGNN_WITH_ROCKSDB)

namespace {

constexpr char kMetaKey[] = "meta";
constexpr uint32_t kMagic = 0x53474653;  // "SGFS"
constexpr uint32_t kFormatVersion = 1;

struct Meta {
  uint32_t magic = kMagic;
  uint32_t version = kFormatVersion;
  int64_t num_rows = 0;
  int64_t dim = 0;
  int64_t rows_per_chunk = 0;
};

// 'c' + big-endian chunk index: keys sort in chunk order.
void ChunkKey(int64_t chunk, char out[9]) {
  out[0] = 'c';
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>((static_cast<uint64_t>(chunk) >> (56 - 8 * i)) & 0xff);
}

Status ValidateOptions(const RocksDbFeatureStoreOptions& o) {
  if (o.path.empty()) return Status::InvalidArgument("feature store path is empty");
  if (o.rows_per_chunk < 1) {
    return Status::InvalidArgument("rows_per_chunk must be >= 1, got " + std::to_string(o.rows_per_chunk));
  }
  if (o.block_cache_bytes < 0) return Status::InvalidArgument("block_cache_bytes must be >= 0");
  if (o.chunks_per_write_batch < 1) return Status::InvalidArgument("chunks_per_write_batch must be >= 1");
  return Status::Ok();
}

}  // namespace

struct RocksDbFeatureStore::Rep {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::unique_ptr<rocksdb::DB> db;
};

namespace {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

rocksdb::Options MakeOptions(const RocksDbFeatureStoreOptions& o,
                             std::shared_ptr<rocksdb::Cache>* cache) {
  rocksdb::Options options;
  rocksdb::BlockBasedTableOptions table;
  *cache = rocksdb::NewLRUCache(static_cast<size_t>(o.block_cache_bytes));
  table.block_cache = *cache;
  table.block_size = 64 << 10;
  table.cache_index_and_filter_blocks = true;  // index memory counts against the budget too
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = o.compress ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  options.write_buffer_size = 16 << 20;
  options.max_open_files = 256;
  options.use_direct_reads = o.direct_reads;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  return options;
}

}  // namespace

RocksDbFeatureStore::RocksDbFeatureStore(std::string path, int64_t num_rows, int64_t dim,
                                         int64_t rows_per_chunk, std::unique_ptr<Rep> rep)
    : FeatureStore(num_rows, dim),
      path_(std::move(path)),
      rows_per_chunk_(rows_per_chunk),
      rep_(std::move(rep)) {}

RocksDbFeatureStore::~RocksDbFeatureStore() {
  if (rep_ && rep_->db) {
    rep_->db->Close().PermitUncheckedError();
  }
}

StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Build(
    const RocksDbFeatureStoreOptions& o, int64_t num_rows, int64_t dim, const RowSource& source) {
  SG_RETURN_IF_ERROR(ValidateOptions(o));
  if (num_rows < 0 || dim < 0) {
    return Status::InvalidArgument("feature table sizes must be >= 0, got " +
                                   std::to_string(num_rows) + " x " + std::to_string(dim));
  }
  {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(o.path) / "CURRENT", ec)) {
      return Status::FailedPrecondition("a RocksDB database already exists at " + o.path +
                                        "; remove it or open it with RocksDbFeatureStore::Open");
    }
    std::filesystem::create_directories(o.path, ec);
    if (ec) return Status::IOError("cannot create " + o.path + ": " + ec.message());
  }
  {
    std::shared_ptr<rocksdb::Cache> cache;
    rocksdb::Options options = MakeOptions(o, &cache);
    options.use_direct_reads = false;
    options.create_if_missing = true;
    options.error_if_exists = true;
    rocksdb::DB* raw = nullptr;
    SG_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, o.path, &raw), "open " + o.path));
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;  // the store is flushed below before it is used
    const int64_t chunks = (num_rows + o.rows_per_chunk - 1) / o.rows_per_chunk;
    std::vector<float> buffer(static_cast<size_t>(o.rows_per_chunk * dim));
    rocksdb::WriteBatch batch;
    char key[9];
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t first = c * o.rows_per_chunk;
      const int64_t count = std::min(o.rows_per_chunk, num_rows - first);
      SG_RETURN_IF_ERROR(source(first, count, buffer.data()).WithPrefix("feature rows " + std::to_string(first)));
      ChunkKey(c, key);
      SG_RETURN_IF_ERROR(FromRocks(
          batch.Put(rocksdb::Slice(key, 9),
                    rocksdb::Slice(reinterpret_cast<const char*>(buffer.data()),
                                   static_cast<size_t>(count * dim) * sizeof(float))),
          "write batch"));
      if ((c + 1) % o.chunks_per_write_batch == 0 || c + 1 == chunks) {
        SG_RETURN_IF_ERROR(FromRocks(db->Write(wo, &batch), "write " + o.path));
        batch.Clear();
      }
    }
    Meta meta;
    meta.num_rows = num_rows;
    meta.dim = dim;
    meta.rows_per_chunk = o.rows_per_chunk;
    SG_RETURN_IF_ERROR(FromRocks(
        db->Put(wo, kMetaKey, rocksdb::Slice(reinterpret_cast<const char*>(&meta), sizeof(meta))),
        "write metadata"));
    SG_RETURN_IF_ERROR(FromRocks(db->Flush(rocksdb::FlushOptions()), "flush " + o.path));
    SG_RETURN_IF_ERROR(FromRocks(db->Close(), "close " + o.path));
  }
  return Open(o);
}

StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Build(
    const RocksDbFeatureStoreOptions& o, int64_t num_rows, int64_t dim, Span<const float> data) {
  if (num_rows < 0 || dim < 0 || static_cast<int64_t>(data.size()) != num_rows * dim) {
    return Status::InvalidArgument("feature table has " + std::to_string(data.size()) +
                                   " floats, expected " + std::to_string(num_rows) + " x " +
                                   std::to_string(dim));
  }
  return Build(o, num_rows, dim, [&](int64_t first, int64_t count, float* out) {
    std::memcpy(out, data.data() + first * dim, static_cast<size_t>(count * dim) * sizeof(float));
    return Status::Ok();
  });
}

StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Open(
    const RocksDbFeatureStoreOptions& o) {
  if (o.path.empty()) return Status::InvalidArgument("feature store path is empty");
  if (o.block_cache_bytes < 0) return Status::InvalidArgument("block_cache_bytes must be >= 0");
  {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(o.path) / "CURRENT", ec)) {
      return Status::NotFound("no feature store (RocksDB database) at " + o.path);
    }
  }
  auto rep = std::make_unique<Rep>();
  rocksdb::Options options = MakeOptions(o, &rep->block_cache);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, o.path, &raw);
  if (!s.ok() && o.direct_reads) {  // e.g. tmpfs refuses O_DIRECT
    options.use_direct_reads = false;
    s = rocksdb::DB::OpenForReadOnly(options, o.path, &raw);
  }
  SG_RETURN_IF_ERROR(FromRocks(s, "open " + o.path));
  rep->db.reset(raw);
  std::string value;
  s = rep->db->Get(rocksdb::ReadOptions(), kMetaKey, &value);
  if (s.IsNotFound()) {
    return Status::Corruption("feature store " + o.path + " has no metadata (incomplete build?)");
  }
  SG_RETURN_IF_ERROR(FromRocks(s, "read metadata of " + o.path));
  Meta meta;
  if (value.size() != sizeof(Meta)) {
    return Status::Corruption("feature store " + o.path + ": metadata has " +
                              std::to_string(value.size()) + " bytes, expected " +
                              std::to_string(sizeof(Meta)));
  }
  std::memcpy(&meta, value.data(), sizeof(Meta));
  if (meta.magic != kMagic || meta.version != kFormatVersion || meta.num_rows < 0 || meta.dim < 0 ||
      meta.rows_per_chunk < 1) {
    return Status::Corruption("feature store " + o.path + ": bad metadata (magic/version/sizes)");
  }
  return std::unique_ptr<RocksDbFeatureStore>(new RocksDbFeatureStore(
      o.path, meta.num_rows, meta.dim, meta.rows_per_chunk, std::move(rep)));
}

Status RocksDbFeatureStore::Gather(Span<const int64_t> ids, float* out) {
  SG_RETURN_IF_ERROR(CheckIds(ids));
  if (ids.empty()) return Status::Ok();
  const int64_t d = dim();
  std::vector<int64_t> chunks(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) chunks[i] = ids[i] / rows_per_chunk_;
  std::sort(chunks.begin(), chunks.end());
  chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());
  const size_t n = chunks.size();
  std::vector<char> key_bytes(9 * n);
  std::vector<rocksdb::Slice> keys(n);
  for (size_t c = 0; c < n; ++c) {
    ChunkKey(chunks[c], key_bytes.data() + 9 * c);
    keys[c] = rocksdb::Slice(key_bytes.data() + 9 * c, 9);
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  rep_->db->MultiGet(rocksdb::ReadOptions(), rep_->db->DefaultColumnFamily(), n, keys.data(),
                     values.data(), statuses.data(), /*sorted_input=*/true);
  chunks_read_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
  for (size_t c = 0; c < n; ++c) {
    if (!statuses[c].ok()) {
      return FromRocks(statuses[c], "feature chunk " + std::to_string(chunks[c]) + " of " + path_)
          .WithPrefix(statuses[c].IsNotFound() ? "missing chunk" : "read");
    }
    const int64_t first = chunks[c] * rows_per_chunk_;
    const int64_t rows = std::min(rows_per_chunk_, num_rows() - first);
    if (values[c].size() != static_cast<size_t>(rows * d) * sizeof(float)) {
      return Status::Corruption("feature chunk " + std::to_string(chunks[c]) + " of " + path_ +
                                " has " + std::to_string(values[c].size()) + " bytes, expected " +
                                std::to_string(rows * d * 4));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t chunk = ids[i] / rows_per_chunk_;
    const size_t c = static_cast<size_t>(std::lower_bound(chunks.begin(), chunks.end(), chunk) - chunks.begin());
    const char* base = values[c].data() + static_cast<size_t>((ids[i] - chunk * rows_per_chunk_) * d) * sizeof(float);
    std::memcpy(out + i * d, base, static_cast<size_t>(d) * sizeof(float));
  }
  return Status::Ok();
}

#else  // !STREAMGNN_WITH_ROCKSDB

struct RocksDbFeatureStore::Rep {};

RocksDbFeatureStore::RocksDbFeatureStore(std::string path, int64_t num_rows, int64_t dim,
                                         int64_t rows_per_chunk, std::unique_ptr<Rep> rep)
    : FeatureStore(num_rows, dim), path_(std::move(path)), rows_per_chunk_(rows_per_chunk),
      rep_(std::move(rep)) {}
RocksDbFeatureStore::~RocksDbFeatureStore() = default;

StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Build(
    const RocksDbFeatureStoreOptions&, int64_t, int64_t, const RowSource&) {
  return Status::Unimplemented("this build has no RocksDB: the disk feature tier is unavailable");
}
StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Build(
    const RocksDbFeatureStoreOptions&, int64_t, int64_t, Span<const float>) {
  return Status::Unimplemented("this build has no RocksDB: the disk feature tier is unavailable");
}
StatusOr<std::unique_ptr<RocksDbFeatureStore>> RocksDbFeatureStore::Open(
    const RocksDbFeatureStoreOptions&) {
  return Status::Unimplemented("this build has no RocksDB: the disk feature tier is unavailable");
}
Status RocksDbFeatureStore::Gather(Span<const int64_t>, float*) {
  return Status::Unimplemented("this build has no RocksDB");
}

#endif  // STREAMGNN_WITH_ROCKSDB

std::string RocksDbFeatureStore::Describe() const {
  return "rocksdb " + path_ + " " + std::to_string(num_rows()) + "x" + std::to_string(dim()) +
         " (" + std::to_string(rows_per_chunk_) + " rows/chunk)";
}

}  // namespace streamgnn::features
