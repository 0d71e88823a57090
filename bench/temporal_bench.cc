#include "bench/temporal_bench.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "bench/tcsr.h"
#include "core/rng.h"
#include "graph/temporal_graph.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler_impl.h"

namespace streamgnn::bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Per-batch roots: sources, destinations, negatives, at the edge times.
struct RootBatches {
  std::vector<int64_t> offsets;
  std::vector<NodeId> nodes;
  std::vector<Timestamp> times;
};

RootBatches MakeRoots(const datasets::TemporalDataset& ds, int64_t batch_size, uint64_t seed) {
  RootBatches rb;
  auto negatives = sampling::NegativeSampler::FromRange(0, std::max<int64_t>(1, ds.num_nodes), seed);
  SG_CHECK(negatives.ok(), negatives.status().ToString());
  rb.offsets.push_back(0);
  std::vector<NodeId> neg;
  for (int64_t b = 0, batch = 0; b < ds.num_events(); b += batch_size, ++batch) {
    const int64_t n = std::min(batch_size, ds.num_events() - b);
    neg.resize(n);
    negatives->Sample(static_cast<uint64_t>(batch), neg);
    for (int64_t i = 0; i < n; ++i) rb.nodes.push_back(ds.src[b + i]);
    for (int64_t i = 0; i < n; ++i) rb.nodes.push_back(ds.dst[b + i]);
    for (int64_t i = 0; i < n; ++i) rb.nodes.push_back(neg[i]);
    for (int r = 0; r < 3; ++r) {
      for (int64_t i = 0; i < n; ++i) rb.times.push_back(ds.ts[b + i]);
    }
    rb.offsets.push_back(static_cast<int64_t>(rb.nodes.size()));
  }
  return rb;
}

std::string FanoutString(const std::vector<int>& f) { return fmt::format("[{}]", fmt::join(f, ",")); }

nlohmann::ordered_json SpreadJson(const Spread& s) {
  nlohmann::ordered_json j;
  j["median"] = s.median;
  j["min"] = s.min;
  j["max"] = s.max;
  j["runs"] = s.runs;
  return j;
}

}  // namespace

Spread Spread::Of(std::vector<double> runs) {
  Spread s;
  s.runs = runs;
  if (runs.empty()) return s;
  std::sort(runs.begin(), runs.end());
  const size_t n = runs.size();
  s.median = n % 2 ? runs[n / 2] : 0.5 * (runs[n / 2 - 1] + runs[n / 2]);
  s.min = runs.front();
  s.max = runs.back();
  return s;
}

SampleBenchResult RunSampleBench(const datasets::TemporalDataset& ds,
                                 const SampleBenchOptions& o) {
  graph::TemporalGraphOptions go;
  go.undirected = o.undirected;
  graph::TemporalGraph store(go);
  for (int64_t b = 0; b < ds.num_events(); b += 100000) {
    const int64_t n = std::min<int64_t>(100000, ds.num_events() - b);
    auto r = store.AppendEdges(Span<const NodeId>(ds.src.data() + b, n),
                               Span<const NodeId>(ds.dst.data() + b, n),
                               Span<const Timestamp>(ds.ts.data() + b, n));
    SG_CHECK(r.ok(), r.status().ToString());
  }
  const TCsr tcsr = TCsr::Build(ds.src, ds.dst, ds.ts, o.undirected);
  const RootBatches rb = MakeRoots(ds, o.batch_size, o.seed + 1);
  sampling::TemporalSamplerOptions so;
  so.fanouts = o.fanouts;
  so.strategy = o.strategy;
  so.seed = o.seed;
  auto sampler = sampling::TemporalSampler::Create(so);
  SG_CHECK(sampler.ok(), sampler.status().ToString());

  SampleBenchResult result;
  result.config = fmt::format("{} {}", sampling::StrategyName(o.strategy), FanoutString(o.fanouts));
  result.roots = static_cast<int64_t>(rb.nodes.size());
  const int64_t num_batches = static_cast<int64_t>(rb.offsets.size()) - 1;
  std::vector<double> store_runs, tcsr_runs;
  for (int rep = 0; rep < o.repeats; ++rep) {
    // Block store.
    {
      graph::Snapshot snap = store.GetSnapshot();
      sampling::SampleResult out;
      int64_t sampled = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t b = 0; b < num_batches; ++b) {
        const int64_t lo = rb.offsets[b], n = rb.offsets[b + 1] - lo;
        sampler->Sample(snap, Span<const NodeId>(rb.nodes.data() + lo, n),
                        Span<const Timestamp>(rb.times.data() + lo, n), static_cast<uint64_t>(b), &out);
        sampled += out.total_sampled();
      }
      store_runs.push_back(Seconds(t0));
      result.sampled_store = sampled;
    }
    // T-CSR, through the same sampler code.
    {
      sampling::SampleResult out;
      int64_t sampled = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t b = 0; b < num_batches; ++b) {
        const int64_t lo = rb.offsets[b], n = rb.offsets[b + 1] - lo;
        sampler->SampleFrom(tcsr, Span<const NodeId>(rb.nodes.data() + lo, n),
                            Span<const Timestamp>(rb.times.data() + lo, n), static_cast<uint64_t>(b),
                            &out);
        sampled += out.total_sampled();
      }
      tcsr_runs.push_back(Seconds(t0));
      result.sampled_tcsr = sampled;
    }
  }
  // Untimed check that both layouts return exactly the same edges for every root.
  {
    graph::Snapshot snap = store.GetSnapshot();
    sampling::SampleResult a, b;
    result.identical = true;
    for (int64_t batch = 0; batch < num_batches && result.identical; ++batch) {
      const int64_t lo = rb.offsets[batch], n = rb.offsets[batch + 1] - lo;
      const Span<const NodeId> nodes(rb.nodes.data() + lo, n);
      const Span<const Timestamp> times(rb.times.data() + lo, n);
      sampler->Sample(snap, nodes, times, static_cast<uint64_t>(batch), &a);
      sampler->SampleFrom(tcsr, nodes, times, static_cast<uint64_t>(batch), &b);
      for (size_t l = 0; l < a.layers.size(); ++l) {
        result.identical = result.identical && a.layers[l].offsets == b.layers[l].offsets &&
                           a.layers[l].edges == b.layers[l].edges;
      }
    }
  }
  result.store_seconds = Spread::Of(store_runs);
  result.tcsr_seconds = Spread::Of(tcsr_runs);
  return result;
}

IngestBenchResult RunIngestBench(const datasets::TemporalDataset& ds, int64_t batch_size,
                                 int repeats, bool undirected) {
  IngestBenchResult result;
  result.batch_size = batch_size;
  result.edges = ds.num_events();
  std::vector<double> append_runs, rebuild_runs;
  for (int rep = 0; rep < repeats; ++rep) {
    graph::TemporalGraphOptions go;
    go.undirected = undirected;
    graph::TemporalGraph store(go);
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t b = 0; b < ds.num_events(); b += batch_size) {
      const int64_t n = std::min(batch_size, ds.num_events() - b);
      auto r = store.AppendEdges(Span<const NodeId>(ds.src.data() + b, n),
                                 Span<const NodeId>(ds.dst.data() + b, n),
                                 Span<const Timestamp>(ds.ts.data() + b, n));
      SG_CHECK(r.ok(), r.status().ToString());
    }
    append_runs.push_back(Seconds(t0));
    if (rep == 0) {
      result.bytes_per_edge = static_cast<double>(store.Memory().total()) / std::max<int64_t>(1, ds.num_events());
    }
    const auto t1 = std::chrono::steady_clock::now();
    const TCsr tcsr = TCsr::Build(ds.src, ds.dst, ds.ts, undirected);
    rebuild_runs.push_back(Seconds(t1));
    result.tcsr_bytes_per_edge = static_cast<double>(tcsr.bytes()) / std::max<int64_t>(1, ds.num_events());
  }
  result.append_seconds = Spread::Of(append_runs);
  result.rebuild_seconds = Spread::Of(rebuild_runs);
  return result;
}

std::string ToJson(const SampleBenchResult& r) {
  nlohmann::ordered_json j;
  j["bench"] = "sample";
  j["config"] = r.config;
  j["roots"] = r.roots;
  j["store_roots_per_s"] = r.store_roots_per_s();
  j["tcsr_roots_per_s"] = r.tcsr_roots_per_s();
  j["store_vs_tcsr_time"] = r.store_seconds.median / r.tcsr_seconds.median;
  j["sampled_store"] = r.sampled_store;
  j["sampled_tcsr"] = r.sampled_tcsr;
  j["identical_to_tcsr"] = r.identical;
  j["store_seconds"] = SpreadJson(r.store_seconds);
  j["tcsr_seconds"] = SpreadJson(r.tcsr_seconds);
  return j.dump();
}

std::string ToJson(const IngestBenchResult& r) {
  nlohmann::ordered_json j;
  j["bench"] = "ingest";
  j["batch_size"] = r.batch_size;
  j["edges"] = r.edges;
  j["edges_per_s"] = r.edges_per_s();
  j["append_vs_rebuild"] = r.append_vs_rebuild();
  j["bytes_per_edge"] = r.bytes_per_edge;
  j["tcsr_bytes_per_edge"] = r.tcsr_bytes_per_edge;
  j["append_seconds"] = SpreadJson(r.append_seconds);
  j["tcsr_rebuild_seconds"] = SpreadJson(r.rebuild_seconds);
  return j.dump();
}

}  // namespace streamgnn::bench
