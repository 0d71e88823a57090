#include "graph/hetero_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace streamgnn::graph {
namespace {

using ::testing::HasSubstr;

// 3 movies, 2 directors, 4 actors.
std::vector<NodeType> MovieTypes() { return {{"movie", 3}, {"director", 2}, {"actor", 4}}; }

std::vector<RelationEdges> MovieRelations() {
  return {{"movie", "directed_by", "director", {0, 1, 2}, {0, 0, 1}},
          {"actor", "acts_in", "movie", {0, 1, 3, 3, 2, 3}, {0, 0, 1, 2, 2, 2}}};
}

TEST(HeteroGraph, TypesAndGlobalIds) {
  auto g = HeteroGraph::Build(MovieTypes(), MovieRelations());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->num_node_types(), 3);
  EXPECT_EQ(g->num_nodes(), 9);
  EXPECT_EQ(g->type_offset(1), 3);
  EXPECT_EQ(g->type_offset(2), 5);
  EXPECT_EQ(g->TypeOfGlobal(0), 0);
  EXPECT_EQ(g->TypeOfGlobal(4), 1);
  EXPECT_EQ(g->TypeOfGlobal(8), 2);
  EXPECT_EQ(g->NodeTypeId("actor"), 2);
  EXPECT_EQ(g->NodeTypeId("studio"), -1);
  EXPECT_EQ(g->num_relations(), 2);
  EXPECT_EQ(g->num_edges(), 8);  // the repeated actor 3 -> movie 2 is kept once
  EXPECT_EQ(g->RelationName(1), "actor -[acts_in]-> movie");
}

TEST(HeteroGraph, RelationRowsListSourcesOfTheirDestination) {
  auto g = HeteroGraph::Build(MovieTypes(), MovieRelations());
  ASSERT_TRUE(g.ok());
  const Relation& acts = g->relation(g->RelationId("acts_in"));
  // movie 2 has actors 2 and 3 (the duplicate 3 -> 2 is merged).
  const auto row = acts.csr.InNeighbors(2);
  EXPECT_EQ(std::vector<NodeId>(row.begin(), row.end()), (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(acts.num_edges(), 5);
  const Relation& directed = g->relation(0);
  const auto d0 = directed.csr.InNeighbors(0);
  EXPECT_EQ(std::vector<NodeId>(d0.begin(), d0.end()), (std::vector<NodeId>{0, 1}));
}

TEST(HeteroGraph, ReverseRelationsMirrorTheirs) {
  auto g = HeteroGraph::Build(MovieTypes(), MovieRelations(), {/*add_reverse=*/true});
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->num_relations(), 4);
  const int rev = g->RelationId("rev_acts_in");
  ASSERT_GE(rev, 0);
  EXPECT_EQ(g->relation(rev).reverse_of, g->RelationId("acts_in"));
  EXPECT_EQ(g->RelationName(rev), "movie -[rev_acts_in]-> actor");
  // actor 3 plays in movies 1 and 2.
  const auto row = g->relation(rev).csr.InNeighbors(3);
  EXPECT_EQ(std::vector<NodeId>(row.begin(), row.end()), (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(g->num_edges(), 2 * 8);
}

TEST(HeteroGraph, BadInputNamesTheRelationAndEdge) {
  auto rels = MovieRelations();
  rels[1].src[4] = 4;  // actor ids are 0..3
  auto g = HeteroGraph::Build(MovieTypes(), rels);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("relation 'acts_in': edge 4 (4 -> 2) leaves its types"));

  rels = MovieRelations();
  rels[0].dst_type = "studio";
  EXPECT_THAT(HeteroGraph::Build(MovieTypes(), rels).status().message(),
              HasSubstr("unknown node type 'studio'"));
  rels = MovieRelations();
  rels[1].name = "directed_by";
  EXPECT_THAT(HeteroGraph::Build(MovieTypes(), rels).status().message(),
              HasSubstr("expected a unique non-empty name"));
  rels = MovieRelations();
  rels[0].dst.pop_back();
  EXPECT_THAT(HeteroGraph::Build(MovieTypes(), rels).status().message(),
              HasSubstr("3 sources but 2 destinations"));
  EXPECT_FALSE(HeteroGraph::Build({{"a", 1}, {"a", 2}}, {}).ok());
}

}  // namespace
}  // namespace streamgnn::graph
