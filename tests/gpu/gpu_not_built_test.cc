// Built only when nvcc was not found: the GPU suite is absent, and says so.
#include <gtest/gtest.h>

#include "core/device.h"

TEST(Gpu, NotBuilt) {
  EXPECT_FALSE(streamgnn::core::CudaCompiledIn());
  GTEST_SKIP() << "CUDA not compiled in (no nvcc at configure time): GPU tests not built";
}
