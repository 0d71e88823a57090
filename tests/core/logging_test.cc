#include "core/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace streamgnn::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Logging, LoggerWorksBeforeInit) {
  ASSERT_NE(Logger(), nullptr);
  EXPECT_EQ(Logger()->name(), "streamgnn");
  EXPECT_EQ(spdlog::default_logger(), Logger());
}

TEST(Logging, WritesToFileAtTheChosenLevelFromManyThreads) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("streamgnn_logging_" + std::to_string(::getpid()));
  const fs::path file = dir / "sub" / "run.log";
  fs::remove_all(dir);
  ASSERT_TRUE(InitLogging(LogLevel::kDebug, file.string()).ok());
  Logger()->trace("not written");
  Logger()->debug("debug line {}", 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 10; ++i) Logger()->debug("thread {} line {}", t, i);
    });
  }
  for (auto& th : threads) th.join();
  Logger()->flush();
  // Back to stderr only, so later tests do not write to the file.
  ASSERT_TRUE(InitLogging(LogLevel::kInfo).ok());
  Logger()->info("after reset");
  Logger()->flush();

  const std::string text = ReadFile(file);
  EXPECT_THAT(text, HasSubstr("debug line 1"));
  EXPECT_THAT(text, Not(HasSubstr("not written")));
  EXPECT_THAT(text, Not(HasSubstr("after reset")));
  int lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 1 + 4 * 10);
  EXPECT_EQ(Logger()->level(), spdlog::level::info);
  fs::remove_all(dir);
}

TEST(Logging, UnopenableFileIsAnIOErrorAndStderrStillWorks) {
  const Status s = InitLogging(LogLevel::kInfo, "/proc/streamgnn-no-such-dir/run.log");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_THAT(s.message(), HasSubstr("run.log"));
  Logger()->info("still logging");
  ASSERT_TRUE(InitLogging(LogLevel::kInfo).ok());
}

TEST(Logging, LevelMapping) {
  EXPECT_EQ(ToSpdlogLevel(LogLevel::kTrace), spdlog::level::trace);
  EXPECT_EQ(ToSpdlogLevel(LogLevel::kError), spdlog::level::err);
  SetLogLevel(LogLevel::kWarn);
  EXPECT_EQ(Logger()->level(), spdlog::level::warn);
  SetLogLevel(LogLevel::kInfo);
}

}  // namespace
}  // namespace streamgnn::core
