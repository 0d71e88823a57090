// `streamgnn static-train CONFIG [--set k=v ...]`: node classification on a static graph (GCN,
// GraphSAGE-mean, GAT; full-graph or mini-batch) per a static config (trainers/static_trainer.h,
// examples/*_cora*.yaml). The config is checked completely before any data is loaded. A config
// with a `distributed` backend trains one METIS part per rank (`mpirun -np 4 streamgnn train
// examples/gcn_cora_distributed.yaml`; docs/distributed.md).
#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <memory>

#include "apps/commands.h"
#if defined(STREAMGNN_WITH_TRAINERS)
#include "comm/communicator.h"
#include "trainers/continual_trainer.h"
#include "trainers/static_trainer.h"
#endif

namespace streamgnn::apps {

bool IsStaticConfig(const std::string& config_path) {
  try {
    const YAML::Node root = YAML::LoadFile(config_path);
    return root.IsMap() && root["model"].IsDefined();
  } catch (const YAML::Exception&) {
    return false;  // the temporal loader reports the error with file and line
  }
}

#if !defined(STREAMGNN_WITH_TRAINERS)
Status RunStaticTrain(const std::string&, const std::vector<std::string>&) {
  return Status::Unimplemented("this build has no LibTorch (STREAMGNN_WITH_TORCH=OFF): no training");
}
Status RunContinualTrain(const std::string&, const std::vector<std::string>&) {
  return Status::Unimplemented("this build has no LibTorch (STREAMGNN_WITH_TORCH=OFF): no training");
}
#else
namespace {

// A `distributed` config: every rank trains its part and prints its own lines, prefixed with
// its rank; rank 0 prints the summary and writes log.dir.
Status RunDistributedStaticTrain(const std::string& config_path,
                                 const trainers::StaticConfig& config) {
  SG_ASSIGN_OR_RETURN(std::unique_ptr<comm::Communicator> comm,
                      comm::CreateCommunicator(trainers::CommBackend(config.distributed.backend)));
  const int rank = comm->rank(), world = comm->size();
  const std::string tag = "[rank " + std::to_string(rank) + "/" + std::to_string(world) + "] ";
  SG_ASSIGN_OR_RETURN(const datasets::StaticDataset dataset,
                      trainers::LoadStaticConfigDataset(config));
  const bool quiet = config.log.quiet;
  auto result = trainers::TrainStaticDistributed(
      config, dataset, comm.get(), [&](const trainers::StaticEpochRecord& r) {
        if (quiet || !r.evaluated) return;
        std::printf("%sepoch %4lld  loss %.4f  train %.4f  val %.4f  test %.4f  (%.1f ms)\n",
                    tag.c_str(), static_cast<long long>(r.epoch), r.loss, r.train_acc, r.val_acc,
                    r.test_acc, 1000.0 * r.epoch_seconds);
        std::fflush(stdout);
      });
  if (!result.ok()) return result.status().WithPrefix(tag + config_path);
  std::printf("%s%s backend, %d parts (edge cut %lld): %lld inner + %lld halo nodes here, "
              "%.2f MB of halo messages sent (%.2f MB in training passes), training time %.2f s\n",
              tag.c_str(), comm->name().c_str(), world, static_cast<long long>(result->edge_cut),
              static_cast<long long>(result->num_inner), static_cast<long long>(result->num_halo),
              static_cast<double>(result->halo_bytes_sent) / 1e6,
              static_cast<double>(result->train_halo_bytes_sent) / 1e6, result->train_seconds);
  if (result->bit_assignments > 0) {
    std::printf("%sadaptive widths: %lld assignments, mean %.2f bits per forward row here\n",
                tag.c_str(), static_cast<long long>(result->bit_assignments), result->mean_bits);
  }
  if (rank == 0) {
    std::printf("%sselected epoch %lld of %zu (full graph, %d ranks, %s): val accuracy %.4f\n",
                tag.c_str(), static_cast<long long>(result->selected_epoch),
                result->epochs.size(), world,
                config.train.select == trainers::StaticSelect::kBestVal ? "best validation"
                                                                        : "last",
                result->val_acc);
    std::printf("%stest accuracy: %.4f\n", tag.c_str(), result->test_acc);
    if (!config.log.dir.empty()) {
      std::printf("%smetrics: %s/metrics.jsonl  summary: %s/summary.json\n", tag.c_str(),
                  config.log.dir.c_str(), config.log.dir.c_str());
    }
  }
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace

Status RunStaticTrain(const std::string& config_path, const std::vector<std::string>& overrides) {
  SG_ASSIGN_OR_RETURN(const trainers::StaticConfig config,
                      trainers::LoadStaticConfigFile(config_path, overrides));
  if (config.distributed.backend != trainers::DistributedBackend::kNone) {
    return RunDistributedStaticTrain(config_path, config);
  }
  const bool quiet = config.log.quiet;
  auto result = trainers::TrainStatic(config, [quiet](const trainers::StaticEpochRecord& r) {
    if (quiet || !r.evaluated) return;
    std::printf("epoch %4lld  loss %.4f  train %.4f  val %.4f  test %.4f  (%.1f ms)\n",
                static_cast<long long>(r.epoch), r.loss, r.train_acc, r.val_acc, r.test_acc,
                1000.0 * r.epoch_seconds);
  });
  if (!result.ok()) return result.status().WithPrefix(config_path);
  std::printf("selected epoch %lld of %zu (%s, %s): val accuracy %.4f\n",
              static_cast<long long>(result->selected_epoch), result->epochs.size(),
              result->full_graph ? "full graph" : "mini-batch",
              config.train.select == trainers::StaticSelect::kBestVal ? "best validation" : "last",
              result->val_acc);
  std::printf("training time: %.2f s (%lld batches an epoch)\n", result->train_seconds,
              static_cast<long long>(result->num_batches_per_epoch));
  std::printf("test accuracy: %.4f\n", result->test_acc);
  if (!result->epochs.empty() && result->epochs.back().has_macro_f1) {
    std::printf("test macro-F1: %.4f (micro-F1 = accuracy)\n", result->test_macro_f1);
  }
  if (!config.log.dir.empty()) {
    std::printf("metrics: %s/metrics.jsonl  summary: %s/summary.json\n", config.log.dir.c_str(),
                config.log.dir.c_str());
  }
  return Status::Ok();
}

Status RunContinualTrain(const std::string& config_path, const std::vector<std::string>& overrides) {
  SG_ASSIGN_OR_RETURN(const trainers::StaticConfig config,
                      trainers::LoadStaticConfigFile(config_path, overrides));
  auto result = trainers::TrainContinualFromConfig(config);
  if (!result.ok()) return result.status().WithPrefix(config_path);
  std::printf("test accuracy after each task (rows) on each task so far (columns):\n");
  for (size_t i = 0; i < result->accuracy.size(); ++i) {
    std::printf("after task %2zu:", i);
    for (const double a : result->accuracy[i]) std::printf(" %6.2f", 100 * a);
    std::printf("   (%.2f s, %lld replay nodes)\n", result->task_seconds[i],
                static_cast<long long>(result->buffer_size[i]));
  }
  std::printf("average performance (AP): %.2f\naverage forgetting (AF): %.2f\n",
              100 * result->average_performance, 100 * result->average_forgetting);
  if (!config.log.dir.empty()) std::printf("result: %s/continual.json\n", config.log.dir.c_str());
  return Status::Ok();
}
#endif

void AddStaticCommands(CLI::App* app, std::vector<Command>* commands) {
  struct Args {
    std::string config;
    std::vector<std::string> overrides;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app->add_subcommand(
      "static-train",
      "Train GCN / GraphSAGE / GAT on a static graph (node classification; full-graph or "
      "mini-batch)");
  cmd->add_option("config", args->config, "YAML config (examples/gcn_cora.yaml)")->required();
  cmd->add_option("--set", args->overrides,
                  "Override a config key: --set train.batch_size=64 --set sampling.neighbor=[10,5]");
  commands->push_back({cmd, [args] { return RunStaticTrain(args->config, args->overrides); }});

  auto cargs = std::make_shared<Args>();
  CLI::App* ccmd = app->add_subcommand(
      "continual-train",
      "Graph continual learning: GCN / GraphSAGE / GAT over a task stream of a static dataset "
      "(fine-tuning, experience replay with SEA-ER and SSRM, joint training)");
  ccmd->add_option("config", cargs->config, "YAML config (examples/continual_cora.yaml)")->required();
  ccmd->add_option("--set", cargs->overrides,
                   "Override a config key: --set continual.strategy=finetune");
  commands->push_back({ccmd, [cargs] { return RunContinualTrain(cargs->config, cargs->overrides); }});
}

}  // namespace streamgnn::apps
