// StageStream (trainers/stage_streams.h; ctest label gpu). On the CPU it has no stream: a stage
// runs as it is and the hand-over stays empty. On a GPU a producer stage on a side stream
// queues long work whose result a consumer on the default stream reads right away: the
// hand-over event must order the two (without it the consumer reads a half-written tensor), and
// the producer's next allocations must not reuse the memory the consumer still reads.
#include "trainers/stage_streams.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace streamgnn::trainers {
namespace {

TEST(StageStreamOnCpu, RunsTheStageAndHandsNothingOver) {
  const torch::Device cpu(torch::kCPU);
  for (const StageStream& stream : {StageStream::Side(cpu), StageStream::Default(cpu)}) {
    BatchHandOver handover;
    int calls = 0, listed = 0;
    const auto tensors = [&] {
      ++listed;
      return std::vector<torch::Tensor>{};
    };
    EXPECT_TRUE(stream.Run(&handover, tensors, [&] { ++calls; return Status::Ok(); }).ok());
    const Status failed = stream.Run(&handover, tensors, [] { return Status::Internal("boom"); });
    EXPECT_EQ(failed.code(), StatusCode::kInternal);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(listed, 0);
    EXPECT_EQ(handover.ready, nullptr);
  }
  StageStream::SyncCurrent(cpu);  // nothing to wait for
}

TEST(StageStreamOnCuda, TheConsumerSeesTheProducersFinishedTensors) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (torch::cuda::is_available() is false)";
  const torch::Device cuda(torch::kCUDA, 0);
  const StageStream producer = StageStream::Side(cuda), consumer = StageStream::Default(cuda);
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({2048, 2048}).to(cuda) / 45.0;
  const double want = [&] {
    torch::Tensor x = a;
    for (int i = 0; i < 20; ++i) x = torch::tanh(torch::mm(x, a));
    return x.sum().item<double>();
  }();
  for (int round = 0; round < 5; ++round) {
    BatchHandOver handover;
    torch::Tensor made;
    ASSERT_TRUE(producer
                    .Run(&handover, [] { return std::vector<torch::Tensor>{}; },
                         [&] {
                           torch::Tensor x = a;
                           for (int i = 0; i < 20; ++i) x = torch::tanh(torch::mm(x, a));
                           made = x;
                           return Status::Ok();
                         })
                    .ok());
    ASSERT_NE(handover.ready, nullptr);
    double got = 0;
    ASSERT_TRUE(consumer
                    .Run(&handover, [&] { return std::vector<torch::Tensor>{made}; },
                         [&] {
                           got = made.sum().item<double>();
                           return Status::Ok();
                         })
                    .ok());
    EXPECT_NEAR(got, want, 1e-3 * std::abs(want) + 1e-3) << "round " << round;
  }
}

}  // namespace
}  // namespace streamgnn::trainers
