// OGB node-property prediction datasets in the layout `ogb` downloads and unpacks
// (e.g. ogbn_arxiv/): raw/edge.csv.gz ("src,dst" per line), raw/node-feat.csv.gz (one row of
// floats per node), raw/node-label.csv.gz (one label per node), raw/num-node-list.csv.gz
// (optional), split/<name>/{train,valid,test}.csv.gz (one node id a line).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "datasets/static_dataset.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {
namespace {

// `name` or `name.gz`, whichever exists (OGB ships gzip; an unpacked copy works too).
std::string Pick(const std::filesystem::path& base, const std::string& name) {
  const auto gz = base / (name + ".gz");
  if (std::filesystem::exists(gz)) return gz.string();
  return (base / name).string();
}

}  // namespace

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
  d.labels.resize(rows);
  for (int64_t v = 0; v < rows; ++v) {
    d.labels[v] = std::isnan(labels[v]) ? -1 : static_cast<int64_t>(labels[v]);
    d.num_classes = std::max(d.num_classes, d.labels[v] + 1);
  }
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
  // split/<name>/
  fs::path split_dir = fs::path(dir) / "split";
  if (!split.empty()) {
    split_dir /= split;
  } else if (fs::is_directory(split_dir)) {
    std::vector<fs::path> subs;
    for (const auto& e : fs::directory_iterator(split_dir)) {
      if (e.is_directory()) subs.push_back(e.path());
    }
    if (subs.size() != 1) {
      return Status::InvalidArgument("ogb: " + split_dir.string() + " holds " +
                                     std::to_string(subs.size()) +
                                     " split folders; name one (dataset.ogb_split)");
    }
    split_dir = subs[0];
  }
  const std::pair<const char*, std::vector<NodeId>*> sets[] = {
      {"train.csv", &d.train_idx}, {"valid.csv", &d.val_idx}, {"test.csv", &d.test_idx}};
  for (const auto& [file, ids] : sets) {
    SG_ASSIGN_OR_RETURN(*ids, internal::ReadIntTable(Pick(split_dir, file), 1, ',', &rows));
  }
  SG_RETURN_IF_ERROR(d.Validate());
  return d;
}

}  // namespace streamgnn::datasets
