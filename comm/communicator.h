// Communication between the ranks of a distributed job (issue 7; AdaQP, PAPERS.md section 4).
//
// A Communicator is one rank's handle on a group of `size()` ranks. It offers exactly what
// distributed full-graph training needs: a barrier, an in-place sum all-reduce of float / double
// buffers (gradient synchronisation, metrics), a broadcast of bytes (the partition and the NCCL
// bootstrap id), and an all-to-all of byte messages of any size, empty ones included (the halo
// exchange: every rank sends each other rank the rows that rank holds as halo), plus an all-to-all
// of float rows whose sizes both sides know (the 32-bit halo exchange of GPU-resident rows).
//
// Every call is collective: all ranks of the group make the same calls in the same order, with
// matching shapes (same buffer length in AllReduceSum, same root in Broadcast). A shape mismatch
// is reported as InvalidArgument where the backend can detect it.
//
// Implementations: LocalComm (one rank, comm/local_comm.h), ThreadComm (n ranks as threads of
// one process, for tests; comm/local_comm.h), MpiComm (OpenMPI, comm/mpi_comm.h) and NcclComm
// (NCCL over CUDA devices, bootstrapped through MPI; comm/nccl_comm.h). LibTorch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/span.h"
#include "core/status.h"

namespace streamgnn::comm {

using Bytes = std::vector<uint8_t>;

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "local", "threads", "mpi" or "nccl" (logs, run records).
  virtual std::string name() const = 0;

  virtual Status Barrier() = 0;
  // data[i] <- sum over ranks of data[i]; every rank gets the same result.
  virtual Status AllReduceSum(Span<float> data) = 0;
  virtual Status AllReduceSum(Span<double> data) = 0;
  // Copies root's `data` into every rank's `data` (same length everywhere).
  virtual Status Broadcast(Span<uint8_t> data, int root) = 0;
  // send.size() == size(); send[q] goes to rank q (send[rank()] is delivered to itself). On
  // return recv->size() == size() and (*recv)[q] holds what rank q sent to this rank. Message
  // sizes need not be known by the receiver and may be zero.
  virtual Status AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) = 0;

  // send holds send_counts[0] floats for rank 0, then send_counts[1] for rank 1, ...; recv
  // receives recv_counts[q] floats from rank q in the same layout. What q sends to p must be
  // what p expects from q: otherwise every rank returns InvalidArgument (so none goes on alone).
  // The default goes through AllToAllV on host memory.
  virtual Status AllToAllFloats(const float* send, Span<const int64_t> send_counts, float* recv,
                                Span<const int64_t> recv_counts);

  // Whether AllReduceSum(Span<float>) and AllToAllFloats also take memory of this rank's CUDA
  // device (device()), with no host staging: nccl. Host memory works with every backend.
  virtual bool device_memory() const { return false; }
  // The CUDA device this rank is bound to; -1 when the backend binds none.
  virtual int device() const { return -1; }
};

enum class Backend { kLocal, kMpi, kNccl };

// The communicator of this process for `backend`: local = one rank; mpi = MPI_COMM_WORLD
// (initialising MPI on first use); nccl = one CUDA device per rank, bootstrapped through MPI.
// Unimplemented when the backend is not compiled in; FailedPrecondition when nccl finds no
// CUDA device.
StatusOr<std::unique_ptr<Communicator>> CreateCommunicator(Backend backend);

}  // namespace streamgnn::comm
