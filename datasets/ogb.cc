// OGB node-property prediction datasets in the layouts `ogb` downloads and unpacks.
//
// Homogeneous (e.g. ogbn_arxiv/): raw/edge.csv.gz ("src,dst" per line), raw/node-feat.csv.gz
// (one row of floats per node), raw/node-label.csv.gz (one label per node),
// raw/num-node-list.csv.gz (optional), split/<name>/{train,valid,test}.csv.gz (one id a line).
//
// Heterogeneous (ogbn_mag/; OGB's read_csv_heterograph_raw): raw/num-node-dict.csv.gz (a header
// of type names, one row of counts), raw/triplet-type-list.csv.gz ("head,relation,tail" lines),
// raw/relations/<head>___<relation>___<tail>/edge.csv.gz (+ num-edge-list.csv.gz),
// raw/node-feat/<type>/node-feat.csv.gz (types without it are featureless),
// raw/nodetype-has-label.csv.gz (a header of type names, one row of True/False),
// raw/node-label/<type>/node-label.csv.gz, split/<name>/<type>/{train,valid,test}.csv.gz.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "datasets/hetero_dataset.h"
#include "datasets/static_dataset.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {
namespace {

// OGB's labels are class indices written as numbers; NaN marks an unlabelled node (-1).
// Anything else (negative, fractional, beyond 2^31) is an error naming the row, never a cast.
StatusOr<std::vector<int64_t>> ClassLabels(const std::vector<float>& values, const std::string& path) {
  std::vector<int64_t> labels(values.size());
  for (size_t r = 0; r < values.size(); ++r) {
    const float v = values[r];
    if (std::isnan(v)) {
      labels[r] = -1;
    } else if (v >= 0 && v < 0x1p31f && v == std::floor(v)) {
      labels[r] = static_cast<int64_t>(v);
    } else {
      return Status::InvalidArgument(path + ": row " + std::to_string(r + 1) + ": label " +
                                     std::to_string(v) + " is not a class index (a whole number " +
                                     "in [0, 2^31), or NaN for none)");
    }
  }
  return labels;
}

// `name` or `name.gz`, whichever exists (OGB ships gzip; an unpacked copy works too).
std::string Pick(const std::filesystem::path& base, const std::string& name) {
  const auto gz = base / (name + ".gz");
  if (std::filesystem::exists(gz)) return gz.string();
  return (base / name).string();
}

// split/<name>, or the only folder under split/ when `split` is empty.
StatusOr<std::filesystem::path> SplitFolder(const std::string& dir, const std::string& split) {
  namespace fs = std::filesystem;
  fs::path split_dir = fs::path(dir) / "split";
  if (!split.empty()) return split_dir / split;
  if (!fs::is_directory(split_dir)) return split_dir;
  std::vector<fs::path> subs;
  for (const auto& e : fs::directory_iterator(split_dir)) {
    if (e.is_directory()) subs.push_back(e.path());
  }
  if (subs.size() != 1) {
    return Status::InvalidArgument("ogb: " + split_dir.string() + " holds " +
                                   std::to_string(subs.size()) +
                                   " split folders; name one (dataset.ogb_split)");
  }
  return subs[0];
}

// train/valid/test ids, each in [0, count).
Status ReadSplit(const std::filesystem::path& split_dir, int64_t count, std::vector<NodeId>* train,
                 std::vector<NodeId>* val, std::vector<NodeId>* test) {
  const std::pair<const char*, std::vector<NodeId>*> sets[] = {
      {"train.csv", train}, {"valid.csv", val}, {"test.csv", test}};
  int64_t rows = 0;
  for (const auto& [file, ids] : sets) {
    const std::string path = Pick(split_dir, file);
    SG_ASSIGN_OR_RETURN(*ids, internal::ReadIntTable(path, 1, ',', &rows));
    for (size_t i = 0; i < ids->size(); ++i) {
      if ((*ids)[i] < 0 || (*ids)[i] >= count) {
        return internal::LineError(path, static_cast<int64_t>(i) + 1,
                                   "node id " + std::to_string((*ids)[i]) + " outside [0, " +
                                       std::to_string(count) + ")");
      }
    }
  }
  return Status::Ok();
}

// A CSV with a header of names and one data row (num-node-dict, nodetype-has-label):
// name -> field, in the header's order.
StatusOr<std::vector<std::pair<std::string, std::string>>> ReadHeaderRow(const std::string& path) {
  SG_ASSIGN_OR_RETURN(const std::string text, internal::ReadWholeFile(path));
  size_t pos = 0;
  std::vector<std::string_view> rows;
  while (pos < text.size()) {
    const std::string_view l = internal::NextLine(text, &pos);
    if (!l.empty()) rows.push_back(l);
  }
  if (rows.size() != 2) {
    return internal::LineError(path, rows.size() < 2 ? 1 : 3,
                               "expected a header and one row (one graph), got " +
                                   std::to_string(rows.size()) + " lines");
  }
  const std::vector<std::string> names = internal::SplitFields(rows[0], ','),
                                 fields = internal::SplitFields(rows[1], ',');
  if (names.size() != fields.size()) {
    return internal::LineError(path, 2, std::to_string(fields.size()) + " fields under " +
                                            std::to_string(names.size()) + " names");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < names.size(); ++i) out.emplace_back(names[i], fields[i]);
  return out;
}

// Edges of one relation, checked against its types' counts.
Status ReadOgbRelation(const std::filesystem::path& raw, const std::vector<std::string>& triplet,
                       const std::map<std::string, int64_t>& counts, HeteroDataset* d) {
  const std::filesystem::path folder =
      raw / "relations" / (triplet[0] + "___" + triplet[1] + "___" + triplet[2]);
  const std::string path = Pick(folder, "edge.csv");
  int64_t rows = 0;
  SG_ASSIGN_OR_RETURN(const std::vector<int64_t> e, internal::ReadIntTable(path, 2, ',', &rows));
  graph::RelationEdges r{triplet[0], triplet[1], triplet[2], {}, {}};
  const int64_t ns = counts.at(triplet[0]), nd = counts.at(triplet[2]);
  for (int64_t i = 0; i < rows; ++i) {
    if (e[2 * i] < 0 || e[2 * i] >= ns || e[2 * i + 1] < 0 || e[2 * i + 1] >= nd) {
      return internal::LineError(path, i + 1, "edge " + std::to_string(e[2 * i]) + " -> " +
                                                  std::to_string(e[2 * i + 1]) + " leaves its types (" +
                                                  triplet[0] + ": " + std::to_string(ns) + ", " +
                                                  triplet[2] + ": " + std::to_string(nd) + " nodes)");
    }
    r.src.push_back(e[2 * i]);
    r.dst.push_back(e[2 * i + 1]);
  }
  const std::string num = Pick(folder, "num-edge-list.csv");
  if (std::filesystem::exists(num)) {
    int64_t n = 0;
    SG_ASSIGN_OR_RETURN(const auto listed, internal::ReadIntTable(num, 1, ',', &n));
    if (n != 1 || listed[0] != rows) {
      return Status::InvalidArgument(num + ": expected one count equal to edge.csv's " +
                                     std::to_string(rows) + " rows");
    }
  }
  d->relations.push_back(std::move(r));
  return Status::Ok();
}

// Node types (sorted by name, as OGB orders them) and their counts.
Status ReadOgbNodeTypes(const std::filesystem::path& raw, HeteroDataset* d,
                        std::map<std::string, int64_t>* counts) {
  const std::string path = Pick(raw, "num-node-dict.csv");
  SG_ASSIGN_OR_RETURN(const auto fields, ReadHeaderRow(path));
  for (const auto& [name, field] : fields) {
    int64_t n = 0;
    if (name.empty() || !internal::ParseInt64(field, &n) || n < 0) {
      return internal::LineError(path, 2, "type '" + name + "': expected a node count, got " +
                                              internal::Quoted(field));
    }
    (*counts)[name] = n;
  }
  for (const auto& [name, n] : *counts) d->node_types.push_back({name, n});
  return Status::Ok();
}

// The labelled type (exactly one), its labels, features of every type that has them.
Status ReadOgbNodeData(const std::filesystem::path& raw, HeteroDataset* d) {
  namespace fs = std::filesystem;
  const std::string has_label = Pick(raw, "nodetype-has-label.csv");
  SG_ASSIGN_OR_RETURN(const auto flags, ReadHeaderRow(has_label));
  std::vector<std::string> labelled;
  for (const auto& [name, flag] : flags) {
    if (flag != "True" && flag != "False") {
      return internal::LineError(has_label, 2, "type '" + name + "': expected True or False, got " +
                                                   internal::Quoted(flag));
    }
    if (flag == "True") labelled.push_back(name);
  }
  if (labelled.size() != 1) {
    return Status::Unimplemented(has_label + ": " + std::to_string(labelled.size()) +
                                 " labelled node types; one target type is supported");
  }
  d->target_type = -1;
  for (size_t t = 0; t < d->node_types.size(); ++t) {
    if (d->node_types[t].name == labelled[0]) d->target_type = static_cast<int>(t);
  }
  if (d->target_type < 0) {
    return internal::LineError(has_label, 1, "type '" + labelled[0] + "' is not in num-node-dict");
  }
  const int64_t n = d->node_types[d->target_type].count;
  const std::string label_path = Pick(raw / "node-label" / labelled[0], "node-label.csv");
  int64_t rows = 0, cols = 0;
  SG_ASSIGN_OR_RETURN(const std::vector<float> labels,
                      internal::ReadFloatTable(label_path, ',', &rows, &cols));
  if (cols != 1 || rows != n) {
    return Status::InvalidArgument(label_path + ": expected " + std::to_string(n) +
                                   " rows of one label, got " + std::to_string(rows) + " x " +
                                   std::to_string(cols));
  }
  SG_ASSIGN_OR_RETURN(d->labels, ClassLabels(labels, label_path));
  for (const int64_t y : d->labels) d->num_classes = std::max(d->num_classes, y + 1);
  for (const graph::NodeType& t : d->node_types) {
    const std::string feat = Pick(raw / "node-feat" / t.name, "node-feat.csv");
    d->feature_dims.push_back(0);
    d->features.emplace_back();
    if (!fs::exists(feat)) continue;
    SG_ASSIGN_OR_RETURN(d->features.back(), internal::ReadFloatTable(feat, ',', &rows, &cols));
    if (rows != t.count) {
      return Status::InvalidArgument(feat + ": " + std::to_string(rows) + " rows, expected " +
                                     std::to_string(t.count) + " (one per " + t.name + ")");
    }
    d->feature_dims.back() = cols;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<HeteroDataset> LoadOgbHetero(const std::string& dir, const std::string& split) {
  namespace fs = std::filesystem;
  const fs::path raw = fs::path(dir) / "raw";
  if (!fs::is_directory(raw)) {
    return Status::NotFound("ogb: '" + dir + "' has no raw/ folder (expected OGB's heterogeneous "
                            "layout raw/num-node-dict.csv.gz, raw/triplet-type-list.csv.gz, "
                            "raw/relations/, split/<name>/<type>/)");
  }
  HeteroDataset d;
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  d.name = p.filename().string();
  std::map<std::string, int64_t> counts;
  SG_RETURN_IF_ERROR(ReadOgbNodeTypes(raw, &d, &counts));
  const std::string triplets = Pick(raw, "triplet-type-list.csv");
  SG_ASSIGN_OR_RETURN(const std::string text, internal::ReadWholeFile(triplets));
  size_t pos = 0;
  for (int64_t line = 1; pos < text.size(); ++line) {
    const std::string_view l = internal::NextLine(text, &pos);
    if (l.empty()) continue;
    const std::vector<std::string> t = internal::SplitFields(l, ',');
    if (t.size() != 3 || !counts.count(t[0]) || !counts.count(t[2]) || t[1].empty()) {
      return internal::LineError(triplets, line, "expected head,relation,tail over the types of "
                                                 "num-node-dict, got " + internal::Quoted(l));
    }
    SG_RETURN_IF_ERROR(ReadOgbRelation(raw, t, counts, &d));
  }
  // Reverse relations, so that messages reach every type (the citations' cited paper, the
  // paper's authors), as DGL's and PyG's ogbn-mag examples add them.
  graph::AddReverseRelations(&d.relations);
  SG_RETURN_IF_ERROR(ReadOgbNodeData(raw, &d));
  SG_ASSIGN_OR_RETURN(const fs::path split_dir, SplitFolder(dir, split));
  SG_RETURN_IF_ERROR(ReadSplit(split_dir / d.node_types[d.target_type].name,
                               d.node_types[d.target_type].count, &d.train_idx, &d.val_idx,
                               &d.test_idx));
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

StatusOr<StaticDataset> LoadOgbNodeProperty(const std::string& dir, const std::string& split) {
  namespace fs = std::filesystem;
  const fs::path raw = fs::path(dir) / "raw";
  if (!fs::is_directory(raw)) {
    return Status::NotFound("ogb: '" + dir + "' has no raw/ folder (expected the OGB layout "
                            "raw/edge.csv.gz, raw/node-feat.csv.gz, raw/node-label.csv.gz, "
                            "split/<name>/)");
  }
  StaticDataset d;
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  d.name = p.filename().string();

  int64_t rows = 0, cols = 0;
  SG_ASSIGN_OR_RETURN(std::vector<int64_t> edges,
                      internal::ReadIntTable(Pick(raw, "edge.csv"), 2, ',', &rows));
  d.edge_src.resize(rows);
  d.edge_dst.resize(rows);
  int64_t max_id = -1;
  for (int64_t r = 0; r < rows; ++r) {
    d.edge_src[r] = edges[2 * r];
    d.edge_dst[r] = edges[2 * r + 1];
    max_id = std::max({max_id, edges[2 * r], edges[2 * r + 1]});
  }
  std::vector<float> labels;
  SG_ASSIGN_OR_RETURN(labels, internal::ReadFloatTable(Pick(raw, "node-label.csv"), ',', &rows,
                                                       &cols));
  if (cols != 1) {
    return Status::InvalidArgument(Pick(raw, "node-label.csv") +
                                   ": expected one label per line (multi-label tasks are not "
                                   "supported), got " + std::to_string(cols) + " columns");
  }
  d.num_nodes = rows;
  SG_ASSIGN_OR_RETURN(d.labels, ClassLabels(labels, Pick(raw, "node-label.csv")));
  for (const int64_t y : d.labels) d.num_classes = std::max(d.num_classes, y + 1);
  const std::string nn = Pick(raw, "num-node-list.csv");
  if (fs::exists(nn)) {
    SG_ASSIGN_OR_RETURN(auto counts, internal::ReadIntTable(nn, 1, ',', &rows));
    if (rows != 1 || counts[0] != d.num_nodes) {
      return Status::InvalidArgument(nn + ": expected one count equal to the label rows (" +
                                     std::to_string(d.num_nodes) + ")");
    }
  }
  if (max_id >= d.num_nodes) {
    return Status::InvalidArgument(Pick(raw, "edge.csv") + ": node id " + std::to_string(max_id) +
                                   " but node-label.csv has only " +
                                   std::to_string(d.num_nodes) + " rows");
  }
  const std::string feat = Pick(raw, "node-feat.csv");
  if (fs::exists(feat)) {
    SG_ASSIGN_OR_RETURN(d.features, internal::ReadFloatTable(feat, ',', &rows, &cols));
    if (rows != d.num_nodes) {
      return Status::InvalidArgument(feat + ": " + std::to_string(rows) + " rows, expected " +
                                     std::to_string(d.num_nodes) + " (one per node)");
    }
    d.feature_dim = cols;
  }
  SG_ASSIGN_OR_RETURN(const fs::path split_dir, SplitFolder(dir, split));
  SG_RETURN_IF_ERROR(ReadSplit(split_dir, d.num_nodes, &d.train_idx, &d.val_idx, &d.test_idx));
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(dir));
  return d;
}

}  // namespace streamgnn::datasets
