#include "datasets/loaders.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_map>

#include "datasets/npy.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {

namespace {

using internal::FieldCursor;
using internal::LineError;
using internal::Quoted;

// Bumped whenever a loader's output for the same input changes, so old cache entries stop
// matching.
constexpr int kLoaderVersion = 1;

// ---- locating lines ---------------------------------------------------------------------------

struct LinePos {
  size_t begin = 0;  // offset of the line
  size_t next = 0;   // offset after its newline
  int64_t line_no = 0;
  std::string_view text;
};

// The first data (non-blank, non-comment) line at or after `from`, whose line number is
// `from_line`. A UTF-8 byte order mark at offset 0 is skipped.
bool FindDataLine(std::string_view text, size_t from, int64_t from_line, LinePos* out) {
  if (from == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") from = 3;
  size_t pos = from;
  int64_t line_no = from_line;
  while (pos < text.size()) {
    const size_t begin = pos;
    std::string_view line = internal::NextLine(text, &pos);
    if (!internal::IsSkippable(line)) {
      *out = {begin, pos, line_no, line};
      return true;
    }
    ++line_no;
  }
  return false;
}

Status NoEvents(const std::string& path) {
  return Status::InvalidArgument(path + ": no events (the file has no data lines)");
}

bool FirstFieldIsInteger(std::string_view line, char delim) {
  FieldCursor cur(line, delim);
  std::string_view f;
  int64_t v;
  return cur.Next(&f) && internal::ParseInt64(f, &v);
}

// ---- the shared row parser ------------------------------------------------------------------

enum class Role : uint8_t { kSkip, kSrc, kDst, kTime, kLabel, kIdx, kSplit, kFeat };

// How to read one row: exactly roles.size() fields separated by delim.
struct RowSchema {
  char delim = ',';
  std::vector<Role> roles;
  std::vector<std::string> names;  // per column, for messages
  std::string layout;              // the expected row, for messages
  int feat_begin = 0;              // column of feature 0 (features are contiguous)
  int64_t feat_dim = 0;
  int64_t idx_limit = -1;  // >= 0: idx values must be < idx_limit (rows of the feature matrix)
  std::string idx_limit_source;  // the file that sets idx_limit, for messages

  bool Has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }
};

// Parsed columns in file order.
struct Events {
  std::vector<NodeId> src, dst;
  std::vector<Timestamp> ts;
  std::vector<int32_t> labels;
  std::vector<int64_t> idx;
  std::vector<int8_t> split;
  std::vector<float> feat;
  int64_t feat_dim = 0;
  int64_t size() const { return static_cast<int64_t>(src.size()); }
};

// JODIE's row (and TGB's wiki row): src, dst, time, a label column read as `label_role`, then
// ncols - 4 feature columns, comma separated.
RowSchema EdgeThenFeatures(std::vector<std::string> names, Role label_role, int64_t ncols) {
  RowSchema schema;
  schema.delim = ',';
  schema.roles = {Role::kSrc, Role::kDst, Role::kTime, label_role};
  schema.layout = names[0] + "," + names[1] + "," + names[2] + "," + names[3];
  schema.names = std::move(names);
  schema.feat_begin = 4;
  schema.feat_dim = ncols - 4;
  for (int64_t k = 0; k < schema.feat_dim; ++k) {
    schema.roles.push_back(Role::kFeat);
    schema.names.push_back("feature " + std::to_string(k));
  }
  if (schema.feat_dim > 0) {
    schema.layout += ", then " + std::to_string(schema.feat_dim) + " features as in the first row";
  }
  return schema;
}

Status ColumnCountError(const std::string& path, int64_t line, const RowSchema& s, int64_t found) {
  return LineError(path, line,
                   "expected " + std::to_string(s.roles.size()) + " columns (" + s.layout +
                       "), found " + std::to_string(found));
}

Status FieldError(const std::string& path, int64_t line, const RowSchema& s, int col,
                  const std::string& expected, std::string_view field) {
  return LineError(path, line,
                   "column " + std::to_string(col + 1) + " (" + s.names[col] + "): expected " +
                       expected + ", found " + Quoted(field));
}

// Parses every data line from `data_begin` (line number `data_line`) per `schema`.
StatusOr<Events> ParseEvents(const std::string& path, std::string_view text, size_t data_begin,
                             int64_t data_line, const RowSchema& schema) {
  const std::vector<internal::TextChunk> chunks =
      internal::IndexChunks(text, data_begin, data_line);
  const int64_t n = internal::TotalRows(chunks);
  if (n == 0) return NoEvents(path);
  Events ev;
  ev.src.resize(n);
  ev.dst.resize(n);
  ev.ts.resize(n);
  if (schema.Has(Role::kLabel)) ev.labels.resize(n);
  if (schema.Has(Role::kIdx)) ev.idx.resize(n);
  if (schema.Has(Role::kSplit)) ev.split.resize(n);
  ev.feat_dim = schema.feat_dim;
  ev.feat.resize(static_cast<size_t>(n * schema.feat_dim));
  const int ncols = static_cast<int>(schema.roles.size());

  auto parse_row = [&](int64_t row, std::string_view line, int64_t line_no) -> Status {
    FieldCursor cur(line, schema.delim);
    std::string_view f;
    int col = 0;
    while (cur.Next(&f)) {
      if (col == ncols) return ColumnCountError(path, line_no, schema, ncols + 1 + cur.CountRest());
      switch (schema.roles[col]) {
        case Role::kSkip:
          break;
        case Role::kSrc:
        case Role::kDst: {
          int64_t v;
          if (!internal::ParseInt64(f, &v) || v < 0) {
            return FieldError(path, line_no, schema, col, "a non-negative integer node id", f);
          }
          (schema.roles[col] == Role::kSrc ? ev.src : ev.dst)[row] = v;
          break;
        }
        case Role::kTime: {
          double t;
          if (!internal::ParseFloating(f, &t)) {
            return FieldError(path, line_no, schema, col, "a number (timestamp)", f);
          }
          if (!std::isfinite(t)) {
            return FieldError(path, line_no, schema, col, "a finite timestamp", f);
          }
          ev.ts[row] = t;
          break;
        }
        case Role::kLabel:
          if (!internal::ParseIntegral32(f, &ev.labels[row])) {
            return FieldError(path, line_no, schema, col, "an integer label", f);
          }
          break;
        case Role::kIdx: {
          int64_t v;
          if (!internal::ParseInt64(f, &v) || v < 0) {
            return FieldError(path, line_no, schema, col, "a non-negative integer edge index", f);
          }
          if (schema.idx_limit >= 0 && v >= schema.idx_limit) {
            return FieldError(path, line_no, schema, col,
                              "an edge index below " + std::to_string(schema.idx_limit) +
                                  " (the row count of " + schema.idx_limit_source + ")",
                              f);
          }
          ev.idx[row] = v;
          break;
        }
        case Role::kSplit: {
          int64_t v;
          if (!internal::ParseInt64(f, &v) || v < 0 || v > 2) {
            return FieldError(path, line_no, schema, col, "a split value 0, 1 or 2", f);
          }
          ev.split[row] = static_cast<int8_t>(v);
          break;
        }
        case Role::kFeat: {
          float v;
          if (!internal::ParseFloating(f, &v) || !std::isfinite(v)) {
            return FieldError(path, line_no, schema, col, "a finite number (feature)", f);
          }
          ev.feat[row * schema.feat_dim + (col - schema.feat_begin)] = v;
          break;
        }
      }
      ++col;
    }
    if (col != ncols) return ColumnCountError(path, line_no, schema, col);
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(internal::ParseChunks(text, chunks, parse_row));
  return ev;
}

template <typename T>
void Gather(std::vector<T>* v, const std::vector<int64_t>& perm, int64_t width = 1) {
  if (v->empty()) return;
  std::vector<T> out(v->size());
  for (size_t i = 0; i < perm.size(); ++i) {
    std::copy_n(v->begin() + perm[i] * width, width, out.begin() + i * width);
  }
  v->swap(out);
}

// Stable sort by time: ties keep file order, so the result is deterministic.
void SortByTime(Events* ev) {
  if (std::is_sorted(ev->ts.begin(), ev->ts.end())) return;
  std::vector<int64_t> perm(ev->size());
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(),
                   [&](int64_t a, int64_t b) { return ev->ts[a] < ev->ts[b]; });
  Gather(&ev->src, perm);
  Gather(&ev->dst, perm);
  Gather(&ev->ts, perm);
  Gather(&ev->labels, perm);
  Gather(&ev->idx, perm);
  Gather(&ev->split, perm);
  Gather(&ev->feat, perm, ev->feat_dim);
}

NodeId MaxId(const std::vector<NodeId>& ids) {
  return ids.empty() ? -1 : *std::max_element(ids.begin(), ids.end());
}

TemporalDataset ToDataset(Events&& ev, const std::string& name) {
  TemporalDataset ds;
  ds.name = name;
  ds.src = std::move(ev.src);
  ds.dst = std::move(ev.dst);
  ds.ts = std::move(ev.ts);
  ds.labels = std::move(ev.labels);
  ds.split = std::move(ev.split);
  ds.edge_feat_dim = ev.feat_dim;
  ds.edge_feat = std::move(ev.feat);
  const NodeId max_id = std::max(MaxId(ds.src), MaxId(ds.dst));
  ds.num_nodes = max_id == std::numeric_limits<NodeId>::max() ? max_id : max_id + 1;
  return ds;
}

// Formats that keep the file's ids make the id space [0, max id]; refuse absurd ones (a hashed
// or sparse id scheme) instead of letting downstream code allocate per-node tables for them.
constexpr int64_t kMaxKeptIdSpace = int64_t{1} << 40;
Status CheckKeptIdSpace(const std::string& path, const TemporalDataset& ds) {
  const NodeId max_id = std::max(MaxId(ds.src), MaxId(ds.dst));
  if (max_id < kMaxKeptIdSpace) return Status::Ok();
  return Status::InvalidArgument(path + ": node id " + std::to_string(max_id) +
                                 " is too large for a dense id space (limit 2^40); remap the ids "
                                 "(format snap, or csv with remap_ids)");
}

// Renumbers ids to 0.. in order of first appearance (src before dst within an event).
void RemapIds(TemporalDataset* ds) {
  const int64_t n = ds->num_events();
  const NodeId max_id = std::max(MaxId(ds->src), MaxId(ds->dst));
  std::vector<int64_t>& original = ds->original_node_ids;
  original.clear();
  auto remap_all = [&](auto&& lookup) {
    for (int64_t i = 0; i < n; ++i) {
      ds->src[i] = lookup(ds->src[i]);
      ds->dst[i] = lookup(ds->dst[i]);
    }
  };
  if (max_id <= 8 * n + (int64_t{1} << 20)) {
    std::vector<NodeId> map(static_cast<size_t>(max_id + 1), kInvalidNode);
    remap_all([&](NodeId v) {
      if (map[v] == kInvalidNode) {
        map[v] = static_cast<NodeId>(original.size());
        original.push_back(v);
      }
      return map[v];
    });
  } else {
    std::unordered_map<NodeId, NodeId> map;
    map.reserve(static_cast<size_t>(2 * n));
    remap_all([&](NodeId v) {
      auto [it, inserted] = map.try_emplace(v, static_cast<NodeId>(original.size()));
      if (inserted) original.push_back(v);
      return it->second;
    });
  }
  ds->num_nodes = static_cast<int64_t>(original.size());
}

// ---- names ----------------------------------------------------------------------------------

std::string FileStem(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  auto strip = [&](std::string_view ext) {
    if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
      base.resize(base.size() - ext.size());
      return true;
    }
    return false;
  };
  strip(".gz");
  for (std::string_view ext : {".csv", ".txt", ".tsv", ".edges"}) {
    if (strip(ext)) break;
  }
  return base;
}

std::string DefaultName(Format format, const std::string& path) {
  std::string stem = FileStem(path);
  switch (format) {
    case Format::kMl:
      if (stem.rfind("ml_", 0) == 0 && stem.size() > 3) return stem.substr(3);
      return stem;
    case Format::kTgl:
      if (stem == "edges") {
        std::string parent = std::filesystem::absolute(path).parent_path().filename().string();
        if (!parent.empty()) return parent;
      }
      return stem;
    case Format::kSynthetic:
      return "synthetic";
    case Format::kTgb:  // tgbl-wiki_edgelist_v2.csv -> tgbl-wiki
      return stem.find("_edgelist") != std::string::npos ? stem.substr(0, stem.find("_edgelist")) : stem;
    default:
      return stem;
  }
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out;
}

int FindColumn(const std::vector<std::string>& names, std::string_view want) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == want) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

// ---- formats ----------------------------------------------------------------------------------

StatusOr<Format> ParseFormat(std::string_view name) {
  Format format;
  if (core::EnumFromString(name, &format)) return format;
  return Status::InvalidArgument("unknown dataset format '" + std::string(name) + "' (expected " +
                                 core::EnumChoices<Format>(", ") + ")");
}

const char* FormatName(Format format) { return core::EnumToString(format); }

// ---- JODIE ------------------------------------------------------------------------------------

StatusOr<TemporalDataset> LoadJodieCsv(const std::string& path, const std::string& name) {
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LinePos first, row;
  if (!FindDataLine(text, 0, 1, &first)) return NoEvents(path);
  size_t data_begin = first.begin;
  int64_t data_line = first.line_no;
  row = first;
  if (!FirstFieldIsInteger(first.text, ',')) {  // a header line
    data_begin = first.next;
    data_line = first.line_no + 1;
    if (!FindDataLine(text, data_begin, data_line, &row)) return NoEvents(path);
  }
  const int64_t ncols = internal::CountFields(row.text, ',');
  if (ncols < 4) {
    return LineError(path, row.line_no,
                     "expected at least 4 columns (user,item,timestamp,state_label[,features...])"
                     ", found " +
                         std::to_string(ncols));
  }
  const RowSchema schema = EdgeThenFeatures({"user", "item", "timestamp", "state_label"}, Role::kLabel, ncols);
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, data_begin, data_line, schema));
  text = std::string();  // release the text before sorting copies arrays

  SortByTime(&ev);
  TemporalDataset ds =
      ToDataset(std::move(ev), name.empty() ? DefaultName(Format::kJodie, path) : name);
  // JODIE's users and items live in separate id spaces; make them disjoint unless the file
  // already did (max user < min item).
  SG_RETURN_IF_ERROR(CheckKeptIdSpace(path, ds));
  const NodeId max_user = MaxId(ds.src);
  const NodeId min_item = *std::min_element(ds.dst.begin(), ds.dst.end());
  const NodeId max_item = MaxId(ds.dst);
  ds.num_users = max_user + 1;
  if (max_user < min_item) {
    ds.num_nodes = max_item + 1;
  } else {
    for (NodeId& v : ds.dst) v += ds.num_users;
    ds.num_nodes = ds.num_users + max_item + 1;
  }
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// ---- DyGLib / TGN ml_ -------------------------------------------------------------------------

std::vector<std::string> MlCompanionPaths(const std::string& csv_path) {
  std::string base = csv_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".csv") == 0)
    base.resize(base.size() - 4);
  return {base + ".npy", base + "_node.npy"};
}

StatusOr<TemporalDataset> LoadMlCsv(const std::string& path, const std::string& name) {
  const std::vector<std::string> companions = MlCompanionPaths(path);
  std::optional<NpyMatrix> edge_feat, node_feat;
  if (internal::FileExists(companions[0])) {
    SG_ASSIGN_OR_RETURN(edge_feat, ReadNpyMatrix(companions[0]));
  }
  if (internal::FileExists(companions[1])) {
    SG_ASSIGN_OR_RETURN(node_feat, ReadNpyMatrix(companions[1]));
  }
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LinePos header;
  if (!FindDataLine(text, 0, 1, &header)) return NoEvents(path);
  RowSchema schema;
  schema.delim = ',';
  schema.names = internal::SplitFields(header.text, ',');
  const int u = FindColumn(schema.names, "u"), i = FindColumn(schema.names, "i"),
            t = FindColumn(schema.names, "ts");
  if (u < 0 || i < 0 || t < 0) {
    return LineError(path, header.line_no,
                     "expected a header naming columns u, i and ts (DyGLib/TGN ml_ format, "
                     "e.g. ',u,i,ts,label,idx'), found " +
                         Quoted(header.text));
  }
  const int label = FindColumn(schema.names, "label"), idx = FindColumn(schema.names, "idx");
  schema.roles.assign(schema.names.size(), Role::kSkip);
  schema.roles[u] = Role::kSrc;
  schema.roles[i] = Role::kDst;
  schema.roles[t] = Role::kTime;
  if (label >= 0) schema.roles[label] = Role::kLabel;
  if (idx >= 0) schema.roles[idx] = Role::kIdx;
  for (std::string& n : schema.names) {
    if (n.empty()) n = "index";
  }
  schema.layout = JoinNames(schema.names);
  if (edge_feat) {
    if (idx < 0) {
      return LineError(path, header.line_no,
                       "expected an 'idx' column: it selects the row of " + companions[0]);
    }
    schema.idx_limit = edge_feat->rows;
    schema.idx_limit_source = companions[0];
  }
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, header.next, header.line_no + 1, schema));
  text = std::string();
  SortByTime(&ev);
  std::vector<int64_t> edge_rows = std::move(ev.idx);
  TemporalDataset ds =
      ToDataset(std::move(ev), name.empty() ? DefaultName(Format::kMl, path) : name);
  SG_RETURN_IF_ERROR(CheckKeptIdSpace(path, ds));
  if (edge_feat) {
    // Row idx of the matrix belongs to the event with that idx (row 0 is TGN's padding).
    ds.edge_feat_dim = edge_feat->cols;
    ds.edge_feat.resize(static_cast<size_t>(ds.num_events() * ds.edge_feat_dim));
    for (int64_t e = 0; e < ds.num_events(); ++e) {
      std::copy_n(edge_feat->data.begin() + edge_rows[e] * ds.edge_feat_dim, ds.edge_feat_dim,
                  ds.edge_feat.begin() + e * ds.edge_feat_dim);
    }
  }
  if (node_feat) {
    if (node_feat->rows < ds.num_nodes) {
      return Status::InvalidArgument(
          companions[1] + ": node feature matrix has " + std::to_string(node_feat->rows) +
          " rows, but " + path + " uses node ids up to " + std::to_string(ds.num_nodes - 1) +
          " (expected at least " + std::to_string(ds.num_nodes) + " rows)");
    }
    ds.num_nodes = node_feat->rows;
    ds.node_feat_dim = node_feat->cols;
    ds.node_feat = std::move(node_feat->data);
  }
  const NodeId max_u = MaxId(ds.src);
  if (max_u < *std::min_element(ds.dst.begin(), ds.dst.end())) ds.num_users = max_u + 1;
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// ---- SNAP -------------------------------------------------------------------------------------

StatusOr<TemporalDataset> LoadSnapEdges(const std::string& path, const std::string& name) {
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LinePos first, row;
  if (!FindDataLine(text, 0, 1, &first)) return NoEvents(path);
  const char delim = first.text.find(',') != std::string_view::npos ? ',' : ' ';
  size_t data_begin = first.begin;
  int64_t data_line = first.line_no;
  row = first;
  if (!FirstFieldIsInteger(first.text, delim)) {  // a header line
    data_begin = first.next;
    data_line = first.line_no + 1;
    if (!FindDataLine(text, data_begin, data_line, &row)) return NoEvents(path);
  }
  const int64_t ncols = internal::CountFields(row.text, delim);
  RowSchema schema;
  schema.delim = delim;
  if (ncols == 3) {
    schema.roles = std::vector<Role>{Role::kSrc, Role::kDst, Role::kTime};
    schema.names = {"src", "dst", "time"};
    schema.layout = delim == ',' ? "src,dst,time" : "src dst time";
  } else if (ncols == 4) {
    schema.roles = std::vector<Role>{Role::kSrc, Role::kDst, Role::kFeat, Role::kTime};
    schema.names = {"src", "dst", "weight", "time"};
    schema.layout = delim == ',' ? "src,dst,weight,time" : "src dst weight time";
    schema.feat_begin = 2;
    schema.feat_dim = 1;
  } else {
    return LineError(path, row.line_no,
                     "expected 3 columns (src dst time) or 4 (src,dst,weight,time), found " +
                         std::to_string(ncols));
  }
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, data_begin, data_line, schema));
  text = std::string();
  SortByTime(&ev);
  TemporalDataset ds =
      ToDataset(std::move(ev), name.empty() ? DefaultName(Format::kSnap, path) : name);
  RemapIds(&ds);
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// ---- TGL --------------------------------------------------------------------------------------

StatusOr<TemporalDataset> LoadTglEdges(const std::string& path, const std::string& name) {
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LinePos header;
  if (!FindDataLine(text, 0, 1, &header)) return NoEvents(path);
  RowSchema schema;
  schema.delim = ',';
  schema.names = internal::SplitFields(header.text, ',');
  const int s = FindColumn(schema.names, "src"), d = FindColumn(schema.names, "dst"),
            t = FindColumn(schema.names, "time");
  if (s < 0 || d < 0 || t < 0) {
    return LineError(path, header.line_no,
                     "expected a header naming columns src, dst and time (TGL edges.csv, e.g. "
                     "',src,dst,time,int_roll,ext_roll'), found " +
                         Quoted(header.text));
  }
  schema.roles.assign(schema.names.size(), Role::kSkip);
  schema.roles[s] = Role::kSrc;
  schema.roles[d] = Role::kDst;
  schema.roles[t] = Role::kTime;
  if (const int r = FindColumn(schema.names, "ext_roll"); r >= 0) schema.roles[r] = Role::kSplit;
  for (std::string& n : schema.names) {
    if (n.empty()) n = "index";
  }
  schema.layout = JoinNames(schema.names);
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, header.next, header.line_no + 1, schema));
  text = std::string();
  SortByTime(&ev);
  TemporalDataset ds =
      ToDataset(std::move(ev), name.empty() ? DefaultName(Format::kTgl, path) : name);
  SG_RETURN_IF_ERROR(CheckKeptIdSpace(path, ds));
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// ---- generic CSV ------------------------------------------------------------------------------

StatusOr<TemporalDataset> LoadCsv(const std::string& path, const CsvOptions& o,
                                  const std::string& name) {
  auto bad_option = [&](const std::string& what) {
    return Status::InvalidArgument(path + ": csv column mapping: " + what);
  };
  if (o.src_col < 0 || o.dst_col < 0 || o.time_col < 0) {
    return bad_option("src_col, dst_col and time_col must be >= 0");
  }
  if (o.delimiter == '\n' || o.delimiter == '\r' || o.delimiter == '\0') {
    return bad_option("invalid delimiter");
  }
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LinePos first;
  if (!FindDataLine(text, 0, 1, &first)) return NoEvents(path);
  RowSchema schema;
  schema.delim = o.delimiter == '\t' ? ' ' : o.delimiter;
  size_t data_begin = first.begin;
  int64_t data_line = first.line_no;
  int64_t ncols;
  if (o.header) {
    schema.names = internal::SplitFields(first.text, schema.delim);
    ncols = static_cast<int64_t>(schema.names.size());
    data_begin = first.next;
    data_line = first.line_no + 1;
  } else {
    ncols = internal::CountFields(first.text, schema.delim);
  }
  schema.names.resize(ncols);
  for (int64_t c = 0; c < ncols; ++c) {
    if (schema.names[c].empty()) schema.names[c] = "column " + std::to_string(c + 1);
  }
  schema.roles.assign(ncols, Role::kSkip);
  auto assign = [&](int col, Role role, const char* what) -> Status {
    if (col < 0) return Status::Ok();
    if (col >= ncols) {
      return bad_option(std::string(what) + " = " + std::to_string(col) + ", but the file has " +
                        std::to_string(ncols) + " columns");
    }
    if (schema.roles[col] != Role::kSkip) {
      return bad_option(std::string(what) + " = " + std::to_string(col) +
                        " is already mapped to another field");
    }
    schema.roles[col] = role;
    return Status::Ok();
  };
  SG_RETURN_IF_ERROR(assign(o.src_col, Role::kSrc, "src_col"));
  SG_RETURN_IF_ERROR(assign(o.dst_col, Role::kDst, "dst_col"));
  SG_RETURN_IF_ERROR(assign(o.time_col, Role::kTime, "time_col"));
  SG_RETURN_IF_ERROR(assign(o.label_col, Role::kLabel, "label_col"));
  SG_RETURN_IF_ERROR(assign(o.split_col, Role::kSplit, "split_col"));
  if (o.feat_begin >= 0) {
    const int end = o.feat_end < 0 ? static_cast<int>(ncols) : o.feat_end;
    if (end < o.feat_begin) return bad_option("feat_end < feat_begin");
    schema.feat_begin = o.feat_begin;
    schema.feat_dim = end - o.feat_begin;
    for (int c = o.feat_begin; c < end; ++c) {
      SG_RETURN_IF_ERROR(assign(c, Role::kFeat, "feature column"));
    }
  }
  schema.layout = JoinNames(schema.names);
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, data_begin, data_line, schema));
  text = std::string();
  SortByTime(&ev);
  TemporalDataset ds =
      ToDataset(std::move(ev), name.empty() ? DefaultName(Format::kCsv, path) : name);
  if (o.remap_ids) {
    RemapIds(&ds);
  } else {
    SG_RETURN_IF_ERROR(CheckKeptIdSpace(path, ds));
  }
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// ---- TGB ----------------------------------------------------------------------------------------

namespace {

// TGB's edge-list layouts, by dataset name (as TGB's LinkPropPredDataset picks its reader).
enum class TgbLayout { kWiki, kWeighted, kComment };

StatusOr<TgbLayout> TgbLayoutOf(const std::string& path, const std::string& name) {
  static const std::pair<const char*, TgbLayout> kLayouts[] = {
      {"tgbl-wiki", TgbLayout::kWiki},         {"tgbl-subreddit", TgbLayout::kWiki},
      {"tgbl-uci", TgbLayout::kWiki},          {"tgbl-enron", TgbLayout::kWiki},
      {"tgbl-lastfm", TgbLayout::kWiki},       {"tgbl-coin", TgbLayout::kWeighted},
      {"tgbl-review", TgbLayout::kWeighted},   {"tgbl-comment", TgbLayout::kComment}};
  for (const auto& [n, layout] : kLayouts) {
    if (name == n) return layout;
  }
  if (name == "tgbl-flight") {
    return Status::Unimplemented(path + ": tgbl-flight (airport codes, callsign features and its "
                                 "node-feature file) is not read yet");
  }
  return Status::InvalidArgument(
      path + ": '" + name + "' is not a TGB link-prediction dataset read here (tgbl-wiki, "
      "tgbl-subreddit, tgbl-uci, tgbl-enron, tgbl-lastfm, tgbl-coin, tgbl-review, tgbl-comment); "
      "the name comes from <name>_edgelist[_v2].csv or dataset.name");
}

// tgbl-wiki and its kin (TGB's load_edgelist_wiki): a header, then
// src,dst,timestamp,state_label,features...; destinations shifted by max(src) + 1 always.
StatusOr<TemporalDataset> LoadTgbWiki(const std::string& path, std::string text, const std::string& name) {
  LinePos header, row;
  if (!FindDataLine(text, 0, 1, &header) || !FindDataLine(text, header.next, header.line_no + 1, &row)) {
    return NoEvents(path);
  }
  const int64_t ncols = internal::CountFields(row.text, ',');
  if (ncols < 4) {
    return LineError(path, row.line_no,
                     "expected at least 4 columns (src,dst,timestamp,state_label[,features...]), found " +
                         std::to_string(ncols));
  }
  // TGB reads no label (and its label column may hold floats).
  const RowSchema schema = EdgeThenFeatures({"src", "dst", "timestamp", "state_label"}, Role::kSkip, ncols);
  SG_ASSIGN_OR_RETURN(Events ev, ParseEvents(path, text, header.next, header.line_no + 1, schema));
  text = std::string();
  for (Timestamp& t : ev.ts) t = std::trunc(t);  // TGB: timestamps.astype(int)
  SortByTime(&ev);
  TemporalDataset ds = ToDataset(std::move(ev), name);
  SG_RETURN_IF_ERROR(CheckKeptIdSpace(path, ds));
  ds.num_users = MaxId(ds.src) + 1;
  for (NodeId& v : ds.dst) v += ds.num_users;
  ds.num_nodes = std::max(ds.num_users, MaxId(ds.dst) + 1);
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

// tgbl-coin / tgbl-review (time,src,dst,weight; edge feature log2(weight), 0 read as 1) and
// tgbl-comment (ts,src,dst,num_words,score; features num_words / 5000 and score): ids are
// strings, numbered from 0 in order of first appearance (src before dst), as TGB does.
StatusOr<TemporalDataset> LoadTgbStringIds(const std::string& path, const std::string& text,
                                           const std::string& name, TgbLayout layout) {
  LinePos header;
  if (!FindDataLine(text, 0, 1, &header)) return NoEvents(path);
  const bool weighted = layout == TgbLayout::kWeighted;
  const int ncols = weighted ? 4 : 5;
  const char* columns = weighted ? "time,src,dst,weight" : "ts,src,dst,num_words,score";
  const auto chunks = internal::IndexChunks(text, header.next, header.line_no + 1);
  const int64_t n = internal::TotalRows(chunks);
  if (n == 0) return NoEvents(path);
  std::vector<std::string_view> src(n), dst(n);
  Events ev;
  ev.ts.resize(n);
  ev.feat_dim = weighted ? 1 : 2;
  ev.feat.resize(static_cast<size_t>(n * ev.feat_dim));
  SG_RETURN_IF_ERROR(internal::ParseChunks(
      text, chunks, [&](int64_t r, std::string_view line, int64_t line_no) -> Status {
        std::string_view f[6];
        FieldCursor cur(line, ',');
        int k = 0;
        while (k < 6 && cur.Next(&f[k])) ++k;
        if (k != ncols) {
          return LineError(path, line_no, "expected " + std::to_string(ncols) + " columns (" + columns + ")");
        }
        int64_t t = 0, words = 0, score = 0;
        if (!internal::ParseInt64(f[0], &t)) return LineError(path, line_no, "expected an integer time, got " + Quoted(f[0]));
        if (f[1].empty() || f[2].empty()) return LineError(path, line_no, "expected non-empty src and dst ids");
        src[r] = f[1];
        dst[r] = f[2];
        ev.ts[r] = static_cast<Timestamp>(t);
        if (weighted) {
          double w = 0;
          if (!internal::ParseFloating(f[3], &w) || !(w >= 0) || !std::isfinite(w)) {
            return LineError(path, line_no, "expected a weight >= 0 (TGB takes its log2), got " + Quoted(f[3]));
          }
          ev.feat[r] = static_cast<float>(std::log2(w == 0 ? 1.0 : w));
        } else {
          if (!internal::ParseInt64(f[3], &words) || !internal::ParseInt64(f[4], &score)) {
            return LineError(path, line_no, "expected integer num_words and score");
          }
          ev.feat[2 * r] = static_cast<float>(static_cast<double>(words) / 5000.0);
          ev.feat[2 * r + 1] = static_cast<float>(score);
        }
        return Status::Ok();
      }));
  std::unordered_map<std::string_view, NodeId> ids;
  ids.reserve(static_cast<size_t>(n));
  const auto id = [&](std::string_view s) {
    return ids.try_emplace(s, static_cast<NodeId>(ids.size())).first->second;
  };
  ev.src.resize(n);
  ev.dst.resize(n);
  for (int64_t r = 0; r < n; ++r) {
    ev.src[r] = id(src[r]);
    ev.dst[r] = id(dst[r]);
  }
  SortByTime(&ev);
  TemporalDataset ds = ToDataset(std::move(ev), name);
  SG_RETURN_IF_ERROR(Validate(ds).WithPrefix(path));
  return ds;
}

}  // namespace

StatusOr<TemporalDataset> LoadTgbEdgelist(const std::string& path, const std::string& name) {
  const std::string n = name.empty() ? DefaultName(Format::kTgb, path) : name;
  SG_ASSIGN_OR_RETURN(const TgbLayout layout, TgbLayoutOf(path, n));
  SG_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  if (layout == TgbLayout::kWiki) return LoadTgbWiki(path, std::move(text), n);
  return LoadTgbStringIds(path, text, n, layout);
}

// ---- LoadTemporal -----------------------------------------------------------------------------

namespace {

std::string StampText(const internal::FileStamp& s) {
  return s.abs_path + "|size=" + std::to_string(s.size) +
         "|mtime_ns=" + std::to_string(s.mtime_ns) + "|inode=" + std::to_string(s.inode);
}

std::string CsvOptionsText(const CsvOptions& o) {
  return "src=" + std::to_string(o.src_col) + ",dst=" + std::to_string(o.dst_col) +
         ",time=" + std::to_string(o.time_col) + ",label=" + std::to_string(o.label_col) +
         ",split=" + std::to_string(o.split_col) + ",feat=" + std::to_string(o.feat_begin) + ":" +
         std::to_string(o.feat_end) + ",header=" + std::to_string(o.header) +
         ",delim=" + std::to_string(static_cast<int>(o.delimiter)) +
         ",remap=" + std::to_string(o.remap_ids);
}

// The stamps of everything the parse reads; absent optional companions are part of the key too,
// so adding one invalidates the entry.
StatusOr<std::string> SourceKey(const LoadSpec& spec, const std::string& name) {
  SG_ASSIGN_OR_RETURN(internal::FileStamp stamp, internal::StampFile(spec.path));
  std::string key = "streamgnn dataset cache v" + std::to_string(kCacheFormatVersion) +
                    " loader v" + std::to_string(kLoaderVersion) +
                    "\nformat=" + FormatName(spec.format) + "\nname=" + name +
                    "\nsource=" + StampText(stamp);
  if (spec.format == Format::kMl) {
    for (const std::string& c : MlCompanionPaths(spec.path)) {
      auto cs = internal::StampFile(c);
      key += "\ncompanion=" + (cs.ok() ? StampText(*cs) : c + "|absent");
    }
  }
  if (spec.format == Format::kCsv) key += "\ncsv=" + CsvOptionsText(spec.csv);
  return key;
}

StatusOr<TemporalDataset> ParseSource(const LoadSpec& spec, const std::string& name) {
  switch (spec.format) {
    case Format::kJodie:
      return LoadJodieCsv(spec.path, name);
    case Format::kMl:
      return LoadMlCsv(spec.path, name);
    case Format::kSnap:
      return LoadSnapEdges(spec.path, name);
    case Format::kTgl:
      return LoadTglEdges(spec.path, name);
    case Format::kCsv:
      return LoadCsv(spec.path, spec.csv, name);
    case Format::kTgb:
      return LoadTgbEdgelist(spec.path, name);
    case Format::kSynthetic:
      break;
  }
  return Status::Internal("ParseSource called for a synthetic spec");
}

}  // namespace

StatusOr<TemporalDataset> LoadTemporal(const LoadSpec& spec, LoadReport* report) {
  const auto start = std::chrono::steady_clock::now();
  LoadReport local;
  LoadReport& rep = report != nullptr ? *report : local;
  rep = LoadReport();
  auto finish = [&](StatusOr<TemporalDataset> result) {
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  };

  if (spec.format == Format::kSynthetic) {
    StatusOr<TemporalDataset> ds = GenerateSynthetic(spec.synthetic);
    if (ds.ok() && !spec.name.empty()) ds->name = spec.name;
    return finish(std::move(ds));
  }
  if (spec.path.empty()) return Status::InvalidArgument("dataset spec has no path");
  const std::string name = spec.name.empty() ? DefaultName(spec.format, spec.path) : spec.name;
  SG_ASSIGN_OR_RETURN(const std::string key, SourceKey(spec, name));

  if (spec.cache.enable) {
    const std::string dir = spec.cache.dir.empty() ? DefaultCacheDir() : spec.cache.dir;
    if (dir.empty()) {
      rep.warnings.push_back(
          "dataset cache disabled: set STREAMGNN_CACHE_DIR, XDG_CACHE_HOME or HOME");
    } else {
      rep.cache_path = (std::filesystem::path(dir) / CacheFileName(name, key)).string();
      StatusOr<TemporalDataset> cached = ReadDatasetCache(rep.cache_path, key);
      if (cached.ok()) {
        rep.cache_hit = true;
        return finish(std::move(cached));
      }
      if (cached.status().code() != StatusCode::kNotFound) {
        rep.warnings.push_back("ignored dataset cache: " + cached.status().message());
      }
    }
  }

  SG_ASSIGN_OR_RETURN(TemporalDataset ds, ParseSource(spec, name));

  if (!rep.cache_path.empty()) {
    // A source rewritten during the parse would pair new data with the old key: skip the write.
    StatusOr<std::string> key_after = SourceKey(spec, name);
    if (!key_after.ok() || *key_after != key) {
      rep.warnings.push_back("dataset cache not written: " + spec.path +
                             " changed while it was read");
    } else if (Status w = WriteDatasetCache(rep.cache_path, key, ds); !w.ok()) {
      rep.warnings.push_back("dataset cache not written: " + w.message());
    }
  }
  return finish(std::move(ds));
}

}  // namespace streamgnn::datasets
