#include "comm/communicator.h"

#include <cstring>
#include <string>

#include "comm/local_comm.h"
#include "comm/mpi_comm.h"
#include "comm/nccl_comm.h"

namespace streamgnn::comm {

Status Communicator::AllToAllFloats(const float* send, Span<const int64_t> send_counts,
                                    float* recv, Span<const int64_t> recv_counts) {
  const size_t n = static_cast<size_t>(size());
  if (send_counts.size() != n || recv_counts.size() != n) {
    return Status::InvalidArgument("AllToAllFloats: expected " + std::to_string(n) +
                                   " send and receive counts (one per rank), got " +
                                   std::to_string(send_counts.size()) + " and " +
                                   std::to_string(recv_counts.size()));
  }
  std::vector<Bytes> messages(n), received;
  const float* from = send;
  for (size_t q = 0; q < n; ++q) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(from);
    messages[q].assign(bytes, bytes + send_counts[q] * sizeof(float));
    from += send_counts[q];
  }
  SG_RETURN_IF_ERROR(AllToAllV(messages, &received));
  Status mismatch;
  for (size_t q = 0; q < n && mismatch.ok(); ++q) {
    if (received[q].size() != static_cast<size_t>(recv_counts[q]) * sizeof(float)) {
      mismatch = Status::InvalidArgument("AllToAllFloats: rank " + std::to_string(q) + " sent " +
                                         std::to_string(received[q].size() / sizeof(float)) +
                                         " floats, rank " + std::to_string(rank()) +
                                         " expected " + std::to_string(recv_counts[q]));
    }
  }
  // Every rank fails when any rank does, so that none goes on to a collective the others skip.
  double failed = mismatch.ok() ? 0.0 : 1.0;
  SG_RETURN_IF_ERROR(AllReduceSum(Span<double>(&failed, 1)));
  if (!mismatch.ok()) return mismatch;
  if (failed > 0) {
    return Status::InvalidArgument("AllToAllFloats: another rank's counts do not match (see its error)");
  }
  float* to = recv;
  for (size_t q = 0; q < n; ++q) {
    if (recv_counts[q] > 0) {
      std::memcpy(to, received[q].data(), static_cast<size_t>(recv_counts[q]) * sizeof(float));
    }
    to += recv_counts[q];
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Communicator>> CreateCommunicator(Backend backend) {
  switch (backend) {
    case Backend::kLocal:
      return std::unique_ptr<Communicator>(std::make_unique<LocalComm>());
    case Backend::kMpi: {
      SG_ASSIGN_OR_RETURN(std::unique_ptr<MpiComm> mpi, MpiComm::Create());
      return std::unique_ptr<Communicator>(std::move(mpi));
    }
    case Backend::kNccl: {
      if (!NcclAvailable()) {
        return Status::Unimplemented(
            "this build has no NCCL (needs nvcc and libnccl at configure time): backend nccl is "
            "unavailable");
      }
      SG_ASSIGN_OR_RETURN(std::unique_ptr<MpiComm> mpi, MpiComm::Create());
      SG_ASSIGN_OR_RETURN(std::unique_ptr<NcclComm> nccl, NcclComm::Create(std::move(mpi)));
      return std::unique_ptr<Communicator>(std::move(nccl));
    }
  }
  return Status::InvalidArgument("unknown communication backend");
}

}  // namespace streamgnn::comm
