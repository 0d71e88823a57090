#include "models/pres.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace streamgnn::models {

PresFilter::PresFilter(int64_t num_nodes, int64_t dim, torch::Device device)
    : count_(torch::zeros({num_nodes}, torch::TensorOptions(torch::kInt64).device(device))),
      sum_(torch::zeros({num_nodes, dim}, torch::TensorOptions(torch::kFloat64).device(device))),
      sumsq_(torch::zeros({num_nodes, dim}, torch::TensorOptions(torch::kFloat64).device(device))) {}

void PresFilter::Reset() {
  count_.zero_();
  sum_.zero_();
  sumsq_.zero_();
}

torch::Tensor PresFilter::Mean(const torch::Tensor& nodes) const {
  const torch::Tensor n = count_.index_select(0, nodes).clamp_min(1).to(torch::kFloat64);
  return (sum_.index_select(0, nodes) / n.unsqueeze(1)).to(torch::kFloat32);
}

torch::Tensor PresFilter::Variance(const torch::Tensor& nodes) const {
  const torch::Tensor n = count_.index_select(0, nodes).clamp_min(1).to(torch::kFloat64).unsqueeze(1);
  const torch::Tensor mean = sum_.index_select(0, nodes) / n;
  return (sumsq_.index_select(0, nodes) / n - mean * mean).clamp_min(0).to(torch::kFloat32);
}

torch::Tensor PresFilter::Correct(const torch::Tensor& nodes, const torch::Tensor& prev,
                                  const torch::Tensor& computed, const torch::Tensor& events,
                                  double gamma) const {
  TORCH_CHECK(nodes.dtype() == torch::kInt64 && nodes.dim() == 1, "PresFilter: nodes int64 [n]");
  TORCH_CHECK(prev.sizes() == computed.sizes() && prev.size(0) == nodes.size(0) &&
                  prev.size(1) == sum_.size(1),
              "PresFilter: prev and computed must be [n, dim]");
  TORCH_CHECK(events.dtype() == torch::kInt64 && events.numel() == nodes.numel(),
              "PresFilter: events int64 [n]");
  // One expected transition from the pre-batch state (PRES's s_prev + delta_hat, with the MLE
  // mean as delta_hat). Scaling by m extrapolates far outside the memory's range for hubs with
  // many events in a batch: measured 0.70 test AP vs 0.88 on uci (JODIE, batch 800).
  const torch::Tensor predicted = prev.detach() + Mean(nodes);
  const torch::Tensor use = ((events >= 2) & (count_.index_select(0, nodes) > 0)).unsqueeze(1);
  const auto g = static_cast<float>(gamma);
  return torch::where(use, g * predicted + (1 - g) * computed, computed);
}

void PresFilter::Observe(const torch::Tensor& nodes, const torch::Tensor& prev,
                         const torch::Tensor& computed) {
  torch::NoGradGuard no_grad;
  if (nodes.numel() == 0) return;
  const torch::Tensor delta = (computed.detach() - prev.detach()).to(torch::kFloat64);
  count_.index_add_(0, nodes, torch::ones_like(nodes));
  sum_.index_add_(0, nodes, delta);
  sumsq_.index_add_(0, nodes, delta * delta);
}

PresFilter PresFilter::Clone() const {
  PresFilter copy(*this);
  copy.count_ = count_.clone();
  copy.sum_ = sum_.clone();
  copy.sumsq_ = sumsq_.clone();
  return copy;
}

void PresFilter::Save(torch::serialize::OutputArchive& archive) const {
  archive.write("count", count_.cpu());
  archive.write("sum", sum_.cpu());
  archive.write("sumsq", sumsq_.cpu());
}

Status PresFilter::Load(torch::serialize::InputArchive& archive) {
  for (auto [name, tensor] : {std::pair<const char*, torch::Tensor*>{"count", &count_},
                              {"sum", &sum_},
                              {"sumsq", &sumsq_}}) {
    torch::Tensor t;
    archive.read(name, t);
    if (!t.sizes().equals(tensor->sizes()) || t.dtype() != tensor->dtype()) {
      return Status::InvalidArgument(fmt::format("PRES filter '{}': shape [{}] in the checkpoint, [{}] expected",
                                                 name, fmt::join(t.sizes(), ", "),
                                                 fmt::join(tensor->sizes(), ", ")));
    }
    tensor->copy_(t);
  }
  return Status::Ok();
}

torch::Tensor CoherenceLoss(const torch::Tensor& computed, const torch::Tensor& prev) {
  TORCH_CHECK(computed.sizes() == prev.sizes() && computed.dim() == 2,
              "CoherenceLoss: computed and prev must be [n, dim]");
  const torch::Tensor keep = prev.detach().abs().sum(1) > 0;
  const torch::Tensor c = computed.index_select(0, keep.nonzero().squeeze(1));
  if (c.size(0) == 0) return computed.sum() * 0;  // keeps the graph; value 0
  const torch::Tensor p = prev.detach().index_select(0, keep.nonzero().squeeze(1));
  return 1 - torch::cosine_similarity(c, p, 1, 1e-8).mean();
}

}  // namespace streamgnn::models
