// NcclComm: a Communicator over NCCL, one CUDA device per rank (built with CUDA and NCCL:
// STREAMGNN_WITH_NCCL; otherwise Create() is Unimplemented).
//
// Bootstrap: rank 0 draws the ncclUniqueId and broadcasts it over `bootstrap` (an MpiComm in
// practice); every rank then binds device (local rank mod device count; the local rank is
// OMPI_COMM_WORLD_LOCAL_RANK when mpirun sets it) and joins with ncclCommInitRank.
//
// Host buffers are staged through a device buffer (cudaMemcpy in, NCCL collective / grouped
// send-recv, cudaMemcpy out) on the communicator's stream. AllReduceSum(Span<float>) and
// AllToAllFloats given memory of this rank's device run NCCL on it directly (device_memory();
// AllToAllFloats makes the same NCCL calls whatever memory each rank passes, so ranks may mix):
// distributed full-graph training on GPUs keeps its halo rows and gradients there. The stream is
// a blocking one, so it orders after work LibTorch queued on the legacy default stream; every
// call returns once its result is in place.
#pragma once

#include <memory>

#include "comm/communicator.h"

namespace streamgnn::comm {

class NcclComm final : public Communicator {
 public:
  // FailedPrecondition when no CUDA device is visible; Unimplemented without NCCL.
  static StatusOr<std::unique_ptr<NcclComm>> Create(std::unique_ptr<Communicator> bootstrap);
  ~NcclComm() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "nccl"; }
  Status Barrier() override;
  Status AllReduceSum(Span<float> data) override;
  Status AllReduceSum(Span<double> data) override;
  Status Broadcast(Span<uint8_t> data, int root) override;
  Status AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) override;
  Status AllToAllFloats(const float* send, Span<const int64_t> send_counts, float* recv,
                        Span<const int64_t> recv_counts) override;
  bool device_memory() const override { return true; }
  int device() const override { return device_; }

 private:
  struct Impl;
  explicit NcclComm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int size_ = 1;
  int device_ = -1;
};

// Whether this build links NCCL.
bool NcclAvailable();

}  // namespace streamgnn::comm
