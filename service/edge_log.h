// EdgeLog: the durable, ordered log of every acknowledged edge, in RocksDB.
//
// Each record is one appended batch, keyed by its first edge id (8 bytes, big-endian, so keys
// sort by id) and holding the batch's columns. Records are contiguous: record k starts where
// record k-1 ends, checked on open. A batch is acknowledged only after Append returns, which
// under SyncPolicy::kEveryBatch means after the write-ahead log was fsync'ed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace rocksdb {
class DB;
}

namespace streamgnn::service {

// Columns of a batch of edges; features has size() * feature_dim floats (row-major) or none.
struct EdgeColumns {
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> time;
  int32_t feature_dim = 0;
  std::vector<float> features;
  int64_t size() const { return static_cast<int64_t>(src.size()); }
};

enum class SyncPolicy {
  kEveryBatch,  // fsync the WAL before acknowledging each batch: nothing acknowledged is lost
  kInterval,    // fsync every interval_ms: a machine crash loses at most that window of acked
                // batches (a process crash loses nothing: the WAL is already in the OS)
};

struct EdgeLogOptions {
  std::string path;  // RocksDB directory, created if missing
  SyncPolicy sync = SyncPolicy::kEveryBatch;
  int interval_ms = 100;  // kInterval only; >= 1
};

class EdgeLog {
 public:
  // Opens (or creates) the log and checks that its records are contiguous from edge id 0.
  static StatusOr<std::unique_ptr<EdgeLog>> Open(const EdgeLogOptions& options);
  ~EdgeLog();

  // Appends edges [first_edge_id, first_edge_id + batch.size()). Requires
  // first_edge_id == next_edge_id(). Not thread-safe against other Appends.
  Status Append(EdgeId first_edge_id, const EdgeColumns& batch);

  // Calls fn(first_edge_id, batch) for every record in id order.
  Status ForEach(const std::function<Status(EdgeId, const EdgeColumns&)>& fn) const;
  // Edges [first, first + count) clipped to what is stored, features included when every
  // edge read has the same width (else columns only; with `one_width`, InvalidArgument naming
  // the first edge whose width differs).
  StatusOr<EdgeColumns> Read(EdgeId first, int64_t count, bool one_width = false) const;

  EdgeId next_edge_id() const { return next_edge_.load(std::memory_order_acquire); }
  int64_t ApproximateBytes() const;

 private:
  explicit EdgeLog(EdgeLogOptions options);
  void SyncLoop();

  EdgeLogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<EdgeId> next_edge_{0};
  std::thread syncer_;
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool stop_ = false;
};

// The record encoding, exposed for tests: little-endian n, feature_dim, then the columns.
std::string EncodeColumns(const EdgeColumns& batch);
Status DecodeColumns(const std::string& bytes, EdgeColumns* out);

}  // namespace streamgnn::service
