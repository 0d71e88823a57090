// MpiComm: a Communicator over MPI (OpenMPI). Built when CMake finds MPI (STREAMGNN_WITH_MPI);
// otherwise Create() is Unimplemented. The first Create() initialises MPI (thread level
// MPI_THREAD_FUNNELED: only the training thread communicates) and finalises it at process exit.
// Each MpiComm works on its own duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN, so an MPI
// failure comes back as a Status instead of aborting the job.
#pragma once

#include <memory>

#include "comm/communicator.h"

namespace streamgnn::comm {

class MpiComm final : public Communicator {
 public:
  static StatusOr<std::unique_ptr<MpiComm>> Create();
  ~MpiComm() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }
  Status Barrier() override;
  Status AllReduceSum(Span<float> data) override;
  Status AllReduceSum(Span<double> data) override;
  Status Broadcast(Span<uint8_t> data, int root) override;
  Status AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) override;

 private:
  struct Impl;
  explicit MpiComm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int size_ = 1;
};

// Whether this build links MPI.
bool MpiAvailable();

}  // namespace streamgnn::comm
