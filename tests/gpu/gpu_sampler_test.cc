// DeviceTemporalGraph + CudaTemporalSampler against the CPU block store and sampler.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "datasets/synthetic.h"
#include "graph/temporal_graph.h"
#include "graph/temporal_graph_device.h"
#include "sampling/temporal_sampler.h"
#include "sampling/temporal_sampler_cuda.h"
#include "tests/gpu/gpu_test_util.h"

namespace streamgnn::sampling {
namespace {

// The same stream appended to the CPU store and to the device mirror, in the same batches.
struct Graphs {
  graph::TemporalGraph cpu;
  std::unique_ptr<graph::DeviceTemporalGraph> gpu;
  std::vector<NodeId> roots;
  std::vector<Timestamp> times;

  Graphs(const datasets::TemporalDataset& ds, int64_t batch, bool undirected, int min_block)
      : cpu(Options(undirected, min_block)) {
    graph::DeviceTemporalGraphOptions o;
    o.undirected = undirected;
    o.min_block_capacity = min_block;
    o.initial_entry_capacity = 64;  // force arena growth
    auto created = graph::DeviceTemporalGraph::Create(o);
    SG_CHECK(created.ok(), created.status().ToString());
    gpu = std::move(created).value();
    for (int64_t b = 0; b < ds.num_events(); b += batch) {
      const int64_t n = std::min(batch, ds.num_events() - b);
      Span<const NodeId> s(ds.src.data() + b, n), d(ds.dst.data() + b, n);
      Span<const Timestamp> t(ds.ts.data() + b, n);
      auto c = cpu.AppendEdges(s, d, t);
      auto g = gpu->AppendEdges(s, d, t);
      SG_CHECK(c.ok() && g.ok(), g.status().ToString());
      SG_CHECK(c->first_edge_id == g->first_edge_id, "edge ids differ");
    }
    std::mt19937_64 gen(17);
    for (int i = 0; i < 3000; ++i) {
      const int64_t e = static_cast<int64_t>(gen() % ds.num_events());
      roots.push_back(i % 211 == 0 ? ds.num_nodes + 5 : (i % 2 ? ds.src[e] : ds.dst[e]));
      times.push_back(ds.ts[e] + (i % 3 == 0 ? 0.0 : 0.5));  // ties at the root time too
    }
  }
  static graph::TemporalGraphOptions Options(bool undirected, int min_block) {
    graph::TemporalGraphOptions o;
    o.undirected = undirected;
    o.min_block_capacity = min_block;
    return o;
  }
};

void ExpectSameResult(const SampleResult& cpu, const SampleResult& gpu) {
  ASSERT_EQ(cpu.layers.size(), gpu.layers.size());
  for (size_t l = 0; l < cpu.layers.size(); ++l) {
    const SampledBlock& a = cpu.layers[l];
    const SampledBlock& b = gpu.layers[l];
    ASSERT_EQ(a.root_nodes, b.root_nodes) << "layer " << l;
    ASSERT_EQ(a.root_times, b.root_times) << "layer " << l;
    ASSERT_EQ(a.offsets, b.offsets) << "layer " << l;
    ASSERT_EQ(a.neighbors, b.neighbors) << "layer " << l;
    ASSERT_EQ(a.edges, b.edges) << "layer " << l;
    ASSERT_EQ(a.times, b.times) << "layer " << l;
    ASSERT_EQ(a.dt, b.dt) << "layer " << l;
  }
}

datasets::TemporalDataset Ties(int64_t nodes, int64_t edges, uint64_t seed) {
  datasets::TemporalDataset ds = datasets::GenerateZipfStream(nodes, edges, 1.0, seed);
  for (int64_t i = 0; i < edges; ++i) ds.ts[i] = static_cast<double>(i / 4);  // equal times
  return ds;
}

TEST(DeviceTemporalGraph, MirrorsTheCpuStore) {
  SG_REQUIRE_GPU();
  const datasets::TemporalDataset ds = Ties(500, 20000, 1);
  Graphs g(ds, 777, true, 2);
  const graph::Snapshot snap = g.cpu.GetSnapshot();
  EXPECT_EQ(g.gpu->num_edges(), ds.num_events());
  EXPECT_EQ(g.gpu->num_nodes(), snap.num_nodes());
  EXPECT_EQ(g.gpu->num_entries(), g.cpu.Stats().num_entries);
  EXPECT_GT(g.gpu->num_blocks(), g.gpu->num_nodes());  // hubs own several blocks
  EXPECT_GT(g.gpu->device_bytes(), 0);
  for (NodeId v = 0; v < ds.num_nodes; ++v) {
    auto dev = g.gpu->Edges(v);
    ASSERT_TRUE(dev.ok()) << dev.status().ToString();
    const std::vector<graph::Neighbor> cpu = snap.Edges(v);
    ASSERT_EQ(dev->size(), cpu.size()) << "node " << v;
    for (size_t i = 0; i < cpu.size(); ++i) {
      ASSERT_EQ((*dev)[i].node, cpu[i].node);
      ASSERT_EQ((*dev)[i].edge, cpu[i].edge);
      ASSERT_EQ((*dev)[i].time, cpu[i].time);
    }
  }
}

TEST(DeviceTemporalGraph, RefusesOutOfOrderAndBadInput) {
  SG_REQUIRE_GPU();
  auto g = graph::DeviceTemporalGraph::Create();
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const std::vector<NodeId> s = {0, 1}, d = {1, 2};
  const std::vector<Timestamp> t = {5, 6};
  ASSERT_TRUE((*g)->AppendEdges(s, d, t).ok());
  const std::vector<NodeId> s2 = {2}, d2 = {3};
  const std::vector<Timestamp> old = {1};  // node 2's newest edge is at 6
  auto r = (*g)->AppendEdges(s2, d2, old);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*g)->num_edges(), 2);
  EXPECT_EQ((*g)->num_nodes(), 3);
  const std::vector<Timestamp> nan = {std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ((*g)->AppendEdges(s2, d2, nan).status().code(), StatusCode::kInvalidArgument);
  const std::vector<NodeId> neg = {-1};
  EXPECT_EQ((*g)->AppendEdges(neg, d2, t).status().code(), StatusCode::kInvalidArgument);
  // The refused batches left nothing behind: a valid append still lines up.
  const std::vector<Timestamp> later = {7};
  auto ok = (*g)->AppendEdges(s2, d2, later);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first_edge_id, 2);
  auto edges = (*g)->Edges(2);
  ASSERT_TRUE(edges.ok());
  ASSERT_EQ(edges->size(), 2u);
  EXPECT_EQ((*edges)[1].node, 3);
  graph::DeviceTemporalGraphOptions bad;
  bad.min_block_capacity = 0;
  EXPECT_EQ(graph::DeviceTemporalGraph::Create(bad).status().code(), StatusCode::kInvalidArgument);
}

struct SamplerCase {
  std::vector<int> fanouts;
  Strategy strategy;
  bool prop_time;
  bool undirected;
};

TEST(CudaTemporalSampler, EqualsTheCpuSampler) {
  SG_REQUIRE_GPU();
  const SamplerCase cases[] = {
      {{10}, Strategy::kRecent, false, true},   {{10, 10}, Strategy::kRecent, false, true},
      {{5, 3}, Strategy::kRecent, true, false}, {{10}, Strategy::kUniform, false, true},
      {{7, 4}, Strategy::kUniform, false, true}, {{25}, Strategy::kUniform, true, false},
  };
  const datasets::TemporalDataset ds = Ties(800, 30000, 2);
  for (bool undirected : {true, false}) {
    Graphs g(ds, 1000, undirected, 4);
    const graph::Snapshot snap = g.cpu.GetSnapshot();
    for (const SamplerCase& c : cases) {
      if (c.undirected != undirected) continue;
      TemporalSamplerOptions o;
      o.fanouts = c.fanouts;
      o.strategy = c.strategy;
      o.prop_time = c.prop_time;
      o.seed = 99;
      auto cpu = TemporalSampler::Create(o);
      auto gpu = CudaTemporalSampler::Create(o);
      ASSERT_TRUE(cpu.ok() && gpu.ok()) << gpu.status().ToString();
      for (uint64_t batch : {0ull, 7ull}) {
        SampleResult a, b;
        cpu->Sample(snap, g.roots, g.times, batch, &a);
        const Status s = (*gpu)->Sample(*g.gpu, g.roots, g.times, batch, &b);
        ASSERT_TRUE(s.ok()) << s.ToString();
        SCOPED_TRACE(std::string(StrategyName(c.strategy)) + " layers " +
                     std::to_string(c.fanouts.size()) + " batch " + std::to_string(batch));
        ExpectSameResult(a, b);
        EXPECT_EQ((*gpu)->last_total_sampled(), a.total_sampled());
        EXPECT_GT(a.total_sampled(), 0);
      }
    }
  }
}

TEST(CudaTemporalSampler, EqualsTheCpuSamplerOnW1) {
  SG_REQUIRE_GPU();
  // A slice of workload W1 (Zipf endpoints), sampled as the benchmark does.
  const datasets::TemporalDataset ds = datasets::GenerateZipfStream(20000, 200000, 1.0, 1);
  Graphs g(ds, 10000, true, 8);
  const graph::Snapshot snap = g.cpu.GetSnapshot();
  for (Strategy strategy : {Strategy::kRecent, Strategy::kUniform}) {
    TemporalSamplerOptions o;
    o.fanouts = {10, 10};
    o.strategy = strategy;
    auto cpu = TemporalSampler::Create(o);
    auto gpu = CudaTemporalSampler::Create(o);
    ASSERT_TRUE(gpu.ok());
    std::vector<NodeId> roots;
    std::vector<Timestamp> times;
    for (int64_t i = 150000; i < 151000; ++i) {
      roots.push_back(ds.src[i]);
      roots.push_back(ds.dst[i]);
      times.push_back(ds.ts[i]);
      times.push_back(ds.ts[i]);
    }
    SampleResult a, b;
    cpu->Sample(snap, roots, times, 3, &a);
    ASSERT_TRUE((*gpu)->Sample(*g.gpu, roots, times, 3, &b).ok());
    ExpectSameResult(a, b);
  }
}

TEST(CudaTemporalSampler, EmptyAndMismatchedInput) {
  SG_REQUIRE_GPU();
  auto g = graph::DeviceTemporalGraph::Create();
  ASSERT_TRUE(g.ok());
  TemporalSamplerOptions o;
  o.fanouts = {4, 4};
  auto sampler = CudaTemporalSampler::Create(o);
  ASSERT_TRUE(sampler.ok());
  SampleResult out;
  // No edges, no roots: empty layers, no error.
  ASSERT_TRUE((*sampler)->Sample(**g, {}, {}, 0, &out).ok());
  ASSERT_EQ(out.layers.size(), 2u);
  EXPECT_EQ(out.layers[0].offsets, std::vector<int64_t>{0});
  const std::vector<NodeId> roots = {0, 1};
  const std::vector<Timestamp> times = {1.0};
  EXPECT_EQ((*sampler)->Sample(**g, roots, times, 0, &out).code(), StatusCode::kInvalidArgument);
  o.fanouts = {};
  EXPECT_EQ(CudaTemporalSampler::Create(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace streamgnn::sampling
