// Shared by the distributed-training tests (threads and MPI): a cora GCN config for the
// single-process comparison, and the comparison itself.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "trainers/static_trainer.h"

namespace streamgnn::trainers::testing {

inline bool HaveCora() {
  return std::filesystem::exists(std::string(STREAMGNN_DATASETS_DIR) + "/cora/converted");
}

// Dropout 0 so that the runs are deterministic: distributed == single process up to rounding.
inline StaticConfig CoraConfig(const std::string& model, int64_t epochs, int64_t eval_every) {
  const std::string yaml = "dataset: {format: planetoid, path: " + std::string(STREAMGNN_DATASETS_DIR) +
                           "/cora/converted}\n"
                           "model: {name: " + model + ", layers: 2, hidden: 16, dropout: 0, "
                           "heads: 4, att_dropout: 0}\n"
                           "sampling: {neighbor: all}\nruntime: {threads: 1}\n"
                           "train: {batch_size: all, epoch: " + std::to_string(epochs) +
                           ", lr: 0.01, weight_decay: 5.0e-4, weight_decay_scope: first_layer, "
                           "eval_every: " + std::to_string(eval_every) + ", seed: 3}\n";
  auto c = LoadStaticConfigString(yaml, "cora.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

// Every epoch's loss within `rel` (relative) and every evaluation's accuracies within one node
// in a thousand (a near-tie of two logits may flip under a different summation order).
inline void ExpectSameCurve(const StaticRunResult& single, const StaticRunResult& dist,
                            double rel) {
  ASSERT_EQ(single.epochs.size(), dist.epochs.size());
  for (size_t e = 0; e < single.epochs.size(); ++e) {
    const StaticEpochRecord &a = single.epochs[e], &b = dist.epochs[e];
    EXPECT_NEAR(b.loss, a.loss, rel * std::abs(a.loss)) << "epoch " << a.epoch;
    ASSERT_EQ(a.evaluated, b.evaluated);
    if (a.evaluated) {
      EXPECT_NEAR(b.train_acc, a.train_acc, 0.0025) << "epoch " << a.epoch;
      EXPECT_NEAR(b.val_acc, a.val_acc, 0.0025) << "epoch " << a.epoch;
      EXPECT_NEAR(b.test_acc, a.test_acc, 0.0025) << "epoch " << a.epoch;
      EXPECT_NEAR(b.val_loss, a.val_loss, 1e-4 * std::abs(a.val_loss)) << "epoch " << a.epoch;
    }
  }
}

}  // namespace streamgnn::trainers::testing
