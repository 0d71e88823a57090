#include "comm/nccl_comm.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/device.h"

#if defined(STREAMGNN_WITH_NCCL)
#include <cuda_runtime.h>
#include <nccl.h>
#endif

namespace streamgnn::comm {

#if !defined(STREAMGNN_WITH_NCCL)

struct NcclComm::Impl {};
NcclComm::NcclComm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NcclComm::~NcclComm() = default;
bool NcclAvailable() { return false; }

namespace {
Status NoNccl() {
  return Status::Unimplemented(
      "this build has no NCCL (needs nvcc and libnccl at configure time): backend nccl is "
      "unavailable");
}
}  // namespace

StatusOr<std::unique_ptr<NcclComm>> NcclComm::Create(std::unique_ptr<Communicator>) {
  return NoNccl();
}
Status NcclComm::Barrier() { return NoNccl(); }
Status NcclComm::AllReduceSum(Span<float>) { return NoNccl(); }
Status NcclComm::AllReduceSum(Span<double>) { return NoNccl(); }
Status NcclComm::Broadcast(Span<uint8_t>, int) { return NoNccl(); }
Status NcclComm::AllToAllV(const std::vector<Bytes>&, std::vector<Bytes>*) { return NoNccl(); }
Status NcclComm::AllToAllFloats(const float*, Span<const int64_t>, float*, Span<const int64_t>) {
  return NoNccl();
}

#else

namespace {

Status CudaError(const char* what, cudaError_t e) {
  return Status::Internal(std::string("CUDA ") + what + " failed: " + cudaGetErrorString(e));
}
Status NcclError(const char* what, ncclResult_t r) {
  return Status::Internal(std::string("NCCL ") + what + " failed: " + ncclGetErrorString(r));
}

#define SG_CUDA(what, call)                                      \
  do {                                                           \
    const cudaError_t sg_e_ = (call);                            \
    if (sg_e_ != cudaSuccess) return CudaError(what, sg_e_);     \
  } while (0)
#define SG_NCCL(what, call)                                      \
  do {                                                           \
    const ncclResult_t sg_r_ = (call);                           \
    if (sg_r_ != ncclSuccess) return NcclError(what, sg_r_);     \
  } while (0)

}  // namespace

struct NcclComm::Impl {
  std::unique_ptr<Communicator> bootstrap;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  void* buffer = nullptr;  // staging area, grown on demand
  size_t capacity = 0;

  Status Reserve(size_t bytes) {
    if (bytes <= capacity) return Status::Ok();
    if (buffer != nullptr) cudaFree(buffer);
    buffer = nullptr;
    capacity = 0;
    SG_CUDA("cudaMalloc", cudaMalloc(&buffer, bytes));
    capacity = bytes;
    return Status::Ok();
  }
  Status Sync() {
    SG_CUDA("cudaStreamSynchronize", cudaStreamSynchronize(stream));
    return Status::Ok();
  }
  // Whether p is memory of a CUDA device (or managed memory) rather than host memory.
  static StatusOr<bool> OnDevice(const void* p) {
    if (p == nullptr) return false;
    cudaPointerAttributes a;
    SG_CUDA("cudaPointerGetAttributes", cudaPointerGetAttributes(&a, p));
    return a.type == cudaMemoryTypeDevice || a.type == cudaMemoryTypeManaged;
  }
  // theirs[q] <- what rank q passed as mine[rank()] (one uint64 per peer, one NCCL group).
  Status ExchangeCounts(const std::vector<uint64_t>& mine, std::vector<uint64_t>* theirs) {
    const int n = static_cast<int>(mine.size());
    SG_RETURN_IF_ERROR(Reserve(2 * n * sizeof(uint64_t)));
    auto* dev = static_cast<uint64_t*>(buffer);
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(dev, mine.data(), n * sizeof(uint64_t), cudaMemcpyHostToDevice, stream));
    SG_NCCL("ncclGroupStart", ncclGroupStart());
    for (int q = 0; q < n; ++q) {
      SG_NCCL("ncclSend", ncclSend(dev + q, 1, ncclUint64, q, comm, stream));
      SG_NCCL("ncclRecv", ncclRecv(dev + n + q, 1, ncclUint64, q, comm, stream));
    }
    SG_NCCL("ncclGroupEnd", ncclGroupEnd());
    theirs->resize(n);
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(theirs->data(), dev + n, n * sizeof(uint64_t), cudaMemcpyDeviceToHost, stream));
    return Sync();
  }
  template <class T>
  Status AllReduce(Span<T> data, ncclDataType_t type) {
    if (data.empty()) return Status::Ok();
    SG_ASSIGN_OR_RETURN(const bool on_device, OnDevice(data.data()));
    if (on_device) {  // in place, no staging
      SG_NCCL("ncclAllReduce",
              ncclAllReduce(data.data(), data.data(), data.size(), type, ncclSum, comm, stream));
      return Sync();
    }
    const size_t bytes = data.size() * sizeof(T);
    SG_RETURN_IF_ERROR(Reserve(bytes));
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(buffer, data.data(), bytes, cudaMemcpyHostToDevice, stream));
    SG_NCCL("ncclAllReduce",
            ncclAllReduce(buffer, buffer, data.size(), type, ncclSum, comm, stream));
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(data.data(), buffer, bytes, cudaMemcpyDeviceToHost, stream));
    return Sync();
  }
};

bool NcclAvailable() { return true; }

NcclComm::NcclComm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NcclComm::~NcclComm() {
  if (impl_->comm != nullptr) ncclCommDestroy(impl_->comm);
  if (impl_->buffer != nullptr) cudaFree(impl_->buffer);
  if (impl_->stream != nullptr) cudaStreamDestroy(impl_->stream);
}

StatusOr<std::unique_ptr<NcclComm>> NcclComm::Create(std::unique_ptr<Communicator> bootstrap) {
  if (bootstrap == nullptr) return Status::InvalidArgument("NcclComm: no bootstrap communicator");
  const int devices = core::CudaDeviceCount();
  // Every rank learns whether any rank lacks a device, so that none is left waiting for the id.
  double missing = devices == 0 ? 1.0 : 0.0;
  SG_RETURN_IF_ERROR(bootstrap->AllReduceSum(Span<double>(&missing, 1)));
  if (missing > 0) {
    return Status::FailedPrecondition(
        "backend nccl needs a CUDA device on every rank; " + std::to_string(static_cast<int>(missing)) +
        " rank(s) have none (this rank: " + core::DeviceSummary() + ")");
  }
  auto impl = std::make_unique<Impl>();
  const int rank = bootstrap->rank(), size = bootstrap->size();
  int local_rank = rank;
  if (const char* lr = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK")) local_rank = std::atoi(lr);
  const int device = local_rank % devices;
  SG_CUDA("cudaSetDevice", cudaSetDevice(device));
  ncclUniqueId id;
  std::memset(&id, 0, sizeof(id));
  if (rank == 0) SG_NCCL("ncclGetUniqueId", ncclGetUniqueId(&id));
  SG_RETURN_IF_ERROR(
      bootstrap->Broadcast(Span<uint8_t>(reinterpret_cast<uint8_t*>(&id), sizeof(id)), 0));
  SG_CUDA("cudaStreamCreate", cudaStreamCreate(&impl->stream));
  SG_NCCL("ncclCommInitRank", ncclCommInitRank(&impl->comm, size, id, rank));
  impl->bootstrap = std::move(bootstrap);
  auto out = std::unique_ptr<NcclComm>(new NcclComm(std::move(impl)));
  out->rank_ = rank;
  out->size_ = size;
  out->device_ = device;
  return out;
}

Status NcclComm::Barrier() {
  float x = 0;
  return impl_->AllReduce(Span<float>(&x, 1), ncclFloat32);
}

Status NcclComm::AllReduceSum(Span<float> data) { return impl_->AllReduce(data, ncclFloat32); }
Status NcclComm::AllReduceSum(Span<double> data) { return impl_->AllReduce(data, ncclFloat64); }

Status NcclComm::Broadcast(Span<uint8_t> data, int root) {
  if (root < 0 || root >= size_) {
    return Status::InvalidArgument("Broadcast: root " + std::to_string(root) + " out of range");
  }
  if (data.empty()) return Status::Ok();
  SG_RETURN_IF_ERROR(impl_->Reserve(data.size()));
  cudaStream_t s = impl_->stream;
  SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(impl_->buffer, data.data(), data.size(), cudaMemcpyHostToDevice, s));
  SG_NCCL("ncclBroadcast", ncclBroadcast(impl_->buffer, impl_->buffer, data.size(), ncclUint8,
                                         root, impl_->comm, s));
  SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(data.data(), impl_->buffer, data.size(), cudaMemcpyDeviceToHost, s));
  return impl_->Sync();
}

Status NcclComm::AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) {
  if (static_cast<int>(send.size()) != size_) {
    return Status::InvalidArgument("AllToAllV: expected one message per rank (" +
                                   std::to_string(size_) + "), got " +
                                   std::to_string(send.size()));
  }
  cudaStream_t s = impl_->stream;
  // Sizes first, then the payloads, each in one NCCL group.
  std::vector<uint64_t> mine(size_), lens;
  for (int q = 0; q < size_; ++q) mine[q] = send[q].size();
  SG_RETURN_IF_ERROR(impl_->ExchangeCounts(mine, &lens));
  std::vector<size_t> send_off(size_ + 1, 0), recv_off(size_ + 1, 0);
  for (int q = 0; q < size_; ++q) {
    send_off[q + 1] = send_off[q] + send[q].size();
    recv_off[q + 1] = recv_off[q] + lens[q];
  }
  SG_RETURN_IF_ERROR(impl_->Reserve(send_off[size_] + recv_off[size_]));
  auto* dev_send = static_cast<uint8_t*>(impl_->buffer);
  uint8_t* dev_recv = dev_send + send_off[size_];
  for (int q = 0; q < size_; ++q) {
    if (!send[q].empty()) {
      SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(dev_send + send_off[q], send[q].data(), send[q].size(), cudaMemcpyHostToDevice, s));
    }
  }
  SG_NCCL("ncclGroupStart", ncclGroupStart());
  for (int q = 0; q < size_; ++q) {
    if (!send[q].empty()) {
      SG_NCCL("ncclSend", ncclSend(dev_send + send_off[q], send[q].size(), ncclUint8, q, impl_->comm, s));
    }
    if (lens[q] > 0) {
      SG_NCCL("ncclRecv", ncclRecv(dev_recv + recv_off[q], lens[q], ncclUint8, q, impl_->comm, s));
    }
  }
  SG_NCCL("ncclGroupEnd", ncclGroupEnd());
  recv->assign(size_, Bytes());
  for (int q = 0; q < size_; ++q) {
    (*recv)[q].resize(lens[q]);
    if (lens[q] > 0) {
      SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync((*recv)[q].data(), dev_recv + recv_off[q], lens[q], cudaMemcpyDeviceToHost, s));
    }
  }
  return impl_->Sync();
}

Status NcclComm::AllToAllFloats(const float* send, Span<const int64_t> send_counts, float* recv,
                                Span<const int64_t> recv_counts) {
  const size_t n = static_cast<size_t>(size_);
  if (send_counts.size() != n || recv_counts.size() != n) {
    return Status::InvalidArgument("AllToAllFloats: expected " + std::to_string(n) +
                                   " send and receive counts (one per rank)");
  }
  int64_t total_send = 0, total_recv = 0;
  for (size_t q = 0; q < n; ++q) total_send += send_counts[q], total_recv += recv_counts[q];
  // NCCL needs matching sizes on both ends (a mismatch would hang), so the counts travel first
  // and every rank learns whether any rank found a mismatch before anything is sent. Every rank
  // makes the same calls whatever memory its buffers are in (host buffers are staged below), so
  // a rank with nothing to exchange never falls out of step with the others.
  std::vector<uint64_t> mine(send_counts.begin(), send_counts.end()), theirs;
  SG_RETURN_IF_ERROR(impl_->ExchangeCounts(mine, &theirs));
  Status mismatch;
  for (size_t q = 0; q < n && mismatch.ok(); ++q) {
    if (theirs[q] != static_cast<uint64_t>(recv_counts[q])) {
      mismatch = Status::InvalidArgument("AllToAllFloats: rank " + std::to_string(q) + " sends " +
                                         std::to_string(theirs[q]) + " floats, rank " +
                                         std::to_string(rank_) + " expected " +
                                         std::to_string(recv_counts[q]));
    }
  }
  double failed = mismatch.ok() ? 0.0 : 1.0;
  SG_RETURN_IF_ERROR(impl_->AllReduce(Span<double>(&failed, 1), ncclFloat64));
  if (!mismatch.ok()) return mismatch;
  if (failed > 0) {
    return Status::InvalidArgument("AllToAllFloats: another rank's counts do not match (see its error)");
  }
  // Host buffers go through the staging buffer: [send | recv].
  SG_ASSIGN_OR_RETURN(const bool send_on_device, Impl::OnDevice(send));
  SG_ASSIGN_OR_RETURN(const bool recv_on_device, Impl::OnDevice(recv));
  const bool stage_send = total_send > 0 && !send_on_device, stage_recv = total_recv > 0 && !recv_on_device;
  cudaStream_t s = impl_->stream;
  SG_RETURN_IF_ERROR(impl_->Reserve(static_cast<size_t>(total_send + total_recv) * sizeof(float)));
  float* staged = static_cast<float*>(impl_->buffer);
  const float* from = stage_send ? staged : send;
  float* to = stage_recv ? staged + total_send : recv;
  if (stage_send) {
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(staged, send, total_send * sizeof(float), cudaMemcpyHostToDevice, s));
  }
  float* const recv_begin = to;
  SG_NCCL("ncclGroupStart", ncclGroupStart());
  for (int q = 0; q < size_; ++q) {
    if (send_counts[q] > 0) {
      SG_NCCL("ncclSend", ncclSend(from, send_counts[q], ncclFloat32, q, impl_->comm, s));
    }
    if (recv_counts[q] > 0) {
      SG_NCCL("ncclRecv", ncclRecv(to, recv_counts[q], ncclFloat32, q, impl_->comm, s));
    }
    from += send_counts[q];
    to += recv_counts[q];
  }
  SG_NCCL("ncclGroupEnd", ncclGroupEnd());
  if (stage_recv) {
    SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(recv, recv_begin, total_recv * sizeof(float), cudaMemcpyDeviceToHost, s));
  }
  return impl_->Sync();
}

#endif

}  // namespace streamgnn::comm
