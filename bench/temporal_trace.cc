#include "bench/temporal_trace.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/temporal_graph.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"

namespace streamgnn::bench {

namespace {

// Appends the distinct values of `values` (first appearance order) as one batch.
void AppendBatch(const std::vector<int64_t>& values, std::unordered_map<int64_t, char>* seen,
                 features::AccessTrace* trace) {
  seen->clear();
  for (int64_t v : values) {
    if (v < 0) continue;
    if (seen->emplace(v, 1).second) trace->keys.push_back(v);
  }
  trace->batch_offsets.push_back(static_cast<int64_t>(trace->keys.size()));
}

}  // namespace

StatusOr<TemporalTraces> RecordTemporalTrace(const datasets::TemporalDataset& ds,
                                             const TemporalTraceOptions& o) {
  const int64_t end = o.end_event < 0 ? ds.num_events() : o.end_event;
  if (o.batch_size < 1 || o.fanout < 1 || o.first_event < 0 || end > ds.num_events() ||
      o.first_event > end) {
    return Status::InvalidArgument("trace: bad batch size, fanout or event range [" +
                                   std::to_string(o.first_event) + ", " + std::to_string(end) + ")");
  }
  graph::TemporalGraphOptions go;
  go.undirected = o.undirected;
  graph::TemporalGraph store(go);
  for (int64_t b = 0; b < ds.num_events(); b += 100000) {
    const int64_t n = std::min<int64_t>(100000, ds.num_events() - b);
    SG_ASSIGN_OR_RETURN(auto appended,
                        store.AppendEdges(Span<const NodeId>(ds.src.data() + b, n),
                                          Span<const NodeId>(ds.dst.data() + b, n),
                                          Span<const Timestamp>(ds.ts.data() + b, n)));
    (void)appended;
  }
  std::vector<NodeId> destinations(ds.dst.begin() + o.first_event, ds.dst.begin() + end);
  if (destinations.empty()) destinations.push_back(0);
  SG_ASSIGN_OR_RETURN(auto negatives,
                      sampling::NegativeSampler::FromCandidates(std::move(destinations), o.seed));
  sampling::TemporalSamplerOptions so;
  so.fanouts = {o.fanout};
  so.strategy = sampling::Strategy::kRecent;
  so.seed = o.seed;
  SG_ASSIGN_OR_RETURN(auto sampler, sampling::TemporalSampler::Create(so));

  TemporalTraces traces;
  traces.nodes.num_keys = ds.num_nodes;
  traces.edges.num_keys = ds.num_events();
  graph::Snapshot snap = store.GetSnapshot();
  sampling::SampleResult result;
  std::vector<NodeId> roots, neg, node_reads;
  std::vector<Timestamp> times;
  std::vector<int64_t> edge_reads;
  std::unordered_map<int64_t, char> seen;
  for (int64_t b = o.first_event, batch = 0; b < end; b += o.batch_size, ++batch) {
    const int64_t n = std::min(o.batch_size, end - b);
    neg.resize(n);
    negatives.Sample(static_cast<uint64_t>(batch), neg);
    roots.assign(ds.src.begin() + b, ds.src.begin() + b + n);
    roots.insert(roots.end(), ds.dst.begin() + b, ds.dst.begin() + b + n);
    roots.insert(roots.end(), neg.begin(), neg.end());
    times.clear();
    for (int r = 0; r < 3; ++r) times.insert(times.end(), ds.ts.begin() + b, ds.ts.begin() + b + n);
    sampler.Sample(snap, roots, times, static_cast<uint64_t>(batch), &result);
    const sampling::SampledBlock& block = result.layers[0];
    node_reads.assign(roots.begin(), roots.end());
    node_reads.insert(node_reads.end(), block.neighbors.begin(), block.neighbors.end());
    edge_reads.clear();
    for (int64_t i = 0; i < n; ++i) edge_reads.push_back(b + i);
    edge_reads.insert(edge_reads.end(), block.edges.begin(), block.edges.end());
    AppendBatch(node_reads, &seen, &traces.nodes);
    AppendBatch(edge_reads, &seen, &traces.edges);
  }
  return traces;
}

}  // namespace streamgnn::bench
