// GPU temporal sampler against the CPU sampler on workload W1 (issue 5), in the same run.
//
// W1: 100,000 nodes, 1,000,000 Zipf(1.0) edges, stored for both endpoints. Protocol as the
// foundation's W1 benchmark (bench/temporal_bench.h): chronological batches of 600 edges, roots
// = sources, destinations and one uniform negative per edge at the edge times (1,800 roots a
// batch), batches one after another. CPU: TemporalSampler over graph::Snapshot on --threads TBB
// threads. GPU: DeviceTemporalGraph + CudaTemporalSampler, roots uploaded per batch; measured
// with the samples left on the device (what GPU training uses) and with them copied back into
// the CPU layout. The first pass checks that both produce identical output, batch by batch.
// Prints one JSON line per configuration and writes them to --out.
//
//   build/bin/bench_gpu_sampler [--repeats N] [--threads N] [--out PATH]
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/device.h"
#include "datasets/synthetic.h"
#include "graph/temporal_graph.h"
#include "graph/temporal_graph_device.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"
#include "sampling/temporal_sampler_cuda.h"

namespace {

using namespace streamgnn;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

bool Same(const sampling::SampleResult& a, const sampling::SampleResult& b) {
  if (a.layers.size() != b.layers.size()) return false;
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const auto& x = a.layers[l];
    const auto& y = b.layers[l];
    if (x.offsets != y.offsets || x.neighbors != y.neighbors || x.edges != y.edges ||
        x.times != y.times || x.dt != y.dt || x.root_times != y.root_times) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 3;
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  int64_t nodes = 100000, edges = 1000000, batch = 600;
  std::string out_path = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/gpu_sampler.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--out")) out_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--edges")) edges = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::printf("# %s\n", core::DeviceSummary().c_str());
  if (core::CudaDeviceCount() == 0) {
    std::fprintf(stderr, "no CUDA device: nothing to measure\n");
    return 1;
  }
  tbb::global_control budget(tbb::global_control::max_allowed_parallelism, threads);
  const datasets::TemporalDataset w1 = datasets::GenerateZipfStream(nodes, edges, 1.0, 1);

  graph::TemporalGraph cpu_graph;
  auto created = graph::DeviceTemporalGraph::Create();
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
    return 1;
  }
  auto& gpu_graph = *created;
  double cpu_ingest = 0, gpu_ingest = 0;
  for (int64_t b = 0; b < w1.num_events(); b += 100000) {
    const int64_t n = std::min<int64_t>(100000, w1.num_events() - b);
    Span<const NodeId> s(w1.src.data() + b, n), d(w1.dst.data() + b, n);
    Span<const Timestamp> t(w1.ts.data() + b, n);
    auto t0 = std::chrono::steady_clock::now();
    auto c = cpu_graph.AppendEdges(s, d, t);
    cpu_ingest += Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    auto g = gpu_graph->AppendEdges(s, d, t);
    gpu_ingest += Seconds(t0);
    if (!c.ok() || !g.ok()) {
      std::fprintf(stderr, "append failed: %s\n", g.status().ToString().c_str());
      return 1;
    }
  }
  // Roots as in bench/temporal_bench.cc (MakeRoots): src, dst, negative at the edge times.
  auto negatives = sampling::NegativeSampler::FromRange(0, w1.num_nodes, 1);
  std::vector<int64_t> offsets = {0};
  std::vector<NodeId> roots;
  std::vector<Timestamp> times;
  std::vector<NodeId> neg;
  for (int64_t b = 0, k = 0; b < w1.num_events(); b += batch, ++k) {
    const int64_t n = std::min(batch, w1.num_events() - b);
    neg.resize(n);
    negatives->Sample(static_cast<uint64_t>(k), neg);
    for (int64_t i = 0; i < n; ++i) roots.push_back(w1.src[b + i]);
    for (int64_t i = 0; i < n; ++i) roots.push_back(w1.dst[b + i]);
    for (int64_t i = 0; i < n; ++i) roots.push_back(neg[i]);
    for (int r = 0; r < 3; ++r) {
      for (int64_t i = 0; i < n; ++i) times.push_back(w1.ts[b + i]);
    }
    offsets.push_back(static_cast<int64_t>(roots.size()));
  }
  const int64_t num_batches = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t total_roots = static_cast<int64_t>(roots.size());
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  auto emit = [&](nlohmann::ordered_json row) {
    std::printf("%s\n", row.dump().c_str());
    std::fflush(stdout);
    all.push_back(std::move(row));
  };
  {
    nlohmann::ordered_json row;
    row["what"] = "ingest";
    row["edges"] = edges;
    row["cpu_seconds"] = cpu_ingest;
    row["gpu_seconds"] = gpu_ingest;
    row["gpu_blocks"] = gpu_graph->num_blocks();
    row["gpu_device_bytes"] = gpu_graph->device_bytes();
    emit(std::move(row));
  }

  const struct {
    std::vector<int> fanouts;
    sampling::Strategy strategy;
  } configs[] = {{{10}, sampling::Strategy::kRecent},
                 {{10}, sampling::Strategy::kUniform},
                 {{10, 10}, sampling::Strategy::kRecent},
                 {{10, 10}, sampling::Strategy::kUniform}};
  const graph::Snapshot snap = cpu_graph.GetSnapshot();
  for (const auto& c : configs) {
    sampling::TemporalSamplerOptions o;
    o.fanouts = c.fanouts;
    o.strategy = c.strategy;
    auto cpu = sampling::TemporalSampler::Create(o);
    auto gpu = sampling::CudaTemporalSampler::Create(o);
    if (!gpu.ok()) {
      std::fprintf(stderr, "%s\n", gpu.status().ToString().c_str());
      return 1;
    }
    // Identity check, batch by batch.
    bool identical = true;
    int64_t sampled_cpu = 0, sampled_gpu = 0;
    {
      sampling::SampleResult a, b;
      for (int64_t k = 0; k < num_batches; ++k) {
        const int64_t lo = offsets[k], n = offsets[k + 1] - lo;
        Span<const NodeId> r(roots.data() + lo, n);
        Span<const Timestamp> t(times.data() + lo, n);
        cpu->Sample(snap, r, t, static_cast<uint64_t>(k), &a);
        const Status s = (*gpu)->Sample(*gpu_graph, r, t, static_cast<uint64_t>(k), &b);
        if (!s.ok()) {
          std::fprintf(stderr, "%s\n", s.ToString().c_str());
          return 1;
        }
        identical = identical && Same(a, b);
        sampled_cpu += a.total_sampled();
        sampled_gpu += b.total_sampled();
      }
    }
    std::vector<double> cpu_runs, gpu_runs, gpu_host_runs;
    for (int rep = 0; rep < repeats; ++rep) {
      sampling::SampleResult out;
      auto t0 = std::chrono::steady_clock::now();
      for (int64_t k = 0; k < num_batches; ++k) {
        const int64_t lo = offsets[k], n = offsets[k + 1] - lo;
        cpu->Sample(snap, Span<const NodeId>(roots.data() + lo, n),
                    Span<const Timestamp>(times.data() + lo, n), static_cast<uint64_t>(k), &out);
      }
      cpu_runs.push_back(Seconds(t0));
      t0 = std::chrono::steady_clock::now();
      for (int64_t k = 0; k < num_batches; ++k) {
        const int64_t lo = offsets[k], n = offsets[k + 1] - lo;
        const Status s = (*gpu)->Sample(*gpu_graph, Span<const NodeId>(roots.data() + lo, n),
                                        Span<const Timestamp>(times.data() + lo, n),
                                        static_cast<uint64_t>(k), nullptr);
        if (!s.ok()) return 1;
      }
      gpu_runs.push_back(Seconds(t0));
      t0 = std::chrono::steady_clock::now();
      for (int64_t k = 0; k < num_batches; ++k) {
        const int64_t lo = offsets[k], n = offsets[k + 1] - lo;
        const Status s = (*gpu)->Sample(*gpu_graph, Span<const NodeId>(roots.data() + lo, n),
                                        Span<const Timestamp>(times.data() + lo, n),
                                        static_cast<uint64_t>(k), &out);
        if (!s.ok()) return 1;
      }
      gpu_host_runs.push_back(Seconds(t0));
    }
    std::string fan = "[";
    for (size_t i = 0; i < c.fanouts.size(); ++i) fan += (i ? "," : "") + std::to_string(c.fanouts[i]);
    fan += "]";
    const double cs = Median(cpu_runs), gs = Median(gpu_runs), gh = Median(gpu_host_runs);
    nlohmann::ordered_json row;
    row["config"] = std::string(sampling::StrategyName(c.strategy)) + " " + fan;
    row["batches"] = num_batches;
    row["roots"] = total_roots;
    row["cpu_threads"] = threads;
    row["sampled_cpu"] = sampled_cpu;
    row["sampled_gpu"] = sampled_gpu;
    row["identical"] = identical;
    row["cpu_seconds"] = cs;
    row["gpu_seconds"] = gs;
    row["gpu_to_host_seconds"] = gh;
    row["cpu_roots_per_s"] = total_roots / cs;
    row["gpu_roots_per_s"] = total_roots / gs;
    row["gpu_to_host_roots_per_s"] = total_roots / gh;
    row["speedup"] = cs / gs;
    emit(std::move(row));
  }
  std::ofstream(out_path) << all.dump(2) << "\n";
  return 0;
}
