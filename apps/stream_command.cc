// `streamgnn stream CONFIG`: the end-to-end data path a temporal trainer runs, without the
// model: load (or generate) the dataset, append it to the block store in chronological batches
// of train.batch_size, and after each batch sample its roots (sources, destinations and one
// negative per edge, at the edge times) with the configured sampler.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/commands.h"
#include "trainers/temporal_config.h"
#include "core/logging.h"
#include "core/progress.h"
#include "core/threads.h"
#include "datasets/dataset_config.h"
#include "graph/temporal_graph.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"

namespace streamgnn::apps {

Status RunStream(const std::string& config_path, const std::vector<std::string>& overrides) {
  SG_ASSIGN_OR_RETURN(const trainers::TemporalConfig config, trainers::LoadTemporalConfigFile(config_path, overrides));
  SG_RETURN_IF_ERROR(core::InitLogging(config.log.level));
  core::SetThreadBudget(static_cast<int>(config.runtime.threads));
  if (config.runtime.device == core::DeviceKind::kCuda) {
    return Status::Unimplemented(config_path + ": runtime.device: cuda is not available for `stream` yet (CPU only)");
  }
  auto& log = core::Logger();

  datasets::LoadReport report;
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds,
                      datasets::LoadFromConfig(config.dataset, &report));
  log->info("dataset {}: {} events, {} nodes ({:.2f} s{})", ds.name, ds.num_events(), ds.num_nodes,
            report.seconds, report.cache_hit ? ", from cache" : "");

  graph::TemporalGraphOptions go;
  go.undirected = config.graph.undirected;
  go.out_of_order = config.graph.out_of_order;
  go.eviction_window = config.graph.eviction_window;
  go.min_block_capacity = static_cast<int32_t>(config.graph.min_block_capacity);
  go.max_block_capacity = static_cast<int32_t>(config.graph.max_block_capacity);
  SG_RETURN_IF_ERROR(graph::TemporalGraph::ValidateOptions(go).WithPrefix(config_path + ": graph"));
  graph::TemporalGraph store(go);

  sampling::TemporalSamplerOptions so;
  so.fanouts.assign(config.sampling.neighbor.begin(), config.sampling.neighbor.end());
  so.strategy = config.sampling.strategy;
  so.prop_time = config.sampling.prop_time;
  so.seed = static_cast<uint64_t>(config.train.seed);
  SG_ASSIGN_OR_RETURN(const sampling::TemporalSampler sampler, sampling::TemporalSampler::Create(so));
  SG_ASSIGN_OR_RETURN(const sampling::NegativeSampler negatives,
                      sampling::NegativeSampler::FromRange(0, std::max<int64_t>(1, ds.num_nodes),
                                                           static_cast<uint64_t>(config.train.seed)));

  const int64_t batch = config.train.batch_size;
  core::ProgressBar progress("stream", ds.num_events(), config.log.progress);
  std::vector<NodeId> roots, neg;
  std::vector<Timestamp> times;
  sampling::SampleResult sample;
  std::vector<int64_t> sampled_per_layer(so.fanouts.size(), 0);
  int64_t total_roots = 0;
  double append_s = 0, sample_s = 0;
  using Clock = std::chrono::steady_clock;
  for (int64_t b = 0, index = 0; b < ds.num_events(); b += batch, ++index) {
    const int64_t n = std::min(batch, ds.num_events() - b);
    const auto t0 = Clock::now();
    auto appended = store.AppendEdges(Span<const NodeId>(ds.src.data() + b, n),
                                      Span<const NodeId>(ds.dst.data() + b, n),
                                      Span<const Timestamp>(ds.ts.data() + b, n));
    if (!appended.ok()) {
      return appended.status().WithPrefix(fmt::format("{}: events [{}, {})", ds.name, b, b + n));
    }
    const auto t1 = Clock::now();
    neg.resize(n);
    negatives.Sample(static_cast<uint64_t>(index), neg);
    roots.assign(ds.src.begin() + b, ds.src.begin() + b + n);
    roots.insert(roots.end(), ds.dst.begin() + b, ds.dst.begin() + b + n);
    roots.insert(roots.end(), neg.begin(), neg.end());
    times.clear();
    for (int r = 0; r < 3; ++r) times.insert(times.end(), ds.ts.begin() + b, ds.ts.begin() + b + n);
    const graph::Snapshot snapshot = store.GetSnapshot();
    sampler.Sample(snapshot, roots, times, static_cast<uint64_t>(index), &sample);
    const auto t2 = Clock::now();
    append_s += std::chrono::duration<double>(t1 - t0).count();
    sample_s += std::chrono::duration<double>(t2 - t1).count();
    total_roots += static_cast<int64_t>(roots.size());
    for (size_t l = 0; l < sample.layers.size(); ++l) sampled_per_layer[l] += sample.layers[l].num_sampled();
    progress.Add(n);
  }
  progress.Finish();

  const graph::GraphStats stats = store.Stats();
  const graph::MemoryUsage memory = store.Memory();
  std::vector<double> per_root;
  for (size_t l = 0; l < sampled_per_layer.size(); ++l) {
    const int64_t layer_roots = l == 0 ? total_roots : sampled_per_layer[l - 1];
    per_root.push_back(layer_roots ? static_cast<double>(sampled_per_layer[l]) / layer_roots : 0.0);
  }
  const std::string layers = fmt::format("{:.2f}", fmt::join(per_root, ", "));
  nlohmann::ordered_json summary;
  summary["dataset"] = ds.name;
  summary["events"] = ds.num_events();
  summary["nodes"] = ds.num_nodes;
  summary["batch_size"] = batch;
  summary["threads"] = core::ThreadBudget();
  summary["append_edges_per_s"] = append_s > 0 ? ds.num_events() / append_s : 0.0;
  summary["sample_roots_per_s"] = sample_s > 0 ? total_roots / sample_s : 0.0;
  summary["roots"] = total_roots;
  summary["neighbors_per_root_by_layer"] = per_root;
  summary["bytes_per_edge"] = static_cast<double>(memory.total()) / std::max<int64_t>(1, ds.num_events());
  summary["out_of_order_inserted"] = stats.out_of_order_inserted;
  summary["evicted_entries"] = stats.evicted_entries;
  const std::string json = summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("streamed %lld events of %s into the block store in batches of %lld\n",
              static_cast<long long>(ds.num_events()), ds.name.c_str(), static_cast<long long>(batch));
  std::printf("  append: %.0f edges/s   sample (%s %s): %.0f roots/s\n",
              append_s > 0 ? ds.num_events() / append_s : 0.0, sampling::StrategyName(so.strategy),
              fmt::format("{}", fmt::join(so.fanouts, ",")).c_str(),
              sample_s > 0 ? total_roots / sample_s : 0.0);
  std::printf("  neighbours per root by layer: [%s]   memory: %.1f bytes/edge\n", layers.c_str(),
              static_cast<double>(memory.total()) / std::max<int64_t>(1, ds.num_events()));
  std::printf("%s\n", json.c_str());

  std::error_code ec;
  std::filesystem::create_directories(config.log.dir, ec);
  const std::string out = config.log.dir + "/stream_summary.json";
  std::ofstream file(out);
  if (!file || !(file << json << "\n")) {
    log->warn("could not write {}", out);
  }
  return Status::Ok();
}

}  // namespace streamgnn::apps
