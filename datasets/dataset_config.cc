#include "datasets/dataset_config.h"

namespace streamgnn::datasets {

LoadSpec SpecFromConfig(const datasets::DatasetConfig& c) {
  LoadSpec spec;
  spec.format = c.format;
  spec.path = c.path;
  spec.name = c.name;
  spec.csv.src_col = static_cast<int>(c.csv.src);
  spec.csv.dst_col = static_cast<int>(c.csv.dst);
  spec.csv.time_col = static_cast<int>(c.csv.time);
  spec.csv.label_col = static_cast<int>(c.csv.label);
  spec.csv.feat_begin = static_cast<int>(c.csv.features_begin);
  spec.csv.feat_end = static_cast<int>(c.csv.features_end);
  spec.csv.header = c.csv.header;
  spec.csv.delimiter = c.csv.delimiter.empty() ? ',' : c.csv.delimiter[0];
  spec.cache.enable = c.cache;
  spec.cache.dir = c.cache_dir;
  spec.synthetic.num_nodes = c.synthetic.num_nodes;
  spec.synthetic.num_edges = c.synthetic.num_edges;
  spec.synthetic.num_communities = c.synthetic.num_communities;
  spec.synthetic.zipf_exponent = c.synthetic.zipf_exponent;
  spec.synthetic.node_feat_dim = c.synthetic.node_feat_dim;
  spec.synthetic.edge_feat_dim = c.synthetic.edge_feat_dim;
  spec.synthetic.seed = static_cast<uint64_t>(c.synthetic.seed);
  return spec;
}

StatusOr<TemporalDataset> LoadFromConfig(const datasets::DatasetConfig& config, LoadReport* report) {
  return LoadTemporal(SpecFromConfig(config), report);
}

}  // namespace streamgnn::datasets
