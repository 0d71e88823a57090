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
  template <class T>
  Status AllReduce(Span<T> data, ncclDataType_t type) {
    if (data.empty()) return Status::Ok();
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
  // Sizes first (one uint64 per peer), then the payloads, each in one NCCL group.
  std::vector<uint64_t> lens(2 * size_);
  for (int q = 0; q < size_; ++q) lens[q] = send[q].size();
  SG_RETURN_IF_ERROR(impl_->Reserve(lens.size() * sizeof(uint64_t)));
  auto* dev_lens = static_cast<uint64_t*>(impl_->buffer);
  SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(dev_lens, lens.data(), size_ * sizeof(uint64_t), cudaMemcpyHostToDevice, s));
  SG_NCCL("ncclGroupStart", ncclGroupStart());
  for (int q = 0; q < size_; ++q) {
    SG_NCCL("ncclSend", ncclSend(dev_lens + q, 1, ncclUint64, q, impl_->comm, s));
    SG_NCCL("ncclRecv", ncclRecv(dev_lens + size_ + q, 1, ncclUint64, q, impl_->comm, s));
  }
  SG_NCCL("ncclGroupEnd", ncclGroupEnd());
  SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync(lens.data() + size_, dev_lens + size_, size_ * sizeof(uint64_t), cudaMemcpyDeviceToHost, s));
  SG_RETURN_IF_ERROR(impl_->Sync());

  std::vector<size_t> send_off(size_ + 1, 0), recv_off(size_ + 1, 0);
  for (int q = 0; q < size_; ++q) {
    send_off[q + 1] = send_off[q] + send[q].size();
    recv_off[q + 1] = recv_off[q] + lens[size_ + q];
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
    if (lens[size_ + q] > 0) {
      SG_NCCL("ncclRecv", ncclRecv(dev_recv + recv_off[q], lens[size_ + q], ncclUint8, q, impl_->comm, s));
    }
  }
  SG_NCCL("ncclGroupEnd", ncclGroupEnd());
  recv->assign(size_, Bytes());
  for (int q = 0; q < size_; ++q) {
    (*recv)[q].resize(lens[size_ + q]);
    if (lens[size_ + q] > 0) {
      SG_CUDA("cudaMemcpyAsync", cudaMemcpyAsync((*recv)[q].data(), dev_recv + recv_off[q], lens[size_ + q], cudaMemcpyDeviceToHost, s));
    }
  }
  return impl_->Sync();
}

#endif

}  // namespace streamgnn::comm
