#include "core/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/logging.h"

namespace streamgnn::core {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SecondsToNs(double s) { return static_cast<int64_t>(std::max(0.0, s) * 1e9); }

// 1234 -> "1.23k"
std::string Si(double x) {
  static const char* kSuffix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (std::fabs(x) >= 1000 && i < 4) {
    x /= 1000;
    ++i;
  }
  return i == 0 ? fmt::format("{:.0f}", x) : fmt::format("{:.3g}{}", x, kSuffix[i]);
}

// 75 -> "1:15", 3700 -> "1:01:40"
std::string Clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

int TerminalWidth(std::FILE* f) {
  winsize ws{};
  if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, ProgressMode mode,
                         ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)), start_ns_(NowNs()) {
  if (options_.terminal == nullptr) options_.terminal = stderr;
  switch (mode) {
    case ProgressMode::kNever:
      style_ = Style::kNone;
      break;
    case ProgressMode::kAlways:
      style_ = Style::kBar;
      break;
    case ProgressMode::kAuto:
      style_ = isatty(fileno(options_.terminal)) ? Style::kBar : Style::kPlain;
      break;
  }
  if (!options_.log_line) {
    options_.log_line = [](const std::string& line) { Logger()->info("{}", line); };
  }
  const double interval =
      style_ == Style::kBar ? options_.redraw_interval_s : options_.log_interval_s;
  // The bar appears at once; plain lines only after the first interval.
  next_draw_ns_.store(style_ == Style::kBar ? start_ns_ : start_ns_ + SecondsToNs(interval));
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Add(int64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  MaybeDraw();
}

void ProgressBar::Set(int64_t done, std::string extra) {
  done_.store(done, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(draw_mutex_);
    extra_ = std::move(extra);
  }
  MaybeDraw();
}

void ProgressBar::MaybeDraw() {
  if (style_ == Style::kNone || finished_.load(std::memory_order_relaxed)) return;
  const int64_t now = NowNs();
  if (now < next_draw_ns_.load(std::memory_order_relaxed)) return;
  std::unique_lock<std::mutex> lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || finished_.load()) return;
  if (now < next_draw_ns_.load(std::memory_order_relaxed)) return;  // another thread drew
  const double interval =
      style_ == Style::kBar ? options_.redraw_interval_s : options_.log_interval_s;
  next_draw_ns_.store(now + SecondsToNs(interval), std::memory_order_relaxed);
  DrawLocked(/*final=*/false);
}

void ProgressBar::Finish() {
  if (finished_.exchange(true)) return;
  if (style_ == Style::kNone) return;
  std::lock_guard<std::mutex> lock(draw_mutex_);
  DrawLocked(/*final=*/true);
}

std::string ProgressBar::StatusText(int64_t done, double elapsed_s, bool final) const {
  const double rate = elapsed_s > 0 ? done / elapsed_s : 0.0;
  std::string text;
  if (total_ > 0) {
    text = fmt::format("{}/{} ({:.0f}%)", done, total_, 100.0 * done / total_);
  } else {
    text = fmt::format("{}", done);
  }
  text += fmt::format(", {}/s", Si(rate));
  if (final) {
    text += fmt::format(", {}", Clock(elapsed_s));
  } else if (total_ > 0 && rate > 0) {
    text += fmt::format(", ETA {}", Clock((total_ - done) / rate));
  }
  if (!extra_.empty()) text += ", " + extra_;
  return text;
}

void ProgressBar::DrawLocked(bool final) {
  const int64_t done = done_.load(std::memory_order_relaxed);
  const double elapsed_s = (NowNs() - start_ns_) * 1e-9;
  const std::string status = StatusText(done, elapsed_s, final);
  if (style_ == Style::kPlain) {
    options_.log_line(fmt::format("{}: {}{}", label_, status, final ? " (done)" : ""));
    return;
  }
  // "\r<label> [#####.....] <status>" then clear to end of line.
  std::string line = label_ + " ";
  if (total_ > 0) {
    const int width = std::clamp<int>(
        TerminalWidth(options_.terminal) - static_cast<int>(line.size() + status.size()) - 4, 10,
        40);
    const double fraction = std::clamp(static_cast<double>(done) / total_, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * width);
    line += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  }
  line += status;
  std::fprintf(options_.terminal, "\r%s\x1b[K%s", line.c_str(), final ? "\n" : "");
  std::fflush(options_.terminal);
}

}  // namespace streamgnn::core
