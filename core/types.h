// Basic identifiers shared by every module.
#pragma once

#include <cstdint>
#include <limits>

namespace streamgnn {

// Node and edge ids are 64-bit: graphs with more than 2^31 edges are in scope.
using NodeId = int64_t;
using EdgeId = int64_t;
// Seconds (or the dataset's own unit). float32 cannot hold epoch seconds exactly, so double.
using Timestamp = double;

inline constexpr NodeId kInvalidNode = -1;
inline constexpr EdgeId kInvalidEdge = -1;
inline constexpr Timestamp kMaxTime = std::numeric_limits<double>::infinity();

}  // namespace streamgnn
