#include "trainers/pipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamgnn::trainers {

int64_t ChooseStaleness(const StageCosts& c, int64_t max_staleness) {
  const double period =
      std::max({c.sample, c.features, c.memory_read, c.compute, c.memory_write});
  if (!(period > 0)) return 0;
  const double chain = c.compute + c.memory_write + c.memory_read;
  // Smallest s with (s + 1) * period >= chain; the tolerance keeps exact multiples exact.
  const double k = std::ceil(chain / period - 1e-9);
  return std::clamp<int64_t>(static_cast<int64_t>(k) - 1, 0, max_staleness);
}

torch::Tensor MitigateStaleMemory(const torch::Tensor& memory, const torch::Tensor& last_update,
                                  const torch::Tensor& stale, double lambda, int64_t k,
                                  int64_t* corrected) {
  TORCH_CHECK(memory.dim() == 2 && last_update.numel() == memory.size(0) &&
                  stale.numel() == memory.size(0) && stale.dtype() == torch::kBool,
              "MitigateStaleMemory: memory [U, d], last_update [U], stale bool [U]");
  torch::NoGradGuard no_grad;
  *corrected = 0;
  const torch::Tensor stale_idx = stale.nonzero().squeeze(1);
  const torch::Tensor fresh_idx = (~stale).nonzero().squeeze(1);
  if (stale_idx.numel() == 0 || fresh_idx.numel() == 0) return memory;
  const torch::Tensor ms = memory.index_select(0, stale_idx);
  const torch::Tensor mf = memory.index_select(0, fresh_idx);
  const torch::Tensor sim = torch::mm(torch::nn::functional::normalize(ms, torch::nn::functional::NormalizeFuncOptions().dim(1)),
                                      torch::nn::functional::normalize(mf, torch::nn::functional::NormalizeFuncOptions().dim(1)).t());
  // Only fresher candidates: updated after the stale node's own last update.
  const torch::Tensor fresher = last_update.index_select(0, fresh_idx).unsqueeze(0) >
                                last_update.index_select(0, stale_idx).unsqueeze(1);
  const torch::Tensor masked = sim.masked_fill(~fresher, -std::numeric_limits<float>::infinity());
  const int64_t kk = std::min<int64_t>(k, fresh_idx.numel());
  auto [values, positions] = masked.topk(kk, 1);
  const torch::Tensor ok = values > -std::numeric_limits<float>::infinity();  // [S, kk]
  const torch::Tensor count = ok.sum(1);                                     // [S]
  const torch::Tensor picked = mf.index_select(0, positions.reshape({-1})).view({ms.size(0), kk, -1});
  const torch::Tensor mean =
      (picked * ok.unsqueeze(2).to(picked.dtype())).sum(1) /
      count.clamp_min(1).to(picked.dtype()).unsqueeze(1);
  const auto l = static_cast<float>(lambda);
  const torch::Tensor has = (count > 0).unsqueeze(1);
  const torch::Tensor blended = torch::where(has, l * ms + (1 - l) * mean, ms);
  *corrected = (count > 0).sum().item<int64_t>();
  return memory.index_copy(0, stale_idx, blended);
}

}  // namespace streamgnn::trainers
