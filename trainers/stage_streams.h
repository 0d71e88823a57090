// Streams of the pass's stages on a GPU (runtime.device: cuda; docs/models.md, "On a GPU").
//
// The stages that run ahead of compute on their own threads (sample, features) queue their
// LibTorch work on a stream of their own from the device's pool, so that preparing the next
// batch overlaps the compute stream's kernels; memory read, compute and memory write stay on the
// device's default stream, whose order the node memory's versions rely on. A batch changes
// hands with a BatchHandOver: the stage that produced it records an event on its stream; the
// next stage makes its own stream wait for that event and marks the batch's device tensors as
// used on its stream (record_stream), so that the caching allocator does not give their memory
// to the producer's next batch while this stage's kernels may still read it.
//
// Written against c10's device-generic Stream and Event, so it compiles against every LibTorch
// (Debian's CPU 1.13 included); on the CPU a StageStream has no stream and does nothing.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/status.h"

namespace streamgnn::trainers {

// What a stage hands the next one besides the batch: the point on the producer's stream after
// which the batch's tensors are complete. Empty on the CPU and before the first stage.
struct BatchHandOver {
  std::shared_ptr<c10::Event> ready;
};

class StageStream {
 public:
  // The default stream of `device` (no stream on the CPU).
  static StageStream Default(torch::Device device);
  // A stream of its own from the device's pool on a CUDA device; on the CPU, none.
  static StageStream Side(torch::Device device);

  // Runs `stage` with this stream current on the calling thread: first makes the stream wait
  // for `handover` and marks the batch's device tensors (`tensors()`, asked only on a GPU) as
  // used on it, then runs the stage, then records the new hand-over event.
  Status Run(BatchHandOver* handover, const std::function<std::vector<torch::Tensor>()>& tensors,
             const std::function<Status()>& stage) const;

  // Blocks the calling thread until the work queued on the calling thread's current stream of
  // `device` is done (nothing on the CPU). DeviceShardSampler calls it before the sampler may
  // overwrite buffers that queued copies still read.
  static void SyncCurrent(torch::Device device);

 private:
  explicit StageStream(std::optional<c10::Stream> stream) : stream_(stream) {}
  std::optional<c10::Stream> stream_;
};

}  // namespace streamgnn::trainers
