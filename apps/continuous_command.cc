// `streamgnn continuous CONFIG [--set k=v ...] [--resume]`: GNNFlow's continuous learning over
// the configured dataset as a stream (trainers/continuous.h): a warm-up run, then windows each
// scored before it is trained on.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "apps/commands.h"
#include "trainers/temporal_config.h"
#include "core/logging.h"
#if defined(STREAMGNN_WITH_TRAINERS)
#include "trainers/continuous.h"
#endif

namespace streamgnn::apps {

namespace {

#if !defined(STREAMGNN_WITH_TRAINERS)
Status RunContinuousCommand(const std::string&, const std::vector<std::string>&, bool) {
  return Status::Unimplemented("this build has no LibTorch (STREAMGNN_WITH_TORCH=OFF): no training");
}
#else
Status RunContinuousCommand(const std::string& config_path, const std::vector<std::string>& overrides,
                            bool resume) {
  SG_ASSIGN_OR_RETURN(const trainers::TemporalConfig config, trainers::LoadTemporalConfigFile(config_path, overrides));
  SG_RETURN_IF_ERROR(trainers::CheckInputFiles(config, config_path));
  SG_RETURN_IF_ERROR(core::InitLogging(config.log.level));
  trainers::ContinuousOptions options;
  options.resume = resume;
  auto summary = trainers::RunContinuous(config, options);
  if (!summary.ok()) return summary.status().WithPrefix(config_path);
  std::printf("%zu windows: mean prequential AP %.4f (events-weighted)\n", summary->windows.size(),
              summary->mean_prequential_ap());
  std::printf("windows: %s/windows.jsonl  checkpoint: %s/continuous.pt\n", config.log.dir.c_str(),
              config.log.dir.c_str());
  return Status::Ok();
}
#endif

}  // namespace

void AddContinuousCommands(CLI::App* app, std::vector<Command>* commands) {
  struct Args {
    std::string config;
    std::vector<std::string> overrides;
    bool resume = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app->add_subcommand(
      "continuous",
      "Continuous learning over the configured dataset as a stream (GNNFlow): a warm-up run, then "
      "windows of continuous.window events, each scored before it is trained on");
  cmd->add_option("config", args->config, "YAML config (a temporal one, with a continuous section)")->required();
  cmd->add_option("--set", args->overrides, "Override a config key: --set continuous.replay_ratio=0.1");
  cmd->add_flag("--resume", args->resume,
                "Continue from <log.dir>/continuous.pt (or the warm-up's checkpoint.pt)");
  commands->push_back(
      {cmd, [args] { return RunContinuousCommand(args->config, args->overrides, args->resume); }});
}

}  // namespace streamgnn::apps
