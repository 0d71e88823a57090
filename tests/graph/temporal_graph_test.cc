#include "graph/temporal_graph.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "tests/testing/reference_graph.h"

namespace streamgnn::graph {
namespace {

using testing::ReferenceGraph;
using testing::SameNeighbors;

std::vector<Neighbor> RecentOf(const Snapshot& s, NodeId node, Timestamp t, int k) {
  std::vector<Neighbor> out(k);
  out.resize(s.Recent(node, t, k, out.data()));
  return out;
}

struct StreamCase {
  const char* name;
  bool undirected;
  int32_t min_block, max_block;
  double out_of_order_rate;  // fraction of edges that jump back in time
  bool evict;
};

class RandomStreamTest : public ::testing::TestWithParam<StreamCase> {};

// Batched inserts with out-of-order edges and evictions: the store's neighbour lists equal the
// brute-force reference before every probed time.
TEST_P(RandomStreamTest, MatchesBruteForce) {
  const StreamCase& c = GetParam();
  TemporalGraphOptions options;
  options.undirected = c.undirected;
  options.min_block_capacity = c.min_block;
  options.max_block_capacity = c.max_block;
  options.parallel_append_threshold = 64;  // exercise the parallel path too
  TemporalGraph graph(options);
  ReferenceGraph ref(c.undirected);
  std::mt19937_64 gen(42);
  const NodeId kNodes = 40;
  Timestamp clock = 0, evicted = -INFINITY;
  int64_t expected_ooo = 0;
  for (int batch = 0; batch < 60; ++batch) {
    const int n = 1 + static_cast<int>(gen() % 120);
    std::vector<NodeId> src(n), dst(n);
    std::vector<Timestamp> ts(n);
    for (int i = 0; i < n; ++i) {
      src[i] = static_cast<NodeId>(gen() % kNodes);
      dst[i] = static_cast<NodeId>(gen() % kNodes);
      if (std::uniform_real_distribution<double>(0, 1)(gen) < c.out_of_order_rate) {
        // Back in time, but never before the eviction cutoff.
        const double lo = std::isinf(evicted) ? 0.0 : evicted;
        ts[i] = lo + std::uniform_real_distribution<double>(0, 1)(gen) * (clock - lo);
      } else {
        clock += static_cast<double>(gen() % 3);  // ties on purpose
        ts[i] = clock;
      }
    }
    // Count what the store will call out of order: older than the node's newest stored edge.
    std::vector<Timestamp> newest(kNodes, -INFINITY);
    for (const auto& e : ref.edges()) {
      newest[e.src] = std::max(newest[e.src], e.time);
      if (c.undirected) newest[e.dst] = std::max(newest[e.dst], e.time);
    }
    for (int i = 0; i < n; ++i) {
      if (ts[i] < newest[src[i]]) ++expected_ooo;
      if (c.undirected && dst[i] != src[i] && ts[i] < newest[dst[i]]) ++expected_ooo;
    }
    auto result = graph.AppendEdges(src, dst, ts);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->first_edge_id, ref.size());
    for (int i = 0; i < n; ++i) ref.Add(src[i], dst[i], ts[i]);
    if (c.evict && batch % 10 == 9) {
      evicted = clock * 0.5;
      ASSERT_TRUE(graph.EvictBefore(evicted).ok());
    }
    Snapshot snap = graph.GetSnapshot();
    ASSERT_EQ(snap.watermark(), ref.size());
    // The batched, prefetching entry point (tail shortcut, table path, fallbacks) over many
    // roots at once, including absent nodes.
    {
      const int kRoots = 64, k = 4;
      std::vector<NodeId> nodes(kRoots);
      std::vector<Timestamp> times(kRoots);
      for (int r = 0; r < kRoots; ++r) {
        nodes[r] = static_cast<NodeId>(gen() % (kNodes + 2)) - (r == 7 ? 100 : 0);
        times[r] = r % 3 == 0 ? clock + 1 : std::uniform_real_distribution<double>(0, clock + 2)(gen);
      }
      std::vector<Neighbor> out(kRoots * k);
      std::vector<int32_t> counts(kRoots);
      snap.RecentBatch(nodes.data(), times.data(), kRoots, k, out.data(), counts.data());
      for (int r = 0; r < kRoots; ++r) {
        std::vector<Neighbor> got(out.begin() + r * k, out.begin() + r * k + counts[r]);
        ASSERT_TRUE(SameNeighbors(got, ref.Recent(nodes[r], times[r], k, snap.watermark(),
                                                  snap.evict_before())))
            << "batched root " << r << " node " << nodes[r] << " batch " << batch;
      }
    }
    for (int probe = 0; probe < 40; ++probe) {
      const NodeId node = static_cast<NodeId>(gen() % (kNodes + 2));  // includes absent nodes
      const Timestamp t = std::uniform_real_distribution<double>(0, clock + 2)(gen);
      const Timestamp probe_t = probe % 5 == 0 ? std::floor(t) : t;  // hit exact edge times
      const auto expected = ref.Edges(node, probe_t, snap.watermark(), snap.evict_before());
      ASSERT_TRUE(SameNeighbors(snap.Edges(node, probe_t), expected)) << "node " << node;
      ASSERT_EQ(snap.Degree(node, probe_t), static_cast<int64_t>(expected.size()));
      for (int k : {1, 3, 10, 1000}) {
        ASSERT_TRUE(SameNeighbors(RecentOf(snap, node, probe_t, k),
                                  ref.Recent(node, probe_t, k, snap.watermark(), snap.evict_before())))
            << "node " << node << " t " << probe_t << " k " << k << " batch " << batch;
      }
    }
  }
  const GraphStats stats = graph.Stats();
  EXPECT_EQ(stats.num_edges, ref.size());
  EXPECT_EQ(stats.out_of_order_inserted, expected_ooo);
  if (c.out_of_order_rate > 0) {
    EXPECT_GT(expected_ooo, 0);
  }
  if (c.evict) {
    EXPECT_GT(stats.evicted_entries, 0);
  }
}

const StreamCase kStreamCases[] = {
    {"in_order_directed", false, 8, 4096, 0.0, false},
    {"in_order_tiny_blocks", true, 1, 4, 0.0, false},
    {"out_of_order_directed", false, 2, 16, 0.05, false},
    {"out_of_order_undirected", true, 1, 8, 0.1, false},
    {"eviction", true, 2, 32, 0.0, true},
    {"out_of_order_and_eviction", true, 1, 8, 0.05, true},
};
INSTANTIATE_TEST_SUITE_P(Streams, RandomStreamTest, ::testing::ValuesIn(kStreamCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TemporalGraphTest, RefusePolicyStoresNothingAndCounts) {
  TemporalGraphOptions options;
  options.out_of_order = OutOfOrderPolicy::kRefuse;
  TemporalGraph graph(options);
  ASSERT_TRUE(graph.AppendEdges(std::vector<NodeId>{0, 1}, std::vector<NodeId>{1, 2},
                                std::vector<Timestamp>{10, 20})
                  .ok());
  // Edge 1 (node 2 at t=15 < its newest, 20) is out of order: the whole batch is refused.
  // CheckAppend predicts it without storing anything.
  const Status predicted = graph.CheckAppend(std::vector<NodeId>{3, 2, 4}, std::vector<NodeId>{4, 5, 5},
                                             std::vector<Timestamp>{30, 15, 31});
  EXPECT_FALSE(predicted.ok());
  EXPECT_EQ(graph.Stats().out_of_order_refused, 0);
  EXPECT_TRUE(graph.CheckAppend(std::vector<NodeId>{3}, std::vector<NodeId>{4},
                                std::vector<Timestamp>{30}).ok());
  auto r = graph.AppendEdges(std::vector<NodeId>{3, 2, 4}, std::vector<NodeId>{4, 5, 5},
                             std::vector<Timestamp>{30, 15, 31});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), predicted.message());
  EXPECT_NE(r.status().message().find("edge 1 of the batch"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("nothing stored"), std::string::npos);
  const GraphStats stats = graph.Stats();
  EXPECT_EQ(stats.num_edges, 2);
  EXPECT_EQ(stats.out_of_order_refused, 1);
  Snapshot s = graph.GetSnapshot();
  EXPECT_EQ(s.watermark(), 2);
  EXPECT_EQ(s.Degree(3), 0);
  EXPECT_EQ(s.Degree(2), 1);
  // A later valid batch is unaffected.
  ASSERT_TRUE(graph.AppendEdges(std::vector<NodeId>{3}, std::vector<NodeId>{4},
                                std::vector<Timestamp>{30})
                  .ok());
}

TEST(TemporalGraphTest, BadBatchesAreRefusedWhole) {
  TemporalGraph graph;
  struct Case {
    std::vector<NodeId> src, dst;
    std::vector<Timestamp> ts;
    const char* expect;
  };
  const Case cases[] = {
      {{0, 1}, {1}, {1, 2}, "differ in length"},
      {{0, -1}, {1, 2}, {1, 2}, "edge 1 of the batch: node id -1"},
      {{0, 1}, {1, 2}, {1, NAN}, "not a finite number"},
      {{0, 1}, {1, 2}, {1, INFINITY}, "not a finite number"},
      {{0, TemporalGraph::kMaxNodes}, {1, 2}, {1, 2}, "outside"},
  };
  for (const Case& c : cases) {
    auto r = graph.AppendEdges(c.src, c.dst, c.ts);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(graph.Stats().num_edges, 0);
  ASSERT_TRUE(graph.EvictBefore(5).ok());
  auto r = graph.AppendEdges(std::vector<NodeId>{0}, std::vector<NodeId>{1}, std::vector<Timestamp>{4});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("eviction cutoff"), std::string::npos);
}

TEST(TemporalGraphTest, OldSnapshotIsStableAcrossAppendsAndEviction) {
  TemporalGraphOptions options;
  options.min_block_capacity = 2;
  options.max_block_capacity = 2;
  TemporalGraph graph(options);
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> ts;
  for (int i = 0; i < 100; ++i) {
    src.push_back(0);
    dst.push_back(1 + i % 7);
    ts.push_back(i);
  }
  ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
  Snapshot old = graph.GetSnapshot();
  const std::vector<Neighbor> before = old.Edges(0);
  ASSERT_EQ(before.size(), 100u);
  const int64_t bytes_full = graph.Memory().block_bytes;

  ASSERT_TRUE(graph.EvictBefore(90).ok());
  ASSERT_TRUE(graph.AppendEdges(std::vector<NodeId>{0, 0}, std::vector<NodeId>{3, 50},
                                std::vector<Timestamp>{95.5, 100})
                  .ok());
  // The old snapshot still sees exactly its 100 edges: nothing freed under it.
  EXPECT_TRUE(SameNeighbors(old.Edges(0), before));
  Snapshot fresh = graph.GetSnapshot();
  EXPECT_EQ(fresh.Edges(0).size(), 10u + 2u);
  EXPECT_EQ(fresh.Degree(0, 95.5), 6);  // 90..95
  EXPECT_EQ(fresh.Edges(50).size(), 1u);

  // Once the old snapshot is gone, the evicted blocks are freed by later writer activity.
  old = std::move(fresh);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(graph.AppendEdges(std::vector<NodeId>{0}, std::vector<NodeId>{9},
                                  std::vector<Timestamp>{101.0 + i})
                    .ok());
  }
  { Snapshot drop = std::move(old); }
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(graph.AppendEdges(std::vector<NodeId>{0}, std::vector<NodeId>{9},
                                  std::vector<Timestamp>{110.0 + i})
                    .ok());
  }
  EXPECT_LT(graph.Memory().block_bytes, bytes_full / 2);
  EXPECT_EQ(graph.Memory().retired_bytes < 4096, true);
  EXPECT_GE(graph.Stats().evicted_entries, 88);
}

TEST(TemporalGraphTest, EvictionWindowBoundsMemoryOnAnEndlessStream) {
  TemporalGraphOptions options;
  options.eviction_window = 100;
  options.max_block_capacity = 64;
  TemporalGraph graph(options);
  std::mt19937_64 gen(7);
  int64_t peak_after_warmup = 0;
  for (int batch = 0; batch < 400; ++batch) {
    std::vector<NodeId> src(100), dst(100);
    std::vector<Timestamp> ts(100);
    for (int i = 0; i < 100; ++i) {
      src[i] = gen() % 500;
      dst[i] = gen() % 500;
      ts[i] = batch * 10.0 + i * 0.1;
    }
    ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
    if (batch == 100) peak_after_warmup = graph.Memory().total();
  }
  // 40k edges streamed, ~1k in the window: memory stays near the warm-up level.
  EXPECT_LT(graph.Memory().total(), 2 * peak_after_warmup);
  Snapshot s = graph.GetSnapshot();
  int64_t visible = 0;
  for (NodeId v = 0; v < 500; ++v) visible += s.Degree(v);
  EXPECT_LE(visible, 2 * 1100);
  EXPECT_GT(visible, 2 * 900);
}

// Nodes of very different rates under a window: a slow node's blocks are sized by what it holds
// now, not by all it ever had, so its history is evicted too. (Sized by its total degree, each
// of the 1,000 slow nodes below kept all of its ~20 edges while the window holds at most one:
// retained entries doubled from batch 5,000 to 20,000, and a Zipf stream grew without bound.)
TEST(TemporalGraphTest, EvictionWindowBoundsMemoryForSlowNodesToo) {
  TemporalGraphOptions options;
  options.eviction_window = 50;
  options.min_block_capacity = 1;
  TemporalGraph graph(options);
  int64_t after_warmup = 0;
  for (int batch = 0; batch < 20000; ++batch) {
    std::vector<NodeId> src(100, 0), dst(100);
    std::vector<Timestamp> ts(100, static_cast<Timestamp>(batch));
    for (int i = 0; i < 99; ++i) dst[i] = 1 + i;  // the hub's edges
    src[99] = 1000 + batch % 1000;                  // one slow node's edge, every 1,000 batches
    dst[99] = 100;
    ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
    if (batch == 5000) after_warmup = graph.Stats().num_entries;
  }
  EXPECT_LT(graph.Stats().num_entries, after_warmup * 5 / 4)
      << "retained entries grew from " << after_warmup;
}

TEST(TemporalGraphTest, UniformDrawsDistinctVisibleEdges) {
  TemporalGraph graph;
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> ts;
  for (int i = 0; i < 50; ++i) {
    src.push_back(0);
    dst.push_back(100 + i);
    ts.push_back(i);
  }
  ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
  Snapshot s = graph.GetSnapshot();
  core::RngStream rng(1, 2, 3);
  Neighbor out[20];
  const int got = s.Uniform(0, 30, 20, rng, out);
  ASSERT_EQ(got, 20);
  for (int i = 0; i < got; ++i) {
    EXPECT_LT(out[i].time, 30);
    if (i > 0) {
      EXPECT_GT(out[i - 1].time, out[i].time);  // distinct, newest first
    }
  }
  // Fewer candidates than k: all of them, newest first.
  EXPECT_EQ(s.Uniform(0, 5, 20, rng, out), 5);
  EXPECT_EQ(out[0].time, 4);
}

// One writer appends (with out-of-order edges) while readers sample: every read equals the
// reference restricted to the snapshot's watermark. Run under the tsan preset.
TEST(TemporalGraphConcurrencyTest, ReadersSeeConsistentSnapshots) {
  TemporalGraphOptions options;
  options.min_block_capacity = 1;
  options.max_block_capacity = 16;
  options.parallel_append_threshold = 128;
  TemporalGraph graph(options);
  ReferenceGraph ref(true);
  std::mt19937_64 gen(3);
  const NodeId kNodes = 64;
  std::vector<std::vector<NodeId>> srcs, dsts;
  std::vector<std::vector<Timestamp>> tss;
  Timestamp clock = 0;
  for (int b = 0; b < 150; ++b) {
    std::vector<NodeId> s(50), d(50);
    std::vector<Timestamp> t(50);
    for (int i = 0; i < 50; ++i) {
      s[i] = gen() % kNodes;
      d[i] = gen() % kNodes;
      clock += 1;
      t[i] = (gen() % 20 == 0) ? clock * 0.9 : clock;
      ref.Add(s[i], d[i], t[i]);
    }
    srcs.push_back(s);
    dsts.push_back(d);
    tss.push_back(t);
  }
  std::atomic<bool> done{false};
  std::atomic<int> started{0};
  std::atomic<int64_t> checks{0}, failures{0};
  auto reader = [&](uint64_t seed) {
    std::mt19937_64 rgen(seed);
    started.fetch_add(1);
    // Read while the writer runs, and a few rounds more on the final graph.
    for (int after = 0; after < 20; after += done.load() ? 1 : 0) {
      Snapshot snap = graph.GetSnapshot();
      for (int p = 0; p < 8; ++p) {
        const NodeId node = rgen() % kNodes;
        const Timestamp t = static_cast<Timestamp>(rgen() % 8000);
        std::vector<Neighbor> got(10);
        got.resize(snap.Recent(node, t, 10, got.data()));
        if (!SameNeighbors(got, ref.Recent(node, t, 10, snap.watermark(), snap.evict_before()))) {
          failures.fetch_add(1);
        }
        core::RngStream rng(seed, p, node);
        Neighbor u[5];
        const int nu = snap.Uniform(node, t, 5, rng, u);
        const int64_t deg = snap.Degree(node, t);
        if (nu != std::min<int64_t>(5, deg)) failures.fetch_add(1);
        for (int i = 0; i < nu; ++i) {
          if (u[i].edge >= snap.watermark() || u[i].time >= t) failures.fetch_add(1);
        }
        checks.fetch_add(1);
      }
    }
  };
  std::thread r1(reader, 11), r2(reader, 12), r3(reader, 13);
  while (started.load() < 3) std::this_thread::yield();
  for (size_t b = 0; b < srcs.size(); ++b) {
    ASSERT_TRUE(graph.AppendEdges(srcs[b], dsts[b], tss[b]).ok());
  }
  done.store(true);
  r1.join();
  r2.join();
  r3.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(checks.load(), 0);
  EXPECT_GT(graph.Stats().out_of_order_inserted, 0);
}

TEST(TemporalGraphTest, MemoryAccountingTracksBlocks) {
  TemporalGraph graph;
  EXPECT_EQ(graph.Memory().block_bytes, 0);
  std::vector<NodeId> src(1000), dst(1000);
  std::vector<Timestamp> ts(1000);
  for (int i = 0; i < 1000; ++i) {
    src[i] = i % 10;
    dst[i] = 10 + i % 13;
    ts[i] = i;
  }
  ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
  const MemoryUsage m = graph.Memory();
  // 2000 entries at 24 bytes each, at most doubled by geometric growth.
  EXPECT_GE(m.block_bytes, 2000 * 24);
  EXPECT_LE(m.block_bytes, 2 * 2000 * 24 + 23 * 64);
  EXPECT_GT(m.table_bytes, 0);
  EXPECT_EQ(graph.Stats().num_entries, 2000);
}

// Node slots are allocated per chunk of touched ids: one edge of the largest id costs two
// chunks (its ends'), not the ~100 GB of every chunk below it, and the untouched ids between
// read as nodes without edges (the service's --max-nodes defaults to this limit).
TEST(TemporalGraphTest, FarApartNodeIdsCostOnlyTheirChunks) {
  TemporalGraph graph;
  const NodeId far = TemporalGraph::kMaxNodes - 1;
  const std::vector<NodeId> src = {0, far}, dst = {far, 5};
  const std::vector<Timestamp> ts = {1, 2};
  ASSERT_TRUE(graph.AppendEdges(src, dst, ts).ok());
  EXPECT_LE(graph.Memory().node_bytes, 2 * 1024 * 1024);
  const Snapshot snap = graph.GetSnapshot();
  EXPECT_EQ(snap.num_nodes(), far + 1);
  EXPECT_EQ(snap.Degree(far, 10), 2);
  EXPECT_EQ(snap.Degree(0, 10), 1);
  EXPECT_EQ(snap.Degree(far / 2, 10), 0);
  EXPECT_TRUE(snap.Edges(far / 2, 10).empty());
  ASSERT_EQ(snap.Edges(5, 10).size(), 1u);
  EXPECT_EQ(snap.Edges(5, 10)[0].node, far);
}

TEST(TemporalGraphTest, InvalidOptionsAreReported) {
  TemporalGraphOptions o;
  o.min_block_capacity = 0;
  EXPECT_FALSE(TemporalGraph::ValidateOptions(o).ok());
  o = {};
  o.max_block_capacity = 4;
  o.min_block_capacity = 8;
  EXPECT_FALSE(TemporalGraph::ValidateOptions(o).ok());
  o = {};
  o.eviction_window = -1;
  EXPECT_FALSE(TemporalGraph::ValidateOptions(o).ok());
  EXPECT_TRUE(TemporalGraph::ValidateOptions({}).ok());
}

}  // namespace
}  // namespace streamgnn::graph
