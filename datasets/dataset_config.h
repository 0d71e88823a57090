// The `dataset` section of a temporal run config, and loading the dataset it names.
#pragma once

#include "core/config_schema.h"
#include "core/status.h"
#include "datasets/loaders.h"

namespace streamgnn::datasets {

using core::AtLeast;

// dataset.csv: column layout of a CSV edge list (format: csv). Columns are 0-based.
struct CsvConfig {
  int64_t src = 0;
  int64_t dst = 1;
  int64_t time = 2;
  int64_t label = -1;           // -1: no label column
  int64_t features_begin = -1;  // -1: no edge features
  int64_t features_end = -1;    // exclusive; -1: through the last column
  bool header = true;
  std::string delimiter = ",";

  template <class V>
  void Visit(V& v) {
    v.Field("src", &src, "Column of the source node id.", AtLeast(0));
    v.Field("dst", &dst, "Column of the destination node id.", AtLeast(0));
    v.Field("time", &time, "Column of the edge timestamp.", AtLeast(0));
    v.Field("label", &label, "Column of the edge label; -1 = no label.", AtLeast(-1));
    v.Field("features_begin", &features_begin,
            "First column of the edge features; -1 = no edge features.", AtLeast(-1));
    v.Field("features_end", &features_end,
            "One past the last feature column; -1 = through the last column.", AtLeast(-1));
    v.Field("header", &header, "The first line is a header and is skipped.");
    v.Field("delimiter", &delimiter, "Field separator (one character).");
    v.Rule("delimiter", "is exactly one character", [this]() -> std::string {
      return delimiter.size() == 1 ? "" : "exactly one character";
    });
    v.Rule("features_end", "is -1 or greater than features_begin", [this]() -> std::string {
      if (features_end == -1 || (features_begin >= 0 && features_end > features_begin)) return "";
      return features_begin < 0
                 ? "-1 when features_begin is -1"
                 : "-1 or greater than features_begin (" + std::to_string(features_begin) + ")";
    });
  }
};

// dataset.synthetic: a generated stream (format: synthetic) with community structure and a
// Zipf-distributed node activity, for tests and benchmarks.
struct SyntheticConfig {
  int64_t num_nodes = 10000;
  int64_t num_edges = 200000;
  int64_t num_communities = 20;
  double zipf_exponent = 1.0;
  int64_t node_feat_dim = 0;
  int64_t edge_feat_dim = 0;
  int64_t seed = 0;

  template <class V>
  void Visit(V& v) {
    v.Field("num_nodes", &num_nodes, "Number of nodes.", AtLeast(1));
    v.Field("num_edges", &num_edges, "Number of edges in the stream.", AtLeast(0));
    v.Field("num_communities", &num_communities,
            "Number of communities; most edges stay inside one.", AtLeast(1));
    v.Field("zipf_exponent", &zipf_exponent,
            "Skew of node activity (0 = uniform; larger = a few hubs take most edges).",
            AtLeast(0));
    v.Field("node_feat_dim", &node_feat_dim, "Width of the random node features; 0 = none.",
            AtLeast(0));
    v.Field("edge_feat_dim", &edge_feat_dim, "Width of the random edge features; 0 = none.",
            AtLeast(0));
    v.Field("seed", &seed, "Seed of the generator (independent of train.seed).");
    v.Rule("num_communities", "is at most num_nodes", [this]() -> std::string {
      if (num_communities <= num_nodes) return "";
      return "at most num_nodes (" + std::to_string(num_nodes) + ")";
    });
  }
};

// dataset: where the edges come from.
struct DatasetConfig {
  std::string name;
  Format format = Format::kSynthetic;
  std::string path;  // absolute after LoadConfigFile when given relative in the file
  bool cache = true;
  std::string cache_dir;  // "" = datasets::DefaultCacheDir()
  CsvConfig csv;
  SyntheticConfig synthetic;

  template <class V>
  void Visit(V& v) {
    v.Field("name", &name, "Name used in logs, caches and result files.");
    v.Field("format", &format, "On-disk format of the dataset.");
    v.Field("path", &path,
            "File or folder to read. Required unless format is synthetic. A relative path is "
            "resolved against the config file's directory.",
            core::kRelativeToConfig);
    v.Field("cache", &cache, "Keep a parsed binary copy of the dataset to load faster next time.");
    v.Field("cache_dir", &cache_dir,
            "Folder of the binary cache; \"\" = $STREAMGNN_CACHE_DIR, else $XDG_CACHE_HOME/streamgnn, "
            "else ~/.cache/streamgnn.");
    v.Section("csv", &csv, "Column layout of a CSV edge list (format: csv).");
    v.Section("synthetic", &synthetic,
              "Generated stream with communities and Zipf node activity (format: synthetic).");
    v.Rule("path", "is set unless format is synthetic", [this]() -> std::string {
      if (format == Format::kSynthetic || !path.empty()) return "";
      return std::string("a path (required for format ") + core::EnumToString(format) + ")";
    });
  }
};


// Translates the config section into a LoadSpec (paths are already resolved by the config
// loader) and loads it, through the binary cache when dataset.cache is on.
LoadSpec SpecFromConfig(const DatasetConfig& config);
StatusOr<TemporalDataset> LoadFromConfig(const DatasetConfig& config,
                                         LoadReport* report = nullptr);

}  // namespace streamgnn::datasets
