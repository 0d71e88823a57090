// MSPipe pipeline and PRES epoch times (issue 4), all variants in the same run on the same host:
//   sequential, mspipe staleness 0 / 1 / 2 / auto (batch 200), and plain batch 800 and PRES batch
//   800 against batch 200 (sequential). Per variant: training-pass seconds per epoch (median and
//   min-max over --repeats runs of --epochs epochs each), the busy time of each stage, and for
//   the pipeline the overlap achieved: ideal = the slowest stage's busy time (the bound of a
//   perfect pipeline), overlap = (sum of stage times - epoch time) / (sum - ideal) (1 = ideal,
//   0 = no overlap). AP is the best-validation epoch's transductive test AP.
//
//   build/bin/bench_pipeline [--config examples/tgn.yaml] [--threads 2] [--epochs 2]
//                            [--repeats 3] [--only NAME,...] [--out bench/results/pipeline.json]
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "trainers/temporal_trainer.h"

namespace {

using namespace streamgnn;
namespace fs = std::filesystem;

struct Variant {
  std::string name;
  std::vector<std::string> overrides;
};

struct Result {
  std::string name;
  std::vector<double> epoch_s;  // one per run: mean training-pass seconds per epoch
  trainers::StageTimes stages;  // per epoch, of the median run
  double test_ap = 0;           // median over runs
  int64_t staleness_bound = 0, staleness_max = 0;
  double staleness_mean = 0;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = std::string(STREAMGNN_SOURCE_DIR) + "/examples/tgn.yaml";
  std::string out_path = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/pipeline.json";
  std::string only;
  int64_t threads = 2, epochs = 2, repeats = 3;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_pipeline: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = next();
    else if (a == "--threads") threads = std::stoll(next());
    else if (a == "--epochs") epochs = std::stoll(next());
    else if (a == "--repeats") repeats = std::stoll(next());
    else if (a == "--only") only = next();
    else if (a == "--out") out_path = next();
    else if (a == "--set") extra.push_back(next());
    else {
      std::fprintf(stderr, "bench_pipeline: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const std::vector<Variant> variants = {
      {"sequential", {}},
      {"mspipe_s0", {"pipeline.mode=mspipe", "pipeline.staleness=0"}},
      {"mspipe_s1", {"pipeline.mode=mspipe", "pipeline.staleness=1"}},
      {"mspipe_s2", {"pipeline.mode=mspipe", "pipeline.staleness=2"}},
      {"mspipe_auto", {"pipeline.mode=mspipe", "pipeline.staleness=auto"}},
      {"batch800", {"train.batch_size=800", "train.eval_batch_size=200"}},
      {"pres_batch800", {"train.batch_size=800", "train.eval_batch_size=200", "pres.enabled=true"}},
  };
  std::vector<Result> results;
  for (const Variant& v : variants) {
    if (!only.empty() && ("," + only + ",").find("," + v.name + ",") == std::string::npos) continue;
    Result r;
    r.name = v.name;
    std::vector<double> aps;
    std::vector<std::pair<double, trainers::EpochRecord>> runs;
    for (int64_t rep = 0; rep < repeats; ++rep) {
      const fs::path dir = fs::temp_directory_path() / fmt::format("bench_pipeline_{}_{}", v.name, rep);
      std::vector<std::string> set = {"runtime.threads=" + std::to_string(threads),
                                      "train.epoch=" + std::to_string(epochs), "train.patience=0",
                                      "train.checkpoint=false", "log.progress=never",
                                      "train.seed=" + std::to_string(rep), "log.dir=" + dir.string()};
      set.insert(set.end(), extra.begin(), extra.end());
      set.insert(set.end(), v.overrides.begin(), v.overrides.end());
      auto config = trainers::LoadTemporalConfigFile(config_path, set);
      if (!config.ok()) {
        std::fprintf(stderr, "bench_pipeline: %s\n", config.status().message().c_str());
        return 1;
      }
      trainers::TrainOptions options;
      options.print_epochs = false;
      auto summary = trainers::TrainTemporal(*config, options);
      if (!summary.ok()) {
        std::fprintf(stderr, "bench_pipeline: %s: %s\n", v.name.c_str(), summary.status().message().c_str());
        return 1;
      }
      double train_s = 0;
      trainers::EpochRecord mean_stages;
      for (const auto& e : summary->epochs) {
        train_s += e.train_s;
        mean_stages.stages += e.stages;
        mean_stages.staleness_bound = e.staleness_bound;
        mean_stages.staleness_max = std::max(mean_stages.staleness_max, e.staleness_max);
        mean_stages.staleness_mean += e.staleness_mean;
      }
      const double ne = static_cast<double>(summary->epochs.size());
      train_s /= ne;
      auto& st = mean_stages.stages;
      st.sample /= ne, st.features /= ne, st.memory_read /= ne, st.forward /= ne, st.backward /= ne,
          st.memory_write /= ne;
      mean_stages.staleness_mean /= ne;
      r.epoch_s.push_back(train_s);
      aps.push_back(summary->best().test.ap);
      runs.emplace_back(train_s, mean_stages);
      std::printf("%-14s run %lld: %.2f s/epoch, test AP %.4f\n", v.name.c_str(),
                  static_cast<long long>(rep), train_s, summary->best().test.ap);
      std::fflush(stdout);
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const auto& med = runs[runs.size() / 2].second;
    r.stages = med.stages;
    r.staleness_bound = med.staleness_bound;
    r.staleness_max = med.staleness_max;
    r.staleness_mean = med.staleness_mean;
    r.test_ap = Median(aps);
    results.push_back(r);
  }

  std::printf("\n%-14s %8s %12s %7s %7s %7s %7s %7s %7s %8s %8s %5s %5s %8s\n", "variant", "s/epoch",
              "min-max", "sample", "feat", "read", "compute", "write", "ideal", "overlap", "speedup",
              "bound", "max", "test AP");
  double seq = 0, b200 = 0;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const Result& r : results) {
    const double med = Median(r.epoch_s);
    const double lo = *std::min_element(r.epoch_s.begin(), r.epoch_s.end());
    const double hi = *std::max_element(r.epoch_s.begin(), r.epoch_s.end());
    if (r.name == "sequential") seq = b200 = med;
    const auto& s = r.stages;
    const double compute = s.forward + s.backward;
    const double sum = s.sample + s.features + s.memory_read + compute + s.memory_write;
    const double ideal = std::max({s.sample, s.features, s.memory_read, compute, s.memory_write});
    const double overlap = sum > ideal ? (sum - med) / (sum - ideal) : 0;
    const double speedup = seq > 0 ? seq / med : 0;
    std::printf("%-14s %8.2f %5.2f-%-6.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %8.2f %8.2f %5lld %5lld %8.4f\n",
                r.name.c_str(), med, lo, hi, s.sample, s.features, s.memory_read, compute,
                s.memory_write, ideal, overlap, speedup, static_cast<long long>(r.staleness_bound),
                static_cast<long long>(r.staleness_max), r.test_ap);
    nlohmann::ordered_json row;
    row["variant"] = r.name;
    row["epoch_s_median"] = med;
    row["epoch_s_min"] = lo;
    row["epoch_s_max"] = hi;
    row["sample_s"] = s.sample;
    row["features_s"] = s.features;
    row["memory_read_s"] = s.memory_read;
    row["compute_s"] = compute;
    row["memory_write_s"] = s.memory_write;
    row["ideal_s"] = ideal;
    row["overlap"] = overlap;
    row["speedup_vs_sequential"] = speedup;
    row["staleness_bound"] = r.staleness_bound;
    row["staleness_max"] = r.staleness_max;
    row["staleness_mean"] = r.staleness_mean;
    row["test_ap_median"] = r.test_ap;
    row["runs"] = r.epoch_s.size();
    row["threads"] = threads;
    row["epochs"] = epochs;
    rows.push_back(std::move(row));
  }
  for (const Result& r : results) {
    if (r.name == "pres_batch800" && b200 > 0) {
      std::printf("\nPRES batch 800 vs plain batch 200: epoch time ratio %.2fx\n", b200 / Median(r.epoch_s));
    }
  }
  std::ofstream(out_path) << rows.dump(2) << "\n";
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}
