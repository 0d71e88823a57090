// FeatureStore: node or edge feature rows behind one batch API (DESIGN.md, Memory).
//
//   InMemoryFeatureStore  rows in RAM (a float32 row-major table).
//   RocksDbFeatureStore   rows on disk in RocksDB: rows are grouped into chunks of
//                         `rows_per_chunk` consecutive rows, one key per chunk, and a gather
//                         reads all the chunks it needs with one batched MultiGet. Its memory
//                         use is bounded by the RocksDB block cache (`block_cache_bytes`) and
//                         the memtable, not by the data size: datasets larger than RAM train with
//                         a FeatureCache (features/feature_cache.h) in front of it.
//
// A gather of ids writes ids.size() rows of dim() floats, row i = the row of ids[i] (duplicates
// allowed), into caller memory. The LibTorch form (gather(ids) -> tensor) is in
// features/feature_store_torch.h; this header is torch-free.
//
// Thread-safety: Gather on InMemoryFeatureStore and RocksDbFeatureStore may be called from many
// threads at once. FeatureCache is not thread-safe (see its header).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/span.h"
#include "core/status.h"

namespace streamgnn::features {

class FeatureStore {
 public:
  virtual ~FeatureStore() = default;

  int64_t num_rows() const { return num_rows_; }
  int64_t dim() const { return dim_; }

  // Writes the rows of `ids` to out[0 .. ids.size() * dim()). Errors: an id outside
  // [0, num_rows()) (OutOfRange, naming it; `out` is then unspecified), I/O or corruption of the
  // disk tier (IOError / Corruption).
  virtual Status Gather(Span<const int64_t> ids, float* out) = 0;

  // Short description for logs, e.g. "ram 9227x172" or "rocksdb /path 9227x172".
  virtual std::string Describe() const = 0;

 protected:
  FeatureStore(int64_t num_rows, int64_t dim) : num_rows_(num_rows), dim_(dim) {}
  // OutOfRange naming the first bad id, or Ok.
  Status CheckIds(Span<const int64_t> ids) const;

 private:
  int64_t num_rows_;
  int64_t dim_;
};

// Rows in RAM. Holds its own copy of the table.
class InMemoryFeatureStore final : public FeatureStore {
 public:
  // `data` has num_rows * dim floats, row-major. Errors: negative sizes or a size mismatch.
  static StatusOr<std::unique_ptr<InMemoryFeatureStore>> Create(int64_t num_rows, int64_t dim,
                                                                std::vector<float> data);
  Status Gather(Span<const int64_t> ids, float* out) override;
  std::string Describe() const override;
  const float* data() const { return data_.data(); }

 private:
  InMemoryFeatureStore(int64_t num_rows, int64_t dim, std::vector<float> data)
      : FeatureStore(num_rows, dim), data_(std::move(data)) {}
  std::vector<float> data_;
};

struct RocksDbFeatureStoreOptions {
  // Directory of the RocksDB database. Required.
  std::string path;
  // Rows per RocksDB value (chunk). Larger chunks: fewer keys and better sequential reads; smaller
  // chunks: less read amplification for scattered gathers. Used when building; an opened store
  // uses the value it was built with. Requires >= 1.
  int64_t rows_per_chunk = 16;
  // RocksDB block cache (LRU, uncompressed blocks). This and the memtable bound the store's RAM.
  int64_t block_cache_bytes = int64_t{8} << 20;
  // Chunks per write batch while building. Requires >= 1.
  int64_t chunks_per_write_batch = 256;
  // Use RocksDB's block compression (LZ4 where available). Float features rarely compress.
  bool compress = false;
  // Open with direct reads (O_DIRECT), bypassing the OS page cache, so that the RAM budget of a
  // run really bounds what the disk tier keeps in memory. Falls back to buffered reads when the
  // file system refuses O_DIRECT.
  bool direct_reads = false;
};

// Rows on disk in RocksDB. Layout: key "meta" -> format version, num_rows, dim, rows_per_chunk;
// key 'c' + big-endian chunk index -> that chunk's rows (float32, row-major; the last chunk may
// be shorter). Built once, then read-only.
class RocksDbFeatureStore final : public FeatureStore {
 public:
  // Fills rows [first, first + count) into `out` (count * dim floats). Called with increasing
  // `first`, one chunk-aligned range at a time, so a table larger than RAM can be generated on
  // the fly.
  using RowSource = std::function<Status(int64_t first, int64_t count, float* out)>;

  // Creates a new store at options.path (the directory must not hold a database) with rows from
  // `source`, then opens it for reading. Errors: bad options or sizes (InvalidArgument), an
  // existing database (FailedPrecondition), RocksDB failures (IOError), errors of `source`.
  static StatusOr<std::unique_ptr<RocksDbFeatureStore>> Build(const RocksDbFeatureStoreOptions& options,
                                                              int64_t num_rows, int64_t dim,
                                                              const RowSource& source);
  // The same from an in-memory table of num_rows * dim floats.
  static StatusOr<std::unique_ptr<RocksDbFeatureStore>> Build(const RocksDbFeatureStoreOptions& options,
                                                              int64_t num_rows, int64_t dim,
                                                              Span<const float> data);
  // Opens an existing store read-only. Errors: no database (NotFound), missing or malformed
  // metadata (Corruption), RocksDB failures (IOError).
  static StatusOr<std::unique_ptr<RocksDbFeatureStore>> Open(const RocksDbFeatureStoreOptions& options);

  ~RocksDbFeatureStore() override;

  // One MultiGet for the distinct chunks of `ids`. A chunk of the wrong size is Corruption.
  Status Gather(Span<const int64_t> ids, float* out) override;
  std::string Describe() const override;
  int64_t rows_per_chunk() const { return rows_per_chunk_; }
  // Chunks read by Gather since construction (a measure of disk traffic).
  int64_t chunks_read() const { return chunks_read_.load(); }

 private:
  struct Rep;  // the RocksDB handles (feature_store.cc)
  RocksDbFeatureStore(std::string path, int64_t num_rows, int64_t dim, int64_t rows_per_chunk,
                      std::unique_ptr<Rep> rep);

  std::string path_;
  int64_t rows_per_chunk_;
  std::unique_ptr<Rep> rep_;
  std::atomic<int64_t> chunks_read_{0};
};

// True when this build has the RocksDB disk tier (it is optional only in torch-free builds; see
// memory/CMakeLists.txt). Without it, RocksDbFeatureStore::Build/Open return Unimplemented.
bool RocksDbAvailable();

}  // namespace streamgnn::features
