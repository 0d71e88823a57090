// Workload W1 (issue "Foundation"): 100,000 nodes, 1,000,000 edges, Zipf(1.0) endpoints over
// permuted ids, chronological, stored for both endpoints; 2 threads. Prints one JSON line per
// measurement and writes them all to bench/results/temporal_store.json (or --out).
//
//   build/bin/bench_temporal_store [--repeats N] [--threads N] [--out PATH]
#include <tbb/global_control.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "bench/temporal_bench.h"
#include "datasets/synthetic.h"

int main(int argc, char** argv) {
  using namespace streamgnn;
  int repeats = 5, threads = 2;
  int64_t nodes = 100000, edges = 1000000;
  std::string out_path = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/temporal_store.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--out")) out_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--edges")) edges = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--nodes")) nodes = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  tbb::global_control budget(tbb::global_control::max_allowed_parallelism, threads);
  const datasets::TemporalDataset w1 = datasets::GenerateZipfStream(nodes, edges, 1.0, 1);
  std::string all = "[\n";
  auto emit = [&](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    all += (all.size() > 2 ? ",\n" : "") + line;
  };
  const struct {
    std::vector<int> fanouts;
    sampling::Strategy strategy;
  } configs[] = {{{10}, sampling::Strategy::kRecent},
                 {{10}, sampling::Strategy::kUniform},
                 {{10, 10}, sampling::Strategy::kRecent},
                 {{10, 10}, sampling::Strategy::kUniform}};
  for (const auto& c : configs) {
    bench::SampleBenchOptions o;
    o.fanouts = c.fanouts;
    o.strategy = c.strategy;
    o.repeats = repeats;
    emit(bench::ToJson(bench::RunSampleBench(w1, o)));
  }
  for (int64_t batch : {1000, 10000, 100000}) {
    emit(bench::ToJson(bench::RunIngestBench(w1, batch, repeats, true)));
  }
  all += "\n]\n";
  std::ofstream(out_path) << all;
  return 0;
}
