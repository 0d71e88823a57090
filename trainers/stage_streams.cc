#include "trainers/stage_streams.h"

#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>

namespace streamgnn::trainers {

StageStream StageStream::Default(torch::Device device) {
  if (!device.is_cuda()) return StageStream(std::nullopt);
  return StageStream(c10::impl::VirtualGuardImpl(device.type()).getDefaultStream(device));
}

StageStream StageStream::Side(torch::Device device) {
  if (!device.is_cuda()) return StageStream(std::nullopt);
  return StageStream(c10::impl::VirtualGuardImpl(device.type()).getStreamFromGlobalPool(device));
}

Status StageStream::Run(BatchHandOver* handover,
                        const std::function<std::vector<torch::Tensor>()>& tensors,
                        const std::function<Status()>& stage) const {
  if (!stream_) return stage();
  std::optional<c10::StreamGuard> guard;
  guard.emplace(*stream_);
  if (handover->ready) {
    handover->ready->block(*stream_);
    for (const torch::Tensor& t : tensors()) {
      if (t.defined() && t.device().type() == stream_->device_type()) t.record_stream(*stream_);
    }
  }
  SG_RETURN_IF_ERROR(stage());
  auto ready = std::make_shared<c10::Event>(stream_->device_type());
  ready->record(*stream_);
  handover->ready = std::move(ready);
  return Status::Ok();
}

void StageStream::SyncCurrent(torch::Device device) {
  if (!device.is_cuda()) return;
  c10::impl::VirtualGuardImpl(device.type()).getStream(device).synchronize();
}

}  // namespace streamgnn::trainers
