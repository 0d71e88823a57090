// Sampling and ingestion benchmarks of the temporal block store against the T-CSR baseline, on
// any temporal dataset. Used by bench/bench_temporal_store (workload W1, JSON into
// bench/results/) and by `streamgnn bench sample|ingest`.
//
// Sampling protocol (issue "Foundation", workload W1): chronological batches of `batch_size`
// edges; each batch's roots are its sources, its destinations and one uniformly random negative
// node per edge, all at the edge times (3 * batch_size roots); batches run one after another,
// each sampled in parallel on the thread budget. The store and the T-CSR sample the same roots
// in the same run, repeated `repeats` times; timings are medians with min and max.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/temporal_dataset.h"
#include "sampling/temporal_sampler.h"

namespace streamgnn::bench {

struct Spread {
  double median = 0, min = 0, max = 0;
  std::vector<double> runs;
  static Spread Of(std::vector<double> runs);
};

struct SampleBenchOptions {
  std::vector<int> fanouts = {10};
  sampling::Strategy strategy = sampling::Strategy::kRecent;
  int64_t batch_size = 600;
  int repeats = 5;
  uint64_t seed = 0;
  bool undirected = true;
};

struct SampleBenchResult {
  std::string config;            // e.g. "recent [10,10]"
  int64_t roots = 0;             // layer-0 roots per pass
  int64_t sampled_store = 0;     // neighbours returned by the block store (all layers)
  int64_t sampled_tcsr = 0;      // the same for the T-CSR (must be equal)
  bool identical = false;        // every sampled edge id identical (same draws for uniform)
  Spread store_seconds, tcsr_seconds;
  double store_roots_per_s() const { return roots / store_seconds.median; }
  double tcsr_roots_per_s() const { return roots / tcsr_seconds.median; }
};

SampleBenchResult RunSampleBench(const datasets::TemporalDataset& ds,
                                 const SampleBenchOptions& options);

struct IngestBenchResult {
  int64_t batch_size = 0;
  int64_t edges = 0;
  Spread append_seconds;         // appending the whole stream in batches of batch_size
  Spread rebuild_seconds;        // rebuilding the T-CSR from all edges once
  double bytes_per_edge = 0;     // block store, all structures, after the full stream
  double tcsr_bytes_per_edge = 0;
  double edges_per_s() const { return edges / append_seconds.median; }
  // How many times cheaper appending one batch is than rebuilding the T-CSR over the graph.
  double append_vs_rebuild() const {
    return rebuild_seconds.median / (append_seconds.median * batch_size / edges);
  }
};

IngestBenchResult RunIngestBench(const datasets::TemporalDataset& ds, int64_t batch_size,
                                 int repeats, bool undirected);

std::string ToJson(const SampleBenchResult& r);
std::string ToJson(const IngestBenchResult& r);

}  // namespace streamgnn::bench
