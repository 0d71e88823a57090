// The client side of `streamgnn ingest`: streams a dataset's edges to `streamgnn serve` in
// batches, resuming from what the server already holds, retrying with exponential backoff when
// the server is busy (RESOURCE_EXHAUSTED) or away (UNAVAILABLE, e.g. restarting).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::service {

struct IngestOptions {
  std::string server = "127.0.0.1:50051";
  std::string token;          // sent as "authorization: Bearer <token>" when non-empty
  int64_t batch = 1000;       // edges per batch, >= 1
  double rate = 0;            // edges per second; 0 = as fast as the server acknowledges
  int max_retries = 50;       // consecutive failed attempts before giving up
  double max_backoff_s = 5;   // cap of the exponential backoff
  double deadline_s = 3600;   // overall limit of the call
};

struct IngestReport {
  int64_t resumed_from = 0;   // edges the server already had at the first connection
  int64_t sent = 0;           // edges sent, resends included
  int64_t stored = 0;         // edges the server newly stored
  int retries = 0;
  double seconds = 0;
  std::vector<double> ack_latency_s;  // per acknowledged batch: from its write to its ack
  // The q-quantile (0..1) of ack_latency_s (nearest rank); 0 when no batch was acknowledged.
  double AckLatency(double q) const;
};

// Streams ds's edges (edge i = row i) and returns once the server acknowledged all of them.
// `on_progress(acked)` is called after every ack.
Status IngestDataset(const datasets::TemporalDataset& ds, const IngestOptions& options,
                     IngestReport* report,
                     const std::function<void(int64_t)>& on_progress = nullptr);

// The server's Stats as one JSON object (store figures, and the learner's with --learn).
StatusOr<std::string> FetchStatsJson(const IngestOptions& options);

// Reads every stored edge back (ReadEdges) and checks that the server holds exactly ds's edges
// in order, each once. An error names the first difference.
Status VerifyDataset(const datasets::TemporalDataset& ds, const IngestOptions& options);

}  // namespace streamgnn::service
