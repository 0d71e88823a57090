// Shared by the GPU tests: skip, visibly, where no CUDA device is present.
#pragma once

#include <gtest/gtest.h>

#include "core/device.h"

#define SG_REQUIRE_GPU()                                                              \
  do {                                                                                \
    if (::streamgnn::core::CudaDeviceCount() == 0) {                                  \
      GTEST_SKIP() << "no CUDA device (" << ::streamgnn::core::DeviceSummary() << ")"; \
    }                                                                                 \
  } while (0)
