// Device-side layout of DeviceTemporalGraph, for the CUDA sources of graph/ and sampling/.
// Include only from .cu files.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <utility>

#include "core/cuda_util.cuh"
#include "core/status.h"

namespace streamgnn {

namespace graph {

// One block's metadata. Entries [offset, offset + size) of the arena arrays, ascending by
// (time, edge id); positions [start, start + size) of its node's sequence.
struct DeviceBlock {
  int64_t offset;
  int64_t start;
  double min_ts;
  double max_ts;
  int32_t size;
  int32_t capacity;
  int32_t prev;  // the node's previous (older) block, or -1
  int32_t pad;
};

// What kernels read. tail[v] = v's newest block or -1 (v < num_nodes).
struct DeviceGraphView {
  const double* ts = nullptr;
  const int64_t* eid = nullptr;
  const int64_t* nbr = nullptr;
  const DeviceBlock* blocks = nullptr;
  const int32_t* tail = nullptr;
  int64_t num_nodes = 0;
};

}  // namespace graph
}  // namespace streamgnn
