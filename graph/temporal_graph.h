// TemporalGraph: the time-indexed block store for edge streams (GNNFlow's design, DESIGN.md
// "Temporal block store").
//
// Layout. Each node owns a chain of edge blocks. A block holds parallel arrays (timestamp, edge
// id, neighbour) sorted by (timestamp, edge id). Block capacity grows geometrically per node —
// small for the long tail of low-degree nodes, large for hubs — capped at max_block_capacity.
// A per-node block table keeps every block's max timestamp and first position, so "the newest
// k edges before t" costs O(log blocks + log block + k). Every block but the tail is full.
//
// Concurrency. One writer (calls are serialised internally) and any number of readers. Readers
// take no lock: GetSnapshot() pins an epoch and reads the published version, an edge-id
// watermark W plus the eviction cutoff; a snapshot sees exactly the edges with id < W and time >=
// cutoff, however long it lives and whatever the writer does meanwhile. Blocks and tables that
// the writer replaces are freed only after every snapshot that could reach them is gone
// (graph/epoch.h).
//
// Ordering. Edge ids are assigned by AppendEdges in input order, so ids grow with arrival. An
// edge older than its node's newest edge is out of order: with OutOfOrderPolicy::kInsert it is
// merged in place by copy-on-write of the affected blocks (the slow path, counted); with
// kRefuse the whole batch is refused with an error naming the first such edge and nothing is
// stored. An edge older than the eviction cutoff is always refused. Nothing is dropped silently.
//
// Eviction. EvictBefore(t) hides every edge older than t at once (new snapshots) and frees the
// blocks holding only such edges once no older snapshot needs them, so an unbounded stream runs
// in bounded memory. eviction_window > 0 does this automatically after each batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/span.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/epoch.h"
#include "graph/graph_config.h"

namespace streamgnn::graph {

// insert | refuse (graph.out_of_order in the config).

struct TemporalGraphOptions {
  // Store each edge (u, v) for both endpoints (u sees v and v sees u). Self-loops once.
  bool undirected = true;
  OutOfOrderPolicy out_of_order = OutOfOrderPolicy::kInsert;
  // > 0: after each batch, evict edges older than (newest time seen - eviction_window).
  Timestamp eviction_window = 0;
  // Capacity of a node's first block, and the cap of geometric growth. Powers of two are not
  // required. Requires 1 <= min_block_capacity <= max_block_capacity.
  int32_t min_block_capacity = 8;
  int32_t max_block_capacity = 4096;
  // Parallelise appends over nodes when a batch has at least this many edge entries.
  int64_t parallel_append_threshold = 4096;
};

struct AppendResult {
  EdgeId first_edge_id = 0;     // the batch's edges got ids [first, first + count)
  int64_t count = 0;
  int64_t out_of_order = 0;     // of these, inserted in place (policy kInsert)
};

struct GraphStats {
  int64_t num_nodes = 0;             // id space [0, num_nodes)
  int64_t num_edges = 0;             // edges appended (ids handed out)
  int64_t num_entries = 0;           // stored (node, edge) entries, reverse entries included
  int64_t evicted_entries = 0;       // entries whose blocks were freed by eviction
  int64_t out_of_order_inserted = 0;
  int64_t out_of_order_refused = 0;  // edges in refused batches
  int64_t batches = 0;
  Timestamp newest_time = 0;
  Timestamp evict_before = 0;        // edges older than this are hidden
};

struct MemoryUsage {
  int64_t block_bytes = 0;     // block headers + edge arrays (capacity, not just size)
  int64_t table_bytes = 0;     // per-node block tables
  int64_t node_bytes = 0;      // per-node slots
  int64_t retired_bytes = 0;   // replaced structures waiting for old snapshots to end
  int64_t total() const { return block_bytes + table_bytes + node_bytes + retired_bytes; }
};

class TemporalGraph;

// One neighbour of a node: the other endpoint, the edge id and the edge time.
struct Neighbor {
  NodeId node;
  EdgeId edge;
  Timestamp time;
};

// A consistent, immutable view of the graph. Move-only; cheap to take (two atomic increments).
// Thread-safe: one snapshot may be read from many threads at once.
class Snapshot {
 public:
  Snapshot(Snapshot&& other) noexcept;
  Snapshot& operator=(Snapshot&& other) noexcept;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  ~Snapshot();

  EdgeId watermark() const { return watermark_; }   // visible edges have id < watermark
  Timestamp evict_before() const { return evict_before_; }
  NodeId num_nodes() const { return num_nodes_; }

  // The up to k newest visible edges of `node` with time strictly before t, newest first (ties:
  // larger edge id first). Writes into out[0..k) and returns how many were written.
  int Recent(NodeId node, Timestamp t, int k, Neighbor* out) const;
  // Up to k visible edges of `node` before t drawn uniformly without replacement (all of them
  // when there are at most k), newest first. Deterministic for a given rng state.
  int Uniform(NodeId node, Timestamp t, int k, core::RngStream& rng, Neighbor* out) const;
  // Batched forms for samplers: root i writes up to k neighbours to out[i*k ..) and their number
  // to counts[i]. They prefetch the next roots' node slots, block tables and blocks while
  // resolving the current one, so the pointer chase of one root overlaps the others'.
  // UniformBatch draws root i's neighbours from RngStream(seed, stream, first_item + i).
  void RecentBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                   Neighbor* out, int32_t* counts) const;
  void UniformBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                    uint64_t seed, uint64_t stream, uint64_t first_item, Neighbor* out,
                    int32_t* counts) const;
  // Number of visible edges of `node` before t.
  int64_t Degree(NodeId node, Timestamp t = kMaxTime) const;
  // All visible edges of `node` before t in ascending (time, edge id) order.
  std::vector<Neighbor> Edges(NodeId node, Timestamp t = kMaxTime) const;

 private:
  friend class TemporalGraph;
  // Where a query on one node starts: its block table and the block holding the newest edges
  // before the query time. The batched methods fill these a few roots ahead (prefetching).
  struct RootCursor;
  RootCursor Locate(NodeId node, Timestamp t) const;
  int RecentFrom(const RootCursor& c, Timestamp t, int k, Neighbor* out) const;
  int UniformFrom(const RootCursor& c, Timestamp t, int k, core::RngStream& rng,
                  Neighbor* out) const;
  template <typename One>
  void Pipelined(const NodeId* nodes, const Timestamp* times, int64_t count, One&& one) const;

  Snapshot(const TemporalGraph* graph, uint64_t epoch, EdgeId watermark, Timestamp evict_before,
           NodeId num_nodes)
      : graph_(graph), epoch_(epoch), watermark_(watermark), evict_before_(evict_before),
        num_nodes_(num_nodes) {}

  const TemporalGraph* graph_ = nullptr;
  uint64_t epoch_ = 0;
  EdgeId watermark_ = 0;
  Timestamp evict_before_ = 0;
  NodeId num_nodes_ = 0;
};

class TemporalGraph {
 public:
  explicit TemporalGraph(TemporalGraphOptions options = {});
  ~TemporalGraph();  // Requires: no live Snapshot.
  TemporalGraph(const TemporalGraph&) = delete;
  TemporalGraph& operator=(const TemporalGraph&) = delete;

  // Validates options (sizes, ranges). Use before constructing from user input.
  static Status ValidateOptions(const TemporalGraphOptions& options);

  // Appends a batch of edges (u[i], v[i], t[i]); the batch need not be sorted. Edge ids are
  // assigned in input order. Publishes the batch atomically: a snapshot sees all of it or none.
  // Errors (nothing stored): size mismatch, negative or too large id, non-finite time, edge older
  // than the eviction cutoff, out-of-order edge under kRefuse.
  StatusOr<AppendResult> AppendEdges(Span<const NodeId> src, Span<const NodeId> dst,
                                     Span<const Timestamp> time);

  // The status AppendEdges would return for this batch now, without storing anything (callers
  // that must log a batch durably before applying it check first).
  Status CheckAppend(Span<const NodeId> src, Span<const NodeId> dst,
                     Span<const Timestamp> time) const;

  // Hides every edge with time < cutoff from new snapshots and frees their blocks once older
  // snapshots are gone. A cutoff at or below the current one is a no-op.
  Status EvictBefore(Timestamp cutoff);

  // Lock-free; may be called from any thread, concurrently with the writer.
  Snapshot GetSnapshot() const;

  // Writer-consistent statistics (takes the writer lock briefly).
  GraphStats Stats() const;
  MemoryUsage Memory() const;
  const TemporalGraphOptions& options() const { return options_; }

  static constexpr int64_t kMaxNodes = int64_t{1} << 32;

 private:
  friend class Snapshot;
  struct Block;
  struct BlockTable;
  struct NodeSlot;
  struct NodeState;
  struct NodeChunk;
  struct Version {
    EdgeId watermark;
    Timestamp evict_before;
    NodeId num_nodes;
  };
  struct Entry;  // one (node, neighbour, edge, time) row of a batch being appended
  struct EvictionItem {
    Timestamp max_time;
    NodeId node;
    bool operator>(const EvictionItem& o) const { return max_time > o.max_time; }
  };

  static constexpr int kChunkBits = 14;
  static constexpr int64_t kChunkSize = int64_t{1} << kChunkBits;
  static constexpr int64_t kMaxChunks = kMaxNodes >> kChunkBits;

  static NodeChunk* EmptyChunk();
  const NodeSlot* FindSlot(NodeId node) const;  // never null (EmptyChunk's slot when absent)
  NodeSlot& SlotForWrite(NodeId node);          // requires EnsureChunk(node)
  NodeState& StateForWrite(NodeId node);        // read-only unless EnsureChunk(node)
  void EnsureChunk(NodeId node);

  Status ValidateBatch(Span<const NodeId> src, Span<const NodeId> dst,
                       Span<const Timestamp> time) const;
  // Under kRefuse: an error naming the first edge older than its endpoint's newest edge, and
  // the number of such edges; Ok under kInsert. Requires the writer lock.
  Status CheckOutOfOrder(Span<const NodeId> src, Span<const NodeId> dst, Span<const Timestamp> time,
                         int64_t* refused) const;
  // Appends one node's entries (sorted by time, edge id). Thread-safe across distinct nodes.
  void AppendToNode(NodeId node, const Entry* entries, int64_t count);
  void InsertOutOfOrder(NodeSlot& slot, NodeId node, const Entry* entries, int64_t count);
  Block* NewBlock(int32_t capacity);
  void RetireBlock(Block* block);
  void RetireTable(BlockTable* table);
  void Publish(EdgeId watermark, Timestamp evict_before, NodeId num_nodes);
  void EvictPhysically(Timestamp cutoff);
  void ApplyEvictionWindow();

  TemporalGraphOptions options_;
  EpochManager epochs_;
  std::atomic<Version*> version_;
  std::unique_ptr<std::atomic<NodeChunk*>[]> chunks_;

  // Writer state, guarded by writer_mu_.
  mutable std::mutex writer_mu_;
  std::mutex retire_mu_;  // Retire() from the parallel append loop
  NodeId num_nodes_ = 0;
  EdgeId next_edge_ = 0;
  GraphStats stats_;
  std::atomic<int64_t> block_bytes_{0};
  std::atomic<int64_t> table_bytes_{0};
  std::atomic<int64_t> entries_{0};
  std::atomic<int64_t> ooo_inserted_{0};
  int64_t node_bytes_ = 0;
  // Nodes keyed by (a lower bound of) the max time of their oldest block, for eviction without
  // scanning every node. Stale keys are refreshed lazily when popped.
  std::priority_queue<EvictionItem, std::vector<EvictionItem>, std::greater<EvictionItem>>
      eviction_queue_;
};

}  // namespace streamgnn::graph
