#include "comm/communicator.h"

#include "comm/local_comm.h"
#include "comm/mpi_comm.h"
#include "comm/nccl_comm.h"

namespace streamgnn::comm {

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
