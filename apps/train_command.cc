// `streamgnn train CONFIG [--set k=v ...] [--resume]` and `streamgnn eval CHECKPOINT`: temporal
// link-prediction training (trainers/temporal_trainer.h). The config is checked completely
// before any data is loaded.
#include <cmath>
#include <cstdio>

#include "apps/commands.h"
#include "trainers/temporal_config.h"
#include "core/logging.h"
#if defined(STREAMGNN_WITH_TRAINERS)
#include "trainers/temporal_trainer.h"
#endif

namespace streamgnn::apps {

#if !defined(STREAMGNN_WITH_TRAINERS)
Status RunTrain(const std::string&, const std::vector<std::string>&, bool) {
  return Status::Unimplemented("this build has no LibTorch (STREAMGNN_WITH_TORCH=OFF): no training");
}
Status RunEval(const std::string&, const std::string&, const std::vector<std::string>&) {
  return Status::Unimplemented("this build has no LibTorch (STREAMGNN_WITH_TORCH=OFF): no training");
}
#else

Status RunTrain(const std::string& config_path, const std::vector<std::string>& overrides,
                bool resume) {
  SG_ASSIGN_OR_RETURN(const trainers::TemporalConfig config, trainers::LoadTemporalConfigFile(config_path, overrides));
  SG_RETURN_IF_ERROR(trainers::CheckInputFiles(config, config_path));
  SG_RETURN_IF_ERROR(core::InitLogging(config.log.level));
  trainers::TrainOptions options;
  options.resume = resume;
  auto summary = trainers::TrainTemporal(config, options);
  if (!summary.ok()) return summary.status().WithPrefix(config_path);
  const trainers::EpochRecord& best = summary->best();
  std::printf("best epoch %lld of %zu%s: val AP %.4f  test AP %.4f  test AUC %.4f  "
              "test inductive AP %.4f\n",
              static_cast<long long>(summary->best_epoch), summary->epochs.size(),
              summary->stopped_early ? " (early stop)" : "", best.val.ap, best.test.ap,
              best.test.auc, best.test_inductive.ap);
  std::printf("test AP: %.4f\n", best.test.ap);
  if (!std::isnan(best.test.mrr)) std::printf("val MRR: %.4f  test MRR: %.4f\n", best.val.mrr, best.test.mrr);
  if (!std::isnan(best.test.hits)) {
    std::printf("val Hits@%lld: %.4f  test Hits@%lld: %.4f\n", static_cast<long long>(config.eval.hits_k),
                best.val.hits, static_cast<long long>(config.eval.hits_k), best.test.hits);
  }
  std::printf("metrics: %s/metrics.jsonl  checkpoint: %s/best.pt\n", config.log.dir.c_str(),
              config.log.dir.c_str());
  return Status::Ok();
}

Status RunEval(const std::string& checkpoint_path, const std::string& scores_dir,
               const std::vector<std::string>& overrides) {
  SG_RETURN_IF_ERROR(core::InitLogging(core::LogLevel::kInfo));
  SG_ASSIGN_OR_RETURN(const trainers::EvalSummary s,
                      trainers::EvaluateCheckpoint(checkpoint_path, nullptr, {scores_dir, overrides}));
  std::printf("checkpoint after epoch %lld: val AP %.4f AUC %.4f  test AP %.4f AUC %.4f  "
              "test inductive AP %.4f AUC %.4f\n",
              static_cast<long long>(s.epoch), s.val.ap, s.val.auc, s.test.ap, s.test.auc,
              s.test_inductive.ap, s.test_inductive.auc);
  std::printf("%s\n", s.ToJson(!std::isnan(s.test.mrr)).c_str());  // MRR when the run computed it
  return Status::Ok();
}
#endif

}  // namespace streamgnn::apps
