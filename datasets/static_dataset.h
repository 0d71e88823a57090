// Static node-classification datasets (issue 7): one in-memory form and its loaders.
//
//   planetoid   the Planetoid files (ind.<name>.x ... as downloaded) or their plain-text
//               conversion (../shared/datasets/cora/converted: edges.tsv, features.tsv,
//               labels.tsv, {train,val,test}_idx.txt)
//   npz         gnn-benchmark .npz (Shchur et al.): adj_* / attr_* CSR arrays, labels; no split,
//               so one is drawn (per_class_train per class, then num_val, num_test) from the seed
//   ogb         OGB node-property layout: raw/edge.csv.gz, raw/node-feat.csv.gz,
//               raw/node-label.csv.gz, split/<name>/{train,valid,test}.csv.gz
//   sbm         a generated stochastic block model with class-dependent features, any size
//
// Every loader returns a Status naming the file (and line) on bad input; nothing throws.
// LibTorch-free.
#pragma once

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"

namespace streamgnn::datasets {

struct StaticDataset {
  std::string name;
  int64_t num_nodes = 0;
  // The edge list as the source stores it. `undirected` = each undirected pair appears once
  // (build the graph with CsrBuildOptions::symmetrize); otherwise edges are directed u -> v.
  std::vector<NodeId> edge_src;
  std::vector<NodeId> edge_dst;
  bool undirected = false;
  // Dense node features, row-major num_nodes x feature_dim.
  int64_t feature_dim = 0;
  std::vector<float> features;
  // Class of each node in [0, num_classes); -1 = unlabelled.
  std::vector<int64_t> labels;
  int64_t num_classes = 0;
  std::vector<NodeId> train_idx, val_idx, test_idx;

  int64_t num_edges() const { return static_cast<int64_t>(edge_src.size()); }
  // Non-zero feature entries (counted).
  int64_t CountFeatureNonzeros() const;
  // Checks every invariant above (sizes, id ranges, label range, split ids labelled and
  // disjoint). Loaders call it before returning.
  Status Validate() const;
  // Divides every feature row by its sum (rows summing to 0 are left alone): Kipf's
  // preprocessing for bag-of-words features.
  void RowNormalizeFeatures();
  // The message-passing graph: symmetrised when `undirected` (or `symmetrize`), with the
  // options' self-loops and normalisation.
  StatusOr<graph::CsrGraph> BuildGraph(graph::CsrBuildOptions options) const;
};

// Divides each of the `num_rows` rows of width `dim` by its sum; rows summing to 0 stay.
void RowNormalize(float* rows, int64_t num_rows, int64_t dim);

// ---- loaders ----------------------------------------------------------------------------------

// `dir` holds edges.tsv (u<TAB>v, each undirected edge once), features.tsv (node<TAB>feature,
// value 1; or node<TAB>feature<TAB>value), labels.tsv (node<TAB>class, -1 for an unlabelled
// node; every node listed), train_idx.txt,
// val_idx.txt, test_idx.txt (one id a line). num_nodes = rows of labels.tsv; feature_dim =
// largest feature index + 1.
StatusOr<StaticDataset> LoadPlanetoidConverted(const std::string& dir);

// The Planetoid files as users download them (Kipf's GCN repository, PyG's Planetoid):
// ind.<name>.{x,y,tx,ty,allx,ally} (Python 2 pickles of SciPy CSR matrices and NumPy one-hot
// arrays), ind.<name>.graph (a defaultdict of adjacency lists), ind.<name>.test.index, read
// through datasets/pickle.h as Kipf's load_data reads them: features and labels are allx then
// tx rows, tx extended over the whole test id range when it has gaps (CiteSeer's isolated test
// nodes get zero features and no label), test rows moved to their ids; train = the y rows,
// val = the next 500, test = the test ids. The graph keeps each undirected pair once without
// self-loops (PyG). Nodes whose label row is all zero are unlabelled (-1) and left out of the
// split, with a warning (Kipf's argmax would call them class 0).
StatusOr<StaticDataset> LoadPlanetoidPickles(const std::string& dir, const std::string& name);
// format planetoid: the plain-text conversion when `dir` holds edges.tsv, else the one
// ind.<name>.* set in `dir`.
StatusOr<StaticDataset> LoadPlanetoid(const std::string& dir);

struct NpzSplitOptions {
  int64_t per_class_train = 20;
  int64_t num_val = 500;
  int64_t num_test = 1000;
  uint64_t seed = 0;
};
// gnn-benchmark .npz (stored or deflate members; needs zlib). The adjacency is taken as given
// (directed entries); set `undirected` yourself or build with symmetrize.
StatusOr<StaticDataset> LoadGnnBenchmarkNpz(const std::string& path, const NpzSplitOptions& split);

// OGB node-property dataset folder (e.g. .../ogbn_arxiv). `split` is the folder under split/
// ("" = the only one there). Edges are read as directed (ogbn-arxiv is a directed citation
// graph; ogbn-products lists both directions); labels that are NaN become -1.
StatusOr<StaticDataset> LoadOgbNodeProperty(const std::string& dir, const std::string& split = "");

struct SbmOptions {
  int64_t num_nodes = 10000;
  int64_t num_classes = 10;        // one block per class, nodes assigned round-robin
  double avg_degree = 10.0;        // expected undirected degree
  double homophily = 0.8;          // fraction of a node's edges that stay in its block
  int64_t feature_dim = 64;
  double feature_noise = 1.0;      // features = class centroid (unit Gaussian) + noise * N(0,1)
  int64_t per_class_train = 20;
  double val_fraction = 0.1;
  double test_fraction = 0.2;
  uint64_t seed = 0;
};
// Deterministic in (options, seed), whatever the thread count. Each node u draws about
// avg_degree / 2 partners (Philox keyed by (seed, u)); the undirected edge list keeps each pair
// once and has no self-loops.
StatusOr<StaticDataset> GenerateSbm(const SbmOptions& options);

// Dispatch by format name: planetoid | npz | ogb | sbm (sbm ignores path).
struct StaticLoadOptions {
  std::string format = "planetoid";
  std::string path;
  std::string ogb_split;
  NpzSplitOptions npz_split;
  SbmOptions sbm;
};
StatusOr<StaticDataset> LoadStaticDataset(const StaticLoadOptions& options);

namespace internal {
// The memory a dense matrix may take: physical memory, or less under a cgroup v2 limit
// (/sys/fs/cgroup/memory.max) or $STREAMGNN_MEMORY_BUDGET (bytes; scripts/fuzz sets 1 GiB).
int64_t MemoryBudget();
// OK when a dense rows x cols matrix of `element_bytes` elements fits in MemoryBudget();
// ResourceExhausted naming `what` otherwise (also for negative sizes or overflow). A sparse file
// can describe any dense size, so every densification asks first.
Status CheckDenseFits(int64_t rows, int64_t cols, int64_t element_bytes, const std::string& what);

// rows x cols zeros, or ResourceExhausted naming `what` when they do not fit (CheckDenseFits) or
// the allocation fails.
template <typename T>
StatusOr<std::vector<T>> DenseZeros(int64_t rows, int64_t cols, const std::string& what) {
  SG_RETURN_IF_ERROR(CheckDenseFits(rows, cols, sizeof(T), what));
  try {
    return std::vector<T>(static_cast<size_t>(rows * cols), T(0));
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(what + ": cannot allocate a dense " + std::to_string(rows) +
                                     " x " + std::to_string(cols) + " matrix");
  }
}

// Reads a text file (plain or gzip) whose every data line holds exactly `cols` integers
// separated by `delim` (' ' = blanks/tabs). Returns them row-major; *rows gets the row count.
StatusOr<std::vector<int64_t>> ReadIntTable(const std::string& path, int cols, char delim,
                                            int64_t* rows);
// Reads a text file of float rows (all rows the same width). NaN is accepted.
StatusOr<std::vector<float>> ReadFloatTable(const std::string& path, char delim, int64_t* rows,
                                            int64_t* cols);
// Per-class train ids, then val and test, drawn from the labelled nodes (deterministic in seed).
void DrawSplit(StaticDataset* d, int64_t per_class_train, int64_t num_val, int64_t num_test,
               uint64_t seed);
}  // namespace internal

}  // namespace streamgnn::datasets
