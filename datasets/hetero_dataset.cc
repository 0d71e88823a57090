#include "datasets/hetero_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <utility>

#include "core/rng.h"
#include "datasets/npz.h"
#include "datasets/static_dataset.h"
#include "datasets/text_io.h"

#if STREAMGNN_WITH_MATIO
#include <matio.h>
#endif

namespace streamgnn::datasets {

int64_t HeteroDataset::num_nodes() const {
  int64_t n = 0;
  for (const auto& t : node_types) n += t.count;
  return n;
}

int64_t HeteroDataset::num_edges() const {
  int64_t n = 0;
  for (const auto& r : relations) n += static_cast<int64_t>(r.src.size());
  return n;
}

void HeteroDataset::RowNormalizeFeatures() {
  for (size_t t = 0; t < features.size(); ++t) {
    if (feature_dims[t] > 0) RowNormalize(features[t].data(), node_types[t].count, feature_dims[t]);
  }
}

Status HeteroDataset::Validate() const {
  const auto fail = [&](const std::string& what) {
    return Status::InvalidArgument("hetero dataset '" + name + "': " + what);
  };
  const size_t types = node_types.size();
  if (feature_dims.size() != types || features.size() != types) {
    return fail("feature_dims and features need one entry per node type");
  }
  for (size_t t = 0; t < types; ++t) {
    if (static_cast<int64_t>(features[t].size()) != node_types[t].count * feature_dims[t]) {
      return fail("features of type '" + node_types[t].name + "' are not count x feature_dim");
    }
  }
  if (target_type < 0 || target_type >= static_cast<int>(types)) return fail("no target type");
  const int64_t targets = node_types[target_type].count;
  if (static_cast<int64_t>(labels.size()) != targets) {
    return fail("labels need one entry per " + node_types[target_type].name + " node");
  }
  for (const int64_t c : labels) {
    if (c < -1 || c >= num_classes) return fail("label " + std::to_string(c) + " outside classes");
  }
  std::vector<char> seen(static_cast<size_t>(targets), 0);
  for (const auto* split : {&train_idx, &val_idx, &test_idx}) {
    for (const NodeId v : *split) {
      if (v < 0 || v >= targets) return fail("split id " + std::to_string(v) + " out of range");
      if (labels[v] < 0) return fail("split id " + std::to_string(v) + " is unlabelled");
      if (seen[v]++) return fail("split id " + std::to_string(v) + " is in two splits");
    }
  }
  return Status::Ok();
}

StatusOr<graph::HeteroGraph> HeteroDataset::BuildGraph(
    const graph::HeteroBuildOptions& options) const {
  return graph::HeteroGraph::Build(node_types, relations, options);
}

// ---- MAGNN ------------------------------------------------------------------------------------

namespace {

StatusOr<std::vector<int64_t>> ReadIntNpy(const std::string& path) {
  SG_ASSIGN_OR_RETURN(const NpyArray a, ReadNpy(path));
  return a.ToInt64(path);
}

StatusOr<std::vector<int64_t>> NpzInts(const std::map<std::string, NpyArray>& npz,
                                       const std::string& key, const std::string& path) {
  auto it = npz.find(key);
  if (it == npz.end()) return Status::InvalidArgument(path + ": no member '" + key + "'");
  return it->second.ToInt64(path + ":" + key);
}

// adjM's non-zeros, one relation per ordered pair of types that has edges ("movie-director").
std::vector<graph::RelationEdges> SplitByTypePair(const NpzCsr& adj,
                                                  const std::vector<int64_t>& type_of,
                                                  const std::vector<int64_t>& local_of,
                                                  const std::vector<std::string>& names) {
  std::map<std::pair<int64_t, int64_t>, graph::RelationEdges> by_pair;
  for (int64_t u = 0; u < adj.rows; ++u) {
    for (int64_t e = adj.indptr[u]; e < adj.indptr[u + 1]; ++e) {
      const int64_t v = adj.indices[e];
      if (adj.data[e] == 0) continue;
      graph::RelationEdges& r = by_pair[{type_of[u], type_of[v]}];
      r.src.push_back(local_of[u]);
      r.dst.push_back(local_of[v]);
    }
  }
  std::vector<graph::RelationEdges> out;
  for (auto& [pair, r] : by_pair) {
    r.src_type = names[pair.first];
    r.dst_type = names[pair.second];
    r.name = r.src_type + "-" + r.dst_type;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

StatusOr<HeteroDataset> LoadMagnn(const std::string& dir, const MagnnOptions& options) {
  const std::filesystem::path root(dir);
  const std::string types_path = (root / "node_types.npy").string();
  SG_ASSIGN_OR_RETURN(const std::vector<int64_t> type_of, ReadIntNpy(types_path));
  if (type_of.empty()) return Status::InvalidArgument(types_path + ": no nodes");
  HeteroDataset d;
  d.name = root.filename().string();
  std::vector<int64_t> local_of(type_of.size());
  for (size_t v = 0; v < type_of.size(); ++v) {
    const int64_t t = type_of[v];
    if (t < 0 || t >= static_cast<int64_t>(options.type_names.size())) {
      return Status::InvalidArgument(types_path + ": node " + std::to_string(v) + " has type " +
                                     std::to_string(t) + "; expected one of the " +
                                     std::to_string(options.type_names.size()) + " named types");
    }
    if (t >= static_cast<int64_t>(d.node_types.size())) d.node_types.resize(t + 1);
    local_of[v] = d.node_types[t].count++;
  }
  for (size_t t = 0; t < d.node_types.size(); ++t) d.node_types[t].name = options.type_names[t];

  const std::string adj_path = (root / "adjM.npz").string();
  SG_ASSIGN_OR_RETURN(const auto adj_npz, ReadNpz(adj_path));
  SG_ASSIGN_OR_RETURN(const NpzCsr adj, CsrFromNpz(adj_npz, "", adj_path));
  if (adj.rows != static_cast<int64_t>(type_of.size()) || adj.cols != adj.rows) {
    return Status::InvalidArgument(adj_path + ": shape must be " + std::to_string(type_of.size()) +
                                   " x " + std::to_string(type_of.size()) + " (node_types.npy)");
  }
  d.relations = SplitByTypePair(adj, type_of, local_of, options.type_names);

  for (size_t t = 0; t < d.node_types.size(); ++t) {
    const std::string path = (root / ("features_" + std::to_string(t) + ".npz")).string();
    SG_ASSIGN_OR_RETURN(const auto npz, ReadNpz(path));
    SG_ASSIGN_OR_RETURN(const NpzCsr f, CsrFromNpz(npz, "", path));
    if (f.rows != d.node_types[t].count) {
      return Status::InvalidArgument(path + ": " + std::to_string(f.rows) + " rows, expected " +
                                     std::to_string(d.node_types[t].count) + " (" +
                                     d.node_types[t].name + " nodes in node_types.npy)");
    }
    d.feature_dims.push_back(f.cols);
    SG_ASSIGN_OR_RETURN(std::vector<float> rows, DenseRows(f, path));
    d.features.push_back(std::move(rows));
  }

  const std::string labels_path = (root / "labels.npy").string();
  SG_ASSIGN_OR_RETURN(d.labels, ReadIntNpy(labels_path));
  if (static_cast<int64_t>(d.labels.size()) != d.node_types[0].count) {
    return Status::InvalidArgument(labels_path + ": " + std::to_string(d.labels.size()) +
                                   " labels, expected one per " + d.node_types[0].name + " node (" +
                                   std::to_string(d.node_types[0].count) + ")");
  }
  for (const int64_t c : d.labels) d.num_classes = std::max(d.num_classes, c + 1);
  const std::string split_path = (root / "train_val_test_idx.npz").string();
  SG_ASSIGN_OR_RETURN(const auto split, ReadNpz(split_path));
  SG_ASSIGN_OR_RETURN(d.train_idx, NpzInts(split, "train_idx", split_path));
  SG_ASSIGN_OR_RETURN(d.val_idx, NpzInts(split, "val_idx", split_path));
  SG_ASSIGN_OR_RETURN(d.test_idx, NpzInts(split, "test_idx", split_path));
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

// ---- HAN's .mat (libmatio) ---------------------------------------------------------------------

#if STREAMGNN_WITH_MATIO
namespace {

// One MATLAB variable as a dense column-major matrix of doubles (sparse ones expanded).
struct MatMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;  // column-major, as MATLAB stores it
  double at(int64_t r, int64_t c) const { return values[c * rows + r]; }
};

// The first n elements of a dense variable whose elements are T, as doubles.
template <class T>
Status Widen(const matvar_t& var, size_t n, const std::string& what, std::vector<double>* out) {
  if (n == 0) return Status::Ok();
  if (var.data == nullptr || var.data_size != static_cast<int>(sizeof(T)) || var.nbytes < n * sizeof(T)) {
    return Status::Corruption(what + ": " + std::to_string(var.nbytes) + " bytes of " +
                              std::to_string(var.data_size) + "-byte elements for " + std::to_string(n) +
                              " elements");
  }
  const T* p = static_cast<const T*>(var.data);
  out->assign(p, p + n);
  return Status::Ok();
}

// Compressed columns of a sparse variable as matio read them: checked before they index
// anything, since matio takes the file's offsets and row numbers as they are.
Status CheckSparse(const matvar_t& var, const mat_sparse_t& sp, int64_t rows, int64_t cols,
                   const std::string& what) {
  if (static_cast<int64_t>(sp.njc) != cols + 1 || sp.jc == nullptr || sp.jc[0] != 0) {
    return Status::Corruption(what + ": sparse column offsets do not fit its " +
                              std::to_string(cols) + " columns");
  }
  for (int64_t c = 0; c < cols; ++c) {
    if (sp.jc[c + 1] < sp.jc[c] || sp.jc[c + 1] > sp.nir) {
      return Status::Corruption(what + ": sparse column " + std::to_string(c) + " points past its " +
                                std::to_string(sp.nir) + " row numbers");
    }
  }
  for (mat_uint32_t k = 0; k < sp.jc[cols]; ++k) {
    if (sp.ir == nullptr || sp.ir[k] >= static_cast<uint64_t>(rows)) {
      return Status::Corruption(what + ": sparse entry " + std::to_string(k) + " has a row outside [0, " +
                                std::to_string(rows) + ")");
    }
  }
  if (sp.data != nullptr && var.data_type == MAT_T_DOUBLE && sp.ndata < sp.jc[cols]) {
    return Status::Corruption(what + ": " + std::to_string(sp.ndata) + " sparse values for " +
                              std::to_string(sp.jc[cols]) + " entries");
  }
  return Status::Ok();
}

// An open .mat file: matio's handle, the path for messages, the size in bytes.
struct MatFile {
  mat_t* mat;
  std::string path;
  uint64_t bytes;
};

// Dense data lies in the file, deflated at most 1032:1 (zlib's limit): a header claiming more is
// damaged, and is refused before matio allocates what it claims.
constexpr double kMaxDeflateRatio = 1032;

StatusOr<MatMatrix> ReadMatVariable(const MatFile& file, const std::string& name) {
  mat_t* mat = file.mat;
  const std::string& path = file.path;
  const std::string what = path + ": variable '" + name + "'";
  // The header first: matio allocates whatever size the file claims when it reads the data, and
  // the matrix is read densely, so its size must fit in memory before either happens.
  matvar_t* info = Mat_VarReadInfo(mat, name.c_str());
  if (info == nullptr) return Status::InvalidArgument(path + ": no variable '" + name + "'");
  const std::unique_ptr<matvar_t, void (*)(matvar_t*)> info_owner(info, Mat_VarFree);
  if (info->rank != 2 || info->isComplex) return Status::InvalidArgument(what + " must be a real 2-D matrix");
  MatMatrix m;
  m.rows = static_cast<int64_t>(info->dims[0]);
  m.cols = static_cast<int64_t>(info->dims[1]);
  SG_RETURN_IF_ERROR(internal::CheckDenseFits(m.rows, m.cols, sizeof(double), what));
  const double claimed =
      static_cast<double>(m.rows) * static_cast<double>(m.cols) * std::max(1, info->data_size);
  if (info->class_type != MAT_C_SPARSE && claimed > kMaxDeflateRatio * static_cast<double>(file.bytes)) {
    return Status::Corruption(
        fmt::format("{}: {} x {} elements claim {} bytes, more than the file's {} bytes can hold",
                    what, m.rows, m.cols, claimed, file.bytes));
  }
  matvar_t* var = Mat_VarRead(mat, name.c_str());
  if (var == nullptr) return Status::Corruption(what + ": its data cannot be read");
  const std::unique_ptr<matvar_t, void (*)(matvar_t*)> owner(var, Mat_VarFree);
  if (var->rank != 2 || var->isComplex || static_cast<int64_t>(var->dims[0]) != m.rows ||
      static_cast<int64_t>(var->dims[1]) != m.cols) {
    return Status::Corruption(what + ": its data does not match its header");
  }
  const size_t n = static_cast<size_t>(m.rows * m.cols);
  if (var->class_type == MAT_C_SPARSE) {  // compressed columns: jc offsets, ir rows
    SG_ASSIGN_OR_RETURN(m.values, internal::DenseZeros<double>(m.rows, m.cols, what));
    const auto* sp = static_cast<const mat_sparse_t*>(var->data);
    if (sp == nullptr) return m;
    SG_RETURN_IF_ERROR(CheckSparse(*var, *sp, m.rows, m.cols, what));
    for (int64_t c = 0; c < m.cols; ++c) {
      for (auto k = sp->jc[c]; k < sp->jc[c + 1]; ++k) {
        const double v = sp->data == nullptr ? 1.0
                         : var->data_type == MAT_T_DOUBLE ? static_cast<const double*>(sp->data)[k]
                                                          : 1.0;  // logical
        m.values[c * m.rows + sp->ir[k]] = v;
      }
    }
    return m;
  }
  switch (var->class_type) {
    case MAT_C_DOUBLE: SG_RETURN_IF_ERROR(Widen<double>(*var, n, what, &m.values)); break;
    case MAT_C_SINGLE: SG_RETURN_IF_ERROR(Widen<float>(*var, n, what, &m.values)); break;
    case MAT_C_INT8: SG_RETURN_IF_ERROR(Widen<int8_t>(*var, n, what, &m.values)); break;
    case MAT_C_UINT8: SG_RETURN_IF_ERROR(Widen<uint8_t>(*var, n, what, &m.values)); break;
    case MAT_C_INT16: SG_RETURN_IF_ERROR(Widen<int16_t>(*var, n, what, &m.values)); break;
    case MAT_C_UINT16: SG_RETURN_IF_ERROR(Widen<uint16_t>(*var, n, what, &m.values)); break;
    case MAT_C_INT32: SG_RETURN_IF_ERROR(Widen<int32_t>(*var, n, what, &m.values)); break;
    case MAT_C_UINT32: SG_RETURN_IF_ERROR(Widen<uint32_t>(*var, n, what, &m.values)); break;
    case MAT_C_INT64: SG_RETURN_IF_ERROR(Widen<int64_t>(*var, n, what, &m.values)); break;
    case MAT_C_UINT64: SG_RETURN_IF_ERROR(Widen<uint64_t>(*var, n, what, &m.values)); break;
    default:
      return Status::InvalidArgument(what + " must be numeric (a struct, cell or char array is not)");
  }
  return m;
}

// A 1 x n or n x 1 index vector (0-based, as HAN's files store them).
StatusOr<std::vector<NodeId>> MatIndex(const MatFile& file, const std::string& name, int64_t limit) {
  const std::string& path = file.path;
  SG_ASSIGN_OR_RETURN(const MatMatrix m, ReadMatVariable(file, name));
  if (m.rows != 1 && m.cols != 1) {
    return Status::InvalidArgument(path + ": variable '" + name + "' must be a vector");
  }
  std::vector<NodeId> ids;
  for (const double x : m.values) {
    if (x != std::floor(x) || x < 0 || x >= limit) {
      return Status::InvalidArgument(path + ": variable '" + name + "' holds " + fmt::format("{}", x) +
                                     ", expected a node id in [0, " +
                                     std::to_string(limit) + ")");
    }
    ids.push_back(static_cast<NodeId>(x));
  }
  return ids;
}

Status ReadHanMat(const MatFile& file, const HanMatOptions& o, HeteroDataset* d) {
  const std::string& path = file.path;
  SG_ASSIGN_OR_RETURN(const MatMatrix feature, ReadMatVariable(file, "feature"));
  const int64_t n = feature.rows;
  d->node_types = {{"paper", n}};
  d->feature_dims = {feature.cols};
  d->features.assign(1, std::vector<float>(static_cast<size_t>(n * feature.cols)));
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t k = 0; k < feature.cols; ++k) {
      d->features[0][v * feature.cols + k] = static_cast<float>(feature.at(v, k));
    }
  }
  for (const std::string& name : o.metapaths) {
    SG_ASSIGN_OR_RETURN(const MatMatrix adj, ReadMatVariable(file, name));
    if (adj.rows != n || adj.cols != n) {
      return Status::InvalidArgument(path + ": variable '" + name + "' must be " +
                                     std::to_string(n) + " x " + std::to_string(n) +
                                     " (the rows of 'feature')");
    }
    graph::RelationEdges r{"paper", name, "paper", {}, {}};
    for (int64_t v = 0; v < n; ++v) {  // column v: the sources of v's edges
      for (int64_t u = 0; u < n; ++u) {
        if (u != v && adj.at(u, v) != 0) {  // the diagonal's self-loops are dropped
          r.src.push_back(u);
          r.dst.push_back(v);
        }
      }
    }
    d->relations.push_back(std::move(r));
  }
  SG_ASSIGN_OR_RETURN(const MatMatrix label, ReadMatVariable(file, "label"));
  if (label.rows != n) {
    return Status::InvalidArgument(path + ": variable 'label' must have " + std::to_string(n) +
                                   " rows (one-hot, one row per paper)");
  }
  d->num_classes = label.cols;
  d->labels.assign(static_cast<size_t>(n), -1);
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t c = 0; c < label.cols; ++c) {
      if (label.at(v, c) == 0) continue;
      if (d->labels[v] >= 0) {
        return Status::InvalidArgument(path + ": variable 'label' row " + std::to_string(v) +
                                       " has two classes; expected one-hot rows");
      }
      d->labels[v] = c;
    }
  }
  SG_ASSIGN_OR_RETURN(d->train_idx, MatIndex(file, "train_idx", n));
  SG_ASSIGN_OR_RETURN(d->val_idx, MatIndex(file, "val_idx", n));
  SG_ASSIGN_OR_RETURN(d->test_idx, MatIndex(file, "test_idx", n));
  return Status::Ok();
}

}  // namespace

StatusOr<HeteroDataset> LoadHanMat(const std::string& path, const HanMatOptions& options) {
  // MATLAB v4 files have no header, and matio allocates whatever their variable headers claim
  // while it scans them (2 GB for a damaged 600-byte file, found by han_mat_fuzz); v5 and v7.3
  // files open with "MATLAB" text, and HAN's are v5.
  char magic[6] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  if (!in.read(magic, sizeof(magic)) || std::string_view(magic, sizeof(magic)) != "MATLAB") {
    return Status::InvalidArgument(path + ": not a MATLAB v5 or v7.3 file (they start with 'MATLAB'); v4 files "
                                   "are not read (save with -v7 or -v7.3)");
  }
  in.close();
  mat_t* mat = Mat_Open(path.c_str(), MAT_ACC_RDONLY);
  if (mat == nullptr) {
    return Status::IOError(path + ": cannot open as a MATLAB .mat file (missing or not v4/v5/v7.3)");
  }
  const std::unique_ptr<mat_t, int (*)(mat_t*)> owner(mat, Mat_Close);
  HeteroDataset d;
  d.name = std::filesystem::path(path).stem().string();
  std::error_code ec;
  const uint64_t bytes = std::filesystem::file_size(path, ec);
  SG_RETURN_IF_ERROR(ReadHanMat(MatFile{mat, path, ec ? 0 : bytes}, options, &d));
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(path));
  return d;
}
#else
StatusOr<HeteroDataset> LoadHanMat(const std::string& path, const HanMatOptions&) {
  return Status::Unimplemented(path + ": built without libmatio (Debian libmatio-dev), so .mat "
                               "files cannot be read");
}
#endif

// ---- HGB ----------------------------------------------------------------------------------------

namespace {

constexpr uint64_t kHgbSplitStream = 0x4e7b6b;

// Calls fn(line number, tab-separated fields) for every data line of the text file at `path`.
Status ForEachTabLine(const std::string& path,
                      const std::function<Status(int64_t, const std::vector<std::string>&)>& fn) {
  SG_ASSIGN_OR_RETURN(const std::string text, internal::ReadWholeFile(path));
  size_t pos = 0;
  int64_t line_no = 1, at = 0;
  std::string_view line;
  while (internal::NextDataLine(text, &pos, &line_no, &line, &at)) {
    SG_RETURN_IF_ERROR(fn(at, internal::SplitFields(line, '\t')));
  }
  return Status::Ok();
}

// One node's place: its type and its local id within the type.
struct HgbNode {
  int64_t type = -1;
  int64_t local = -1;
};

Status ReadHgbNodes(const std::string& path, HeteroDataset* d, std::vector<HgbNode>* nodes) {
  struct Row {
    int64_t id, type;
    std::vector<float> attrs;
  };
  std::vector<Row> read;
  SG_RETURN_IF_ERROR(ForEachTabLine(path, [&](int64_t at, const std::vector<std::string>& f) -> Status {
    int64_t id = 0, type = 0;
    if (f.size() < 3 || f.size() > 4 || !internal::ParseInt64(f[0], &id) ||
        !internal::ParseInt64(f[2], &type) || id < 0 || type < 0 || type > 1000) {
      return internal::LineError(path, at, "expected 'id<TAB>name<TAB>type[<TAB>attributes]' "
                                           "with ids >= 0 and a type in [0, 1000]");
    }
    std::vector<float> attrs;
    if (f.size() == 4) {
      for (const std::string& a : internal::SplitFields(f[3], ',')) {
        float x = 0;
        if (!internal::ParseFloating(a, &x)) {
          return internal::LineError(path, at, "attribute " + internal::Quoted(a) + " is not a number");
        }
        attrs.push_back(x);
      }
    }
    read.push_back({id, type, std::move(attrs)});
    return Status::Ok();
  }));
  // Ids 0..n-1, each once (checked before any allocation by id).
  std::vector<std::vector<std::vector<float>>> rows;  // per type, per node: attributes
  nodes->assign(read.size(), HgbNode{});
  for (Row& r : read) {
    if (r.id >= static_cast<int64_t>(read.size()) || (*nodes)[r.id].type >= 0) {
      return Status::InvalidArgument(path + ": node ids must be 0.." + std::to_string(read.size() - 1) +
                                     ", each once; node " + std::to_string(r.id) + " breaks that");
    }
    if (r.type >= static_cast<int64_t>(rows.size())) rows.resize(r.type + 1);
    (*nodes)[r.id] = {r.type, static_cast<int64_t>(rows[r.type].size())};
    rows[r.type].push_back(std::move(r.attrs));
  }
  for (size_t t = 0; t < rows.size(); ++t) {
    const int64_t dim = rows[t].empty() ? 0 : static_cast<int64_t>(rows[t][0].size());
    d->node_types.push_back({std::to_string(t), static_cast<int64_t>(rows[t].size())});
    d->feature_dims.push_back(dim);
    d->features.emplace_back();
    for (const auto& r : rows[t]) {
      if (static_cast<int64_t>(r.size()) != dim) {
        return Status::InvalidArgument(path + ": nodes of type " + std::to_string(t) +
                                       " have attributes of different widths");
      }
      d->features.back().insert(d->features.back().end(), r.begin(), r.end());
    }
  }
  return Status::Ok();
}

Status ReadHgbLinks(const std::string& path, const std::vector<HgbNode>& nodes, HeteroDataset* d) {
  std::map<int64_t, graph::RelationEdges> by_type;
  const int64_t n = static_cast<int64_t>(nodes.size());
  SG_RETURN_IF_ERROR(ForEachTabLine(path, [&](int64_t at, const std::vector<std::string>& f) -> Status {
    int64_t u = 0, v = 0, k = 0;
    if (f.size() < 3 || !internal::ParseInt64(f[0], &u) || !internal::ParseInt64(f[1], &v) ||
        !internal::ParseInt64(f[2], &k) || u < 0 || v < 0 || u >= n || v >= n || k < 0) {
      return internal::LineError(path, at, "expected 'src<TAB>dst<TAB>type[<TAB>weight]' with "
                                           "node ids in [0, " + std::to_string(n) + ")");
    }
    graph::RelationEdges& r = by_type[k];
    const std::string src_type = std::to_string(nodes[u].type), dst_type = std::to_string(nodes[v].type);
    if (r.name.empty()) r = {src_type, "link" + std::to_string(k), dst_type, {}, {}};
    if (r.src_type != src_type || r.dst_type != dst_type) {
      return internal::LineError(path, at, "link type " + f[2] + " joins types " + src_type +
                                               " -> " + dst_type + " here but " + r.src_type +
                                               " -> " + r.dst_type + " before");
    }
    r.src.push_back(nodes[u].local);
    r.dst.push_back(nodes[v].local);
    return Status::Ok();
  }));
  for (auto& [k, r] : by_type) {
    graph::RelationEdges rev{r.dst_type, "rev_" + r.name, r.src_type, r.dst, r.src};
    d->relations.push_back(std::move(r));
    d->relations.push_back(std::move(rev));
  }
  return Status::Ok();
}

// label.dat / label.dat.test: (local id, class) of the target type's labelled nodes.
Status ReadHgbLabels(const std::string& path, const std::vector<HgbNode>& nodes, HeteroDataset* d,
                     std::vector<NodeId>* ids) {
  SG_RETURN_IF_ERROR(ForEachTabLine(path, [&](int64_t at, const std::vector<std::string>& f) -> Status {
    int64_t id = 0, label = 0;
    if (f.size() != 4 || !internal::ParseInt64(f[0], &id) || id < 0 ||
        id >= static_cast<int64_t>(nodes.size())) {
      return internal::LineError(path, at, "expected 'id<TAB>name<TAB>type<TAB>label' with a "
                                           "known node id");
    }
    if (f[3].find(',') != std::string::npos) {
      return Status::Unimplemented(path + ":" + std::to_string(at) +
                                   ": multi-label targets are not supported (label '" + f[3] + "')");
    }
    if (!internal::ParseInt64(f[3], &label) || label < 0) {
      return internal::LineError(path, at, "label " + internal::Quoted(f[3]) + " is not a class id >= 0");
    }
    const HgbNode node = nodes[id];
    if (d->labels.empty()) {
      d->target_type = static_cast<int>(node.type);
      d->labels.assign(static_cast<size_t>(d->node_types[node.type].count), -1);
    }
    if (node.type != d->target_type) {
      return internal::LineError(path, at, "node " + f[0] + " is of type " + std::to_string(node.type) +
                                               "; labelled nodes must all be of type " +
                                               std::to_string(d->target_type));
    }
    d->labels[node.local] = label;
    d->num_classes = std::max(d->num_classes, label + 1);
    ids->push_back(node.local);
    return Status::Ok();
  }));
  return Status::Ok();
}

}  // namespace

StatusOr<HeteroDataset> LoadHgb(const std::string& dir, const HgbOptions& options) {
  const std::filesystem::path root(dir);
  HeteroDataset d;
  d.name = root.filename().string();
  std::vector<HgbNode> nodes;
  SG_RETURN_IF_ERROR(ReadHgbNodes((root / "node.dat").string(), &d, &nodes));
  SG_RETURN_IF_ERROR(ReadHgbLinks((root / "link.dat").string(), nodes, &d));
  std::vector<NodeId> labelled;
  SG_RETURN_IF_ERROR(ReadHgbLabels((root / "label.dat").string(), nodes, &d, &labelled));
  SG_RETURN_IF_ERROR(ReadHgbLabels((root / "label.dat.test").string(), nodes, &d, &d.test_idx));
  // HGB's scripts draw the validation share of label.dat at random.
  core::RngStream rng(options.seed, core::StreamKey(kHgbSplitStream), 0);
  for (int64_t i = static_cast<int64_t>(labelled.size()) - 1; i > 0; --i) {
    std::swap(labelled[i], labelled[static_cast<size_t>(rng.Below(i + 1))]);
  }
  const auto val = static_cast<size_t>(options.val_fraction * static_cast<double>(labelled.size()));
  d.val_idx.assign(labelled.begin(), labelled.begin() + val);
  d.train_idx.assign(labelled.begin() + val, labelled.end());
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

// ---- typed SBM --------------------------------------------------------------------------------

namespace {
constexpr uint64_t kHeteroEdgeStream = 0x4e7ed9e;
constexpr uint64_t kHeteroCenterStream = 0x4e7ce7;
constexpr uint64_t kHeteroFeatureStream = 0x4e7fea7;
constexpr uint64_t kHeteroSplitStream = 0x4e75b1;
}  // namespace

StatusOr<HeteroDataset> GenerateHeteroSbm(const HeteroSbmOptions& o) {
  if (o.nodes_per_type < o.num_classes || o.num_types < 1 || o.num_relations < 1 ||
      o.num_classes < 2 || o.edges_per_relation < 0 || o.feature_dim < 1 ||
      o.homophily < 0 || o.homophily > 1 || o.train_fraction <= 0 || o.val_fraction <= 0 ||
      o.train_fraction + o.val_fraction >= 1) {
    return Status::InvalidArgument(
        "hetero sbm: expected nodes_per_type >= num_classes >= 2, num_types >= 1, num_relations "
        ">= 1, edges_per_relation >= 0, feature_dim >= 1, homophily in [0, 1] and train + val "
        "fractions in (0, 1)");
  }
  HeteroDataset d;
  d.name = "hetero_sbm_r" + std::to_string(o.num_relations);
  const int64_t n = o.nodes_per_type;
  for (int64_t t = 0; t < o.num_types; ++t) d.node_types.push_back({"t" + std::to_string(t), n});
  // Node v of any type belongs to block v % num_classes; labels are type 0's blocks.
  const auto block = [&](int64_t v) { return v % o.num_classes; };
  d.relations.resize(static_cast<size_t>(o.num_relations));
  for (int64_t r = 0; r < o.num_relations; ++r) {  // relation r joins types (r, r + r / T) mod T
    graph::RelationEdges& rel = d.relations[r];
    rel.src_type = d.node_types[r % o.num_types].name;
    rel.dst_type = d.node_types[(r + r / o.num_types) % o.num_types].name;
    rel.name = "r" + std::to_string(r);
    rel.src.resize(o.edges_per_relation);
    rel.dst.resize(o.edges_per_relation);
    for (int64_t e = 0; e < o.edges_per_relation; ++e) {
      core::RngStream rng(o.seed, core::StreamKey(kHeteroEdgeStream, r), e);
      rel.src[e] = static_cast<NodeId>(rng.Below(n));
      NodeId v = static_cast<NodeId>(rng.Below(n));
      if (rng.Uniform() < o.homophily) {  // inside the block: move v to the source's block
        v += block(rel.src[e]) - block(v);
        if (v >= n) v -= o.num_classes;
      }
      rel.dst[e] = v;
    }
  }
  // Features: a class centroid (type 0) or a type mean, plus Gaussian noise.
  std::vector<double> centers(static_cast<size_t>((o.num_classes + o.num_types) * o.feature_dim));
  for (size_t i = 0; i < centers.size(); ++i) {
    core::RngStream rng(o.seed, core::StreamKey(kHeteroCenterStream), i);
    centers[i] = rng.Normal();
  }
  for (int64_t t = 0; t < o.num_types; ++t) {
    std::vector<float> f(static_cast<size_t>(n * o.feature_dim));
    for (int64_t v = 0; v < n; ++v) {
      core::RngStream rng(o.seed, core::StreamKey(kHeteroFeatureStream, t), v);
      const int64_t center = t == 0 ? block(v) : o.num_classes + t;
      for (int64_t k = 0; k < o.feature_dim; ++k) {
        f[v * o.feature_dim + k] = static_cast<float>(centers[center * o.feature_dim + k] +
                                                      o.feature_noise * rng.Normal());
      }
    }
    d.feature_dims.push_back(o.feature_dim);
    d.features.push_back(std::move(f));
  }
  d.num_classes = o.num_classes;
  d.labels.resize(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) d.labels[v] = block(v);
  std::vector<NodeId> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  core::RngStream shuffle(o.seed, core::StreamKey(kHeteroSplitStream), 0);
  for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
    std::swap(order[i], order[static_cast<size_t>(shuffle.Below(i + 1))]);
  }
  const auto train = static_cast<int64_t>(o.train_fraction * n);
  const auto val = static_cast<int64_t>(o.val_fraction * n);
  d.train_idx.assign(order.begin(), order.begin() + train);
  d.val_idx.assign(order.begin() + train, order.begin() + train + val);
  d.test_idx.assign(order.begin() + train + val, order.end());
  SG_RETURN_IF_ERROR(d.Validate());
  return d;
}

}  // namespace streamgnn::datasets
