#include "graph/temporal_graph.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>

namespace streamgnn::graph {
namespace {

constexpr Timestamp kNoTime = -std::numeric_limits<Timestamp>::infinity();

int32_t NextPow2(int64_t x) {
  int64_t p = 1;
  while (p < x && p < (int64_t{1} << 30)) p <<= 1;
  return static_cast<int32_t>(p);
}

std::string FormatTime(Timestamp t) {
  std::ostringstream os;
  os.precision(17);
  os << t;
  return os.str();
}

}  // namespace

// A run of one node's edges in ascending (time, edge id) order. Allocated as one piece: the
// header, then `capacity` timestamps (searched by binary search), then `capacity` (neighbour,
// edge id) pairs, interleaved so that copying a sampled edge touches one array, not two.
// Slots [0, size) are immutable once
// published (size is stored with release after they are written); only the tail block of a node
// grows, and every non-tail block is full.
struct TemporalGraph::Block {
  struct Link {
    NodeId nbr;
    EdgeId eid;
  };
  int32_t capacity;
  std::atomic<int32_t> size;

  static size_t Bytes(int32_t capacity) {
    return sizeof(Block) + static_cast<size_t>(capacity) * (sizeof(Timestamp) + 2 * sizeof(EdgeId));
  }
  Timestamp* ts() { return reinterpret_cast<Timestamp*>(this + 1); }
  Link* links() { return reinterpret_cast<Link*>(ts() + capacity); }
  const Timestamp* ts() const { return reinterpret_cast<const Timestamp*>(this + 1); }
  const Link* links() const { return reinterpret_cast<const Link*>(ts() + capacity); }
};

// A node's blocks in time order with each block's max time and first position. Entries
// [0, count) are immutable except the tail's max time; new blocks are written past `count` and
// then published by storing count with release. Replacing a block (out-of-order insert,
// eviction) builds a new table.
struct TemporalGraph::BlockTable {
  // One entry per block, interleaved so that a node with one or two blocks has its whole index
  // in one cache line.
  struct Entry {
    std::atomic<Timestamp> max_ts;  // only the tail's grows
    Block* block;
    int64_t start;  // position of the block's first edge among the node's edges
  };
  int32_t capacity;
  std::atomic<int32_t> count;
  // Set in every table of a node that took an out-of-order insert: its edge ids then no longer
  // ascend with position, so readers filter by watermark entry by entry. Immutable.
  int32_t foreign;
  int32_t unused;

  static size_t Bytes(int32_t capacity) {
    return sizeof(BlockTable) + static_cast<size_t>(capacity) * sizeof(Entry);
  }
  Entry& at(int32_t b) { return reinterpret_cast<Entry*>(this + 1)[b]; }
  const Entry& at(int32_t b) const { return reinterpret_cast<const Entry*>(this + 1)[b]; }
  Timestamp max_ts(int32_t b) const { return at(b).max_ts.load(std::memory_order_relaxed); }

  // First block whose max time is >= t, or n.
  int32_t FirstBlockAtOrAfter(int32_t n, Timestamp t) const {
    // Most nodes have one or two blocks, and most queries land in the newest.
    if (n == 1 || max_ts(n - 2) < t) return max_ts(n - 1) < t ? n : n - 1;
    int32_t lo = 0, hi = n - 1;
    while (lo < hi) {
      const int32_t mid = (lo + hi) / 2;
      if (max_ts(mid) < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
};

// What readers see of a node: one pointer, so the per-node index stays as dense as a CSR's.
struct TemporalGraph::NodeSlot {
  std::atomic<BlockTable*> table{nullptr};
};

// What only the writer needs of a node, kept apart from the readers' slots.
struct TemporalGraph::NodeState {
  Timestamp newest = kNoTime;  // newest edge time ever appended (out-of-order detection)
};

struct TemporalGraph::NodeChunk {
  NodeSlot slots[kChunkSize];
  NodeState states[kChunkSize];
};

struct TemporalGraph::Entry {
  NodeId node;
  NodeId nbr;
  EdgeId eid;
  Timestamp ts;
};

// ---- construction ---------------------------------------------------------------------------

TemporalGraph::TemporalGraph(TemporalGraphOptions options)
    : options_(options),
      version_(new Version{0, kNoTime, 0}),
      chunks_(new std::atomic<NodeChunk*>[kMaxChunks]) {
  SG_CHECK(ValidateOptions(options_).ok(), ValidateOptions(options_).ToString());
  for (int64_t c = 0; c < kMaxChunks; ++c) chunks_[c].store(EmptyChunk(), std::memory_order_relaxed);
  stats_.evict_before = kNoTime;
}

TemporalGraph::~TemporalGraph() {
  // Run pending reclaims (including deferred evictions) while the graph is still whole.
  while (epochs_.pending_count() > 0) epochs_.TryReclaim();
  for (int64_t c = 0; c < kMaxChunks; ++c) {
    NodeChunk* chunk = chunks_[c].load(std::memory_order_relaxed);
    if (chunk == EmptyChunk()) continue;
    for (int64_t i = 0; i < kChunkSize; ++i) {
      BlockTable* table = chunk->slots[i].table.load(std::memory_order_relaxed);
      if (!table) continue;
      const int32_t n = table->count.load(std::memory_order_relaxed);
      for (int32_t b = 0; b < n; ++b) std::free(table->at(b).block);
      std::free(table);
    }
    delete chunk;
  }
  delete version_.load();
}

Status TemporalGraph::ValidateOptions(const TemporalGraphOptions& o) {
  if (o.min_block_capacity < 1 || o.min_block_capacity > (1 << 24)) {
    return Status::InvalidArgument("min_block_capacity must be in [1, 2^24], got " +
                                   std::to_string(o.min_block_capacity));
  }
  if (o.max_block_capacity < o.min_block_capacity || o.max_block_capacity > (1 << 24)) {
    return Status::InvalidArgument("max_block_capacity must be in [min_block_capacity, 2^24], got " +
                                   std::to_string(o.max_block_capacity));
  }
  if (!(o.eviction_window >= 0) || std::isinf(o.eviction_window)) {
    return Status::InvalidArgument("eviction_window must be a finite number >= 0");
  }
  return Status::Ok();
}

// ---- node slots -----------------------------------------------------------------------------

// Chunks no node of which has had an edge all point to this one, never written: a slot there
// has no table and a state no newest time. So a node id far beyond the others costs one chunk,
// not every chunk below it (one edge of node 2^32 - 1 would otherwise allocate ~100 GB), and
// readers need no null check.
TemporalGraph::NodeChunk* TemporalGraph::EmptyChunk() {
  static NodeChunk* const empty = new NodeChunk();
  return empty;
}

const TemporalGraph::NodeSlot* TemporalGraph::FindSlot(NodeId node) const {
  return &chunks_[node >> kChunkBits].load(std::memory_order_acquire)->slots[node & (kChunkSize - 1)];
}

TemporalGraph::NodeSlot& TemporalGraph::SlotForWrite(NodeId node) {
  return chunks_[node >> kChunkBits].load(std::memory_order_relaxed)->slots[node & (kChunkSize - 1)];
}

TemporalGraph::NodeState& TemporalGraph::StateForWrite(NodeId node) {
  return chunks_[node >> kChunkBits].load(std::memory_order_relaxed)->states[node & (kChunkSize - 1)];
}

void TemporalGraph::EnsureChunk(NodeId node) {
  std::atomic<NodeChunk*>& chunk = chunks_[node >> kChunkBits];
  if (chunk.load(std::memory_order_relaxed) != EmptyChunk()) return;
  chunk.store(new NodeChunk(), std::memory_order_release);
  node_bytes_ += static_cast<int64_t>(sizeof(NodeChunk));
}

// ---- allocation and retirement --------------------------------------------------------------

TemporalGraph::Block* TemporalGraph::NewBlock(int32_t capacity) {
  const size_t bytes = Block::Bytes(capacity);
  void* mem = std::malloc(bytes);
  if (!mem) throw std::bad_alloc();
  Block* b = static_cast<Block*>(mem);
  b->capacity = capacity;
  new (&b->size) std::atomic<int32_t>(0);
  block_bytes_.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  return b;
}

void TemporalGraph::RetireBlock(Block* block) {
  const int64_t bytes = static_cast<int64_t>(Block::Bytes(block->capacity));
  std::lock_guard<std::mutex> lock(retire_mu_);
  epochs_.Retire(
      [this, block, bytes] {
        std::free(block);
        block_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      },
      bytes);
}

void TemporalGraph::RetireTable(BlockTable* table) {
  const int64_t bytes = static_cast<int64_t>(BlockTable::Bytes(table->capacity));
  std::lock_guard<std::mutex> lock(retire_mu_);
  epochs_.Retire(
      [this, table, bytes] {
        std::free(table);
        table_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      },
      bytes);
}

namespace {

template <typename Table>
Table* AllocTable(int32_t capacity, std::atomic<int64_t>& table_bytes) {
  const size_t bytes = Table::Bytes(capacity);
  void* mem = std::malloc(bytes);
  if (!mem) throw std::bad_alloc();
  Table* t = static_cast<Table*>(mem);
  t->capacity = capacity;
  new (&t->count) std::atomic<int32_t>(0);
  t->foreign = 0;
  t->unused = 0;
  for (int32_t i = 0; i < capacity; ++i) new (&t->at(i).max_ts) std::atomic<Timestamp>(0);
  table_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  return t;
}

}  // namespace

void TemporalGraph::Publish(EdgeId watermark, Timestamp evict_before, NodeId num_nodes) {
  Version* old = version_.exchange(new Version{watermark, evict_before, num_nodes},
                                   std::memory_order_acq_rel);
  std::lock_guard<std::mutex> lock(retire_mu_);
  epochs_.Retire([old] { delete old; }, sizeof(Version));
}

// ---- appends --------------------------------------------------------------------------------

Status TemporalGraph::ValidateBatch(Span<const NodeId> src, Span<const NodeId> dst,
                                    Span<const Timestamp> time) const {
  if (src.size() != dst.size() || src.size() != time.size()) {
    return Status::InvalidArgument("edge batch arrays differ in length: src " +
                                   std::to_string(src.size()) + ", dst " +
                                   std::to_string(dst.size()) + ", time " +
                                   std::to_string(time.size()));
  }
  const Timestamp cutoff = stats_.evict_before;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] < 0 || src[i] >= kMaxNodes || dst[i] < 0 || dst[i] >= kMaxNodes) {
      return Status::InvalidArgument("edge " + std::to_string(i) + " of the batch: node id " +
                                     std::to_string(src[i] < 0 || src[i] >= kMaxNodes ? src[i] : dst[i]) +
                                     " is outside [0, 2^32)");
    }
    if (!std::isfinite(time[i])) {
      return Status::InvalidArgument("edge " + std::to_string(i) + " of the batch: time " +
                                     FormatTime(time[i]) + " is not a finite number");
    }
    if (time[i] < cutoff) {
      return Status::InvalidArgument("edge " + std::to_string(i) + " of the batch: time " +
                                     FormatTime(time[i]) + " is older than the eviction cutoff " +
                                     FormatTime(cutoff) + "; batch refused, nothing stored");
    }
  }
  return Status::Ok();
}

Status TemporalGraph::CheckOutOfOrder(Span<const NodeId> src, Span<const NodeId> dst,
                                      Span<const Timestamp> time, int64_t* refused) const {
  *refused = 0;
  if (options_.out_of_order != OutOfOrderPolicy::kRefuse) return Status::Ok();
  auto newest = [this](NodeId v) {
    return v < num_nodes_ ? chunks_[v >> kChunkBits].load(std::memory_order_relaxed)
                                ->states[v & (kChunkSize - 1)].newest
                          : kNoTime;
  };
  int64_t first = -1;
  NodeId first_node = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    NodeId late = kInvalidNode;
    if (time[i] < newest(src[i])) {
      late = src[i];
    } else if (options_.undirected && time[i] < newest(dst[i])) {
      late = dst[i];
    }
    if (late == kInvalidNode) continue;
    ++*refused;
    if (first < 0) {
      first = static_cast<int64_t>(i);
      first_node = late;
    }
  }
  if (first < 0) return Status::Ok();
  return Status::InvalidArgument(
      "edge " + std::to_string(first) + " of the batch (" + std::to_string(src[first]) + " -> " +
      std::to_string(dst[first]) + " at time " + FormatTime(time[first]) +
      ") is older than the newest edge of node " + std::to_string(first_node) + " (time " +
      FormatTime(newest(first_node)) + ") and graph.out_of_order is 'refuse': batch of " +
      std::to_string(src.size()) + " edges refused (" + std::to_string(*refused) +
      " out of order), nothing stored");
}

Status TemporalGraph::CheckAppend(Span<const NodeId> src, Span<const NodeId> dst,
                                  Span<const Timestamp> time) const {
  std::lock_guard<std::mutex> lock(writer_mu_);
  SG_RETURN_IF_ERROR(ValidateBatch(src, dst, time));
  int64_t refused = 0;
  return CheckOutOfOrder(src, dst, time, &refused);
}

StatusOr<AppendResult> TemporalGraph::AppendEdges(Span<const NodeId> src, Span<const NodeId> dst,
                                                  Span<const Timestamp> time) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  SG_RETURN_IF_ERROR(ValidateBatch(src, dst, time));
  const int64_t n = static_cast<int64_t>(src.size());
  AppendResult result;
  result.first_edge_id = next_edge_;
  result.count = n;
  if (n == 0) return result;

  // One entry per (node, edge) pair; the reverse entry for undirected graphs.
  const bool reverse = options_.undirected;
  std::vector<Entry> entries;
  entries.reserve(reverse ? 2 * n : n);
  NodeId max_node = 0;
  Timestamp newest = stats_.newest_time;
  for (int64_t i = 0; i < n; ++i) {
    const EdgeId e = next_edge_ + i;
    entries.push_back({src[i], dst[i], e, time[i]});
    if (reverse && src[i] != dst[i]) entries.push_back({dst[i], src[i], e, time[i]});
    max_node = std::max(max_node, std::max(src[i], dst[i]));
    newest = std::max(newest, time[i]);
  }
  auto by_node_time_id = [](const Entry& a, const Entry& b) {
    if (a.node != b.node) return a.node < b.node;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.eid < b.eid;
  };
  if (static_cast<int64_t>(entries.size()) >= options_.parallel_append_threshold) {
    tbb::parallel_sort(entries.begin(), entries.end(), by_node_time_id);
  } else {
    std::sort(entries.begin(), entries.end(), by_node_time_id);
  }

  // Group boundaries, and out-of-order entries (older than their node's newest edge).
  std::vector<int64_t> group_begin;
  int64_t ooo_entries = 0;
  for (int64_t i = 0; i < static_cast<int64_t>(entries.size()); ++i) {
    if (i == 0 || entries[i].node != entries[i - 1].node) group_begin.push_back(i);
    if (entries[i].node < num_nodes_ && entries[i].ts < StateForWrite(entries[i].node).newest) {
      ++ooo_entries;
    }
  }
  group_begin.push_back(static_cast<int64_t>(entries.size()));
  if (ooo_entries > 0 && options_.out_of_order == OutOfOrderPolicy::kRefuse) {
    int64_t refused = 0;
    const Status status = CheckOutOfOrder(src, dst, time, &refused);
    stats_.out_of_order_refused += refused;
    return status;
  }

  const int64_t num_groups = static_cast<int64_t>(group_begin.size()) - 1;
  for (int64_t g = 0; g < num_groups; ++g) EnsureChunk(entries[group_begin[g]].node);
  num_nodes_ = std::max(num_nodes_, max_node + 1);
  std::vector<NodeId> first_block_nodes;  // nodes without blocks before this batch
  for (int64_t g = 0; g < num_groups; ++g) {
    const NodeId node = entries[group_begin[g]].node;
    const BlockTable* t = SlotForWrite(node).table.load(std::memory_order_relaxed);
    if (!t || t->count.load(std::memory_order_relaxed) == 0) first_block_nodes.push_back(node);
  }
  auto append_groups = [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) {
      AppendToNode(entries[group_begin[g]].node, entries.data() + group_begin[g],
                   group_begin[g + 1] - group_begin[g]);
    }
  };
  if (static_cast<int64_t>(entries.size()) >= options_.parallel_append_threshold) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_groups, 64),
                      [&](const tbb::blocked_range<int64_t>& r) { append_groups(r.begin(), r.end()); });
  } else {
    append_groups(0, num_groups);
  }
  for (NodeId node : first_block_nodes) {
    const BlockTable* t = SlotForWrite(node).table.load(std::memory_order_relaxed);
    eviction_queue_.push({t->max_ts(0), node});
  }

  next_edge_ += n;
  entries_.fetch_add(static_cast<int64_t>(entries.size()), std::memory_order_relaxed);
  result.out_of_order = ooo_entries;
  ooo_inserted_.fetch_add(ooo_entries, std::memory_order_relaxed);
  stats_.batches += 1;
  stats_.newest_time = newest;
  Publish(next_edge_, stats_.evict_before, num_nodes_);
  ApplyEvictionWindow();
  epochs_.TryReclaim();
  return result;
}

void TemporalGraph::AppendToNode(NodeId node, const Entry* entries, int64_t count) {
  NodeSlot& slot = SlotForWrite(node);
  NodeState& state = StateForWrite(node);
  // Entries are sorted by time: the out-of-order ones form a prefix.
  int64_t ooo = 0;
  while (ooo < count && entries[ooo].ts < state.newest) ++ooo;
  if (ooo > 0) InsertOutOfOrder(slot, node, entries, ooo);
  entries += ooo;
  count -= ooo;
  if (count == 0) return;

  BlockTable* table = slot.table.load(std::memory_order_relaxed);
  int64_t done = 0;
  // Fill the tail block first; its new slots become visible with the size store.
  if (table && table->count.load(std::memory_order_relaxed) > 0) {
    const int32_t tail_index = table->count.load(std::memory_order_relaxed) - 1;
    Block* tail = table->at(tail_index).block;
    const int32_t size = tail->size.load(std::memory_order_relaxed);
    const int64_t room = tail->capacity - size;
    const int64_t take = std::min<int64_t>(room, count);
    if (take > 0) {
      for (int64_t i = 0; i < take; ++i) {
        tail->ts()[size + i] = entries[i].ts;
        tail->links()[size + i].eid = entries[i].eid;
        tail->links()[size + i].nbr = entries[i].nbr;
      }
      tail->size.store(size + static_cast<int32_t>(take), std::memory_order_release);
      table->at(tail_index).max_ts.store(entries[take - 1].ts, std::memory_order_relaxed);
      done = take;
    }
  }
  // Then new blocks, each sized geometrically from the entries the node holds now. Not from
  // those it ever had: under an eviction window a node's blocks then span about one window, and
  // eviction frees its history instead of keeping up to max_block_capacity old entries a node
  // (which grew a Zipf stream's memory by ~9 bytes an edge for as long as it ran).
  while (done < count) {
    const int64_t remaining = count - done;
    const int32_t held_blocks = table ? table->count.load(std::memory_order_relaxed) : 0;
    const int64_t held =
        held_blocks == 0 ? 0
                         : table->at(held_blocks - 1).start +
                               table->at(held_blocks - 1).block->size.load(std::memory_order_relaxed);
    const int64_t want = std::max<int64_t>(remaining, held);
    const int32_t capacity = std::clamp<int32_t>(NextPow2(want), options_.min_block_capacity,
                                                 options_.max_block_capacity);
    Block* block = NewBlock(capacity);
    const int64_t take = std::min<int64_t>(capacity, remaining);
    for (int64_t i = 0; i < take; ++i) {
      block->ts()[i] = entries[done + i].ts;
      block->links()[i].eid = entries[done + i].eid;
      block->links()[i].nbr = entries[done + i].nbr;
    }
    block->size.store(static_cast<int32_t>(take), std::memory_order_relaxed);

    int32_t n = table ? table->count.load(std::memory_order_relaxed) : 0;
    if (!table || n == table->capacity) {
      BlockTable* bigger = AllocTable<BlockTable>(std::max<int32_t>(2, n * 2), table_bytes_);  // 2 entries: one cache line
      for (int32_t b = 0; b < n; ++b) {
        bigger->at(b).block = table->at(b).block;
        bigger->at(b).max_ts.store(table->max_ts(b),
                                  std::memory_order_relaxed);
        bigger->at(b).start = table->at(b).start;
      }
      bigger->count.store(n, std::memory_order_relaxed);
      bigger->foreign = table ? table->foreign : 0;
      slot.table.store(bigger, std::memory_order_release);
      if (table) RetireTable(table);
      table = bigger;
    }
    table->at(n).block = block;
    table->at(n).max_ts.store(entries[done + take - 1].ts, std::memory_order_relaxed);
    table->at(n).start =
        n == 0 ? 0 : table->at(n - 1).start + table->at(n - 1).block->size.load(std::memory_order_relaxed);
    table->count.store(n + 1, std::memory_order_release);
    done += take;
  }
  state.newest = std::max(state.newest, entries[count - 1].ts);
}

void TemporalGraph::InsertOutOfOrder(NodeSlot& slot, NodeId node, const Entry* entries,
                                     int64_t count) {
  BlockTable* table = slot.table.load(std::memory_order_relaxed);
  const int32_t n = table ? table->count.load(std::memory_order_relaxed) : 0;
  // Each entry goes into the first block whose max time is greater than its time (entries with
  // equal time and smaller id stay before it). Every block is replaced by a merged copy.
  std::vector<Block*> blocks(n);
  int64_t e = 0;
  for (int32_t b = 0; b < n; ++b) {
    Block* old = table->at(b).block;
    const Timestamp max_ts = table->max_ts(b);
    int64_t e_end = e;
    while (e_end < count && entries[e_end].ts < max_ts) ++e_end;
    if (e_end == e) {
      blocks[b] = old;
      continue;
    }
    const int32_t size = old->size.load(std::memory_order_relaxed);
    const int64_t merged = size + (e_end - e);
    const bool is_tail = b == n - 1;
    Block* block = NewBlock(static_cast<int32_t>(is_tail ? std::max<int64_t>(old->capacity, merged) : merged));
    int32_t i = 0, o = 0;
    int64_t j = e;
    while (i < size || j < e_end) {
      // Stable merge: on equal time the stored entry (smaller id) comes first.
      if (j == e_end || (i < size && old->ts()[i] <= entries[j].ts)) {
        block->ts()[o] = old->ts()[i];
        block->links()[o].eid = old->links()[i].eid;
        block->links()[o].nbr = old->links()[i].nbr;
        ++i;
      } else {
        block->ts()[o] = entries[j].ts;
        block->links()[o].eid = entries[j].eid;
        block->links()[o].nbr = entries[j].nbr;
        ++j;
      }
      ++o;
    }
    block->size.store(o, std::memory_order_relaxed);
    blocks[b] = block;
    RetireBlock(old);
    e = e_end;
  }
  SG_CHECK(e == count, "out-of-order entries beyond the node's newest edge");
  BlockTable* fresh = AllocTable<BlockTable>(table->capacity, table_bytes_);
  int64_t start = 0;
  for (int32_t b = 0; b < n; ++b) {
    fresh->at(b).block = blocks[b];
    fresh->at(b).max_ts.store(table->max_ts(b),
                             std::memory_order_relaxed);
    fresh->at(b).start = start;
    start += blocks[b]->size.load(std::memory_order_relaxed);
  }
  fresh->count.store(n, std::memory_order_relaxed);
  fresh->foreign = 1;
  slot.table.store(fresh, std::memory_order_release);
  RetireTable(table);
  (void)node;
}

// ---- eviction -------------------------------------------------------------------------------

Status TemporalGraph::EvictBefore(Timestamp cutoff) {
  if (std::isnan(cutoff)) return Status::InvalidArgument("eviction cutoff is NaN");
  std::lock_guard<std::mutex> lock(writer_mu_);
  if (cutoff <= stats_.evict_before) return Status::Ok();
  stats_.evict_before = cutoff;
  Publish(next_edge_, cutoff, num_nodes_);
  // Free the blocks only when no snapshot from before the cutoff remains.
  epochs_.Retire([this, cutoff] { EvictPhysically(cutoff); }, 0);
  epochs_.TryReclaim();
  return Status::Ok();
}

void TemporalGraph::ApplyEvictionWindow() {
  if (options_.eviction_window <= 0) return;
  const Timestamp cutoff = stats_.newest_time - options_.eviction_window;
  if (cutoff <= stats_.evict_before) return;
  stats_.evict_before = cutoff;
  Publish(next_edge_, cutoff, num_nodes_);
  epochs_.Retire([this, cutoff] { EvictPhysically(cutoff); }, 0);
}

void TemporalGraph::EvictPhysically(Timestamp cutoff) {
  while (!eviction_queue_.empty() && eviction_queue_.top().max_time < cutoff) {
    const NodeId node = eviction_queue_.top().node;
    eviction_queue_.pop();
    NodeSlot& slot = SlotForWrite(node);
    BlockTable* table = slot.table.load(std::memory_order_relaxed);
    const int32_t n = table ? table->count.load(std::memory_order_relaxed) : 0;
    if (n == 0) continue;
    int32_t drop = 0;
    while (drop < n && table->max_ts(drop) < cutoff) ++drop;
    if (drop == 0) {  // stale key: the oldest block grew past the cutoff
      eviction_queue_.push({table->max_ts(0), node});
      continue;
    }
    BlockTable* fresh = AllocTable<BlockTable>(table->capacity, table_bytes_);
    const int64_t base = table->at(drop == n ? n - 1 : drop).start;
    int64_t dropped_entries = 0;
    for (int32_t b = 0; b < drop; ++b) {
      dropped_entries += table->at(b).block->size.load(std::memory_order_relaxed);
    }
    for (int32_t b = drop; b < n; ++b) {
      fresh->at(b - drop).block = table->at(b).block;
      fresh->at(b - drop).max_ts.store(table->max_ts(b),
                                      std::memory_order_relaxed);
      fresh->at(b - drop).start = table->at(b).start - base;
    }
    fresh->count.store(n - drop, std::memory_order_relaxed);
    fresh->foreign = table->foreign;
    slot.table.store(fresh, std::memory_order_release);
    for (int32_t b = 0; b < drop; ++b) RetireBlock(table->at(b).block);
    RetireTable(table);
    stats_.evicted_entries += dropped_entries;
    if (n - drop > 0) {
      eviction_queue_.push({fresh->max_ts(0), node});
    }
  }
}

// ---- readers --------------------------------------------------------------------------------

Snapshot TemporalGraph::GetSnapshot() const {
  const uint64_t epoch = epochs_.Pin();
  const Version* v = version_.load(std::memory_order_acquire);
  return Snapshot(this, epoch, v->watermark, v->evict_before, v->num_nodes);
}

GraphStats TemporalGraph::Stats() const {
  std::lock_guard<std::mutex> lock(writer_mu_);
  GraphStats s = stats_;
  s.num_nodes = num_nodes_;
  s.num_edges = next_edge_;
  s.num_entries = entries_.load(std::memory_order_relaxed) - stats_.evicted_entries;
  s.out_of_order_inserted = ooo_inserted_.load(std::memory_order_relaxed);
  return s;
}

MemoryUsage TemporalGraph::Memory() const {
  std::lock_guard<std::mutex> lock(writer_mu_);
  MemoryUsage m;
  m.retired_bytes = epochs_.pending_bytes();
  m.block_bytes = block_bytes_.load(std::memory_order_relaxed);
  m.table_bytes = table_bytes_.load(std::memory_order_relaxed);
  m.node_bytes = node_bytes_;
  return m;
}

Snapshot::Snapshot(Snapshot&& other) noexcept { *this = std::move(other); }

Snapshot& Snapshot::operator=(Snapshot&& other) noexcept {
  if (this != &other) {
    if (graph_) graph_->epochs_.Unpin(epoch_);
    graph_ = other.graph_;
    epoch_ = other.epoch_;
    watermark_ = other.watermark_;
    evict_before_ = other.evict_before_;
    num_nodes_ = other.num_nodes_;
    other.graph_ = nullptr;
  }
  return *this;
}

Snapshot::~Snapshot() {
  if (graph_) graph_->epochs_.Unpin(epoch_);
}

struct Snapshot::RootCursor {
  NodeId node = kInvalidNode;
  const TemporalGraph::NodeSlot* slot = nullptr;
  const TemporalGraph::BlockTable* table = nullptr;
  int32_t n = 0;  // blocks in the table
  int32_t b = 0;  // first block whose max time is >= t (the last block if none)
};

Snapshot::RootCursor Snapshot::Locate(NodeId node, Timestamp t) const {
  RootCursor c;
  if (node < 0 || node >= num_nodes_) return c;
  c.node = node;
  c.slot = graph_->FindSlot(node);
  c.table = c.slot->table.load(std::memory_order_acquire);
  if (!c.table) return c;
  c.n = c.table->count.load(std::memory_order_acquire);
  if (c.n > 0) c.b = std::min(c.table->FirstBlockAtOrAfter(c.n, t), c.n - 1);
  return c;
}

int Snapshot::Recent(NodeId node, Timestamp t, int k, Neighbor* out) const {
  return RecentFrom(Locate(node, t), t, k, out);
}

int Snapshot::RecentFrom(const RootCursor& c, Timestamp t, int k, Neighbor* out) const {
  if (c.n == 0 || k <= 0) return 0;
  const auto* table = c.table;
  // Ids ascend with position unless the node took out-of-order inserts: then a range whose last
  // id is below the watermark is visible as a whole.
  const bool ascending_ids = !table->foreign;
  int got = 0;
  for (int32_t b = c.b; b >= 0; --b) {
    const auto* block = table->at(b).block;
    const int32_t size = block->size.load(std::memory_order_acquire);
    const Timestamp* ts = block->ts();
    const auto* links = block->links();
    int32_t hi = static_cast<int32_t>(std::lower_bound(ts, ts + size, t) - ts);
    if (hi == 0) continue;
    const int32_t want = k - got;
    const int32_t lo = hi > want ? hi - want : 0;
    if (ascending_ids && links[hi - 1].eid < watermark_ && ts[lo] >= evict_before_) {
      for (int32_t i = hi - 1; i >= lo; --i) out[got++] = {links[i].nbr, links[i].eid, ts[i]};
      if (got == k) return got;
      continue;
    }
    for (int32_t i = hi - 1; i >= 0; --i) {
      if (ts[i] < evict_before_) return got;
      if (links[i].eid >= watermark_) continue;
      out[got++] = {links[i].nbr, links[i].eid, ts[i]};
      if (got == k) return got;
    }
  }
  return got;
}

std::vector<Neighbor> Snapshot::Edges(NodeId node, Timestamp t) const {
  std::vector<Neighbor> result;
  if (node < 0 || node >= num_nodes_) return result;
  const auto* table = graph_->FindSlot(node)->table.load(std::memory_order_acquire);
  if (!table) return result;
  const int32_t n = table->count.load(std::memory_order_acquire);
  for (int32_t b = 0; b < n; ++b) {
    const auto* block = table->at(b).block;
    const int32_t size = block->size.load(std::memory_order_acquire);
    for (int32_t i = 0; i < size; ++i) {
      const Timestamp ts = block->ts()[i];
      if (ts >= t) return result;
      if (ts < evict_before_ || block->links()[i].eid >= watermark_) continue;
      result.push_back({block->links()[i].nbr, block->links()[i].eid, ts});
    }
  }
  return result;
}

namespace {

// Positions of one node's entries, counted across its blocks (BlockTable::Entry::start).
struct PositionRange {
  int64_t lo = 0;  // first visible position (time >= evict_before)
  int64_t hi = 0;  // one past the last visible position (time < t, id < watermark)
};

template <typename Table>
int64_t FirstPositionAtOrAfter(const Table* table, int32_t n, Timestamp t) {
  const int32_t b = table->FirstBlockAtOrAfter(n, t);
  if (b == n) {
    const auto* tail = table->at(n - 1).block;
    return table->at(n - 1).start + tail->size.load(std::memory_order_acquire);
  }
  const auto* block = table->at(b).block;
  const int32_t size = block->size.load(std::memory_order_acquire);
  const Timestamp* ts = block->ts();
  return table->at(b).start + (std::lower_bound(ts, ts + size, t) - ts);
}

// For a node whose ids ascend with position: the first position with id >= watermark.
template <typename Table>
int64_t FirstPositionAtWatermark(const Table* table, int32_t n, EdgeId watermark) {
  for (int32_t b = n - 1; b >= 0; --b) {
    const auto* block = table->at(b).block;
    const int32_t size = block->size.load(std::memory_order_acquire);
    if (size == 0) continue;
    const auto* links = block->links();
    if (links[size - 1].eid < watermark) return table->at(b).start + size;
    if (links[0].eid < watermark) {
      const auto* first = std::lower_bound(
          links, links + size, watermark, [](const auto& l, EdgeId w) { return l.eid < w; });
      return table->at(b).start + (first - links);
    }
  }
  return 0;
}

template <typename Table>
Neighbor EntryAt(const Table* table, int32_t n, int64_t position) {
  int32_t lo = 0, hi = n;  // the last block whose start is <= position
  while (hi - lo > 1) {
    const int32_t mid = (lo + hi) / 2;
    if (table->at(mid).start <= position) lo = mid; else hi = mid;
  }
  const int32_t b = lo;
  const auto* block = table->at(b).block;
  const int64_t i = position - table->at(b).start;
  return {block->links()[i].nbr, block->links()[i].eid, block->ts()[i]};
}


}  // namespace

int Snapshot::Uniform(NodeId node, Timestamp t, int k, core::RngStream& rng, Neighbor* out) const {
  return UniformFrom(Locate(node, t), t, k, rng, out);
}

int Snapshot::UniformFrom(const RootCursor& c, Timestamp t, int k, core::RngStream& rng,
                          Neighbor* out) const {
  if (c.n == 0 || k <= 0) return 0;

  const auto* table = c.table;
  const int32_t n = c.n;
  constexpr int kStackPicks = 64;
  int64_t stack_picks[kStackPicks];
  std::vector<int64_t> heap_picks;
  int64_t* picks = stack_picks;
  if (k > kStackPicks) {
    heap_picks.resize(k);
    picks = heap_picks.data();
  }

  if (table->foreign) {
    // Slow path: ids are not ascending with position, so filter entry by entry.
    const std::vector<Neighbor> all = Edges(c.node, t);
    const int64_t count = static_cast<int64_t>(all.size());
    if (count <= k) {
      for (int64_t i = 0; i < count; ++i) out[i] = all[count - 1 - i];
      return static_cast<int>(count);
    }
    core::SampleDistinctDescending(count, k, rng, picks);
    for (int i = 0; i < k; ++i) out[i] = all[picks[i]];
    return k;
  }

  // Positions [lo, hi) across the node's blocks hold the candidates; hi is found in block bh.
  auto start = [table](int32_t b) { return table->at(b).start; };
  const int32_t bh = c.b;
  int64_t hi;
  {
    const auto* block = table->at(bh).block;
    const int32_t size = block->size.load(std::memory_order_acquire);
    hi = start(bh) + (std::lower_bound(block->ts(), block->ts() + size, t) - block->ts());
  }
  if (hi > 0) {
    const Neighbor last = EntryAt(table, bh + 1, hi - 1);
    if (last.edge >= watermark_) hi = FirstPositionAtWatermark(table, n, watermark_);
  }
  const int64_t lo = evict_before_ == -std::numeric_limits<Timestamp>::infinity()
                         ? 0
                         : FirstPositionAtOrAfter(table, n, evict_before_);
  const int64_t count = hi - lo;
  if (count <= 0) return 0;
  int taken;
  if (count <= k) {
    taken = static_cast<int>(count);
    for (int i = 0; i < taken; ++i) picks[i] = count - 1 - i;
  } else {
    taken = k;
    core::SampleDistinctDescending(count, k, rng, picks);
  }
  // Picks descend: walk the blocks backwards once.
  int32_t b = std::min<int32_t>(bh, n - 1);
  for (int i = 0; i < taken; ++i) {
    const int64_t p = lo + picks[i];
    while (start(b) > p) --b;
    const auto* block = table->at(b).block;
    const int64_t j = p - start(b);
    out[i] = {block->links()[j].nbr, block->links()[j].eid, block->ts()[j]};
  }
  return taken;
}

// Runs one(i, cursor of root i) for every root. Root i + 12's node slot, i + 8's block table
// and i + 4's start block are requested ahead of use, each stage reading only what the
// previous one brought in, so the pointer chases of many roots overlap.
template <typename One>
void Snapshot::Pipelined(const NodeId* nodes, const Timestamp* times, int64_t count,
                         One&& one) const {
  constexpr int64_t kSlotAhead = 12, kTableAhead = 8, kBlockAhead = 4;
  constexpr uint64_t kRing = 16;  // > kSlotAhead: a cursor lives from its slot stage to its use
  RootCursor ring[kRing];
  auto at = [&](int64_t j) -> RootCursor& { return ring[static_cast<uint64_t>(j) & (kRing - 1)]; };
  for (int64_t i = -kSlotAhead; i < count; ++i) {
    if (const int64_t j = i + kSlotAhead; j < count) {
      RootCursor& c = at(j);
      const NodeId node = nodes[j];
      c.node = node;
      c.n = 0;
      c.b = 0;
      if (node >= 0 && node < num_nodes_) {
        c.slot = graph_->FindSlot(node);
        __builtin_prefetch(c.slot);
      } else {
        c.slot = nullptr;
      }
      c.table = nullptr;
    }
    if (const int64_t j = i + kTableAhead; j >= 0 && j < count) {
      RootCursor& c = at(j);
      if (c.slot) {
        c.table = c.slot->table.load(std::memory_order_acquire);
        // The table's first two lines (header, max times, block pointers). Reading anything
        // from it here would stall on the line being fetched. (No arithmetic on a null table:
        // that is undefined even inside a prefetch.)
        if (c.table) {
          __builtin_prefetch(c.table);
          __builtin_prefetch(reinterpret_cast<const char*>(c.table) + 64);
        }
      }
    }
    if (const int64_t j = i + kBlockAhead; j >= 0 && j < count) {
      RootCursor& c = at(j);
      if (c.table) {
        c.n = c.table->count.load(std::memory_order_acquire);
        if (c.n > 0) {
          c.b = std::min(c.table->FirstBlockAtOrAfter(c.n, times[j]), c.n - 1);
          const char* block = reinterpret_cast<const char*>(c.table->at(c.b).block);
          __builtin_prefetch(block);
          __builtin_prefetch(block + 64);
        }
      }
    }
    if (i >= 0) one(i, at(i));
  }
}

void Snapshot::RecentBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                           Neighbor* out, int32_t* counts) const {
  Pipelined(nodes, times, count, [&](int64_t i, const RootCursor& c) {
    counts[i] = RecentFrom(c, times[i], k, out + i * k);
  });
}

void Snapshot::UniformBatch(const NodeId* nodes, const Timestamp* times, int64_t count, int k,
                            uint64_t seed, uint64_t stream, uint64_t first_item, Neighbor* out,
                            int32_t* counts) const {
  Pipelined(nodes, times, count, [&](int64_t i, const RootCursor& c) {
    core::RngStream rng(seed, stream, first_item + static_cast<uint64_t>(i));
    counts[i] = UniformFrom(c, times[i], k, rng, out + i * k);
  });
}

int64_t Snapshot::Degree(NodeId node, Timestamp t) const {
  if (node < 0 || node >= num_nodes_) return 0;
  const auto* slot = graph_->FindSlot(node);
  const auto* table = slot->table.load(std::memory_order_acquire);
  if (!table) return 0;
  const int32_t n = table->count.load(std::memory_order_acquire);
  if (n == 0) return 0;
  if (table->foreign) {
    return static_cast<int64_t>(Edges(node, t).size());
  }
  const int64_t lo = FirstPositionAtOrAfter(table, n, evict_before_);
  const int64_t hi = std::min(FirstPositionAtOrAfter(table, n, t),
                              FirstPositionAtWatermark(table, n, watermark_));
  return std::max<int64_t>(0, hi - lo);
}

}  // namespace streamgnn::graph
