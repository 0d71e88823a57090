// Loaders for the standard temporal-graph file formats, and LoadTemporal(), the one entry point
// that dispatches on the format and puts the binary cache (datasets/cache.h) in front of them.
//
// Every loader returns either a complete, validated TemporalDataset (see its invariants) or an
// error naming the file, the 1-based line and what was expected; never a partial dataset.
// Events that are not in time order are stably sorted by time, so ties keep file order.
// Parsing runs over the file in memory, in parallel chunks (TBB); results do not depend on the
// thread count. See docs/datasets.md for each format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_schema.h"
#include "core/status.h"
#include "datasets/cache.h"
#include "datasets/synthetic.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets {

// dataset.format
enum class Format { kJodie, kMl, kSnap, kTgl, kCsv, kTgb, kSynthetic };

// "jodie" | "ml" | "snap" | "tgl" | "csv" | "tgb" | "synthetic"; InvalidArgument listing them
// otherwise.
StatusOr<Format> ParseFormat(std::string_view name);
const char* FormatName(Format format);

// Column mapping for Format::kCsv. Columns are 0-based; -1 means "absent".
struct CsvOptions {
  int src_col = 0;
  int dst_col = 1;
  int time_col = 2;
  int label_col = -1;  // integer per-event label
  int split_col = -1;  // 0/1/2 = train/val/test
  // Edge features are columns [feat_begin, feat_end); feat_end = -1 means "to the last column".
  int feat_begin = -1;
  int feat_end = -1;
  bool header = true;    // the first non-comment line names the columns and is skipped
  char delimiter = ',';  // ' ' means any run of spaces and tabs
  // false: ids are used as they are (non-negative integers, num_nodes = max id + 1).
  // true: ids are remapped to 0.. in order of first appearance in time order, as for SNAP.
  bool remap_ids = false;
};

struct LoadSpec {
  Format format = Format::kJodie;
  std::string path;    // the data file (for kMl the ml_<name>.csv; ignored for kSynthetic)
  std::string name;    // dataset name; empty: derived from the file name (see docs/datasets.md)
  CsvOptions csv;      // kCsv only
  CacheOptions cache;  // not used for kSynthetic
  SyntheticOptions synthetic;  // kSynthetic only
};

// What LoadTemporal did, for logs and tests.
struct LoadReport {
  bool cache_hit = false;
  std::string cache_path;  // the .sgds file read or written; empty when caching is off
  // Non-fatal problems: the cache could not be written, a cache file was corrupt and ignored.
  std::vector<std::string> warnings;
  double seconds = 0;  // wall time of the whole call
};

// Loads per spec: from the cache when a valid entry exists for the current source file(s),
// otherwise parses the source and then writes the cache (a failure to write it is only a warning
// in `report`). `report` may be null.
StatusOr<TemporalDataset> LoadTemporal(const LoadSpec& spec, LoadReport* report = nullptr);

// ---- the individual loaders (no cache) -------------------------------------------------------

// JODIE CSV: `user,item,timestamp,state_label[,f0,f1,...]`, a header line (detected: a first line
// whose first field is not an integer). Every row must have the first row's column count; the
// columns after the label become edge features. Users and items get disjoint ids: when
// max user < min item (ids already offset, as in the shared wikipedia copy) ids are kept,
// otherwise items are shifted by num_users = max user + 1. num_users is set.
StatusOr<TemporalDataset> LoadJodieCsv(const std::string& path, const std::string& name = "");

// DyGLib/TGN `ml_<name>.csv` (header `,u,i,ts,label,idx`, columns found by name) plus, when they
// exist next to it, `ml_<name>.npy` (edge features, row idx; row 0 is padding) and
// `ml_<name>_node.npy` (node features, row = node id). Node ids are kept (0 is padding, so
// num_nodes = max id + 1, or the node feature row count if larger). num_users is set when every
// u is below every i (bipartite data).
StatusOr<TemporalDataset> LoadMlCsv(const std::string& path, const std::string& name = "");

// The companion .npy paths LoadMlCsv looks for: {edge features, node features}.
std::vector<std::string> MlCompanionPaths(const std::string& csv_path);

// SNAP temporal edge lists, plain or gzip: `src dst time` (blank separated) or
// `src,dst,weight,time` (comma; weight -> 1-wide edge feature); '#'/'%' comment lines; an
// optional header line. Ids are remapped to 0.. in order of first appearance in time order;
// original_node_ids keeps the file's ids.
StatusOr<TemporalDataset> LoadSnapEdges(const std::string& path, const std::string& name = "");

// TGL `edges.csv`: header naming src, dst, time and optionally ext_roll (-> split) and int_roll
// (ignored); a leading unnamed pandas index column is allowed. Ids are kept.
StatusOr<TemporalDataset> LoadTglEdges(const std::string& path, const std::string& name = "");

// TGB's link-prediction edge lists as its download unpacks them, `<name>_edgelist[_v2].csv`, read
// as TGB's own readers do so that node ids and timestamps match its evaluation negatives
// (datasets/tgb_negatives.h): tgbl-wiki, -subreddit, -uci, -enron, -lastfm
// (src,dst,timestamp,state_label,features...; destinations shifted by max(src) + 1; timestamps
// truncated to integers), tgbl-coin and -review (time,src,dst,weight; string ids numbered by first
// appearance; edge feature log2(weight), 0 read as 1), tgbl-comment (ts,src,dst,num_words,score:
// features num_words / 5000 and score). The layout follows the name (`name`, else the file name
// before "_edgelist"); tgbl-flight is Unimplemented. Split with TGB's rule: ChronologicalSplit
// at 0.15 / 0.15 (datasets/temporal_dataset.h), which is TGB's generate_splits.
StatusOr<TemporalDataset> LoadTgbEdgelist(const std::string& path, const std::string& name = "");

// Any delimited text file with the column mapping in `options`.
StatusOr<TemporalDataset> LoadCsv(const std::string& path, const CsvOptions& options,
                                  const std::string& name = "");

}  // namespace streamgnn::datasets

namespace streamgnn::core {
template <>
struct EnumTraits<datasets::Format> {
  static constexpr EnumName<datasets::Format> kNames[] = {
      {datasets::Format::kJodie, "jodie"}, {datasets::Format::kMl, "ml"},
      {datasets::Format::kSnap, "snap"},   {datasets::Format::kTgl, "tgl"},
      {datasets::Format::kCsv, "csv"},     {datasets::Format::kTgb, "tgb"},
      {datasets::Format::kSynthetic, "synthetic"},
  };
};
}  // namespace streamgnn::core
