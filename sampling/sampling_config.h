// The `sampling` section of a temporal run config (TGL's names; sampling/temporal_sampler.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_schema.h"

namespace streamgnn::sampling {

// sampling.strategy
enum class Strategy { kRecent, kUniform };

}  // namespace streamgnn::sampling

namespace streamgnn::core {
template <>
struct EnumTraits<sampling::Strategy> {
  static constexpr EnumName<sampling::Strategy> kNames[] = {
      {sampling::Strategy::kRecent, "recent"},
      {sampling::Strategy::kUniform, "uniform"},
  };
};
}  // namespace streamgnn::core

namespace streamgnn::sampling {

using core::AtLeast;
using core::Exactly;
using core::InRange;

// sampling: temporal neighbor sampling (TGL's names and meanings).
struct SamplingConfig {
  int64_t layer = 1;
  std::vector<int64_t> neighbor = {10};
  Strategy strategy = Strategy::kRecent;
  bool prop_time = false;
  int64_t history = 1;
  double duration = 0.0;
  int64_t num_thread = 0;
  bool no_sample = false;

  template <class V>
  void Visit(V& v) {
    v.Field("layer", &layer, "Number of hops.", InRange(1, 8));
    v.Field("neighbor", &neighbor, "Neighbors sampled per root, one entry per hop.", AtLeast(1));
    v.Field("strategy", &strategy,
            "recent: the newest neighbors before the root's time; uniform: uniformly among them.");
    v.Field("prop_time", &prop_time,
            "Root hop l+1 at the root's time instead of at the hop-l edge times.");
    v.Field("history", &history, "Number of snapshots.",
            Exactly(1, "multi-snapshot sampling is not supported yet"));
    v.Field("duration", &duration, "Length of a snapshot.",
            Exactly(0, "multi-snapshot sampling is not supported yet"));
    v.Field("num_thread", &num_thread,
            "TGL's sampler threads, accepted so that TGL configs load, and ignored (a run says so "
            "when it is set): runtime.threads sizes every thread pool, the sampler's included.",
            AtLeast(0));
    v.Field("no_sample", &no_sample,
            "TGL's switch for models that sample no neighbours (JODIE). streamgnn samples exactly "
            "when a layer needs neighbours (attention, or mail to neighbours), and true is refused "
            "where one does.");
    v.Rule("neighbor", "has exactly `layer` entries", [this]() -> std::string {
      if (static_cast<int64_t>(neighbor.size()) == layer) return "";
      return "a list of " + std::to_string(layer) + " entr" + (layer == 1 ? "y" : "ies") +
             " (one per layer; layer = " + std::to_string(layer) + ")";
    });
  }
};

}  // namespace streamgnn::sampling
