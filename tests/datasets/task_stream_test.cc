// Continual-learning task streams: each task holds exactly its classes' nodes, split 60/20/20
// per class; task i's edges are exactly those a brute-force filter keeps, in both visibilities,
// with and without inter-task edges.
#include "datasets/task_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "datasets/static_dataset.h"

namespace streamgnn::datasets {
namespace {

StaticDataset SmallSbm() {
  SbmOptions o;
  o.num_nodes = 300;
  o.num_classes = 7;
  o.avg_degree = 6;
  o.feature_dim = 4;
  return *GenerateSbm(o);
}

TEST(TaskStream, TasksHoldExactlyTheirClassesSplitPerClass) {
  StaticDataset d = SmallSbm();
  d.labels[5] = -1;  // an unlabelled node belongs to no task
  auto s = TaskStream::Create(&d, {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->num_tasks(), 3);  // 7 classes in tasks of 2: class 6 is left over
  EXPECT_EQ(s->TaskOf(5), -1);
  for (int i = 0; i < s->num_tasks(); ++i) {
    const Task& t = s->task(i);
    EXPECT_EQ(t.classes, (std::vector<int64_t>{2 * i, 2 * i + 1}));
    std::vector<NodeId> expected;
    for (NodeId v = 0; v < d.num_nodes; ++v) {
      if (d.labels[v] == 2 * i || d.labels[v] == 2 * i + 1) expected.push_back(v);
    }
    EXPECT_EQ(t.nodes, expected);
    std::vector<NodeId> all = t.train;
    all.insert(all.end(), t.val.begin(), t.val.end());
    all.insert(all.end(), t.test.begin(), t.test.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, expected) << "train, val and test partition the task";
    for (const int64_t c : t.classes) {  // 60/20/20 within each class
      const auto count = [&](const std::vector<NodeId>& ids) {
        return std::count_if(ids.begin(), ids.end(), [&](NodeId v) { return d.labels[v] == c; });
      };
      const double n = static_cast<double>(count(t.nodes));
      EXPECT_NEAR(count(t.train), 0.6 * n, 1.0);
      EXPECT_NEAR(count(t.val), 0.2 * n, 1.0);
    }
    for (const NodeId v : t.nodes) EXPECT_EQ(s->TaskOf(v), i);
  }
  for (NodeId v = 0; v < d.num_nodes; ++v) {
    if (d.labels[v] == 6) {
      EXPECT_EQ(s->TaskOf(v), -1);
    }
  }
  // Another seed, another split; the same seed, the same split.
  TaskStreamOptions o;
  o.seed = 3;
  EXPECT_NE(TaskStream::Create(&d, o)->task(0).train, s->task(0).train);
  EXPECT_EQ(TaskStream::Create(&d, {})->task(0).train, s->task(0).train);
}

TEST(TaskStream, EdgesAtEachTaskAreExactlyTheVisibleOnes) {
  const StaticDataset d = SmallSbm();
  for (const auto visibility : {TaskVisibility::kTransductive, TaskVisibility::kInductive}) {
    for (const bool inter : {true, false}) {
      TaskStreamOptions o;
      o.visibility = visibility;
      o.inter_task_edges = inter;
      const auto s = *TaskStream::Create(&d, o);
      for (int i = 0; i < s.num_tasks(); ++i) {
        std::multiset<std::pair<NodeId, NodeId>> expected, got;
        for (int64_t e = 0; e < d.num_edges(); ++e) {
          const NodeId u = d.edge_src[e], v = d.edge_dst[e];
          const int tu = d.labels[u] < 6 ? static_cast<int>(d.labels[u] / 2) : -1;
          const int tv = d.labels[v] < 6 ? static_cast<int>(d.labels[v] / 2) : -1;
          const bool seen = visibility == TaskVisibility::kTransductive ||
                            (tu >= 0 && tu <= i && tv >= 0 && tv <= i);
          if (seen && (inter || (tu >= 0 && tu == tv))) expected.insert({u, v});
        }
        std::vector<NodeId> src, dst;
        s.EdgesAt(i, &src, &dst);
        for (size_t e = 0; e < src.size(); ++e) got.insert({src[e], dst[e]});
        EXPECT_EQ(got, expected) << "task " << i << " inter " << inter;
        // The graph: every id, invisible nodes isolated.
        const auto g = s.GraphAt(i, {});
        ASSERT_TRUE(g.ok());
        EXPECT_EQ(g->num_nodes(), d.num_nodes);
        for (NodeId v = 0; v < d.num_nodes; ++v) {
          if (!s.Visible(i, v)) {
            EXPECT_EQ(g->InDegree(v), 0);
          }
        }
      }
      // The inductive graph grows: task i's edges are a subset of task i+1's.
      if (visibility == TaskVisibility::kInductive) {
        std::vector<NodeId> a, b, c, e;
        s.EdgesAt(0, &a, &b);
        s.EdgesAt(1, &c, &e);
        EXPECT_LT(a.size(), c.size());
      }
    }
  }
}

TEST(TaskStream, BadOptionsAreRefused) {
  const StaticDataset d = SmallSbm();
  TaskStreamOptions o;
  o.classes_per_task = 8;
  auto s = TaskStream::Create(&d, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("classes_per_task: expected 1..7"), std::string::npos)
      << s.status().message();
  o.classes_per_task = 2;
  o.train_fraction = 0.9;
  EXPECT_FALSE(TaskStream::Create(&d, o).ok());
  EXPECT_FALSE(TaskStream::Create(nullptr, {}).ok());
  EXPECT_FALSE(TaskStream::Create(&d, {})->GraphAt(3, {}).ok());
}

}  // namespace
}  // namespace streamgnn::datasets
