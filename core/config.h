// The config sections core owns: `runtime` (threads, device) and `log`, shared by the temporal
// run config (trainers/temporal_config.h). Every section is a struct with documented defaults
// and a Visit member (core/config_schema.h) that the config engine (core/config_engine.h) walks.
#pragma once

#include <cstdint>
#include <string>

#include "core/config_enums.h"
#include "core/config_schema.h"

namespace streamgnn::core {

// runtime: where and how wide the work runs.
struct RuntimeConfig {
  int64_t threads = 0;
  DeviceKind device = DeviceKind::kCpu;
  double feature_cache_ratio = 1.0;

  template <class V>
  void Visit(V& v) {
    v.Field("threads", &threads,
            "Thread budget: the cores TBB, LibTorch's pools and the temporal trainer's batch shards "
            "use (docs/architecture.md, Threads); 0 = all cores available to the process.",
            AtLeast(0));
    v.Field("device", &device,
            "Device that trains the temporal models: cpu, or cuda (model, optimiser, node memory and "
            "features on CUDA device 0, which CUDA_VISIBLE_DEVICES picks; batches sampled on the host; "
            "docs/models.md, On a GPU). `stream` runs on the CPU only.");
    v.Field("feature_cache_ratio", &feature_cache_ratio,
            "With device cuda: the fraction of node and edge feature rows kept in GPU memory. 1 = "
            "the whole tables on the device; below 1 = GNNFlow's device feature cache (LRU) over "
            "the tables in pinned host memory (features/feature_cache_cuda.h).",
            InRange(0, 1));
    v.Rule("feature_cache_ratio", "1 unless device is cuda", [this]() -> std::string {
      return feature_cache_ratio == 1.0 || device == DeviceKind::kCuda
                 ? ""
                 : "1: the feature cache is a GPU cache (runtime.device: cuda)";
    });
  }
};

// log: where results and messages go.
struct LogConfig {
  std::string dir = "runs/latest";
  LogLevel level = LogLevel::kInfo;
  ProgressMode progress = ProgressMode::kAuto;

  template <class V>
  void Visit(V& v) {
    v.Field("dir", &dir, "Folder for the log file, metrics and checkpoints of the run.");
    v.Field("level", &level, "Lowest level of the messages written.");
    v.Field("progress", &progress,
            "Progress display: auto = a bar on a terminal, plain log lines elsewhere.");
  }
};

}  // namespace streamgnn::core
