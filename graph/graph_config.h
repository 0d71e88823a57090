// The `graph` section of a temporal run config: the block store (graph/temporal_graph.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/config_schema.h"

namespace streamgnn::graph {

// graph.out_of_order: what the block store does with an edge older than its node's newest edge.
enum class OutOfOrderPolicy { kInsert, kRefuse };

}  // namespace streamgnn::graph

namespace streamgnn::core {
template <>
struct EnumTraits<graph::OutOfOrderPolicy> {
  static constexpr EnumName<graph::OutOfOrderPolicy> kNames[] = {
      {graph::OutOfOrderPolicy::kInsert, "insert"},
      {graph::OutOfOrderPolicy::kRefuse, "refuse"},
  };
};
}  // namespace streamgnn::core

namespace streamgnn::graph {

using core::InRange;
using core::AtLeast;

// graph: the temporal block store.
struct GraphConfig {
  bool undirected = true;
  OutOfOrderPolicy out_of_order = OutOfOrderPolicy::kInsert;
  double eviction_window = 0.0;
  int64_t min_block_capacity = 8;
  int64_t max_block_capacity = 4096;

  template <class V>
  void Visit(V& v) {
    v.Field("undirected", &undirected,
            "Store each edge for both endpoints (the reverse edge shares the edge id).");
    v.Field("out_of_order", &out_of_order,
            "An edge older than its node's newest edge is inserted in place (slow path) or "
            "refused with a count and an error; never dropped silently.");
    v.Field("eviction_window", &eviction_window,
            "Evict blocks whose edges are all older than newest time - window; 0 = keep "
            "everything.",
            AtLeast(0));
    v.Field("min_block_capacity", &min_block_capacity,
            "Edges in a node's first block; later blocks grow geometrically.", InRange(1, 1 << 20));
    v.Field("max_block_capacity", &max_block_capacity, "Upper limit of a block's capacity.",
            InRange(1, 1 << 30));
    v.Rule("max_block_capacity", "is at least min_block_capacity", [this]() -> std::string {
      if (max_block_capacity >= min_block_capacity) return "";
      return "at least min_block_capacity (" + std::to_string(min_block_capacity) + ")";
    });
  }
};

}  // namespace streamgnn::graph
