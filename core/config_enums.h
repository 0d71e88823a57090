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

// memory.type: TGL's names; none = no node memory (TGAT).
enum class MemoryType { kNone, kNode };
template <>
struct EnumTraits<MemoryType> {
  static constexpr EnumName<MemoryType> kNames[] = {
      {MemoryType::kNone, "none"},
      {MemoryType::kNode, "node"},
  };
};

// memory.deliver_to: mail goes to the event's endpoints (TGN, JODIE) or also to their sampled
// neighbours (APAN).
enum class DeliverTo { kSelf, kNeighbors };
template <>
struct EnumTraits<DeliverTo> {
  static constexpr EnumName<DeliverTo> kNames[] = {
      {DeliverTo::kSelf, "self"},
      {DeliverTo::kNeighbors, "neighbors"},
  };
};

// memory.mail_combine: how several mails to one node in one batch are combined.
enum class MailCombine { kLast, kMean };
template <>
struct EnumTraits<MailCombine> {
  static constexpr EnumName<MailCombine> kNames[] = {
      {MailCombine::kLast, "last"},
      {MailCombine::kMean, "mean"},
  };
};

// memory.memory_update: GRU (TGN), RNN (JODIE), attention over the mailbox (APAN; TGL's name).
enum class MemoryUpdate { kGru, kRnn, kTransformer };
template <>
struct EnumTraits<MemoryUpdate> {
  static constexpr EnumName<MemoryUpdate> kNames[] = {
      {MemoryUpdate::kGru, "gru"},
      {MemoryUpdate::kRnn, "rnn"},
      {MemoryUpdate::kTransformer, "transformer"},
  };
};

// memory.msg_func: message function applied to a mail before the memory updater.
enum class MessageFunction { kIdentity, kMlp };
template <>
struct EnumTraits<MessageFunction> {
  static constexpr EnumName<MessageFunction> kNames[] = {
      {MessageFunction::kIdentity, "identity"},
      {MessageFunction::kMlp, "mlp"},
  };
};

// gnn.arch: temporal graph attention (TGN, TGAT) or the node's own memory (JODIE, APAN).
enum class GnnArch { kTransformerAttention, kIdentity };
template <>
struct EnumTraits<GnnArch> {
  static constexpr EnumName<GnnArch> kNames[] = {
      {GnnArch::kTransformerAttention, "transformer_attention"},
      {GnnArch::kIdentity, "identity"},
  };
};

// gnn.time_transform: JODIE's time projection of the embedding (TGL writes 'JODIE').
enum class TimeTransform { kNone, kJodie, kTglJodie };
template <>
struct EnumTraits<TimeTransform> {
  static constexpr EnumName<TimeTransform> kNames[] = {
      {TimeTransform::kNone, "none"},
      {TimeTransform::kJodie, "jodie"},
      {TimeTransform::kJodie, "JODIE"},
      {TimeTransform::kTglJodie, "tgl_jodie"},
  };
};

// train.model: a named model checks that the memory and gnn sections describe it; custom takes
// them as they are.
enum class ModelName { kCustom, kTgn, kJodie, kApan, kTgat };
template <>
struct EnumTraits<ModelName> {
  static constexpr EnumName<ModelName> kNames[] = {
      {ModelName::kCustom, "custom"}, {ModelName::kTgn, "tgn"},   {ModelName::kJodie, "jodie"},
      {ModelName::kApan, "apan"},     {ModelName::kTgat, "tgat"},
  };
};

// train.negative_pool: where random negative destinations come from.
enum class NegativePool { kDestinations, kAllNodes };
template <>
struct EnumTraits<NegativePool> {
  static constexpr EnumName<NegativePool> kNames[] = {
      {NegativePool::kDestinations, "destinations"},
      {NegativePool::kAllNodes, "all"},
  };
};

// continuous.replay: which past events a window's training adds (GNNFlow's replay).
enum class ReplayKind { kUniform, kRecent };
template <>
struct EnumTraits<ReplayKind> {
  static constexpr EnumName<ReplayKind> kNames[] = {
      {ReplayKind::kUniform, "uniform"},
      {ReplayKind::kRecent, "recent"},
  };
};

// train.ap_mode: AP/AUC per evaluation batch then averaged (TGN, DyGLib, TGL) or over all
// events at once.
enum class ApMode { kBatchMean, kPooled };
template <>
struct EnumTraits<ApMode> {
  static constexpr EnumName<ApMode> kNames[] = {
      {ApMode::kBatchMean, "batch_mean"},
      {ApMode::kPooled, "pooled"},
  };
};

// pipeline.mode: one batch after another, or MSPipe's staged pipeline with bounded staleness.
enum class PipelineMode { kSequential, kMspipe };
template <>
struct EnumTraits<PipelineMode> {
  static constexpr EnumName<PipelineMode> kNames[] = {
      {PipelineMode::kSequential, "sequential"},
      {PipelineMode::kMspipe, "mspipe"},
  };
};

// pipeline.mitigation: what is done to a node whose memory misses writes (MSPipe).
enum class StalenessMitigation { kNone, kSimilarity };
template <>
struct EnumTraits<StalenessMitigation> {
  static constexpr EnumName<StalenessMitigation> kNames[] = {
      {StalenessMitigation::kNone, "none"},
      {StalenessMitigation::kSimilarity, "similarity"},
  };
};

}  // namespace streamgnn::core
