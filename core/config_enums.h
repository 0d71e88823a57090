// Enumerations that appear in the config, with their YAML spellings. Kept apart from config.h so
// that logging.h and progress.h can name LogLevel / ProgressMode without the config structs.
#pragma once

#include "core/config_schema.h"

namespace streamgnn::core {

// dataset.format
enum class DatasetFormat { kJodie, kMl, kSnap, kTgl, kCsv, kSynthetic };
template <>
struct EnumTraits<DatasetFormat> {
  static constexpr EnumName<DatasetFormat> kNames[] = {
      {DatasetFormat::kJodie, "jodie"}, {DatasetFormat::kMl, "ml"},
      {DatasetFormat::kSnap, "snap"},   {DatasetFormat::kTgl, "tgl"},
      {DatasetFormat::kCsv, "csv"},     {DatasetFormat::kSynthetic, "synthetic"},
  };
};

// graph.out_of_order: what the block store does with an edge older than its node's newest edge.
enum class OutOfOrderPolicy { kInsert, kRefuse };
template <>
struct EnumTraits<OutOfOrderPolicy> {
  static constexpr EnumName<OutOfOrderPolicy> kNames[] = {
      {OutOfOrderPolicy::kInsert, "insert"},
      {OutOfOrderPolicy::kRefuse, "refuse"},
  };
};

// sampling.strategy
enum class SamplingStrategy { kRecent, kUniform };
template <>
struct EnumTraits<SamplingStrategy> {
  static constexpr EnumName<SamplingStrategy> kNames[] = {
      {SamplingStrategy::kRecent, "recent"},
      {SamplingStrategy::kUniform, "uniform"},
  };
};

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
