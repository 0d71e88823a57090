#include "graph/epoch.h"

#include <utility>

namespace streamgnn::graph {

EpochManager::~EpochManager() {
  for (Retired& r : retired_) r.reclaim();
}

uint64_t EpochManager::Pin() const {
  for (;;) {
    const uint64_t e = epoch_.load(std::memory_order_seq_cst);
    active_[e & 1].value.fetch_add(1, std::memory_order_seq_cst);
    // If the writer advanced meanwhile, our increment may have landed in a counter it already
    // checked: back out and retry so it never frees what we are about to read.
    if (epoch_.load(std::memory_order_seq_cst) == e) return e;
    active_[e & 1].value.fetch_sub(1, std::memory_order_seq_cst);
  }
}

void EpochManager::Unpin(uint64_t epoch) const {
  active_[epoch & 1].value.fetch_sub(1, std::memory_order_seq_cst);
}

void EpochManager::Retire(std::function<void()> reclaim, int64_t bytes) {
  retired_.push_back({epoch_.load(std::memory_order_relaxed), std::move(reclaim), bytes});
  pending_bytes_ += bytes;
}

void EpochManager::TryReclaim() {
  const uint64_t e = epoch_.load(std::memory_order_seq_cst);
  // Readers of epoch e-1 share the counter of e+1: advance only once they are gone.
  if (active_[(e + 1) & 1].value.load(std::memory_order_seq_cst) != 0) return;
  epoch_.store(e + 1, std::memory_order_seq_cst);
  // Now every reader of epoch <= e-1 has unpinned: objects retired in those epochs are free.
  size_t n = 0;
  while (n < retired_.size() && retired_[n].epoch + 1 <= e) ++n;
  if (n == 0) return;
  std::vector<Retired> ready(std::make_move_iterator(retired_.begin()),
                             std::make_move_iterator(retired_.begin() + n));
  retired_.erase(retired_.begin(), retired_.begin() + n);
  for (Retired& r : ready) {
    pending_bytes_ -= r.bytes;
    r.reclaim();  // may Retire() more (it lands in epoch e+1)
  }
}

}  // namespace streamgnn::graph
