#include "sampling/temporal_sampler.h"

#include "sampling/temporal_sampler_impl.h"

namespace streamgnn::sampling {

const char* StrategyName(Strategy strategy) { return core::EnumToString(strategy); }

int64_t SampleResult::total_sampled() const {
  int64_t total = 0;
  for (const SampledBlock& b : layers) total += b.num_sampled();
  return total;
}

StatusOr<TemporalSampler> TemporalSampler::Create(TemporalSamplerOptions options) {
  if (options.fanouts.empty()) {
    return Status::InvalidArgument("temporal sampler needs at least one layer (fanouts is empty)");
  }
  for (size_t l = 0; l < options.fanouts.size(); ++l) {
    if (options.fanouts[l] < 1 || options.fanouts[l] > 100000) {
      return Status::InvalidArgument("fanout of layer " + std::to_string(l) + " must be in [1, 100000], got " +
                                     std::to_string(options.fanouts[l]));
    }
  }
  if (options.grain < 1) options.grain = 1;
  return TemporalSampler(std::move(options));
}

template void TemporalSampler::SampleFrom<graph::Snapshot>(const graph::Snapshot&,
                                                         Span<const NodeId>, Span<const Timestamp>,
                                                         uint64_t, SampleResult*) const;

}  // namespace streamgnn::sampling
