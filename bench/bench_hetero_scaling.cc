// BG-HGNN against R-GCN and HGT as the number of relation types grows (issue 19): typed SBMs of
// a fixed size (3 node types x --nodes nodes, --edges edges in all) whose edges are spread over
// R = 2, 10, 100, 1000 relation types. Per (R, model), in the same run: trainable parameters,
// full-graph training epochs per second (median and min-max over the --epochs epochs after the
// first, which warms up), and test accuracy after those epochs.
//
//   build/bin/bench_hetero_scaling [--relations 2,10,100,1000] [--nodes 2000] [--edges 40000]
//                                  [--epochs 20] [--threads 2] [--out bench/results/hetero_scaling.json]
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trainers/static_trainer.h"

namespace {

using namespace streamgnn;

struct Args {
  std::vector<int64_t> relations = {2, 10, 100, 1000};
  int64_t nodes = 2000;
  int64_t edges = 40000;
  int64_t epochs = 20;
  int64_t threads = 2;
  std::string out = std::string(STREAMGNN_SOURCE_DIR) + "/bench/results/hetero_scaling.json";
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--relations") {
      a->relations.clear();
      std::stringstream in(v);
      for (std::string r; std::getline(in, r, ',');) a->relations.push_back(std::stoll(r));
    } else if (k == "--nodes") {
      a->nodes = std::stoll(v);
    } else if (k == "--edges") {
      a->edges = std::stoll(v);
    } else if (k == "--epochs") {
      a->epochs = std::stoll(v);
    } else if (k == "--threads") {
      a->threads = std::stoll(v);
    } else if (k == "--out") {
      a->out = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return false;
    }
  }
  return (argc % 2) == 1 && a->epochs >= 2 && !a->relations.empty();
}

std::string Config(const Args& a, int64_t r, const char* model) {
  return fmt::format(
      "dataset:\n  format: hetero_sbm\n  row_normalize: false\n"
      "  hetero_sbm: {{nodes_per_type: {}, num_types: 3, num_relations: {}, num_classes: 4, "
      "edges_per_relation: {}, feature_dim: 32, feature_noise: 3.0}}\n"
      "model: {{name: {}, layers: 2, hidden: 64, dropout: 0.2, heads: 4, att_dropout: 0.1, "
      "rank: 4, fused_dim: 64, code_dim: 512}}\n"
      "train: {{epoch: {}, lr: 0.01, weight_decay: 0, patience: 0, select: last}}\n"
      "runtime: {{threads: {}}}\n",
      a.nodes, r, std::max<int64_t>(1, a.edges / r), model, a.epochs, a.threads);
}

struct Row {
  int64_t relations = 0;
  std::string model;
  int64_t parameters = 0;
  double epochs_per_s_median = 0, epochs_per_s_min = 0, epochs_per_s_max = 0;
  double test_acc = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) {
    std::fprintf(stderr, "usage: bench_hetero_scaling [--relations 2,10,100,1000] [--nodes N] "
                         "[--edges E] [--epochs K>=2] [--threads T] [--out FILE]\n");
    return 2;
  }
  std::vector<Row> rows;
  std::printf("%9s %-7s %12s %14s %10s\n", "relations", "model", "parameters", "epochs/s", "test acc");
  for (const int64_t r : a.relations) {
    for (const char* model : {"rgcn", "hgt", "bghgnn"}) {
      auto config = trainers::LoadStaticConfigString(Config(a, r, model), "bench.yaml");
      if (!config.ok()) {
        std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
        return 1;
      }
      auto data = trainers::LoadHeteroConfigDataset(*config);
      auto params = data.ok() ? trainers::HeteroParameterCount(*config, *data)
                              : StatusOr<int64_t>(data.status());
      auto run = params.ok() ? trainers::TrainHeteroOnDataset(*config, *data)
                             : StatusOr<trainers::StaticRunResult>(params.status());
      if (!run.ok()) {
        std::fprintf(stderr, "R=%lld %s: %s\n", static_cast<long long>(r), model,
                     run.status().ToString().c_str());
        return 1;
      }
      std::vector<double> rates;
      for (size_t e = 1; e < run->epochs.size(); ++e) rates.push_back(1.0 / run->epochs[e].epoch_seconds);
      std::sort(rates.begin(), rates.end());
      Row row{r, model, *params, rates[rates.size() / 2], rates.front(), rates.back(), run->test_acc};
      std::printf("%9lld %-7s %12lld %8.2f (%.2f-%.2f) %8.4f\n", static_cast<long long>(r), model,
                  static_cast<long long>(row.parameters), row.epochs_per_s_median,
                  row.epochs_per_s_min, row.epochs_per_s_max, row.test_acc);
      std::fflush(stdout);
      rows.push_back(row);
    }
  }
  nlohmann::ordered_json out;
  out["command"] = fmt::format("bench_hetero_scaling --nodes {} --edges {} --epochs {} --threads {}",
                               a.nodes, a.edges, a.epochs, a.threads);
  out["rows"] = nlohmann::ordered_json::array();
  for (const Row& row : rows) {
    out["rows"].push_back({{"relations", row.relations}, {"model", row.model},
                           {"parameters", row.parameters},
                           {"epochs_per_s_median", row.epochs_per_s_median},
                           {"epochs_per_s_min", row.epochs_per_s_min},
                           {"epochs_per_s_max", row.epochs_per_s_max}, {"test_acc", row.test_acc}});
  }
  std::filesystem::create_directories(std::filesystem::path(a.out).parent_path());
  std::ofstream(a.out) << out.dump(2) << "\n";
  std::printf("wrote %s\n", a.out.c_str());
  return 0;
}
