#include "datasets/task_stream.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "core/rng.h"

namespace streamgnn::datasets {
namespace {

// `nodes` (one class's) in an order drawn from (seed, class), then cut into the three sets.
void SplitClass(std::vector<NodeId> nodes, int64_t cls, const TaskStreamOptions& o, Task* task) {
  std::vector<std::pair<uint64_t, NodeId>> keyed;
  for (const NodeId v : nodes) {
    core::RngStream rng(o.seed, core::StreamKey(0x7a5c, static_cast<uint64_t>(cls)),
                        static_cast<uint64_t>(v));
    keyed.push_back({rng.NextU64(), v});
  }
  std::sort(keyed.begin(), keyed.end());
  const double n = static_cast<double>(keyed.size());
  const size_t train = static_cast<size_t>(std::llround(o.train_fraction * n));
  const size_t val = std::min(keyed.size() - train, static_cast<size_t>(std::llround(o.val_fraction * n)));
  for (size_t i = 0; i < keyed.size(); ++i) {
    (i < train ? task->train : i < train + val ? task->val : task->test).push_back(keyed[i].second);
  }
}

}  // namespace

StatusOr<TaskStream> TaskStream::Create(const StaticDataset* d, const TaskStreamOptions& o) {
  if (d == nullptr) return Status::InvalidArgument("TaskStream: dataset is null");
  if (o.classes_per_task < 1 || o.classes_per_task > d->num_classes) {
    return Status::InvalidArgument("continual.classes_per_task: expected 1.." +
                                   std::to_string(d->num_classes) + " (the classes of '" + d->name +
                                   "'), got " + std::to_string(o.classes_per_task));
  }
  if (o.train_fraction < 0 || o.val_fraction < 0 || o.train_fraction + o.val_fraction > 1) {
    return Status::InvalidArgument("TaskStream: train and val shares must be >= 0 and sum to <= 1");
  }
  TaskStream s;
  s.dataset_ = d;
  s.options_ = o;
  const int64_t k = o.classes_per_task;
  const int64_t num_tasks = d->num_classes / k;
  s.tasks_.resize(num_tasks);
  std::vector<std::vector<NodeId>> by_class(d->num_classes);
  s.task_of_.assign(static_cast<size_t>(d->num_nodes), -1);
  for (NodeId v = 0; v < d->num_nodes; ++v) {
    const int64_t c = d->labels[v];
    if (c < 0 || c / k >= num_tasks) continue;
    by_class[c].push_back(v);
    s.task_of_[v] = static_cast<int>(c / k);
  }
  for (int64_t c = 0; c < num_tasks * k; ++c) {
    Task& t = s.tasks_[c / k];
    t.classes.push_back(c);
    t.nodes.insert(t.nodes.end(), by_class[c].begin(), by_class[c].end());
    SplitClass(by_class[c], c, o, &t);
  }
  for (Task& t : s.tasks_) {
    for (auto* ids : {&t.nodes, &t.train, &t.val, &t.test}) std::sort(ids->begin(), ids->end());
  }
  return s;
}

bool TaskStream::Visible(int i, NodeId v) const {
  if (options_.visibility == TaskVisibility::kTransductive) return true;
  return task_of_[v] >= 0 && task_of_[v] <= i;
}

void TaskStream::EdgesAt(int i, std::vector<NodeId>* src, std::vector<NodeId>* dst) const {
  src->clear();
  dst->clear();
  for (int64_t e = 0; e < dataset_->num_edges(); ++e) {
    const NodeId u = dataset_->edge_src[e], v = dataset_->edge_dst[e];
    if (!Visible(i, u) || !Visible(i, v)) continue;
    if (!options_.inter_task_edges && (task_of_[u] < 0 || task_of_[u] != task_of_[v])) continue;
    src->push_back(u);
    dst->push_back(v);
  }
}

StatusOr<graph::CsrGraph> TaskStream::GraphAt(int i, graph::CsrBuildOptions options) const {
  if (i < 0 || i >= num_tasks()) {
    return Status::InvalidArgument("TaskStream: task " + std::to_string(i) + " of " +
                                   std::to_string(num_tasks()));
  }
  std::vector<NodeId> src, dst;
  EdgesAt(i, &src, &dst);
  options.symmetrize = options.symmetrize || dataset_->undirected;
  return graph::CsrGraph::FromEdges(dataset_->num_nodes, Span<const NodeId>(src),
                                    Span<const NodeId>(dst), options);
}

}  // namespace streamgnn::datasets
