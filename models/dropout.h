// Dropout whose random draws can come from a generator chosen per thread. The temporal trainer
// computes one batch as several shards on several threads (docs/architecture.md, "Threads"),
// each shard with its own generator, so that a run is reproducible: the process-wide generator
// would hand its draws to the threads in whatever order they ask.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/torch.h>

namespace streamgnn::models {

// at::dropout's arithmetic (a Bernoulli(1 - p) mask scaled by 1 / (1 - p)); the mask is drawn
// from the calling thread's scoped generator, or from LibTorch's default one without a scope
// (then the draws equal at::dropout's).
torch::Tensor Dropout(const torch::Tensor& x, double p, bool training);

// While alive, Dropout calls on this thread draw from `generator`. Scopes nest.
class DropoutGeneratorScope {
 public:
  explicit DropoutGeneratorScope(at::Generator generator);
  ~DropoutGeneratorScope();
  DropoutGeneratorScope(const DropoutGeneratorScope&) = delete;
  DropoutGeneratorScope& operator=(const DropoutGeneratorScope&) = delete;

 private:
  c10::optional<at::Generator> previous_;
};

}  // namespace streamgnn::models
