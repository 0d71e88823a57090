// Subcommands of the `streamgnn` executable. Each returns the process exit code; user errors
// come back as a non-ok Status that main() prints (exit 1). Usage errors are CLI11's (exit 2).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace CLI {
class App;
}

namespace streamgnn::apps {

// A subcommand registered by a command file, and what runs when it was given.
struct Command {
  CLI::App* cli;
  std::function<Status()> run;
};

// `serve`, `ingest` and `stats` (apps/service_commands.cc).
void AddServiceCommands(CLI::App* app, std::vector<Command>* commands);

// `continuous`: continuous learning over a dataset as a stream (apps/continuous_command.cc).
void AddContinuousCommands(CLI::App* app, std::vector<Command>* commands);

// `static-train`: node classification on static graphs (apps/static_command.cc).
void AddStaticCommands(CLI::App* app, std::vector<Command>* commands);
Status RunStaticTrain(const std::string& config_path, const std::vector<std::string>& overrides);
// `continual-train`: graph continual learning over a task stream (apps/static_command.cc).
Status RunContinualTrain(const std::string& config_path, const std::vector<std::string>& overrides);
// A static-graph config has a top-level `model` section (temporal ones name train.model);
// `streamgnn train` sends it to RunStaticTrain.
bool IsStaticConfig(const std::string& config_path);

struct DatasetArgs {
  std::string path;
  std::string format = "jodie";
  // format csv: column layout
  int src_col = 0, dst_col = 1, time_col = 2, label_col = -1;
  bool no_header = false;
  bool no_cache = false;
};

// Loads the dataset the arguments name (dataset_commands.cc); shared by the commands that read one.
StatusOr<datasets::TemporalDataset> LoadFromArgs(const DatasetArgs& in);
Status DatasetInfo(const DatasetArgs& in, bool json);
Status DatasetConvert(const DatasetArgs& in, const std::string& to_format, const std::string& out);

struct GenerateArgs {
  std::string kind = "synthetic";  // synthetic | zipf
  int64_t nodes = 10000, edges = 200000, users = 0, communities = 20;
  double zipf = 1.0;
  int64_t node_feat_dim = 0, edge_feat_dim = 0;
  uint64_t seed = 0;
  std::string to_format = "csv";
  std::string out;
};
Status DatasetGenerate(const GenerateArgs& args);

struct BenchArgs {
  DatasetArgs data;      // empty path: workload W1 generated in memory
  int64_t w1_nodes = 100000, w1_edges = 1000000;
  std::string fanouts = "10";
  std::string strategy = "recent";
  int64_t batch = 600;   // sample: edges per batch; ingest: batch sizes below
  std::vector<int64_t> ingest_batches = {1000, 10000, 100000};
  int repeats = 3;
  int threads = 2;
};
Status BenchSample(const BenchArgs& args);
Status BenchIngest(const BenchArgs& args);

// The main job for now: ingest the configured stream in batches and sample every batch as a
// temporal trainer would; prints the figures and writes them to <log.dir>/stream_summary.json.
Status RunStream(const std::string& config_path, const std::vector<std::string>& overrides);

// `streamgnn train`: temporal link-prediction training per the config; prints per-epoch
// metrics and the test AP of the best epoch (apps/train_command.cc).
Status RunTrain(const std::string& config_path, const std::vector<std::string>& overrides,
                bool resume);
// `streamgnn eval`: re-evaluates a checkpoint written by `train` on validation and test; with
// scores_dir, also writes the ranked scores there; overrides may set the keys that change no
// score (trainers::EvaluateCheckpoint, kEvalOverridableKeys).
Status RunEval(const std::string& checkpoint_path, const std::string& scores_dir,
               const std::vector<std::string>& overrides);

}  // namespace streamgnn::apps
