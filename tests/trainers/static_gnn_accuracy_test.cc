// Label accuracy on cora with the Planetoid split, mean of 10 seeds, from the shipped configs
// (examples/gcn_cora.yaml, examples/gat_cora.yaml). Thresholds from the published tables:
// GCN >= 80.5 (Kipf & Welling: 81.5), GAT >= 82.0 (Velickovic et al.: 83.0).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

struct Stats {
  double mean = 0, std = 0, seconds = 0;
};

Stats RunSeeds(const std::string& config_file, int seeds) {
  Stats s;
  auto config = LoadStaticConfigFile(std::string(STREAMGNN_SOURCE_DIR) + "/examples/" + config_file,
                                     {"log.dir=", "log.quiet=true"});
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return s;
  auto data = LoadStaticConfigDataset(*config);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  if (!data.ok()) return s;
  std::vector<double> acc;
  const auto t0 = std::chrono::steady_clock::now();
  for (int seed = 0; seed < seeds; ++seed) {
    config->train.seed = seed;
    auto r = TrainStaticOnDataset(*config, *data);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return s;
    acc.push_back(100.0 * r->test_acc);
    std::printf("  %s seed %d: test %.1f (epoch %lld, %.2f s)\n", config_file.c_str(), seed,
                acc.back(), static_cast<long long>(r->selected_epoch), r->train_seconds);
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (double a : acc) s.mean += a / acc.size();
  for (double a : acc) s.std += (a - s.mean) * (a - s.mean) / acc.size();
  s.std = std::sqrt(s.std);
  std::printf("%s: test accuracy %.2f +- %.2f over %d seeds (%.1f s)\n", config_file.c_str(),
              s.mean, s.std, seeds, s.seconds);
  return s;
}

#define SG_REQUIRE_CORA()                                                                   \
  do {                                                                                      \
    if (!std::filesystem::exists(std::string(STREAMGNN_DATASETS_DIR) + "/cora/converted")) \
      GTEST_SKIP() << "shared dataset missing: cora/converted";                             \
  } while (0)

TEST(CoraAccuracy, Gcn) {
  SG_REQUIRE_CORA();
  const Stats s = RunSeeds("gcn_cora.yaml", 10);
  RecordProperty("mean_test_acc", std::to_string(s.mean));
  EXPECT_GE(s.mean, 80.5);
}

TEST(CoraAccuracy, Gat) {
  SG_REQUIRE_CORA();
  const Stats s = RunSeeds("gat_cora.yaml", 10);
  RecordProperty("mean_test_acc", std::to_string(s.mean));
  EXPECT_GE(s.mean, 82.0);
}

}  // namespace
}  // namespace streamgnn::trainers
