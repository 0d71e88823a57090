#include "models/dropout.h"

#include <utility>

namespace streamgnn::models {
namespace {
thread_local c10::optional<at::Generator> scoped_generator;
}  // namespace

torch::Tensor Dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0) return x;
  torch::Tensor noise = torch::empty_like(x).bernoulli_(1 - p, scoped_generator);
  noise.div_(1 - p);
  return x * noise;
}

DropoutGeneratorScope::DropoutGeneratorScope(at::Generator generator)
    : previous_(std::move(scoped_generator)) {
  scoped_generator = std::move(generator);
}

DropoutGeneratorScope::~DropoutGeneratorScope() { scoped_generator = std::move(previous_); }

}  // namespace streamgnn::models
