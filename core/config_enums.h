// Core's enumerations that appear in configs, with their YAML spellings (each module declares
// its own next to its code). Kept apart from config.h so
// that logging.h and progress.h can name LogLevel / ProgressMode without the config structs.
#pragma once

#include "core/config_schema.h"

namespace streamgnn::core {

// runtime.device
enum class DeviceKind { kCpu, kCuda };
template <>
struct EnumTraits<DeviceKind> {
  static constexpr EnumName<DeviceKind> kNames[] = {
      {DeviceKind::kCpu, "cpu"},
      {DeviceKind::kCuda, "cuda"},
  };
};

// log.level
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };
template <>
struct EnumTraits<LogLevel> {
  static constexpr EnumName<LogLevel> kNames[] = {
      {LogLevel::kTrace, "trace"}, {LogLevel::kDebug, "debug"}, {LogLevel::kInfo, "info"},
      {LogLevel::kWarn, "warn"},   {LogLevel::kError, "error"},
  };
};

// log.progress: kAuto draws a bar on a terminal and writes plain log lines elsewhere.
enum class ProgressMode { kAuto, kAlways, kNever };
template <>
struct EnumTraits<ProgressMode> {
  static constexpr EnumName<ProgressMode> kNames[] = {
      {ProgressMode::kAuto, "auto"},
      {ProgressMode::kAlways, "always"},
      {ProgressMode::kNever, "never"},
  };
};

}  // namespace streamgnn::core
