// Planetoid citation datasets in their plain-text conversion (../shared/datasets/cora/converted).
#include <algorithm>
#include <filesystem>

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
    if (v < 0 || v >= rows || c < 0) {
      return internal::LineError(file("labels.tsv"), r + 1,
                                 "expected 'node<TAB>class' with node in [0, " +
                                     std::to_string(rows) + ") and class >= 0");
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
  d.features.assign(static_cast<size_t>(d.num_nodes * d.feature_dim), 0.0f);
  for (int64_t r = 0; r < rows; ++r) d.features[fnode[r] * d.feature_dim + findex[r]] = fvalue[r];

  SG_ASSIGN_OR_RETURN(d.train_idx, ReadIds(file("train_idx.txt")));
  SG_ASSIGN_OR_RETURN(d.val_idx, ReadIds(file("val_idx.txt")));
  SG_ASSIGN_OR_RETURN(d.test_idx, ReadIds(file("test_idx.txt")));
  SG_RETURN_IF_ERROR(d.Validate());
  return d;
}

StatusOr<StaticDataset> LoadPlanetoidPickles(const std::string& dir, const std::string& name) {
  return Status::Unimplemented(
      "planetoid: the Python-pickle files " + dir + "/ind." + name +
      ".* are not read by the C++ loader; use their plain-text conversion (format: planetoid, "
      "path: <dataset>/converted, see ../shared/datasets/README.md) instead");
}

}  // namespace streamgnn::datasets
