// The config engine on a small root of its own (the run configs' tests are in tests/trainers):
// what every root gets from declaring itself once.
#include "core/config_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace streamgnn::core {
namespace {

using ::testing::HasSubstr;

enum class Shape { kRound, kSquare };

}  // namespace

template <>
struct EnumTraits<Shape> {
  static constexpr EnumName<Shape> kNames[] = {{Shape::kRound, "round"}, {Shape::kSquare, "square"}};
};

namespace {

struct Inner {
  std::vector<int64_t> sizes = {-1};
  Shape shape = Shape::kRound;

  template <class V>
  void Visit(V& v) {
    v.Field("sizes", &sizes, "One per level; all = -1.", AtLeast(-1), kAllIsMinusOne);
    v.Field("shape", &shape, "Shape.");
    v.Renamed("size_list", "inner.sizes");
  }
};

struct Root {
  int64_t count = 3;
  int64_t floor = -1;  // -1 is a value here, not "all"
  std::string path;
  Inner inner;

  template <class V>
  void Visit(V& v) {
    v.Field("count", &count, "How many.", InRange(1, 10));
    v.Field("floor", &floor, "Lowest level.", AtLeast(-1));
    v.Field("path", &path, "A file.", kRelativeToConfig);
    v.Section("inner", &inner, "Nested.");
    v.Rule("inner.sizes", "has at most count entries", [this]() -> std::string {
      return static_cast<int64_t>(inner.sizes.size()) <= count ? "" : "at most count entries";
    });
    v.Renamed("number", "count");
  }
};

TEST(ConfigEngine, AllOnlyWhereTheFieldSaysSo) {
  auto r = LoadConfigTextAs<Root>("inner: {sizes: [all, 4]}\n", "r.yml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inner.sizes, (std::vector<int64_t>{-1, 4}));
  auto bad = LoadConfigTextAs<Root>("floor: all\n", "r.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("r.yml:1:8: key 'floor': expected an integer >= -1, got 'all'"));
}

TEST(ConfigEngine, OneValueIsAOneEntryList) {
  auto r = LoadConfigTextAs<Root>("inner:\n  sizes: 7\n", "r.yml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inner.sizes, std::vector<int64_t>{7});
}

TEST(ConfigEngine, RenamedKeysNameTheirNewKey) {
  auto top = LoadConfigTextAs<Root>("number: 2\n", "r.yml");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(),
            "r.yml:1:1: key 'number': expected a section name (one of count, floor, path, inner), "
            "got 'number' (renamed: did you mean 'count'?)");
  auto nested = LoadConfigTextAs<Root>("", "r.yml", {"inner.size_list=[1]"});
  ASSERT_FALSE(nested.ok());
  EXPECT_THAT(nested.status().message(),
              HasSubstr("--set inner.size_list=[1]: key 'inner.size_list'"));
  EXPECT_THAT(nested.status().message(), HasSubstr("(renamed: did you mean 'inner.sizes'?)"));
}

TEST(ConfigEngine, RulesNameNestedKeysAndTheirValues) {
  auto r = LoadConfigTextAs<Root>("count: 1\ninner:\n  sizes: [2, 3]\n", "r.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "r.yml:3:10: key 'inner.sizes': expected at most count entries, got '[2, 3]'");
}

TEST(ConfigEngine, OverrideIsAllOrNothingAndValidateSeesCodeEdits) {
  Root root;
  EXPECT_FALSE(ApplyConfigOverride("inner={sizes: [2], shape: oval}", &root).ok());
  EXPECT_EQ(root.inner.sizes, std::vector<int64_t>{-1});  // untouched
  ASSERT_TRUE(ApplyConfigOverride("inner.shape=square", &root).ok());
  EXPECT_EQ(root.inner.shape, Shape::kSquare);
  root.count = 0;
  EXPECT_THAT(ValidateConfigFields(root).message(),
              HasSubstr("config: key 'count': expected an integer in [1, 10], got '0'"));
}

TEST(ConfigEngine, DumpsRoundTrip) {
  Root root;
  root.path = "a \"quoted\" path";
  root.inner.sizes = {5, -1};
  EXPECT_EQ(ConfigAsJson(root),
            R"({"count":3,"floor":-1,"path":"a \"quoted\" path","inner":{"sizes":[5,-1],"shape":"round"}})");
  auto back = LoadConfigTextAs<Root>(ConfigAsYaml(root), "dump.yml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ConfigAsJson(*back), ConfigAsJson(root));
}

TEST(ConfigEngine, ReferenceListsKeysRulesAndRenames) {
  const std::string md = ConfigReferenceAs<Root>(2);
  EXPECT_THAT(md, HasSubstr("| `count` | int | `3` | in [1, 10] | How many. |"));
  EXPECT_THAT(md, HasSubstr("| `floor` | int | `-1` | >= -1 | Lowest level. |"));
  EXPECT_THAT(md, HasSubstr("## `inner`\n\nNested.\n"));
  EXPECT_THAT(md, HasSubstr("| `sizes` | list of int | `[-1]` | each >= -1 (`all` = -1) |"));
  EXPECT_THAT(md, HasSubstr("| `shape` | enum | `round` | `round`, `square` |"));
  EXPECT_THAT(md, HasSubstr("- `inner.sizes` has at most count entries."));
  EXPECT_THAT(md, HasSubstr("- `number` is now `count`."));
  EXPECT_THAT(md, HasSubstr("- `inner.size_list` is now `inner.sizes`."));
}

}  // namespace
}  // namespace streamgnn::core
