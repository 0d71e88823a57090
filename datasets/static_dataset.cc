#include "datasets/static_dataset.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <unordered_map>

#include "core/rng.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {

int64_t StaticDataset::CountFeatureNonzeros() const {
  return static_cast<int64_t>(
      std::count_if(features.begin(), features.end(), [](float x) { return x != 0.0f; }));
}

Status StaticDataset::Validate() const {
  const std::string where = "dataset '" + name + "': ";
  if (edge_src.size() != edge_dst.size()) {
    return Status::Internal(where + "edge_src and edge_dst differ in length");
  }
  for (size_t i = 0; i < edge_src.size(); ++i) {
    if (edge_src[i] < 0 || edge_src[i] >= num_nodes || edge_dst[i] < 0 ||
        edge_dst[i] >= num_nodes) {
      return Status::InvalidArgument(where + "edge " + std::to_string(i) + " (" +
                                     std::to_string(edge_src[i]) + ", " +
                                     std::to_string(edge_dst[i]) + ") names a node outside [0, " +
                                     std::to_string(num_nodes) + ")");
    }
  }
  if (static_cast<int64_t>(features.size()) != num_nodes * feature_dim) {
    return Status::InvalidArgument(where + "features hold " + std::to_string(features.size()) +
                                   " values, expected num_nodes x feature_dim = " +
                                   std::to_string(num_nodes * feature_dim));
  }
  if (static_cast<int64_t>(labels.size()) != num_nodes) {
    return Status::InvalidArgument(where + "expected one label per node (" +
                                   std::to_string(num_nodes) + "), got " +
                                   std::to_string(labels.size()));
  }
  for (int64_t v = 0; v < num_nodes; ++v) {
    if (labels[v] < -1 || labels[v] >= num_classes) {
      return Status::InvalidArgument(where + "node " + std::to_string(v) + " has label " +
                                     std::to_string(labels[v]) + ", expected -1 or [0, " +
                                     std::to_string(num_classes) + ")");
    }
  }
  std::vector<char> seen(num_nodes, 0);
  const std::pair<const char*, const std::vector<NodeId>*> sets[] = {
      {"train", &train_idx}, {"val", &val_idx}, {"test", &test_idx}};
  for (const auto& [set_name, ids] : sets) {
    for (NodeId v : *ids) {
      if (v < 0 || v >= num_nodes) {
        return Status::InvalidArgument(where + set_name + " id " + std::to_string(v) +
                                       " is outside [0, " + std::to_string(num_nodes) + ")");
      }
      if (labels[v] < 0) {
        return Status::InvalidArgument(where + set_name + " node " + std::to_string(v) +
                                       " has no label");
      }
      if (seen[v]++) {
        return Status::InvalidArgument(where + "node " + std::to_string(v) +
                                       " appears twice in the train/val/test split (again in " +
                                       set_name + ")");
      }
    }
  }
  return Status::Ok();
}

void RowNormalize(float* rows, int64_t num_rows, int64_t d) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_rows, 1024), [&](const auto& r) {
    for (int64_t v = r.begin(); v != r.end(); ++v) {
      float* row = rows + v * d;
      double sum = 0;
      for (int64_t j = 0; j < d; ++j) sum += row[j];
      if (sum == 0) continue;
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t j = 0; j < d; ++j) row[j] *= inv;
    }
  });
}

void StaticDataset::RowNormalizeFeatures() { RowNormalize(features.data(), num_nodes, feature_dim); }

StatusOr<graph::CsrGraph> StaticDataset::BuildGraph(graph::CsrBuildOptions options) const {
  options.symmetrize = options.symmetrize || undirected;
  return graph::CsrGraph::FromEdges(num_nodes, edge_src, edge_dst, options);
}

StatusOr<StaticDataset> LoadStaticDataset(const StaticLoadOptions& o) {
  if (o.format == "planetoid") return LoadPlanetoid(o.path);
  if (o.format == "npz") return LoadGnnBenchmarkNpz(o.path, o.npz_split);
  if (o.format == "ogb") return LoadOgbNodeProperty(o.path, o.ogb_split);
  if (o.format == "sbm") return GenerateSbm(o.sbm);
  return Status::InvalidArgument("unknown static dataset format '" + o.format +
                                 "', expected planetoid|npz|ogb|sbm");
}

namespace internal {

int64_t MemoryBudget() {
  int64_t memory = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  // A container's limit (cgroup v2) is what the process can really have.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  int64_t limit = 0;
  if (cgroup >> limit && limit > 0) memory = std::min(memory, limit);
  if (const char* budget = std::getenv("STREAMGNN_MEMORY_BUDGET")) {
    const int64_t bytes = std::atoll(budget);
    if (bytes > 0) memory = std::min(memory, bytes);
  }
  return memory;
}

Status CheckDenseFits(int64_t rows, int64_t cols, int64_t element_bytes, const std::string& what) {
  const int64_t memory = MemoryBudget();
  int64_t elements = 0;
  if (rows < 0 || cols < 0 || __builtin_mul_overflow(rows, cols, &elements) ||
      elements > memory / element_bytes) {
    return Status::ResourceExhausted(fmt::format(
        "{}: a dense {} x {} matrix needs more than the {:.1f} GB of memory this process may use "
        "(physical, cgroup memory.max, $STREAMGNN_MEMORY_BUDGET)", what, rows,
        cols, static_cast<double>(memory) / 1e9));
  }
  return Status::Ok();
}

StatusOr<std::vector<int64_t>> ReadIntTable(const std::string& path, int cols, char delim,
                                            int64_t* rows) {
  SG_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  const std::vector<TextChunk> chunks = IndexChunks(text, 0, 1);
  *rows = TotalRows(chunks);
  std::vector<int64_t> out(static_cast<size_t>(*rows) * cols);
  SG_RETURN_IF_ERROR(ParseChunks(text, chunks, [&](int64_t row, std::string_view line,
                                                   int64_t line_no) -> Status {
    FieldCursor cur(line, delim);
    std::string_view f;
    for (int c = 0; c < cols; ++c) {
      if (!cur.Next(&f)) {
        return LineError(path, line_no,
                         "expected " + std::to_string(cols) + " integer fields, got " +
                             std::to_string(c));
      }
      int64_t x = 0;
      if (!ParseInt64(f, &x)) {
        double d = 0;  // pandas writes integer columns of float frames as "3.0"
        if (!ParseFloating(f, &d) || d != std::floor(d) || std::fabs(d) > 9e15) {
          return LineError(path, line_no, "expected an integer, got " + Quoted(f));
        }
        x = static_cast<int64_t>(d);
      }
      out[row * cols + c] = x;
    }
    if (cur.Next(&f)) {
      return LineError(path, line_no,
                       "expected " + std::to_string(cols) + " fields, got more: " + Quoted(f));
    }
    return Status::Ok();
  }));
  return out;
}

StatusOr<std::vector<float>> ReadFloatTable(const std::string& path, char delim, int64_t* rows,
                                            int64_t* cols) {
  SG_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  const std::vector<TextChunk> chunks = IndexChunks(text, 0, 1);
  *rows = TotalRows(chunks);
  *cols = 0;
  if (*rows == 0) return std::vector<float>();
  {
    size_t pos = 0;
    int64_t line_no = 1, found = 0;
    std::string_view first;
    NextDataLine(text, &pos, &line_no, &first, &found);
    *cols = CountFields(first, delim);
  }
  const int64_t width = *cols;
  std::vector<float> out(static_cast<size_t>(*rows * width));
  SG_RETURN_IF_ERROR(ParseChunks(text, chunks, [&](int64_t row, std::string_view line,
                                                   int64_t line_no) -> Status {
    FieldCursor cur(line, delim);
    std::string_view f;
    int64_t c = 0;
    for (; cur.Next(&f); ++c) {
      if (c >= width) break;
      float x = 0;
      if (f == "nan" || f == "NaN") {
        x = std::nanf("");
      } else if (!ParseFloating(f, &x)) {
        return LineError(path, line_no, "expected a number, got " + Quoted(f));
      }
      out[row * width + c] = x;
    }
    if (c != width || cur.Next(&f)) {
      return LineError(path, line_no,
                       "expected " + std::to_string(width) + " fields (as on the first line)");
    }
    return Status::Ok();
  }));
  return out;
}

void DrawSplit(StaticDataset* d, int64_t per_class_train, int64_t num_val, int64_t num_test,
               uint64_t seed) {
  // Order the labelled nodes by a Philox key (a seeded permutation independent of threads).
  std::vector<std::pair<uint64_t, NodeId>> order;
  for (NodeId v = 0; v < d->num_nodes; ++v) {
    if (d->labels[v] < 0) continue;
    core::RngStream rng(seed, core::StreamKey(0x5b117), static_cast<uint64_t>(v));
    order.emplace_back(rng.NextU64(), v);
  }
  std::sort(order.begin(), order.end());
  std::unordered_map<int64_t, int64_t> taken;  // per class; class ids come from files
  std::vector<NodeId> rest;
  d->train_idx.clear();
  d->val_idx.clear();
  d->test_idx.clear();
  for (const auto& [key, v] : order) {
    if (taken[d->labels[v]] < per_class_train) {
      ++taken[d->labels[v]];
      d->train_idx.push_back(v);
    } else {
      rest.push_back(v);
    }
  }
  const size_t nv = std::min<size_t>(num_val, rest.size());
  const size_t nt = std::min<size_t>(num_test, rest.size() - nv);
  d->val_idx.assign(rest.begin(), rest.begin() + nv);
  d->test_idx.assign(rest.begin() + nv, rest.begin() + nv + nt);
  for (auto* ids : {&d->train_idx, &d->val_idx, &d->test_idx}) std::sort(ids->begin(), ids->end());
}

}  // namespace internal
}  // namespace streamgnn::datasets
