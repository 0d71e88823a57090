#include "trainers/temporal_batch.h"

namespace streamgnn::trainers {

void MakeShards(const datasets::TemporalDataset& ds, int64_t shards, int64_t mrr_negatives,
                BatchWork* w) {
  w->shards.assign(static_cast<size_t>(shards), {});
  for (int64_t s = 0; s < shards; ++s) {
    BatchShard& shard = w->shards[s];
    shard.first = w->n * s / shards;
    shard.n = w->n * (s + 1) / shards - shard.first;
    const int64_t* ev = w->ev + shard.first;
    for (int64_t i = 0; i < shard.n; ++i) shard.roots.push_back(ds.src[ev[i]]);
    for (int64_t i = 0; i < shard.n; ++i) shard.roots.push_back(ds.dst[ev[i]]);
    shard.roots.insert(shard.roots.end(), w->neg.begin() + shard.first,
                       w->neg.begin() + shard.first + shard.n);
    shard.roots.insert(shard.roots.end(), w->mrr_neg.begin() + shard.first * mrr_negatives,
                       w->mrr_neg.begin() + (shard.first + shard.n) * mrr_negatives);
    // Roots: sources, destinations, negatives (one block each, in event order), then each
    // event's MRR candidates together; every root at its event's time.
    for (int64_t r = 0; r < 3; ++r) {
      for (int64_t i = 0; i < shard.n; ++i) shard.times.push_back(ds.ts[ev[i]]);
    }
    for (int64_t i = 0; i < shard.n; ++i) shard.times.insert(shard.times.end(), mrr_negatives, ds.ts[ev[i]]);
  }
}

void BuildShardInputs(const std::vector<int64_t>& event_of_edge, int64_t levels, BatchShard* s) {
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  models::BatchInputs& in = s->in;
  const int64_t num_roots = static_cast<int64_t>(s->roots.size());
  std::vector<torch::Tensor> level_nodes;
  level_nodes.push_back(torch::from_blob(s->roots.data(), {num_roots}, i64));
  for (int64_t d = 0; d + 1 < levels; ++d) {
    sampling::SampledBlock& layer = s->sample.layers[d];
    level_nodes.push_back(torch::from_blob(layer.neighbors.data(), {layer.num_sampled()}, i64));
  }
  IndexLevels(level_nodes, &in);
  in.root_times = torch::from_blob(s->times.data(), {num_roots}, torch::kFloat64);
  in.num_sources = s->n;
  s->edge_rows.assign(static_cast<size_t>(levels - 1), {});
  s->edge_events.clear();
  for (int64_t d = 0; d + 1 < levels; ++d) {
    sampling::SampledBlock& layer = s->sample.layers[d];
    const int64_t slots = layer.num_sampled();
    std::vector<int64_t>& rows = s->edge_rows[d];
    rows.resize(static_cast<size_t>(slots));
    for (int64_t j = 0; j < slots; ++j) rows[j] = event_of_edge[layer.edges[j]];
    s->edge_events.push_back(torch::from_blob(rows.data(), {slots}, i64));
    in.offsets.push_back(torch::from_blob(layer.offsets.data(), {layer.num_roots() + 1}, i64));
    in.dt.push_back(torch::from_blob(layer.dt.data(), {slots}, torch::kFloat32));
  }
}

void IndexLevels(const std::vector<torch::Tensor>& level_nodes, models::BatchInputs* in) {
  auto [unique, inverse] = at::_unique(torch::cat(level_nodes), /*sorted=*/true, /*return_inverse=*/true);
  in->nodes = unique;
  in->level_index.clear();
  int64_t offset = 0;
  for (const torch::Tensor& t : level_nodes) {
    in->level_index.push_back(inverse.narrow(0, offset, t.size(0)));
    offset += t.size(0);
  }
}

std::vector<torch::Tensor> PreparedTensors(const BatchWork& w) {
  std::vector<torch::Tensor> out = {w.write_set, w.batch_edge_feat};
  for (const BatchShard& shard : w.shards) {
    const models::BatchInputs& in = shard.in;
    out.insert(out.end(), {in.nodes, in.root_times, in.node_feat});
    for (const auto* list : {&in.level_index, &in.offsets, &in.dt, &in.edge_feat, &shard.edge_events}) {
      out.insert(out.end(), list->begin(), list->end());
    }
  }
  return out;
}

void MoveInputsTo(torch::Device device, models::BatchInputs* in) {
  if (device.is_cpu()) return;
  in->nodes = in->nodes.to(device);
  for (torch::Tensor& t : in->level_index) t = t.to(device);
  in->root_times = in->root_times.to(device);
  for (torch::Tensor& t : in->offsets) t = t.to(device);
  for (torch::Tensor& t : in->dt) t = t.to(device);
}

}  // namespace streamgnn::trainers
