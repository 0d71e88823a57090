// `streamgnn bench sample|ingest`: the block store against the T-CSR baseline on any loadable
// dataset (or workload W1 generated in memory), one JSON line per measurement.
#include <tbb/global_control.h>

#include <cstdio>
#include <sstream>

#include "apps/commands.h"
#include "bench/temporal_bench.h"
#include "datasets/synthetic.h"

namespace streamgnn::apps {

namespace {

StatusOr<datasets::TemporalDataset> BenchData(const BenchArgs& a) {
  if (!a.data.path.empty()) return LoadFromArgs(a.data);
  if (a.w1_nodes < 1 || a.w1_edges < 1) return Status::InvalidArgument("--w1-nodes and --w1-edges must be >= 1");
  return datasets::GenerateZipfStream(a.w1_nodes, a.w1_edges, 1.0, 1);
}

StatusOr<std::vector<int>> ParseFanouts(const std::string& text) {
  std::vector<int> fanouts;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const int k = std::stoi(item, &used);
      if (used != item.size() || k < 1) throw std::invalid_argument(item);
      fanouts.push_back(k);
    } catch (const std::exception&) {
      return Status::InvalidArgument("--fanouts: expected positive integers separated by commas, got '" +
                                     text + "'");
    }
  }
  if (fanouts.empty()) return Status::InvalidArgument("--fanouts is empty");
  return fanouts;
}

Status CheckCommon(const BenchArgs& a) {
  if (a.repeats < 1) return Status::InvalidArgument("--repeats must be >= 1");
  if (a.threads < 1) return Status::InvalidArgument("--threads must be >= 1");
  return Status::Ok();
}

}  // namespace

Status BenchSample(const BenchArgs& a) {
  SG_RETURN_IF_ERROR(CheckCommon(a));
  if (a.batch < 1) return Status::InvalidArgument("--batch must be >= 1");
  tbb::global_control budget(tbb::global_control::max_allowed_parallelism, a.threads);
  bench::SampleBenchOptions o;
  SG_ASSIGN_OR_RETURN(o.fanouts, ParseFanouts(a.fanouts));
  o.strategy = a.strategy == "uniform" ? sampling::Strategy::kUniform : sampling::Strategy::kRecent;
  o.batch_size = a.batch;
  o.repeats = a.repeats;
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds, BenchData(a));
  std::printf("%s\n", bench::ToJson(bench::RunSampleBench(ds, o)).c_str());
  return Status::Ok();
}

Status BenchIngest(const BenchArgs& a) {
  SG_RETURN_IF_ERROR(CheckCommon(a));
  tbb::global_control budget(tbb::global_control::max_allowed_parallelism, a.threads);
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds, BenchData(a));
  for (int64_t batch : a.ingest_batches) {
    if (batch < 1) return Status::InvalidArgument("--batch sizes must be >= 1");
    std::printf("%s\n", bench::ToJson(bench::RunIngestBench(ds, batch, a.repeats, true)).c_str());
    std::fflush(stdout);
  }
  return Status::Ok();
}

}  // namespace streamgnn::apps
