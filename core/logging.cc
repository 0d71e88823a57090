#include "core/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <filesystem>
#include <mutex>
#include <vector>

namespace streamgnn::core {
namespace {

constexpr const char* kPattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v";

// The logger never changes; InitLogging swaps the sinks inside its dist_sink, which is
// thread-safe against concurrent logging.
struct LoggingState {
  LoggingState()
      : stderr_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()),
        dist(std::make_shared<spdlog::sinks::dist_sink_mt>()),
        logger(std::make_shared<spdlog::logger>("streamgnn", dist)) {
    stderr_sink->set_pattern(kPattern);
    dist->set_sinks({stderr_sink});
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
  }

  std::mutex init_mutex;  // serialises InitLogging
  std::shared_ptr<spdlog::sinks::sink> stderr_sink;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> dist;
  std::shared_ptr<spdlog::logger> logger;
};

LoggingState& State() {
  static LoggingState* state = new LoggingState();  // never destroyed: usable during exit
  return *state;
}

}  // namespace

spdlog::level::level_enum ToSpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const std::shared_ptr<spdlog::logger>& Logger() { return State().logger; }

void SetLogLevel(LogLevel level) { State().logger->set_level(ToSpdlogLevel(level)); }

Status InitLogging(LogLevel level, const std::string& file_path) {
  LoggingState& state = State();
  std::lock_guard<std::mutex> lock(state.init_mutex);
  state.logger->set_level(ToSpdlogLevel(level));
  std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks = {state.stderr_sink};
  Status status;
  if (!file_path.empty()) {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(file_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    try {
      auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file_path);
      file_sink->set_pattern(kPattern);
      sinks.push_back(std::move(file_sink));
    } catch (const spdlog::spdlog_ex& e) {
      status = Status::IOError(file_path + ": cannot open log file: " + e.what());
    }
  }
  state.dist->set_sinks(std::move(sinks));
  return status;
}

}  // namespace streamgnn::core
