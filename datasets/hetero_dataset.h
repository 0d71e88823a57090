// Heterogeneous node-classification datasets (issue 19): typed nodes with their own features,
// typed relations, and labels on one target type.
//
//   magnn      MAGNN's preprocessed folders (../shared/datasets/imdb_magnn): node_types.npy,
//              adjM.npz (scipy CSR over all nodes), features_<t>.npz (scipy CSR per type),
//              labels.npy and train_val_test_idx.npz for the target type (type 0). Every
//              non-empty block of adjM between two types becomes one relation "<a>-<b>".
//   han_mat    HAN's ACM3025.mat (MATLAB v5, read through libmatio): one node type (paper) and
//              one relation per meta-path adjacency (PAP, PLP, ...; diagonal self-loops
//              dropped): a multiplex graph. feature, one-hot label, train/val/test_idx.
//   hgb        the Heterogeneous Graph Benchmark's layout (Lv et al. 2021): node.dat
//              (id, name, type, comma-separated attributes or nothing), link.dat (src, dst,
//              link type, weight), label.dat and label.dat.test (id, name, type, label);
//              label.dat is split into train and validation by a seeded draw, as HGB's
//              scripts do; reverse relations are added.
//   ogb        OGB's heterogeneous node-property layout (ogbn-mag as `ogb` unpacks it;
//              datasets/ogb.cc): one type per num-node-dict column, one relation per
//              triplet (reverse relations added), features where node-feat/<type> exists,
//              the one labelled type as target, split/<name>/<type>/.
//   synthetic  a generated typed SBM with any number of relation types (up to thousands), for
//              the scaling benchmark.
//
// Every loader returns a Status naming the file and the member or field on bad input; nothing
// throws. LibTorch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_schema.h"
#include "core/status.h"
#include "core/types.h"
#include "graph/hetero_graph.h"

namespace streamgnn::datasets {

struct HeteroDataset {
  std::string name;
  std::vector<graph::NodeType> node_types;
  std::vector<graph::RelationEdges> relations;  // directed; both directions when given so
  // Dense features per node type, row-major count x feature_dims[t]; dim 0 = featureless.
  std::vector<int64_t> feature_dims;
  std::vector<std::vector<float>> features;
  // Labels of the target type's nodes in [0, num_classes); -1 = unlabelled. Split ids are local
  // ids of the target type.
  int target_type = 0;
  std::vector<int64_t> labels;
  int64_t num_classes = 0;
  std::vector<NodeId> train_idx, val_idx, test_idx;

  int64_t num_nodes() const;
  int64_t num_edges() const;
  // Divides every feature row of every type by its sum (StaticDataset's preprocessing).
  void RowNormalizeFeatures();
  // Sizes, id ranges, label range, split ids labelled and disjoint. Loaders call it.
  Status Validate() const;
  StatusOr<graph::HeteroGraph> BuildGraph(const graph::HeteroBuildOptions& options = {}) const;
};

// Node type names of the folder's types 0, 1, ... (MAGNN's files carry none); IMDB's by default.
struct MagnnOptions {
  std::vector<std::string> type_names = {"movie", "director", "actor"};
};
StatusOr<HeteroDataset> LoadMagnn(const std::string& dir, const MagnnOptions& options = {});

// `metapaths`: the adjacency variables to read (HAN trains on PAP and PLP).
struct HanMatOptions {
  std::vector<std::string> metapaths = {"PAP", "PLP"};
};
StatusOr<HeteroDataset> LoadHanMat(const std::string& path, const HanMatOptions& options = {});

// HGB's folder. Node types are named by their number; link type k is relation "link<k>" (its
// reverse "rev_link<k>"). Multi-label targets (HGB's IMDB) are refused as Unimplemented.
struct HgbOptions {
  double val_fraction = 0.2;  // of label.dat, drawn with the seed
  uint64_t seed = 0;
};
StatusOr<HeteroDataset> LoadHgb(const std::string& dir, const HgbOptions& options = {});

// OGB's heterogeneous folder (e.g. .../ogbn_mag). `split` is the folder under split/ ("" = the
// only one there: ogbn-mag's "time"). Types without node-feat/ are featureless (dim 0); NaN
// labels become -1. More than one labelled type is Unimplemented.
StatusOr<HeteroDataset> LoadOgbHetero(const std::string& dir, const std::string& split = "");

// A typed stochastic block model: `num_types` node types (type 0 labelled, `num_classes`
// classes) and `num_relations` relation types spread over the type pairs round-robin, each
// edge inside a class block with probability `homophily`; features are a class centroid plus
// noise (type 0) or noise around a per-type mean. Deterministic in the seed, any thread count.
struct HeteroSbmOptions {
  int64_t nodes_per_type = 2000;
  int64_t num_types = 3;
  int64_t num_relations = 10;
  int64_t num_classes = 4;
  int64_t edges_per_relation = 4000;
  double homophily = 0.8;
  int64_t feature_dim = 32;
  double feature_noise = 1.0;
  double train_fraction = 0.2;
  double val_fraction = 0.2;
  uint64_t seed = 0;

  // The static config's dataset.hetero_sbm section (the split shares and the seed are set by
  // the caller: dataset.split_seed).
  template <class V>
  void Visit(V& v) {
    using core::AtLeast;
    using core::InRange;
    v.Field("nodes_per_type", &nodes_per_type, "Nodes of every type.", AtLeast(2));
    v.Field("num_types", &num_types, "Node types (type 0 is labelled).", AtLeast(1));
    v.Field("num_relations", &num_relations, "Relation types, spread over the type pairs.",
            InRange(1, 100000));
    v.Field("num_classes", &num_classes, "Classes (blocks) of type 0.", AtLeast(2));
    v.Field("edges_per_relation", &edges_per_relation, "Edges of each relation.", AtLeast(0));
    v.Field("homophily", &homophily, "Fraction of edges inside a block.", InRange(0, 1));
    v.Field("feature_dim", &feature_dim, "Feature width of every type.", AtLeast(1));
    v.Field("feature_noise", &feature_noise, "Std of the noise around the centroid.", AtLeast(0));
  }
};
StatusOr<HeteroDataset> GenerateHeteroSbm(const HeteroSbmOptions& options);

}  // namespace streamgnn::datasets
