// Heterogeneous static graphs (issue 19): typed nodes and one CSR per canonical relation.
//
// Node types have their own local ids [0, count); a global id space lays the types one after
// another (global = type_offset(t) + local), which is what a homogeneous model over the whole
// graph (BG-HGNN's GAT) sees. A canonical relation (src_type, name, dst_type) keeps its edges as
// a CsrGraph over the local ids of its two types: rows are destinations listing their
// in-neighbours (graph/csr_graph.h), the orientation message passing reads. Relations between
// two types have a rectangular shape, so a relation's CsrGraph has max(src count, dst count)
// rows; rows >= the destination count are empty.
//
// Build() checks every id against its type and builds the relations in parallel (TBB), each
// in parallel itself; with add_reverse every relation r also gets "rev_<r>" (dst -> src), as
// DGL's and PyG's ToUndirected do for typed graphs. Immutable once built; LibTorch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/csr_graph.h"

namespace streamgnn::graph {

struct NodeType {
  std::string name;
  int64_t count = 0;
};

// The input of one relation: edges src[i] -> dst[i] in the local ids of their types.
struct RelationEdges {
  std::string src_type;
  std::string name;
  std::string dst_type;
  std::vector<NodeId> src;
  std::vector<NodeId> dst;
};

// Appends "rev_<name>" (dst_type -> src_type, every edge reversed) for each relation given,
// after them: what HeteroBuildOptions::add_reverse does, for loaders that keep the reverses in
// their edge lists.
void AddReverseRelations(std::vector<RelationEdges>* relations);

struct HeteroBuildOptions {
  // Add "rev_<name>" (dst_type -> src_type) for every relation.
  bool add_reverse = false;
  // Keep one copy of each (u, v) pair per relation; false keeps multi-edges.
  bool remove_duplicates = true;
};

struct Relation {
  int src_type = 0;
  std::string name;
  int dst_type = 0;
  int reverse_of = -1;  // the relation this one reverses (add_reverse), else -1
  CsrGraph csr;         // rows: dst local ids, listing src local ids

  int64_t num_edges() const { return csr.num_edges(); }
};

class HeteroGraph {
 public:
  // Errors (InvalidArgument) name the relation and the first bad edge: an unknown or repeated
  // type or relation, src/dst of different lengths, a local id outside its type.
  static StatusOr<HeteroGraph> Build(std::vector<NodeType> node_types,
                                     std::vector<RelationEdges> relations,
                                     const HeteroBuildOptions& options = {});

  int num_node_types() const { return static_cast<int>(node_types_.size()); }
  const NodeType& node_type(int t) const { return node_types_[t]; }
  // -1 when no type has that name.
  int NodeTypeId(const std::string& name) const;
  int64_t num_nodes() const { return type_offsets_.back(); }
  // First global id of type t; type_offset(num_node_types()) == num_nodes().
  int64_t type_offset(int t) const { return type_offsets_[t]; }
  // The type of a global id.
  int TypeOfGlobal(NodeId global) const;

  int num_relations() const { return static_cast<int>(relations_.size()); }
  const Relation& relation(int r) const { return relations_[r]; }
  // -1 when no relation has that name.
  int RelationId(const std::string& name) const;
  int64_t num_edges() const;
  // "movie -[directed_by]-> director"
  std::string RelationName(int r) const;


 private:
  std::vector<NodeType> node_types_;
  std::vector<int64_t> type_offsets_ = {0};
  std::vector<Relation> relations_;
};

}  // namespace streamgnn::graph
