#include "core/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace streamgnn::core {
namespace {

using ::testing::HasSubstr;

// A non-terminal stand-in for stderr, and a capture of the plain lines.
struct Capture {
  Capture() : file(std::tmpfile()) {}
  ~Capture() { std::fclose(file); }

  ProgressOptions Options(double log_interval_s) {
    ProgressOptions o;
    o.terminal = file;
    o.log_interval_s = log_interval_s;
    o.log_line = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.push_back(line);
    };
    return o;
  }

  std::string TerminalText() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    for (int c; (c = std::fgetc(file)) != EOF;) out += static_cast<char>(c);
    return out;
  }

  std::FILE* file;
  std::mutex mutex;
  std::vector<std::string> lines;
};

bool HasTerminalCodes(const std::string& s) {
  return s.find('\r') != std::string::npos || s.find('\x1b') != std::string::npos;
}

TEST(Progress, NeverWritesNothing) {
  Capture cap;
  {
    ProgressBar bar("load", 100, ProgressMode::kNever, cap.Options(0));
    for (int i = 0; i < 100; ++i) bar.Add();
    bar.Set(100, "x");
    bar.Finish();
    EXPECT_EQ(bar.done(), 100);
    EXPECT_FALSE(bar.draws_bar());
  }
  EXPECT_TRUE(cap.lines.empty());
  EXPECT_EQ(cap.TerminalText(), "");
}

TEST(Progress, AutoOnNonTerminalWritesPlainLines) {
  Capture cap;
  ProgressBar bar("epoch 1", 100, ProgressMode::kAuto, cap.Options(0));
  EXPECT_FALSE(bar.draws_bar());
  for (int i = 0; i < 50; ++i) bar.Add();
  bar.Set(100, "loss 0.25");
  bar.Finish();
  bar.Finish();  // idempotent
  EXPECT_EQ(cap.TerminalText(), "");
  ASSERT_GE(cap.lines.size(), 2u);
  for (const std::string& line : cap.lines) {
    EXPECT_FALSE(HasTerminalCodes(line)) << line;
    EXPECT_THAT(line, HasSubstr("epoch 1: "));
  }
  EXPECT_THAT(cap.lines.back(), HasSubstr("100/100 (100%)"));
  EXPECT_THAT(cap.lines.back(), HasSubstr("loss 0.25"));
  EXPECT_THAT(cap.lines.back(), HasSubstr("(done)"));
}

TEST(Progress, PlainLinesAreThrottled) {
  Capture cap;
  {
    ProgressBar bar("scan", 0, ProgressMode::kAuto, cap.Options(10.0));
    for (int i = 0; i < 10000; ++i) bar.Add();
  }  // the destructor finishes
  ASSERT_EQ(cap.lines.size(), 1u);
  EXPECT_THAT(cap.lines[0], HasSubstr("scan: 10000, "));
  EXPECT_THAT(cap.lines[0], ::testing::Not(HasSubstr("%")));  // unknown total
}

TEST(Progress, AlwaysDrawsABar) {
  Capture cap;
  ProgressBar bar("train", 10, ProgressMode::kAlways, cap.Options(0));
  EXPECT_TRUE(bar.draws_bar());
  bar.Add(10);
  bar.Finish();
  const std::string text = cap.TerminalText();
  EXPECT_THAT(text, HasSubstr("\rtrain ["));
  EXPECT_THAT(text, HasSubstr("##########]"));
  EXPECT_THAT(text, HasSubstr("10/10 (100%)"));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_TRUE(cap.lines.empty());
}

TEST(Progress, ConcurrentAddsAreCounted) {
  Capture cap;
  ProgressBar bar("parallel", 40000, ProgressMode::kAuto, cap.Options(0.001));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&bar] {
      for (int i = 0; i < 10000; ++i) bar.Add();
    });
  }
  for (auto& th : threads) th.join();
  bar.Finish();
  EXPECT_EQ(bar.done(), 40000);
  EXPECT_THAT(cap.lines.back(), HasSubstr("40000/40000 (100%)"));
}

}  // namespace
}  // namespace streamgnn::core
