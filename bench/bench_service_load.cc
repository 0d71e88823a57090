// Load test of the ingestion service (issue "Streaming graph ingestion service"): W1-style edges
// streamed through gRPC on loopback for a bounded time, as fast as the server acknowledges, with
// a bounded window of batches in flight. Reports sustained edges/s, p50/p99 ack latency and the
// server's peak RSS; in the same run, the in-process StreamStore::Ingest rate on the same batches
// (durable log, same fsync policy, no network) and the block store's bare append rate are the
// ceilings.
//
//   build/bin/bench_service_load [--seconds 60] [--batch 1000] [--window 8] [--sync every_batch|interval]
//
// The server runs in a child process (`streamgnn serve`, started by this program on a free
// loopback port, stopped at the end), so its RSS is its own.
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/service_harness.h"
#include "datasets/synthetic.h"
#include "service/proto/streamgnn.grpc.pb.h"
#include "service/stream_store.h"

using namespace streamgnn;
using Clock = std::chrono::steady_clock;

using bench::Percentile;

int main(int argc, char** argv) {
  double seconds = 60;
  int64_t batch = 1000, window = 8, max_edges = 200'000'000;
  std::string sync = "every_batch";
  std::string binary = std::string(STREAMGNN_BINARY);
  std::string out_path = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/service_load.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--window")) window = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--sync")) sync = argv[i + 1];
    else if (!std::strcmp(argv[i], "--out")) out_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--max-edges")) max_edges = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  // Enough W1-like edges for the run (ids < 100k, chronological).
  const int64_t edges = std::min<int64_t>(max_edges, 10'000'000);
  const datasets::TemporalDataset ds = datasets::GenerateZipfStream(100000, edges, 1.0, 3);
  const std::string dir = std::filesystem::temp_directory_path() / ("streamgnn_load_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);

  // ---- the server, in its own process ----
  const std::string log_path = dir + ".log";
  bench::ServerProcess server = bench::StartServer(
      binary, {"--data-dir", dir + "/net", "--sync", sync, "--out-of-order", "insert", "--max-nodes", "100000"},
      log_path);
  if (server.pid < 0) return 1;
  const int port = server.port;

  // ---- the load: one stream, up to `window` batches in flight ----
  const auto client = bench::ConnectLoopback(port);
  grpc::ClientContext ctx;
  auto stream = client->IngestEdges(&ctx);
  std::mutex mu;
  std::deque<Clock::time_point> sent_at;
  std::vector<double> latencies_ms;
  int64_t acked = 0;
  const auto start = Clock::now();
  const auto stop_at = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::thread reader([&] {
    service::IngestAck ack;
    while (stream->Read(&ack)) {
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent_at.front()).count());
      sent_at.pop_front();
      acked = ack.last_edge_id() + 1;
    }
  });
  int64_t pos = 0;
  service::EdgeBatch b;
  // The generated stream repeats, shifted in time, for as long as the run lasts.
  const int64_t base_edges = ds.num_events() - ds.num_events() % batch;
  const Timestamp period = ds.ts.back() + 1;
  while (Clock::now() < stop_at && pos < max_edges) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (static_cast<int64_t>(sent_at.size()) >= window) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
      sent_at.push_back(Clock::now());
    }
    b.Clear();
    b.set_first_edge_id(pos);
    const int64_t at = pos % base_edges;
    const Timestamp shift = static_cast<Timestamp>(pos / base_edges) * period;
    b.mutable_src()->Add(ds.src.begin() + at, ds.src.begin() + at + batch);
    b.mutable_dst()->Add(ds.dst.begin() + at, ds.dst.begin() + at + batch);
    for (int64_t i = 0; i < batch; ++i) b.add_time(ds.ts[at + i] + shift);
    if (!stream->Write(b)) break;
    pos += batch;
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const int64_t rss_kb = bench::ProcStatusKb(server.pid, "VmHWM:");
  bench::StopServer(&server);
  if (!status.ok()) std::fprintf(stderr, "stream ended: %s\n", status.error_message().c_str());

  // ---- the ceiling: the same batches through StreamStore::Ingest in this process ----
  service::StreamStoreOptions o;
  o.data_dir = dir + "/local";
  o.max_nodes = 100000;
  o.log.sync = sync == "every_batch" ? service::SyncPolicy::kEveryBatch : service::SyncPolicy::kInterval;
  auto store = service::StreamStore::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  // Ceilings over the first (at most) 10M edges of the same stream.
  const int64_t ceiling_edges = std::min<int64_t>(acked, base_edges);
  service::EdgeColumns cols;
  const auto t0 = Clock::now();
  for (int64_t p = 0; p < ceiling_edges; p += batch) {
    cols.src.assign(ds.src.begin() + p, ds.src.begin() + p + batch);
    cols.dst.assign(ds.dst.begin() + p, ds.dst.begin() + p + batch);
    cols.time.assign(ds.ts.begin() + p, ds.ts.begin() + p + batch);
    auto r = (*store)->Ingest(cols, p);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  const double local_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // And the block store alone (no log, no validation): the append ceiling of the process.
  graph::TemporalGraph bare;
  const auto t1 = Clock::now();
  for (int64_t p = 0; p < ceiling_edges; p += batch) {
    auto r = bare.AppendEdges(Span<const NodeId>(ds.src.data() + p, batch),
                              Span<const NodeId>(ds.dst.data() + p, batch),
                              Span<const Timestamp>(ds.ts.data() + p, batch));
    if (!r.ok()) return 1;
  }
  const double bare_s = std::chrono::duration<double>(Clock::now() - t1).count();
  store->reset();
  std::filesystem::remove_all(dir);
  std::filesystem::remove(log_path);

  nlohmann::ordered_json j;
  j["bench"] = "service_load";
  j["sync"] = sync;
  j["batch"] = batch;
  j["window"] = window;
  j["seconds"] = elapsed;
  j["edges_acked"] = acked;
  j["edges_per_s"] = acked / elapsed;
  j["ack_p50_ms"] = Percentile(latencies_ms, 0.5);
  j["ack_p99_ms"] = Percentile(latencies_ms, 0.99);
  j["server_peak_rss_mb"] = rss_kb / 1024.0;
  j["in_process_store_edges_per_s"] = ceiling_edges / local_s;
  j["in_process_graph_append_edges_per_s"] = ceiling_edges / bare_s;
  const std::string json = j.dump();
  std::printf("%s\n", json.c_str());
  std::ofstream(out_path) << json << "\n";
  return status.ok() ? 0 : 1;
}
