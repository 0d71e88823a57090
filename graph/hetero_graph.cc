#include "graph/hetero_graph.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace streamgnn::graph {
namespace {

Status CheckRelationInput(const RelationEdges& r, int64_t src_count, int64_t dst_count) {
  if (r.src.size() != r.dst.size()) {
    return Status::InvalidArgument("relation '" + r.name + "': " + std::to_string(r.src.size()) +
                                   " sources but " + std::to_string(r.dst.size()) +
                                   " destinations");
  }
  for (size_t i = 0; i < r.src.size(); ++i) {
    if (r.src[i] < 0 || r.src[i] >= src_count || r.dst[i] < 0 || r.dst[i] >= dst_count) {
      return Status::InvalidArgument(
          "relation '" + r.name + "': edge " + std::to_string(i) + " (" + std::to_string(r.src[i]) +
          " -> " + std::to_string(r.dst[i]) + ") leaves its types (" + r.src_type + ": " +
          std::to_string(src_count) + " nodes, " + r.dst_type + ": " + std::to_string(dst_count) +
          " nodes)");
    }
  }
  return Status::Ok();
}

}  // namespace

void AddReverseRelations(std::vector<RelationEdges>* relations) {
  const size_t n = relations->size();
  relations->reserve(2 * n);
  for (size_t r = 0; r < n; ++r) {
    const RelationEdges& f = (*relations)[r];
    relations->push_back({f.dst_type, "rev_" + f.name, f.src_type, f.dst, f.src});
  }
}

StatusOr<HeteroGraph> HeteroGraph::Build(std::vector<NodeType> node_types,
                                         std::vector<RelationEdges> relations,
                                         const HeteroBuildOptions& options) {
  HeteroGraph g;
  std::unordered_set<std::string> names;
  for (const NodeType& t : node_types) {
    if (t.name.empty() || !names.insert(t.name).second || t.count < 0) {
      return Status::InvalidArgument("node type '" + t.name +
                                     "': expected a unique non-empty name and a count >= 0");
    }
    g.type_offsets_.push_back(g.type_offsets_.back() + t.count);
  }
  g.node_types_ = std::move(node_types);

  if (options.add_reverse) AddReverseRelations(&relations);
  names.clear();
  g.relations_.resize(relations.size());
  for (size_t r = 0; r < relations.size(); ++r) {
    const RelationEdges& in = relations[r];
    Relation& out = g.relations_[r];
    out.name = in.name;
    out.src_type = g.NodeTypeId(in.src_type);
    out.dst_type = g.NodeTypeId(in.dst_type);
    if (out.src_type < 0 || out.dst_type < 0) {
      return Status::InvalidArgument("relation '" + in.name + "': unknown node type '" +
                                     (out.src_type < 0 ? in.src_type : in.dst_type) + "'");
    }
    if (in.name.empty() || !names.insert(in.name).second) {
      return Status::InvalidArgument("relation '" + in.name +
                                     "': expected a unique non-empty name");
    }
    if (options.add_reverse && r >= relations.size() / 2) {
      out.reverse_of = static_cast<int>(r - relations.size() / 2);
    }
    SG_RETURN_IF_ERROR(CheckRelationInput(in, g.node_types_[out.src_type].count,
                                          g.node_types_[out.dst_type].count));
  }

  // Relations in parallel; each CsrGraph build is parallel inside too (TBB nests).
  std::vector<Status> statuses(relations.size());
  tbb::parallel_for(size_t{0}, relations.size(), [&](size_t r) {
    Relation& out = g.relations_[r];
    const int64_t rows = std::max(g.node_types_[out.src_type].count,
                                  g.node_types_[out.dst_type].count);
    CsrBuildOptions o;
    o.remove_duplicates = options.remove_duplicates;
    auto csr = CsrGraph::FromEdges(rows, Span<const NodeId>(relations[r].src),
                                   Span<const NodeId>(relations[r].dst), o);
    if (csr.ok()) {
      out.csr = std::move(*csr);
    } else {
      statuses[r] = csr.status();
    }
  });
  for (const Status& s : statuses) SG_RETURN_IF_ERROR(s);
  return g;
}

int HeteroGraph::NodeTypeId(const std::string& name) const {
  for (int t = 0; t < num_node_types(); ++t) {
    if (node_types_[t].name == name) return t;
  }
  return -1;
}

int HeteroGraph::TypeOfGlobal(NodeId global) const {
  const auto it = std::upper_bound(type_offsets_.begin(), type_offsets_.end(), global);
  return static_cast<int>(it - type_offsets_.begin()) - 1;
}

int HeteroGraph::RelationId(const std::string& name) const {
  for (int r = 0; r < num_relations(); ++r) {
    if (relations_[r].name == name) return r;
  }
  return -1;
}

int64_t HeteroGraph::num_edges() const {
  int64_t n = 0;
  for (const Relation& r : relations_) n += r.num_edges();
  return n;
}

std::string HeteroGraph::RelationName(int r) const {
  const Relation& rel = relations_[r];
  return node_types_[rel.src_type].name + " -[" + rel.name + "]-> " +
         node_types_[rel.dst_type].name;
}

}  // namespace streamgnn::graph
