#include "core/device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace streamgnn::core {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Device, CountIsNonNegativeAndStable) {
  const int n = CudaDeviceCount();
  EXPECT_GE(n, 0);
  EXPECT_EQ(CudaDeviceCount(), n);
  EXPECT_THAT(DeviceSummary(), StartsWith("cuda: "));
}

TEST(Device, SummaryExplainsTheCount) {
  if (!CudaCompiledIn()) {
    EXPECT_EQ(CudaDeviceCount(), 0);
    EXPECT_EQ(DeviceSummary(), "cuda: not compiled in");
    return;
  }
  const int n = CudaDeviceCount();
  EXPECT_THAT(DeviceSummary(), StartsWith("cuda: " + std::to_string(n) + " device"));
  if (n == 0) {
    EXPECT_THAT(DeviceSummary(), HasSubstr("(cuda"));  // the CUDA error name
  }
}

TEST(Device, GpuVisibleWhenPresent) {
  if (CudaDeviceCount() == 0) GTEST_SKIP() << "no GPU: " << DeviceSummary();
  EXPECT_THAT(DeviceSummary(), HasSubstr("0: "));
  EXPECT_THAT(DeviceSummary(), HasSubstr("GiB"));
}

}  // namespace
}  // namespace streamgnn::core
