// Logging: one shared spdlog logger for the whole engine.
//
//   core::Logger()->info("loaded {} edges in {:.1f}s", n, seconds);
//
// Messages go to stderr (coloured on a terminal) and, after InitLogging with a file path, also
// to that file. Logger() is usable before InitLogging (stderr, level info). Thread-safe: any
// thread may log, and InitLogging may run while others log.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "core/config_enums.h"
#include "core/status.h"

namespace streamgnn::core {

// Sets the level and the sinks: stderr, plus `file_path` when it is not empty (appended to;
// its parent folders are created). May be called again to change either. Returns IOError when
// the file cannot be opened; logging to stderr keeps working then.
Status InitLogging(LogLevel level, const std::string& file_path = "");

// The shared logger ("streamgnn"; also spdlog's default logger, so spdlog::info works too).
// The returned pointer stays valid for the life of the process.
const std::shared_ptr<spdlog::logger>& Logger();

// Changes only the level.
void SetLogLevel(LogLevel level);

spdlog::level::level_enum ToSpdlogLevel(LogLevel level);

}  // namespace streamgnn::core
