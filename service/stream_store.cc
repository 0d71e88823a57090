#include "service/stream_store.h"

#include <cmath>
#include <filesystem>
#include <sstream>

namespace streamgnn::service {
namespace {

std::string Row(int64_t i) { return "row " + std::to_string(i) + " of the batch: "; }

std::string Num(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}


}  // namespace

StatusOr<std::unique_ptr<StreamStore>> StreamStore::Open(StreamStoreOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("service data_dir is empty");
  if (options.max_pending < 1) return Status::InvalidArgument("max_pending must be >= 1");
  if (options.max_batch < 1) return Status::InvalidArgument("max_batch must be >= 1");
  if (options.max_nodes < 1 || options.max_nodes > graph::TemporalGraph::kMaxNodes) {
    return Status::InvalidArgument("max_nodes must be in [1, 2^32]");
  }
  SG_RETURN_IF_ERROR(graph::TemporalGraph::ValidateOptions(options.graph));
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::IOError("cannot create " + options.data_dir + ": " + ec.message());
  std::unique_ptr<StreamStore> store(new StreamStore());
  options.log.path = (std::filesystem::path(options.data_dir) / "edges").string();
  store->options_ = options;
  SG_ASSIGN_OR_RETURN(store->log_, EdgeLog::Open(options.log));
  store->graph_ = std::make_unique<graph::TemporalGraph>(options.graph);
  // Rebuild the block store from the log before anything is served.
  SG_RETURN_IF_ERROR(store->log_->ForEach([&](EdgeId first, const EdgeColumns& b) -> Status {
    auto r = store->graph_->AppendEdges(b.src, b.dst, b.time);
    if (!r.ok()) return r.status().WithPrefix("replaying the edge log at edge " + std::to_string(first));
    if (r->first_edge_id != first) {
      return Status::Corruption("edge log replay: record at edge " + std::to_string(first) +
                                " landed at " + std::to_string(r->first_edge_id));
    }
    return Status::Ok();
  }));
  return store;
}

Status StreamStore::Validate(const EdgeColumns& b) const {
  const int64_t n = b.size();
  if (static_cast<int64_t>(b.dst.size()) != n || static_cast<int64_t>(b.time.size()) != n) {
    return Status::InvalidArgument("malformed batch: src has " + std::to_string(n) + " entries, dst " +
                                   std::to_string(b.dst.size()) + ", time " + std::to_string(b.time.size()));
  }
  if (n > options_.max_batch) {
    return Status::InvalidArgument("batch of " + std::to_string(n) + " edges exceeds the limit of " +
                                   std::to_string(options_.max_batch) + " (--max-batch); split it");
  }
  if (b.feature_dim < 0 || b.feature_dim > options_.max_feature_dim) {
    return Status::InvalidArgument("feature_dim " + std::to_string(b.feature_dim) + " is outside [0, " +
                                   std::to_string(options_.max_feature_dim) + "]");
  }
  if (b.features.size() != static_cast<size_t>(n) * b.feature_dim) {
    return Status::InvalidArgument("malformed batch: " + std::to_string(b.features.size()) +
                                   " feature values for " + std::to_string(n) + " edges of width " +
                                   std::to_string(b.feature_dim));
  }
  for (int64_t i = 0; i < n; ++i) {
    for (const auto& [name, id] : {std::pair<const char*, NodeId>{"src", b.src[i]}, {"dst", b.dst[i]}}) {
      if (id < 0) return Status::InvalidArgument(Row(i) + name + " " + std::to_string(id) + " is negative");
      if (id >= options_.max_nodes) {
        return Status::InvalidArgument(Row(i) + name + " " + std::to_string(id) +
                                       " is beyond the configured id space [0, " +
                                       std::to_string(options_.max_nodes) + ")");
      }
    }
    if (!std::isfinite(b.time[i])) {
      return Status::InvalidArgument(Row(i) + "time " + Num(b.time[i]) + " is not a finite number");
    }
    for (int32_t f = 0; f < b.feature_dim; ++f) {
      const float v = b.features[static_cast<size_t>(i) * b.feature_dim + f];
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(Row(i) + "feature " + std::to_string(f) + " is " + Num(v));
      }
    }
  }
  return Status::Ok();
}

StatusOr<IngestResult> StreamStore::Ingest(const EdgeColumns& batch, EdgeId first_edge_id) {
  if (pending_.fetch_add(1) >= options_.max_pending) {
    pending_.fetch_sub(1);
    return Status::ResourceExhausted("ingestion queue is full (" + std::to_string(options_.max_pending) +
                                     " batches waiting): retry with backoff");
  }
  struct Leave {
    std::atomic<int64_t>& pending;
    ~Leave() { pending.fetch_sub(1); }
  } leave{pending_};

  Status valid = Validate(batch);
  if (!valid.ok()) {
    refused_.fetch_add(1);
    return valid;
  }
  std::lock_guard<std::mutex> lock(writer_mu_);
  const EdgeId end = log_->next_edge_id();
  if (first_edge_id < 0) first_edge_id = end;
  if (first_edge_id > end) {
    refused_.fetch_add(1);
    return Status::FailedPrecondition("batch starts at edge " + std::to_string(first_edge_id) +
                                      " but the log ends at edge " + std::to_string(end) +
                                      ": resend from " + std::to_string(end));
  }
  IngestResult result;
  result.first_edge_id = first_edge_id;
  result.last_edge_id = first_edge_id + batch.size() - 1;
  const int64_t skip = std::min<int64_t>(end - first_edge_id, batch.size());  // already stored
  if (skip == batch.size()) return result;

  EdgeColumns rest;
  const EdgeColumns* fresh = &batch;
  if (skip > 0) {
    rest.src.assign(batch.src.begin() + skip, batch.src.end());
    rest.dst.assign(batch.dst.begin() + skip, batch.dst.end());
    rest.time.assign(batch.time.begin() + skip, batch.time.end());
    rest.feature_dim = batch.feature_dim;
    rest.features.assign(batch.features.begin() + skip * batch.feature_dim, batch.features.end());
    fresh = &rest;
  }
  // The graph's own verdict (out-of-order policy, eviction cutoff) before anything is logged.
  Status graph_ok = graph_->CheckAppend(fresh->src, fresh->dst, fresh->time);
  if (!graph_ok.ok()) {
    refused_.fetch_add(1);
    if (skip == 0) return graph_ok;
    return graph_ok.WithPrefix("(rows counted from row " + std::to_string(skip) + ", the first not yet stored)");
  }
  SG_RETURN_IF_ERROR(log_->Append(end, *fresh));
  auto applied = graph_->AppendEdges(fresh->src, fresh->dst, fresh->time);
  if (!applied.ok()) {
    return Status::Internal("edge log and block store diverged at edge " + std::to_string(end) + ": " +
                            applied.status().ToString());
  }
  ingested_.fetch_add(fresh->size());
  result.stored = fresh->size();
  return result;
}

StoreStats StreamStore::Stats() const {
  StoreStats s;
  const graph::GraphStats g = graph_->Stats();
  s.num_edges = log_->next_edge_id();
  s.num_nodes = g.num_nodes;
  s.out_of_order_inserted = g.out_of_order_inserted;
  s.refused_batches = refused_.load();
  s.memory_bytes = graph_->Memory().total();
  s.log_bytes = log_->ApproximateBytes();
  s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  s.ingest_edges_per_s = s.uptime_s > 0 ? ingested_.load() / s.uptime_s : 0;
  s.newest_time = g.newest_time;
  return s;
}

}  // namespace streamgnn::service
