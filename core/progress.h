// Progress display for long work (loading, epochs, evaluation).
//
// On a terminal (or with ProgressMode::kAlways) a bar with count, rate and ETA is redrawn in
// place at most ~10 times a second. Elsewhere (kAuto when the output is not a terminal: CI
// logs, files, pipes) it writes a plain log line at most every `log_interval_s` seconds and one
// at Finish(), with no terminal control codes. kNever writes nothing.
//
//   ProgressBar bar("epoch 3", num_batches, config.log.progress);
//   for (...) { ...; bar.Add(1); }
//   bar.Finish();
//
// Thread-safety: Add() and Set() may be called from any number of threads; Add() is one atomic
// add plus a clock read unless it is time to redraw, and drawing never blocks an adder (a thread
// that finds the drawer busy just skips drawing).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

#include "core/config_enums.h"

namespace streamgnn::core {

struct ProgressOptions {
  // Plain mode: at most one line per this many seconds (plus the final one).
  double log_interval_s = 10.0;
  // Bar mode: at most one redraw per this many seconds (plus the final one).
  double redraw_interval_s = 0.1;
  // Where the bar is drawn; kAuto draws a bar only when this is a terminal.
  std::FILE* terminal = stderr;
  // Receives the plain lines; by default they go to Logger()->info.
  std::function<void(const std::string&)> log_line;
};

class ProgressBar {
 public:
  // total <= 0 means unknown: the bar shows count and rate without percentage or ETA.
  ProgressBar(std::string label, int64_t total, ProgressMode mode,
              ProgressOptions options = ProgressOptions());
  // Calls Finish() if it was not called.
  ~ProgressBar();

  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Adds n units of work done.
  void Add(int64_t n = 1);
  // Sets the count of work done and a short text shown after the rate ("loss 0.42").
  void Set(int64_t done, std::string extra = "");
  // Draws the final state (a final line in plain mode). Later calls do nothing.
  void Finish();

  int64_t done() const { return done_.load(std::memory_order_relaxed); }
  // True when drawing a bar (terminal style), false for plain lines or nothing.
  bool draws_bar() const { return style_ == Style::kBar; }

 private:
  enum class Style { kNone, kBar, kPlain };

  void MaybeDraw();
  void DrawLocked(bool final);  // requires draw_mutex_
  std::string StatusText(int64_t done, double elapsed_s, bool final) const;

  const std::string label_;
  const int64_t total_;
  ProgressOptions options_;
  Style style_;
  const int64_t start_ns_;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> next_draw_ns_{0};
  std::atomic<bool> finished_{false};
  std::mutex draw_mutex_;  // guards extra_ and the output
  std::string extra_;
};

}  // namespace streamgnn::core
