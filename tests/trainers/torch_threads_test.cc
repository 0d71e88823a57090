#include "trainers/torch_threads.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>

#include "core/threads.h"

namespace streamgnn::trainers {
namespace {

// core/openmp_env.cc runs before GNU OpenMP reads its environment, in every executable: idle
// workers sleep unless the launcher chose a policy, which is kept.
TEST(OpenMpEnvironment, IdleWorkersSleepUnlessTheLauncherChoseOtherwise) {
  using DisplayEnv = void (*)(int);
  const auto display = reinterpret_cast<DisplayEnv>(dlsym(RTLD_DEFAULT, "omp_display_env"));
  if (display == nullptr) GTEST_SKIP() << "LibTorch does not run on GNU OpenMP here";
  std::ifstream file("/proc/self/environ", std::ios::binary);
  std::string launched;  // the value the process was started with, if any
  for (std::string entry; std::getline(file, entry, '\0');) {
    if (entry.rfind("OMP_WAIT_POLICY=", 0) == 0) launched = entry.substr(16);
  }
  std::transform(launched.begin(), launched.end(), launched.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  testing::internal::CaptureStderr();
  display(0);
  const std::string shown = testing::internal::GetCapturedStderr();
  const std::string expected = launched.empty() ? "PASSIVE" : launched;
  EXPECT_NE(shown.find("OMP_WAIT_POLICY = '" + expected + "'"), std::string::npos) << shown;
}

TEST(SetTorchThreads, SizesTheIntraOpPoolAndOpenBlasFromTheBudget) {
  using GetThreads = int (*)();
  const auto openblas = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  EXPECT_EQ(SetTorchThreads(2, TorchParallelism::kTasks), 2);
  EXPECT_EQ(core::ThreadBudget(), 2);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (openblas != nullptr) EXPECT_EQ(openblas(), 1);
  EXPECT_EQ(SetTorchThreads(2, TorchParallelism::kGemm), 2);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (openblas != nullptr) EXPECT_EQ(openblas(), 2);
  EXPECT_EQ(SetTorchThreads(2, TorchParallelism::kIntraOp), 2);
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(SetTorchThreads(1, TorchParallelism::kIntraOp), 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (openblas != nullptr) EXPECT_EQ(openblas(), 1);
  EXPECT_EQ(SetTorchThreads(0, TorchParallelism::kTasks), core::AvailableCores());
}

}  // namespace
}  // namespace streamgnn::trainers
