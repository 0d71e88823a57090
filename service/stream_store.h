// StreamStore: the ingestion path of `streamgnn serve`, without the network. A batch is
// validated whole, written to the durable edge log, then appended to the in-memory block
// store; on open, the store is rebuilt from the log before anything is served.
//
// Thread-safe: concurrent Ingest calls are serialised; readers take graph snapshots freely.
// At most max_pending batches may wait for the writer; beyond that Ingest answers
// ResourceExhausted at once (clients back off), so memory never grows without bound.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "graph/temporal_graph.h"
#include "service/edge_log.h"

namespace streamgnn::service {

struct StreamStoreOptions {
  std::string data_dir;              // the edge log lives in <data_dir>/edges
  graph::TemporalGraphOptions graph;
  int64_t max_nodes = int64_t{1} << 32;  // node ids must lie in [0, max_nodes)
  int32_t max_feature_dim = 4096;
  EdgeLogOptions log;                // path is set from data_dir
  int64_t max_pending = 64;          // batches waiting for the writer, >= 1
  int64_t max_batch = 1 << 20;       // edges per batch, >= 1
};

struct IngestResult {
  EdgeId first_edge_id = 0;  // id of the batch's first edge
  EdgeId last_edge_id = -1;  // id of its last edge
  int64_t stored = 0;        // edges newly stored (the rest were already there)
};

struct StoreStats {
  int64_t num_edges = 0;
  int64_t num_nodes = 0;
  int64_t out_of_order_inserted = 0;
  int64_t refused_batches = 0;
  int64_t memory_bytes = 0;
  int64_t log_bytes = 0;
  double uptime_s = 0;
  double ingest_edges_per_s = 0;
  Timestamp newest_time = 0;
};

class StreamStore {
 public:
  static StatusOr<std::unique_ptr<StreamStore>> Open(StreamStoreOptions options);

  // Stores `batch` as edges [first_edge_id, first_edge_id + n). first_edge_id = -1 appends at the
  // end. A batch whose first part is already stored (a resend) stores only the rest; one that
  // would leave a gap is refused (FailedPrecondition). Bad rows refuse the whole batch with
  // InvalidArgument naming the first bad row; nothing of it is stored.
  StatusOr<IngestResult> Ingest(const EdgeColumns& batch, EdgeId first_edge_id);

  const graph::TemporalGraph& graph() const { return *graph_; }
  const EdgeLog& log() const { return *log_; }
  int64_t max_nodes() const { return options_.max_nodes; }
  StoreStats Stats() const;
  int64_t pending() const { return pending_.load(); }  // batches in Ingest right now

 private:
  StreamStore() = default;
  Status Validate(const EdgeColumns& batch) const;

  StreamStoreOptions options_;
  std::unique_ptr<EdgeLog> log_;
  std::unique_ptr<graph::TemporalGraph> graph_;
  std::mutex writer_mu_;
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> ingested_{0};  // edges stored by this process
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace streamgnn::service
