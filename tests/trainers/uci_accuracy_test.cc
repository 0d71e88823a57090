// Accuracy on uci_dyglib (DyGLib's UCI file; features are zero there, as in DyGLib's runs):
// transductive test AP with random negatives, averaged over 3 seeds, against thresholds a little
// below DyGLib's published numbers (TGN 92.3, JODIE 89.4, TGAT 79.6). Runs the example configs
// (examples/<model>.yaml) with a bounded epoch budget and early stopping; one torch thread each
// so that ctest -j2 does not oversubscribe the cores.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {
namespace {

namespace fs = std::filesystem;

struct AccuracyCase {
  const char* model;
  double min_test_ap;
  std::vector<std::string> overrides;  // DyGLib's widths and the CI epoch budget
};

void PrintTo(const AccuracyCase& c, std::ostream* os) { *os << c.model; }

class UciAccuracy : public ::testing::TestWithParam<AccuracyCase> {};

TEST_P(UciAccuracy, TransductiveTestApOverThreeSeeds) {
  const AccuracyCase& c = GetParam();
  const std::string data = std::string(STREAMGNN_DATASETS_DIR) + "/uci_dyglib/ml_uci.csv";
  if (!fs::exists(data)) GTEST_SKIP() << data << " is missing";
  const std::string config_path = std::string(STREAMGNN_SOURCE_DIR) + "/examples/" + c.model + ".yaml";
  double sum = 0;
  for (int seed = 0; seed < 3; ++seed) {
    const fs::path dir = fs::temp_directory_path() /
                         ("streamgnn_uci_" + std::string(c.model) + "_" + std::to_string(::getpid()) +
                          "_" + std::to_string(seed));
    auto config = trainers::LoadTemporalConfigFile(
        config_path, {"dataset.path=" + data, "dataset.cache=false", "train.seed=" + std::to_string(seed),
                      "train.lr=0.0001", "train.batch_size=200", "train.patience=2",
                      "runtime.threads=1", "log.progress=never", "train.checkpoint=false",
                      "log.dir=" + dir.string()});
    ASSERT_TRUE(config.ok()) << config.status().message();
    for (const std::string& o : c.overrides) ASSERT_TRUE(core::ApplyConfigOverride(o, &*config).ok()) << o;
    ASSERT_TRUE(core::ValidateConfigFields(*config).ok());
    TrainOptions options;
    options.print_epochs = true;
    auto summary = TrainTemporal(*config, options);
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    const EpochRecord& best = summary->best();
    std::printf("uci %s seed %d: best epoch %lld, val AP %.4f, test AP %.4f AUC %.4f, inductive test AP %.4f\n",
                c.model, seed, static_cast<long long>(summary->best_epoch), best.val.ap, best.test.ap,
                best.test.auc, best.test_inductive.ap);
    sum += best.test.ap;
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  const double mean = sum / 3;
  std::printf("uci %s: mean transductive test AP over 3 seeds %.4f (threshold %.3f)\n", c.model, mean,
              c.min_test_ap);
  EXPECT_GE(mean, c.min_test_ap) << c.model;
}

// Widths as DyGLib ran these models (memory 172, time encoding 100, also in JODIE's messages);
// TGAT with one layer over the 20 most recent neighbours (DyGLib: 2 layers, 20 neighbours) to
// keep the CI budget; learning rate 1e-4 and batch 200 as DyGLib.
INSTANTIATE_TEST_SUITE_P(
    Models, UciAccuracy,
    ::testing::Values(
        AccuracyCase{"jodie", 0.875, {"memory.dim_out=172", "memory.dim_time=100", "train.epoch=5"}},
        AccuracyCase{"tgat", 0.775,
                     {"sampling={layer: 1, neighbor: [20], strategy: recent}", "gnn.layer=1",
                      "train.epoch=4"}}),
    [](const auto& info) { return std::string(info.param.model); });

// TGN needs a long budget: on uci its validation AP is flat and noisy (+-0.01) for ~12 epochs
// and then climbs slowly (DyGLib's own code, seeds 0-2: best-validation test AP 0.867 within 4
// epochs, 0.900 within 20, 0.912 within 30; docs/models.md). Widths 172 as DyGLib (memory and
// embedding), 30 epochs without early stopping: ~3 min per seed on an idle core, the longest
// test of the suite (measured 2026-12-04: 0.9357 / 0.9110 / 0.9301, mean 0.926, 8.8 min).
INSTANTIATE_TEST_SUITE_P(LongBudget, UciAccuracy,
                         ::testing::Values(AccuracyCase{"tgn", 0.905,
                                                        {"memory.dim_out=172", "gnn.dim_out=172",
                                                         "train.epoch=30", "train.patience=0"}}),
                         [](const auto& info) { return std::string(info.param.model); });

}  // namespace
}  // namespace streamgnn::trainers
