// In-process communicators: LocalComm (a group of one: every collective is a copy or nothing)
// and ThreadComm (n ranks as n threads of one process, sharing memory), which lets the halo
// exchange and distributed training be tested without mpirun.
#pragma once

#include <memory>
#include <vector>

#include "comm/communicator.h"

namespace streamgnn::comm {

class LocalComm final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "local"; }
  Status Barrier() override { return Status::Ok(); }
  Status AllReduceSum(Span<float>) override { return Status::Ok(); }
  Status AllReduceSum(Span<double>) override { return Status::Ok(); }
  Status Broadcast(Span<uint8_t>, int root) override;
  Status AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) override;
};

// `n` communicators of one group; communicator r must be used by one thread only, and every
// rank's thread must make the same collective calls (a rank that stops calling blocks the
// others, as with MPI). Sums are taken in rank order, so every rank gets bit-identical results.
std::vector<std::unique_ptr<Communicator>> MakeThreadComms(int n);

}  // namespace streamgnn::comm
