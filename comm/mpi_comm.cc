#include "comm/mpi_comm.h"

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>

#if defined(STREAMGNN_WITH_MPI)
#include <mpi.h>
#endif

namespace streamgnn::comm {

#if !defined(STREAMGNN_WITH_MPI)

struct MpiComm::Impl {};
MpiComm::MpiComm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MpiComm::~MpiComm() = default;
bool MpiAvailable() { return false; }

namespace {
Status NoMpi() {
  return Status::Unimplemented(
      "this build has no MPI (install libopenmpi-dev and reconfigure): backend mpi is unavailable");
}
}  // namespace

StatusOr<std::unique_ptr<MpiComm>> MpiComm::Create() { return NoMpi(); }
Status MpiComm::Barrier() { return NoMpi(); }
Status MpiComm::AllReduceSum(Span<float>) { return NoMpi(); }
Status MpiComm::AllReduceSum(Span<double>) { return NoMpi(); }
Status MpiComm::Broadcast(Span<uint8_t>, int) { return NoMpi(); }
Status MpiComm::AllToAllV(const std::vector<Bytes>&, std::vector<Bytes>*) { return NoMpi(); }

#else

namespace {

Status MpiError(const char* what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  return Status::Internal(std::string("MPI ") + what + " failed: " + std::string(text, len));
}

#define SG_MPI(what, call)                                 \
  do {                                                     \
    const int sg_mpi_rc_ = (call);                         \
    if (sg_mpi_rc_ != MPI_SUCCESS) return MpiError(what, sg_mpi_rc_); \
  } while (0)

void FinalizeAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Status EnsureInitialized() {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return Status::Ok();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return Status::FailedPrecondition("MPI was already finalised in this process");
  int provided = 0;
  SG_MPI("initialisation", MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided));
  std::atexit(FinalizeAtExit);
  return Status::Ok();
}

Status CheckCount(size_t n, const char* what) {
  if (n > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted(std::string(what) + ": message of " + std::to_string(n) +
                                     " elements exceeds MPI's int count");
  }
  return Status::Ok();
}

}  // namespace

struct MpiComm::Impl {
  MPI_Comm comm = MPI_COMM_NULL;
};

bool MpiAvailable() { return true; }

MpiComm::MpiComm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  MPI_Comm_rank(impl_->comm, &rank_);
  MPI_Comm_size(impl_->comm, &size_);
}

MpiComm::~MpiComm() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && impl_->comm != MPI_COMM_NULL) MPI_Comm_free(&impl_->comm);
}

StatusOr<std::unique_ptr<MpiComm>> MpiComm::Create() {
  SG_RETURN_IF_ERROR(EnsureInitialized());
  auto impl = std::make_unique<Impl>();
  SG_MPI("MPI_Comm_dup", MPI_Comm_dup(MPI_COMM_WORLD, &impl->comm));
  SG_MPI("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(impl->comm, MPI_ERRORS_RETURN));
  return std::unique_ptr<MpiComm>(new MpiComm(std::move(impl)));
}

Status MpiComm::Barrier() {
  SG_MPI("MPI_Barrier", MPI_Barrier(impl_->comm));
  return Status::Ok();
}

Status MpiComm::AllReduceSum(Span<float> data) {
  SG_RETURN_IF_ERROR(CheckCount(data.size(), "AllReduceSum"));
  SG_MPI("MPI_Allreduce", MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()),
                                        MPI_FLOAT, MPI_SUM, impl_->comm));
  return Status::Ok();
}

Status MpiComm::AllReduceSum(Span<double> data) {
  SG_RETURN_IF_ERROR(CheckCount(data.size(), "AllReduceSum"));
  SG_MPI("MPI_Allreduce", MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()),
                                        MPI_DOUBLE, MPI_SUM, impl_->comm));
  return Status::Ok();
}

Status MpiComm::Broadcast(Span<uint8_t> data, int root) {
  if (root < 0 || root >= size_) {
    return Status::InvalidArgument("Broadcast: root " + std::to_string(root) + " out of range");
  }
  SG_RETURN_IF_ERROR(CheckCount(data.size(), "Broadcast"));
  SG_MPI("MPI_Bcast", MPI_Bcast(data.data(), static_cast<int>(data.size()), MPI_BYTE, root,
                                impl_->comm));
  return Status::Ok();
}

Status MpiComm::AllToAllV(const std::vector<Bytes>& send, std::vector<Bytes>* recv) {
  if (static_cast<int>(send.size()) != size_) {
    return Status::InvalidArgument("AllToAllV: expected one message per rank (" +
                                   std::to_string(size_) + "), got " +
                                   std::to_string(send.size()));
  }
  // Sizes first, so that receivers need not know them.
  std::vector<uint64_t> send_len(size_), recv_len(size_);
  for (int q = 0; q < size_; ++q) {
    send_len[q] = send[q].size();
    SG_RETURN_IF_ERROR(CheckCount(send[q].size(), "AllToAllV"));
  }
  SG_MPI("MPI_Alltoall", MPI_Alltoall(send_len.data(), 1, MPI_UINT64_T, recv_len.data(), 1,
                                      MPI_UINT64_T, impl_->comm));
  recv->assign(size_, Bytes());
  std::vector<MPI_Request> requests;
  constexpr int kTag = 7;
  for (int q = 0; q < size_; ++q) {
    if (q == rank_ || recv_len[q] == 0) continue;
    SG_RETURN_IF_ERROR(CheckCount(recv_len[q], "AllToAllV"));
    (*recv)[q].resize(recv_len[q]);
    requests.emplace_back();
    SG_MPI("MPI_Irecv", MPI_Irecv((*recv)[q].data(), static_cast<int>(recv_len[q]), MPI_BYTE, q,
                                  kTag, impl_->comm, &requests.back()));
  }
  for (int q = 0; q < size_; ++q) {
    if (q == rank_ || send[q].empty()) continue;
    requests.emplace_back();
    SG_MPI("MPI_Isend", MPI_Isend(send[q].data(), static_cast<int>(send[q].size()), MPI_BYTE, q,
                                  kTag, impl_->comm, &requests.back()));
  }
  (*recv)[rank_] = send[rank_];
  SG_MPI("MPI_Waitall", MPI_Waitall(static_cast<int>(requests.size()), requests.data(),
                                    MPI_STATUSES_IGNORE));
  return Status::Ok();
}

#endif

}  // namespace streamgnn::comm
