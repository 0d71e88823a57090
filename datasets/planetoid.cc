// Planetoid citation datasets: the ind.<name>.* files as Kipf's GCN repository ships them, and
// their plain-text conversion (../shared/datasets/cora/converted).
#include <algorithm>
#include <filesystem>
#include <tuple>

#include "core/logging.h"
#include "datasets/pickle.h"
#include "datasets/static_dataset.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {
namespace {

StatusOr<std::vector<NodeId>> ReadIds(const std::string& path) {
  int64_t rows = 0;
  return internal::ReadIntTable(path, 1, ' ', &rows);
}

}  // namespace

StatusOr<StaticDataset> LoadPlanetoidConverted(const std::string& dir) {
  namespace fs = std::filesystem;
  const auto file = [&](const char* name) { return (fs::path(dir) / name).string(); };
  if (!fs::is_directory(dir)) {
    return Status::NotFound("planetoid: '" + dir +
                            "' is not a folder (expected edges.tsv, features.tsv, labels.tsv, "
                            "train_idx.txt, val_idx.txt, test_idx.txt)");
  }
  StaticDataset d;
  // ".../cora/converted" is named "cora".
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  d.name = p.filename() == "converted" ? p.parent_path().filename().string() : p.filename().string();

  int64_t rows = 0;
  SG_ASSIGN_OR_RETURN(std::vector<int64_t> labels, internal::ReadIntTable(file("labels.tsv"), 2,
                                                                          ' ', &rows));
  d.num_nodes = rows;
  d.labels.assign(rows, -1);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t v = labels[2 * r], c = labels[2 * r + 1];
    if (v < 0 || v >= rows || c < -1) {
      return internal::LineError(file("labels.tsv"), r + 1,
                                 "expected 'node<TAB>class' with node in [0, " +
                                     std::to_string(rows) + ") and class >= 0 (-1: unlabelled)");
    }
    d.labels[v] = c;
    d.num_classes = std::max(d.num_classes, c + 1);
  }

  SG_ASSIGN_OR_RETURN(std::vector<int64_t> edges,
                      internal::ReadIntTable(file("edges.tsv"), 2, ' ', &rows));
  d.undirected = true;
  d.edge_src.resize(rows);
  d.edge_dst.resize(rows);
  for (int64_t r = 0; r < rows; ++r) {
    d.edge_src[r] = edges[2 * r];
    d.edge_dst[r] = edges[2 * r + 1];
  }

  // features.tsv: node<TAB>index[<TAB>value]. Peek at the width from the first line.
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(file("features.tsv")));
  const auto chunks = internal::IndexChunks(text, 0, 1);
  rows = internal::TotalRows(chunks);
  std::vector<int64_t> fnode(rows), findex(rows);
  std::vector<float> fvalue(rows, 1.0f);
  SG_RETURN_IF_ERROR(internal::ParseChunks(
      text, chunks, [&](int64_t row, std::string_view line, int64_t line_no) -> Status {
        internal::FieldCursor cur(line, ' ');
        std::string_view a, b, c, extra;
        if (!cur.Next(&a) || !cur.Next(&b) || !internal::ParseInt64(a, &fnode[row]) ||
            !internal::ParseInt64(b, &findex[row]) || fnode[row] < 0 ||
            fnode[row] >= d.num_nodes || findex[row] < 0) {
          return internal::LineError(file("features.tsv"), line_no,
                                     "expected 'node<TAB>feature_index[<TAB>value]' with node in "
                                     "[0, " + std::to_string(d.num_nodes) + ")");
        }
        if (cur.Next(&c) && !internal::ParseFloating(c, &fvalue[row])) {
          return internal::LineError(file("features.tsv"), line_no,
                                     "expected a number, got " + internal::Quoted(c));
        }
        if (cur.Next(&extra)) {
          return internal::LineError(file("features.tsv"), line_no, "expected at most 3 fields");
        }
        return Status::Ok();
      }));
  for (int64_t j : findex) d.feature_dim = std::max(d.feature_dim, j + 1);
  SG_ASSIGN_OR_RETURN(d.features, internal::DenseZeros<float>(d.num_nodes, d.feature_dim, file("features.tsv")));
  for (int64_t r = 0; r < rows; ++r) d.features[fnode[r] * d.feature_dim + findex[r]] = fvalue[r];

  SG_ASSIGN_OR_RETURN(d.train_idx, ReadIds(file("train_idx.txt")));
  SG_ASSIGN_OR_RETURN(d.val_idx, ReadIds(file("val_idx.txt")));
  SG_ASSIGN_OR_RETURN(d.test_idx, ReadIds(file("test_idx.txt")));
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

namespace {

// Kipf's row order, as the source of each node's row: the stacked rows are allx then tx spread
// over the whole test id range (tx_extended[test_range - min] = tx; gaps, CiteSeer's isolated
// test nodes, stay zero), then stacked row test_range[k] moves to node test_order[k]. Per node:
// r < all_rows an allx row, all_rows + k tx row k, -1 a zero row.
std::vector<int64_t> KipfSources(int64_t all_rows, const std::vector<int64_t>& test_order,
                                 const std::vector<int64_t>& test_range, int64_t span) {
  std::vector<int64_t> stacked(static_cast<size_t>(all_rows + span), -1);
  for (int64_t r = 0; r < all_rows; ++r) stacked[r] = r;
  for (size_t k = 0; k < test_range.size(); ++k) {
    stacked[all_rows + test_range[k] - test_range[0]] = all_rows + static_cast<int64_t>(k);
  }
  std::vector<int64_t> source = stacked;
  for (size_t k = 0; k < test_order.size(); ++k) source[test_order[k]] = stacked[test_range[k]];
  return source;
}

// The row a source names in allx/tx (or ally/ty); null for a zero row.
const double* SourceRow(int64_t source, const pickle::Array& all, const pickle::Array& test) {
  if (source < 0) return nullptr;
  if (source < all.rows()) return all.values.data() + source * all.cols();
  return test.values.data() + (source - all.rows()) * test.cols();
}

StatusOr<pickle::Array> Densify(const pickle::Csr& m, const std::string& what) {
  pickle::Array a;
  a.shape = {m.rows, m.cols};
  SG_ASSIGN_OR_RETURN(a.values, internal::DenseZeros<double>(m.rows, m.cols, what));
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int64_t k = m.indptr[r]; k < m.indptr[r + 1]; ++k) a.values[r * m.cols + m.indices[k]] = m.data[k];
  }
  return a;
}

// A feature matrix: a SciPy CSR matrix (Planetoid's) or a 2-D NumPy array.
StatusOr<pickle::Array> ReadMatrix(const std::string& path) {
  SG_ASSIGN_OR_RETURN(const pickle::Ref o, pickle::ParseFile(path));
  if (o->kind == pickle::Object::Kind::kInstance && o->ClassName().rfind("scipy.sparse", 0) == 0) {
    SG_ASSIGN_OR_RETURN(const pickle::Csr m, pickle::ToCsr(o, path));
    return Densify(m, path);
  }
  SG_ASSIGN_OR_RETURN(pickle::Array a, pickle::ToArray(o, path));
  if (a.shape.size() != 2) {
    return Status::InvalidArgument(path + ": expected a 2-D matrix, got " + std::to_string(a.shape.size()) +
                                   " dimensions");
  }
  return a;
}

// ind.<name>.test.index: one node id a line.
StatusOr<std::vector<int64_t>> ReadTestIndex(const std::string& path) {
  int64_t rows = 0;
  SG_ASSIGN_OR_RETURN(std::vector<int64_t> ids, internal::ReadIntTable(path, 1, ' ', &rows));
  if (ids.empty()) return Status::InvalidArgument(path + ": no test ids");
  for (int64_t r = 0; r < rows; ++r) {
    if (ids[r] < 0) return internal::LineError(path, r + 1, "expected a node id >= 0");
  }
  return ids;
}

// The ind.<name>.* files' prefix: the one name with an ind.<name>.graph file in `dir`.
StatusOr<std::string> PickleName(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    if (f.size() > 10 && f.rfind("ind.", 0) == 0 && f.compare(f.size() - 6, 6, ".graph") == 0) {
      names.push_back(f.substr(4, f.size() - 10));
    }
  }
  if (names.size() != 1) {
    return Status::NotFound("planetoid: '" + dir + "' holds " + std::to_string(names.size()) +
                            " ind.<name>.graph files; expected the plain-text conversion (edges.tsv "
                            "...) or exactly one Planetoid set (ind.<name>.{x,y,tx,ty,allx,ally,graph,"
                            "test.index})");
  }
  return names[0];
}

}  // namespace

StatusOr<StaticDataset> LoadPlanetoidPickles(const std::string& dir, const std::string& name) {
  const auto file = [&](const char* part) { return dir + "/ind." + name + "." + part; };
  SG_ASSIGN_OR_RETURN(const pickle::Array x, ReadMatrix(file("x")));
  SG_ASSIGN_OR_RETURN(const pickle::Array allx, ReadMatrix(file("allx")));
  SG_ASSIGN_OR_RETURN(const pickle::Array tx, ReadMatrix(file("tx")));
  SG_ASSIGN_OR_RETURN(const pickle::Array y, ReadMatrix(file("y")));
  SG_ASSIGN_OR_RETURN(const pickle::Array ally, ReadMatrix(file("ally")));
  SG_ASSIGN_OR_RETURN(const pickle::Array ty, ReadMatrix(file("ty")));
  SG_ASSIGN_OR_RETURN(const pickle::Ref graph_object, pickle::ParseFile(file("graph")));
  SG_ASSIGN_OR_RETURN(const auto graph, pickle::ToIntListDict(graph_object, file("graph")));
  SG_ASSIGN_OR_RETURN(const std::vector<int64_t> test_order, ReadTestIndex(file("test.index")));

  const auto mismatch = [&](const std::string& what) {
    return Status::InvalidArgument("planetoid " + dir + "/ind." + name + ".*: " + what);
  };
  if (x.cols() != allx.cols() || tx.cols() != allx.cols()) return mismatch("x, allx and tx differ in width");
  if (y.cols() != ally.cols() || ty.cols() != ally.cols()) return mismatch("y, ally and ty differ in width");
  if (x.rows() != y.rows() || allx.rows() != ally.rows() || tx.rows() != ty.rows()) {
    return mismatch("x/y, allx/ally or tx/ty differ in rows");
  }
  if (static_cast<int64_t>(test_order.size()) != tx.rows()) {
    return mismatch("test.index lists " + std::to_string(test_order.size()) + " ids for " +
                    std::to_string(tx.rows()) + " tx rows");
  }
  std::vector<int64_t> test_range = test_order;
  std::sort(test_range.begin(), test_range.end());
  if (std::adjacent_find(test_range.begin(), test_range.end()) != test_range.end()) {
    return mismatch("test.index lists a node twice");
  }
  const int64_t span = test_range.back() - test_range.front() + 1;
  const int64_t num_nodes = allx.rows() + span;
  if (test_range.front() < allx.rows() || test_range.back() >= num_nodes) {
    return mismatch("test ids must follow the allx rows (ids in [" + std::to_string(allx.rows()) + ", " +
                    std::to_string(num_nodes) + "))");
  }
  if (y.rows() + 500 > allx.rows()) return mismatch("fewer than len(y) + 500 allx rows (Kipf's validation range)");

  StaticDataset d;
  d.name = name;
  d.num_nodes = num_nodes;
  d.feature_dim = allx.cols();
  SG_ASSIGN_OR_RETURN(d.features, internal::DenseZeros<float>(num_nodes, d.feature_dim, dir));
  // Labels: the one-hot rows' argmax; an all-zero row (CiteSeer's isolated test nodes) is
  // unlabelled. Kipf's argmax would call it class 0.
  d.num_classes = ally.cols();
  d.labels.assign(static_cast<size_t>(num_nodes), -1);
  const std::vector<int64_t> sources = KipfSources(allx.rows(), test_order, test_range, span);
  for (int64_t v = 0; v < num_nodes; ++v) {
    if (const double* row = SourceRow(sources[v], allx, tx)) {
      std::copy_n(row, d.feature_dim, d.features.begin() + v * d.feature_dim);
    }
    if (const double* row = SourceRow(sources[v], ally, ty)) {
      const double* top = std::max_element(row, row + d.num_classes);
      if (d.num_classes > 0 && *top > 0) d.labels[v] = top - row;
    }
  }
  // The graph: each undirected pair once (u < v), self-loops dropped, as PyG's Planetoid does.
  for (const auto& [u, vs] : graph) {
    for (const int64_t v : vs) {
      if (u < 0 || v < 0 || u >= num_nodes || v >= num_nodes) {
        return mismatch("graph edge " + std::to_string(u) + " - " + std::to_string(v) + " names a node outside [0, " +
                        std::to_string(num_nodes) + ")");
      }
      if (u != v) {
        d.edge_src.push_back(std::min(u, v));
        d.edge_dst.push_back(std::max(u, v));
      }
    }
  }
  std::vector<std::pair<NodeId, NodeId>> pairs(d.edge_src.size());
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = {d.edge_src[i], d.edge_dst[i]};
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  d.edge_src.resize(pairs.size());
  d.edge_dst.resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) std::tie(d.edge_src[i], d.edge_dst[i]) = pairs[i];
  d.undirected = true;
  // Kipf's split: the y rows train, the next 500 validate, the test ids test. Nodes without a
  // label are left out of it (and said so).
  int64_t unlabelled = 0;
  const auto keep = [&](int64_t v, std::vector<NodeId>* out) {
    if (d.labels[v] >= 0) out->push_back(v); else ++unlabelled;
  };
  for (int64_t v = 0; v < y.rows(); ++v) keep(v, &d.train_idx);
  for (int64_t v = y.rows(); v < y.rows() + 500; ++v) keep(v, &d.val_idx);
  for (const int64_t v : test_range) keep(v, &d.test_idx);
  if (unlabelled > 0) {
    core::Logger()->warn("planetoid {}: {} split nodes have no label row and are left out of the split", name,
                         unlabelled);
  }
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

StatusOr<StaticDataset> LoadPlanetoid(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir) || fs::exists(fs::path(dir) / "edges.tsv")) return LoadPlanetoidConverted(dir);
  SG_ASSIGN_OR_RETURN(const std::string name, PickleName(dir));
  return LoadPlanetoidPickles(dir, name);
}

}  // namespace streamgnn::datasets
