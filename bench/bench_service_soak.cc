// Soak test of the ingestion service (issue 22): `streamgnn serve` in its own process on
// loopback, one client stream ingesting W1-style edges as fast as the server acknowledges (or at
// --rate), up to --window batches in flight, while --samplers threads call Sample continuously
// (200 roots at the newest time, fanouts [10, 10]). The block store keeps a sliding time window
// (--eviction-window), so memory should stay flat once the window is full; the durable edge log
// keeps everything. Every --report-every seconds: edges acknowledged, ack latency p50 / p99,
// Sample calls and their p99, the server's RSS. At the end: the count check (the server's
// Stats.num_edges equals every edge sent and acknowledged, and ReadEdges returns randomly chosen
// ranges exactly as generated) and the RSS slope after the warm-up.
//
// With --learn CONFIG the server also learns (`serve --learn CONFIG`, each --set passed on):
// every interval then adds the learner's windows, edges learned and skipped, lag and the
// prequential AP of the interval's windows. For a flat RSS the learner needs a bounded history
// and a lag policy that does not grow its windows (continuous.history_events,
// continuous.on_lag newest).
//
//   build/bin/bench_service_soak [--minutes 30] [--rate 0] [--batch 1000] [--window 8]
//                                [--samplers 1] [--report-every 60] [--warmup-minutes 5]
//                                [--learn CONFIG [--set KEY=VALUE]...]
//                                [--out bench/results/service_soak.json]
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/service_harness.h"
#include "datasets/synthetic.h"
#include "service/proto/streamgnn.grpc.pb.h"

using namespace streamgnn;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  double minutes = 30;
  double rate = 0;  // edges/s; 0 = as fast as acknowledged
  int64_t batch = 1000;
  int64_t window = 8;
  int samplers = 1;
  double report_every = 60;
  double warmup_minutes = 5;
  std::string learn;               // serve --learn CONFIG; empty: ingestion and sampling only
  std::vector<std::string> sets;   // --set overrides of the learner's config
  std::string out = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/service_soak.json";
};

// Latencies of one reporting interval, swapped out by the reporter.
struct Interval {
  std::mutex mu;
  std::vector<double> ack_ms, sample_ms;
  int64_t sample_errors = 0;

  void Swap(std::vector<double>* acks, std::vector<double>* samples, int64_t* errors) {
    std::lock_guard<std::mutex> lock(mu);
    acks->swap(ack_ms);
    samples->swap(sample_ms);
    ack_ms.clear();
    sample_ms.clear();
    *errors = sample_errors;
    sample_errors = 0;
  }
};

// The generated stream repeated, shifted in time by one period per repetition.
struct Stream {
  datasets::TemporalDataset ds;
  int64_t base = 0;
  Timestamp period = 0;
  NodeId src(int64_t e) const { return ds.src[e % base]; }
  NodeId dst(int64_t e) const { return ds.dst[e % base]; }
  Timestamp time(int64_t e) const { return ds.ts[e % base] + static_cast<Timestamp>(e / base) * period; }
};

double Slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (n < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Stats.num_edges must equal what was sent and acknowledged; 20 random ranges read back equal
// the generated edges. Returns the failures (empty: nothing lost, duplicated or changed).
std::vector<std::string> CountCheck(bench::ServiceClient* client, const Stream& stream,
                                    int64_t sent, int64_t acked) {
  std::vector<std::string> failures;
  grpc::ClientContext ctx;
  service::StatsReply stats;
  if (!client->Stats(&ctx, service::StatsRequest(), &stats).ok()) return {"Stats failed"};
  if (stats.num_edges() != sent || acked != sent) {
    failures.push_back("sent " + std::to_string(sent) + ", acknowledged " + std::to_string(acked) +
                       ", stored " + std::to_string(stats.num_edges()));
  }
  std::mt19937_64 rng(7);
  for (int r = 0; r < 20 && sent > 1000; ++r) {
    const int64_t first = static_cast<int64_t>(rng() % static_cast<uint64_t>(sent - 1000));
    grpc::ClientContext read_ctx;
    service::ReadEdgesRequest request;
    request.set_first_edge_id(first);
    request.set_count(1000);
    service::EdgeBatch edges;
    if (!client->ReadEdges(&read_ctx, request, &edges).ok() || edges.src_size() != 1000) {
      failures.push_back("ReadEdges at " + std::to_string(first) + " failed");
      continue;
    }
    for (int i = 0; i < 1000; ++i) {
      const int64_t e = first + i;
      if (edges.src(i) != stream.src(e) || edges.dst(i) != stream.dst(e) || edges.time(i) != stream.time(e)) {
        failures.push_back("edge " + std::to_string(e) + " differs from the one sent");
        break;
      }
    }
  }
  return failures;
}

// The learner's figures from Stats: windows, edges learned and skipped, lag, training time, the
// mean prequential AP of the windows since the last report.
void AddLearnerFigures(bench::ServiceClient* client, int64_t* windows_before, nlohmann::ordered_json* row) {
  grpc::ClientContext ctx;
  service::StatsReply stats;
  if (!client->Stats(&ctx, service::StatsRequest(), &stats).ok()) {
    (*row)["learner"] = "Stats failed";
    return;
  }
  double ap = 0;
  for (int64_t w = *windows_before; w < stats.learned_windows(); ++w)
    ap += stats.prequential_ap(static_cast<int>(w));
  const int64_t new_windows = stats.learned_windows() - *windows_before;
  (*row)["learned_windows"] = stats.learned_windows();
  (*row)["learned_edges"] = stats.learned_events() - stats.learner_skipped_events();
  (*row)["skipped_edges"] = stats.learner_skipped_events();
  (*row)["learner_lag_edges"] = stats.learner_lag_events();
  (*row)["learner_train_s"] = stats.learner_train_s();
  (*row)["window_prequential_ap"] =
      new_windows > 0 ? nlohmann::json(ap / static_cast<double>(new_windows)) : nlohmann::json();
  if (!stats.learner_error().empty()) (*row)["learner_error"] = stats.learner_error();
  *windows_before = stats.learned_windows();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--minutes") o.minutes = std::atof(value);
    else if (flag == "--rate") o.rate = std::atof(value);
    else if (flag == "--batch") o.batch = std::atoll(value);
    else if (flag == "--window") o.window = std::atoll(value);
    else if (flag == "--samplers") o.samplers = std::atoi(value);
    else if (flag == "--report-every") o.report_every = std::atof(value);
    else if (flag == "--warmup-minutes") o.warmup_minutes = std::atof(value);
    else if (flag == "--learn") o.learn = value;
    else if (flag == "--set") o.sets.push_back(value);
    else if (flag == "--out") o.out = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  Stream stream;
  stream.ds = datasets::GenerateZipfStream(100000, 10'000'000, 1.0, 3);
  stream.base = stream.ds.num_events() - stream.ds.num_events() % o.batch;
  stream.period = stream.ds.ts.back() + 1;
  const std::string dir = std::filesystem::temp_directory_path() / ("streamgnn_soak_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  // The block store keeps one period of the stream (~10M edges); older edges are evicted. The
  // stream is in time order; a learner needs it so (the default out-of-order policy, refuse).
  std::vector<std::string> serve = {"--data-dir", dir, "--sync", "every_batch", "--max-nodes", "100000",
                                    "--eviction-window", std::to_string(stream.period)};
  if (o.learn.empty()) {
    serve.insert(serve.end(), {"--out-of-order", "insert"});
  } else {
    serve.insert(serve.end(), {"--learn", o.learn});
    for (const std::string& set : o.sets) serve.insert(serve.end(), {"--set", set});
  }
  bench::ServerProcess server = bench::StartServer(STREAMGNN_BINARY, serve, dir + ".log");
  if (server.pid < 0) return 1;
  const auto client = bench::ConnectLoopback(server.port);

  Interval interval;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, newest_sent{0};
  std::mutex inflight_mu;
  std::deque<Clock::time_point> sent_at;
  grpc::ClientContext ingest_ctx;
  auto ingest = client->IngestEdges(&ingest_ctx);
  std::thread reader([&] {
    service::IngestAck ack;
    while (ingest->Read(&ack)) {
      double ms;
      {
        std::lock_guard<std::mutex> lock(inflight_mu);
        ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at.front()).count();
        sent_at.pop_front();
      }
      std::lock_guard<std::mutex> lock(interval.mu);
      interval.ack_ms.push_back(ms);
      acked = ack.last_edge_id() + 1;
    }
  });
  std::vector<std::thread> samplers;
  for (int s = 0; s < o.samplers; ++s) {
    samplers.emplace_back([&, s] {
      std::mt19937_64 rng(100 + s);
      while (!stop) {
        service::SampleRequest request;
        const Timestamp t = stream.time(std::max<int64_t>(acked.load() - 1, 0)) + 1;
        for (int r = 0; r < 200; ++r) {
          request.add_nodes(static_cast<int64_t>(rng() % 100000));
          request.add_times(t);
        }
        request.add_fanouts(10);
        request.add_fanouts(10);
        grpc::ClientContext ctx;
        service::SampleReply reply;
        const auto t0 = Clock::now();
        const bool ok = client->Sample(&ctx, request, &reply).ok();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        std::lock_guard<std::mutex> lock(interval.mu);
        if (ok) interval.sample_ms.push_back(ms);
        else ++interval.sample_errors;
      }
    });
  }

  nlohmann::ordered_json rows = nlohmann::json::array();
  std::vector<double> minute_x, rss_y;
  const auto start = Clock::now();
  const double total_s = o.minutes * 60;
  auto next_report = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.report_every));
  int64_t pos = 0, acked_before = 0, windows_before = 0;
  bool stream_ok = true;
  while (true) {
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (now >= next_report) {
      std::vector<double> acks, samples;
      int64_t errors = 0;
      interval.Swap(&acks, &samples, &errors);
      const int64_t a = acked.load();
      const double rss_mb = bench::ProcStatusKb(server.pid, "VmRSS:") / 1024.0;
      nlohmann::ordered_json row;
      row["t_s"] = elapsed;
      row["edges_per_s"] = (a - acked_before) / o.report_every;
      row["ack_p50_ms"] = bench::Percentile(acks, 0.5);
      row["ack_p99_ms"] = bench::Percentile(acks, 0.99);
      row["ack_max_ms"] = bench::Percentile(acks, 1.0);
      row["samples"] = samples.size();
      row["sample_p99_ms"] = bench::Percentile(samples, 0.99);
      row["sample_errors"] = errors;
      row["server_rss_mb"] = rss_mb;
      if (!o.learn.empty()) AddLearnerFigures(client.get(), &windows_before, &row);
      std::printf("%s\n", row.dump().c_str());
      std::fflush(stdout);
      rows.push_back(row);
      if (elapsed / 60 >= o.warmup_minutes) {
        minute_x.push_back(elapsed / 60);
        rss_y.push_back(rss_mb);
      }
      acked_before = a;
      next_report += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.report_every));
    }
    if (elapsed >= total_s) break;
    const bool paced_out = o.rate > 0 && pos + o.batch > o.rate * elapsed;
    {
      std::unique_lock<std::mutex> lock(inflight_mu);
      if (paced_out || static_cast<int64_t>(sent_at.size()) >= o.window) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
      sent_at.push_back(Clock::now());
    }
    service::EdgeBatch b;
    b.set_first_edge_id(pos);
    for (int64_t e = pos; e < pos + o.batch; ++e) {
      b.add_src(stream.src(e));
      b.add_dst(stream.dst(e));
      b.add_time(stream.time(e));
    }
    if (!ingest->Write(b)) {
      stream_ok = false;
      break;
    }
    pos += o.batch;
  }
  ingest->WritesDone();
  reader.join();
  const grpc::Status status = ingest->Finish();
  stop = true;
  for (auto& t : samplers) t.join();
  std::vector<std::string> failures = CountCheck(client.get(), stream, pos, acked.load());
  nlohmann::ordered_json learner_end;
  if (!o.learn.empty()) {
    AddLearnerFigures(client.get(), &windows_before, &learner_end);
    if (learner_end.contains("learner_error"))
      failures.push_back("learner: " + learner_end["learner_error"].get<std::string>());
  }
  const double peak_mb = bench::ProcStatusKb(server.pid, "VmHWM:") / 1024.0;
  bench::StopServer(&server);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".log");

  nlohmann::ordered_json j;
  j["bench"] = "service_soak";
  j["minutes"] = o.minutes;
  j["rate"] = o.rate;
  j["batch"] = o.batch;
  j["window"] = o.window;
  j["samplers"] = o.samplers;
  if (!o.learn.empty()) {
    j["learn"] = o.learn;
    j["learn_sets"] = o.sets;
  }
  j["edges_sent"] = pos;
  j["edges_acked"] = acked.load();
  j["stream_status"] = status.ok() && stream_ok ? "ok" : status.error_message();
  j["count_check"] = failures.empty() ? nlohmann::json("ok") : nlohmann::json(failures);
  j["rss_slope_mb_per_min_after_warmup"] = Slope(minute_x, rss_y);
  j["server_peak_rss_mb"] = peak_mb;
  if (!o.learn.empty()) j["learner_at_end"] = learner_end;
  j["intervals"] = rows;
  std::ofstream(o.out) << j.dump(1) << "\n";
  std::printf("sent %lld, acknowledged %lld, count check %s, RSS slope %.2f MB/min after %.0f min\n",
              static_cast<long long>(pos), static_cast<long long>(acked.load()),
              failures.empty() ? "ok" : failures[0].c_str(), Slope(minute_x, rss_y), o.warmup_minutes);
  return failures.empty() && status.ok() && stream_ok ? 0 : 1;
}
