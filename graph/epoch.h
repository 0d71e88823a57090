// Epoch-based memory reclamation for one writer and many lock-free readers.
//
// Readers pin the current epoch for the duration of a snapshot (two atomic increments, no lock).
// The writer unlinks an object, then Retire()s it; the object is freed only once every reader
// that could still hold a pointer to it has unpinned. The scheme keeps two reader counters
// (by epoch parity): the epoch advances from e to e+1 only when no reader of epoch e-1 remains,
// so at that point everything retired in epoch <= e-1 is unreachable.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace streamgnn::graph {

class EpochManager {
 public:
  EpochManager() = default;
  EpochManager(const EpochManager&) = delete;
  EpochManager& operator=(const EpochManager&) = delete;
  // Frees everything still retired. Requires: no reader is pinned.
  ~EpochManager();

  // Reader side; thread-safe, lock-free. Returns the pinned epoch, to be passed to Unpin.
  uint64_t Pin() const;
  void Unpin(uint64_t epoch) const;

  // Writer side; one thread at a time (the caller serialises writers).
  // `reclaim` runs once no reader can reach what it frees; `bytes` is accounted until then.
  void Retire(std::function<void()> reclaim, int64_t bytes);
  // Advances the epoch if possible and runs every reclaim that became safe. Cheap; call it after
  // each write batch.
  void TryReclaim();
  int64_t pending_bytes() const { return pending_bytes_; }
  int64_t pending_count() const { return static_cast<int64_t>(retired_.size()); }

 private:
  struct Retired {
    uint64_t epoch;
    std::function<void()> reclaim;
    int64_t bytes;
  };
  struct alignas(64) Counter {
    std::atomic<int64_t> value{0};
  };

  std::atomic<uint64_t> epoch_{2};
  mutable Counter active_[2];
  std::vector<Retired> retired_;  // writer-only, in retire order (epochs non-decreasing)
  int64_t pending_bytes_ = 0;
};

}  // namespace streamgnn::graph
