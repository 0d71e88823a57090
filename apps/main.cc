// streamgnn: the command-line entry point (git-style subcommands). This is the boundary where
// errors become messages and exit codes: library code returns Status, never exits.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "apps/commands.h"
#include "core/device.h"
#include "core/status.h"

#ifndef STREAMGNN_VERSION
#define STREAMGNN_VERSION "unknown"
#endif

namespace {

using streamgnn::apps::DatasetArgs;

void AddDatasetInput(CLI::App* cmd, DatasetArgs* d) {
  cmd->add_option("path", d->path, "Dataset file")->required();
  cmd->add_option("--format", d->format, "jodie | ml | snap | tgl | csv")
      ->check(CLI::IsMember({"jodie", "ml", "snap", "tgl", "csv"}));
  cmd->add_option("--src-col", d->src_col, "csv: column of the source id");
  cmd->add_option("--dst-col", d->dst_col, "csv: column of the destination id");
  cmd->add_option("--time-col", d->time_col, "csv: column of the timestamp");
  cmd->add_option("--label-col", d->label_col, "csv: column of the label (-1: none)");
  cmd->add_flag("--no-header", d->no_header, "csv: the first line is data, not a header");
  cmd->add_flag("--no-cache", d->no_cache, "Do not read or write the binary dataset cache");
}

int Report(const streamgnn::Status& status) {
  if (status.ok()) return 0;
  std::fprintf(stderr, "streamgnn: error: %s\n", status.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace apps = streamgnn::apps;
  CLI::App app{"streamgnn: training graph neural networks on temporal and large static graphs"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and build facts");

  // dataset info|convert|generate
  CLI::App* dataset = app.add_subcommand("dataset", "Inspect, convert and generate datasets");
  dataset->require_subcommand(1);
  DatasetArgs info_args;
  bool info_json = false;
  CLI::App* info = dataset->add_subcommand("info", "Print nodes, events, time span, features, labels");
  AddDatasetInput(info, &info_args);
  info->add_flag("--json", info_json, "Print JSON instead of text");

  DatasetArgs convert_args;
  std::string convert_to = "tgl", convert_out;
  CLI::App* convert = dataset->add_subcommand("convert", "Convert a dataset to TGL edges.csv or plain CSV");
  AddDatasetInput(convert, &convert_args);
  convert->add_option("--to", convert_to, "tgl | csv | ml (DyGLib/TGN ml_<name>.csv with .npy features)")
      ->check(CLI::IsMember({"tgl", "csv", "ml"}));
  convert->add_option("--out", convert_out, "Output file")->required();

  apps::GenerateArgs gen;
  CLI::App* generate = dataset->add_subcommand("generate", "Write a generated temporal graph");
  generate->add_option("--kind", gen.kind, "synthetic (communities + recency signal) | zipf (workload W1)")
      ->check(CLI::IsMember({"synthetic", "zipf"}));
  generate->add_option("--nodes", gen.nodes, "Number of nodes");
  generate->add_option("--edges", gen.edges, "Number of edges");
  generate->add_option("--users", gen.users, "synthetic: bipartite with this many users (0: not bipartite)");
  generate->add_option("--communities", gen.communities, "synthetic: number of communities");
  generate->add_option("--zipf", gen.zipf, "Zipf exponent of node popularity");
  generate->add_option("--node-feat-dim", gen.node_feat_dim, "synthetic: node feature width");
  generate->add_option("--edge-feat-dim", gen.edge_feat_dim, "synthetic: edge feature width");
  generate->add_option("--seed", gen.seed, "Seed");
  generate->add_option("--to", gen.to_format, "tgl | csv")->check(CLI::IsMember({"tgl", "csv"}));
  generate->add_option("--out", gen.out, "Output file")->required();

  // bench ingest|sample
  CLI::App* bench = app.add_subcommand("bench", "Measure ingestion and sampling (JSON summary)");
  bench->require_subcommand(1);
  apps::BenchArgs bench_args;
  auto add_bench_input = [&](CLI::App* cmd) {
    cmd->add_option("path", bench_args.data.path, "Dataset file (default: workload W1 in memory)");
    cmd->add_option("--format", bench_args.data.format, "jodie | ml | snap | tgl | csv")
        ->check(CLI::IsMember({"jodie", "ml", "snap", "tgl", "csv"}));
    cmd->add_flag("--no-header", bench_args.data.no_header, "csv: the first line is data");
    cmd->add_option("--w1-nodes", bench_args.w1_nodes, "W1: nodes");
    cmd->add_option("--w1-edges", bench_args.w1_edges, "W1: edges");
    cmd->add_option("--repeats", bench_args.repeats, "Repetitions (median, min, max reported)");
    cmd->add_option("--threads", bench_args.threads, "Thread budget");
  };
  CLI::App* bench_sample = bench->add_subcommand("sample", "Sampling roots/s: block store vs T-CSR");
  add_bench_input(bench_sample);
  bench_sample->add_option("--fanouts", bench_args.fanouts, "Per-layer fanouts, e.g. 10,10");
  bench_sample->add_option("--strategy", bench_args.strategy, "recent | uniform")
      ->check(CLI::IsMember({"recent", "uniform"}));
  bench_sample->add_option("--batch", bench_args.batch, "Edges per batch (3 roots per edge)");
  CLI::App* bench_ingest = bench->add_subcommand("ingest", "Append edges/s and bytes/edge vs T-CSR rebuild");
  add_bench_input(bench_ingest);
  bench_ingest->add_option("--batch", bench_args.ingest_batches, "Batch sizes")->expected(1, -1);

  // stream CONFIG
  std::string stream_config;
  std::vector<std::string> stream_overrides;
  CLI::App* stream = app.add_subcommand(
      "stream", "Ingest the configured stream in batches and sample each batch (the main job for now)");
  stream->add_option("config", stream_config, "YAML config")->required();
  stream->add_option("--set", stream_overrides, "Override a config key: --set sampling.neighbor=[10,10]");

  // train CONFIG, eval CHECKPOINT
  std::string train_config;
  std::vector<std::string> train_overrides;
  bool train_resume = false;
  CLI::App* train = app.add_subcommand(
      "train", "Train per a config: temporal link prediction (TGN, JODIE, APAN, TGAT), or static node classification (GCN, SAGE, GAT) for a config with a `model` section");
  train->add_option("config", train_config, "YAML config")->required();
  train->add_option("--set", train_overrides, "Override a config key: --set train.lr=0.001");
  train->add_flag("--resume", train_resume, "Continue from <log.dir>/checkpoint.pt");
  std::string eval_checkpoint;
  CLI::App* eval = app.add_subcommand("eval", "Evaluate a checkpoint written by `train` on validation and test");
  eval->add_option("checkpoint", eval_checkpoint, "checkpoint.pt or best.pt")->required();
  std::string eval_scores;
  eval->add_option("--scores", eval_scores,
                   "Also write the ranked scores to this folder ({val,test}_{pos,neg}.npy)");
  std::vector<std::string> eval_overrides;
  eval->add_option("--set", eval_overrides,
                   "Override a key that changes no score: --set eval.positives_per_forward=1 "
                   "(also runtime.threads)");

  std::vector<apps::Command> commands;
  apps::AddServiceCommands(&app, &commands);
  apps::AddStaticCommands(&app, &commands);
  apps::AddContinuousCommands(&app, &commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every usage error exits 2, whatever CLI11 code it carries.
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (version) {
      std::printf("streamgnn %s\n%s\n", STREAMGNN_VERSION, streamgnn::core::DeviceSummary().c_str());
      return 0;
    }
    for (const apps::Command& c : commands) {
      if (c.cli->parsed()) return Report(c.run());
    }
    if (info->parsed()) return Report(apps::DatasetInfo(info_args, info_json));
    if (convert->parsed()) return Report(apps::DatasetConvert(convert_args, convert_to, convert_out));
    if (generate->parsed()) return Report(apps::DatasetGenerate(gen));
    if (bench_sample->parsed()) return Report(apps::BenchSample(bench_args));
    if (bench_ingest->parsed()) return Report(apps::BenchIngest(bench_args));
    if (stream->parsed()) return Report(apps::RunStream(stream_config, stream_overrides));
    if (train->parsed()) {
      if (apps::IsStaticConfig(train_config)) {
        if (train_resume) {
          return Report(streamgnn::Status::InvalidArgument("static training has no --resume"));
        }
        return Report(apps::RunStaticTrain(train_config, train_overrides));
      }
      return Report(apps::RunTrain(train_config, train_overrides, train_resume));
    }
    if (eval->parsed()) return Report(apps::RunEval(eval_checkpoint, eval_scores, eval_overrides));
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "streamgnn: internal error: %s\n", e.what());
    return 3;
  }
}
