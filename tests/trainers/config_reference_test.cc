// docs/config.md is generated from the schemas of both configs and kept in sync; every shipped
// config loads.
#include "trainers/config_reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "trainers/static_trainer.h"
#include "trainers/temporal_config.h"

namespace streamgnn::trainers {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(ConfigDocs, ReferenceListsEverySectionAndKey) {
  const std::string md = ConfigReferenceMarkdown();
  for (const char* needle :
       {"## `dataset`", "### `dataset.csv`", "### `dataset.synthetic`", "## `graph`",
        "## `sampling`", "## `train`", "## `runtime`", "## `log`",
        "| `neighbor` | list of int | `[10]` | each >= 1 |", "| `layer` | int | `1` | in [1, 8] |",
        "| `format` | enum | `synthetic` | `jodie`, `ml`, `snap`, `tgl`, `csv`, `tgb`, `synthetic` |",
        "| `dir` | string | `\"runs/latest\"` |", "- `neighbor` has exactly `layer` entries.",
        // the static config, in the same dialect
        "# Static runs", "### `dataset.sbm`", "| `neighbor` | list of int | `[-1]` | each >= -1 (`all` = -1) |",
        "| `epoch` | int | `200` | >= 1 |", "- `sampling.fanouts` is now `sampling.neighbor`.",
        "- `train.epochs` is now `train.epoch`."}) {
    EXPECT_THAT(md, HasSubstr(needle));
  }
}

TEST(ConfigDocs, DocsConfigMdIsInSync) {
  const fs::path path = fs::path(STREAMGNN_SOURCE_DIR) / "docs" / "config.md";
  const std::string generated = ConfigReferenceMarkdown();
  if (std::getenv("STREAMGNN_UPDATE_DOCS") != nullptr) {
    std::ofstream(path, std::ios::binary) << generated;
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.is_open()) << path << " is missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(text.str() == generated)
      << path << " is out of date with the config schemas. Regenerate it with\n"
      << "  STREAMGNN_UPDATE_DOCS=1 <build>/bin/config_reference_test\n"
      << "and commit the result.";
}

// Static configs are the ones with a top-level `model` section (as `streamgnn train` decides).
TEST(ShippedConfigs, EveryExampleLoads) {
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(STREAMGNN_SOURCE_DIR) / "examples")) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const bool is_static = text.str().find("\nmodel:") != std::string::npos;
    const Status status = is_static ? LoadStaticConfigFile(entry.path().string()).status()
                                    : LoadTemporalConfigFile(entry.path().string()).status();
    EXPECT_TRUE(status.ok()) << status.ToString();
    ++loaded;
  }
  EXPECT_GE(loaded, 20);
}

}  // namespace
}  // namespace streamgnn::trainers
