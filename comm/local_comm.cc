#include "comm/local_comm.h"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>

namespace streamgnn::comm {

Status LocalComm::Broadcast(Span<uint8_t>, int root) {
  if (root != 0) {
    return Status::InvalidArgument("Broadcast: root " + std::to_string(root) +
                                   " is not a rank of a one-rank communicator");
  }
  return Status::Ok();
}

Status LocalComm::AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) {
  if (send.size() != 1) {
    return Status::InvalidArgument("AllToAllV: expected 1 message (one per rank), got " +
                                   std::to_string(send.size()));
  }
  recv->assign(1, send[0]);
  return Status::Ok();
}

namespace {

// State shared by the ranks of one ThreadComm group. A collective publishes each rank's buffer
// pointer in `slots`, meets at a barrier, reads the others' buffers, and meets again before
// anyone may reuse its buffer.
struct ThreadGroup {
  explicit ThreadGroup(int n) : size(n), slots(n, nullptr), lengths(n, 0), roots(n, 0) {}

  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    const uint64_t gen = generation;
    if (++arrived == size) {
      arrived = 0;
      ++generation;
      cv.notify_all();
      return;
    }
    cv.wait(lock, [&] { return generation != gen; });
  }

  // The first rank whose length differs from rank 0's, or -1.
  int Mismatch() const {
    for (int r = 1; r < size; ++r) {
      if (lengths[r] != lengths[0]) return r;
    }
    return -1;
  }

  const int size;
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  uint64_t generation = 0;
  std::vector<const void*> slots;
  std::vector<size_t> lengths;
  std::vector<int> roots;
};

class ThreadComm final : public Communicator {
 public:
  ThreadComm(std::shared_ptr<ThreadGroup> group, int rank) : group_(std::move(group)), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return group_->size; }
  std::string name() const override { return "threads"; }

  Status Barrier() override {
    group_->Wait();
    return Status::Ok();
  }
  Status AllReduceSum(Span<float> data) override { return Reduce(data); }
  Status AllReduceSum(Span<double> data) override { return Reduce(data); }

  Status Broadcast(Span<uint8_t> data, int root) override {
    ThreadGroup& g = *group_;
    g.slots[rank_] = data.data();
    g.lengths[rank_] = data.size();
    g.roots[rank_] = root;
    g.Wait();
    Status s;
    for (int r = 0; r < g.size && s.ok(); ++r) {
      if (g.roots[r] != root) s = Status::InvalidArgument("Broadcast: ranks disagree on the root");
    }
    if (s.ok() && (root < 0 || root >= g.size)) {
      s = Status::InvalidArgument("Broadcast: root " + std::to_string(root) + " out of range");
    }
    if (s.ok() && g.Mismatch() >= 0) {
      s = Status::InvalidArgument("Broadcast: ranks pass buffers of different lengths");
    }
    if (s.ok() && rank_ != root && !data.empty()) {
      std::memcpy(data.data(), g.slots[root], data.size());
    }
    g.Wait();
    return s;
  }

  Status AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) override {
    ThreadGroup& g = *group_;
    // A wrong count is this rank's bug; still meet the others so that they are not left waiting.
    const bool ok = static_cast<int>(send.size()) == g.size;
    g.slots[rank_] = ok ? &send : nullptr;
    g.Wait();
    Status s;
    for (int r = 0; r < g.size && s.ok(); ++r) {
      if (g.slots[r] == nullptr) {
        s = Status::InvalidArgument("AllToAllV: rank " + std::to_string(r) + " passed " +
                                    (r == rank_ ? std::to_string(send.size()) : "a wrong number of") +
                                    " messages; expected one per rank (" +
                                    std::to_string(g.size) + ")");
      }
    }
    if (s.ok()) {
      recv->resize(g.size);
      for (int q = 0; q < g.size; ++q) {
        (*recv)[q] = (*static_cast<const std::vector<Bytes>*>(g.slots[q]))[rank_];
      }
    }
    g.Wait();
    return s;
  }

 private:
  template <class T>
  Status Reduce(Span<T> data) {
    ThreadGroup& g = *group_;
    g.slots[rank_] = data.data();
    g.lengths[rank_] = data.size();
    g.Wait();
    Status s;
    std::vector<T> sum;
    if (const int bad = g.Mismatch(); bad >= 0) {
      s = Status::InvalidArgument("AllReduceSum: rank " + std::to_string(bad) + " passes " +
                                  std::to_string(g.lengths[bad]) + " values, rank 0 passes " +
                                  std::to_string(g.lengths[0]));
    } else {
      sum.assign(data.size(), T{0});
      for (int r = 0; r < g.size; ++r) {  // rank order: identical sums on every rank
        const T* src = static_cast<const T*>(g.slots[r]);
        for (size_t i = 0; i < sum.size(); ++i) sum[i] += src[i];
      }
    }
    g.Wait();  // every rank has read every buffer before any is overwritten
    if (s.ok() && !sum.empty()) std::memcpy(data.data(), sum.data(), sum.size() * sizeof(T));
    return s;
  }

  std::shared_ptr<ThreadGroup> group_;
  int rank_;
};

}  // namespace

std::vector<std::unique_ptr<Communicator>> MakeThreadComms(int n) {
  auto group = std::make_shared<ThreadGroup>(n);
  std::vector<std::unique_ptr<Communicator>> comms;
  for (int r = 0; r < n; ++r) comms.push_back(std::make_unique<ThreadComm>(group, r));
  return comms;
}

}  // namespace streamgnn::comm
