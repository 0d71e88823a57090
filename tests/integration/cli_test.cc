// The `streamgnn` executable end to end: exit codes, messages and figures of each subcommand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using ::testing::HasSubstr;

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CommandResult Streamgnn(const std::string& args) {
  const std::string cmd = std::string(STREAMGNN_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("streamgnn_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    setenv("STREAMGNN_CACHE_DIR", (dir_ / "cache").c_str(), 1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string Data(const std::string& rel) { return std::string(STREAMGNN_DATASETS_DIR) + "/" + rel; }

  std::filesystem::path dir_;
};

TEST_F(CliTest, VersionNamesTheBuildAndDevices) {
  const CommandResult r = Streamgnn("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("streamgnn "));
  EXPECT_THAT(r.output, HasSubstr("cuda: "));
}

TEST_F(CliTest, DatasetInfoPrintsTheReadmeCounts) {
  const CommandResult r = Streamgnn("dataset info " + Data("wikipedia_jodie/wikipedia.csv") + " --format jodie --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"num_events\":157474"));
  EXPECT_THAT(r.output, HasSubstr("\"num_nodes\":9227"));
  EXPECT_THAT(r.output, HasSubstr("\"1\":217"));
  const CommandResult snap = Streamgnn("dataset info " + Data("bitcoin_alpha/soc-sign-bitcoinalpha.csv.gz") + " --format snap");
  ASSERT_EQ(snap.exit_code, 0) << snap.output;
  EXPECT_THAT(snap.output, HasSubstr("24,186"));
  EXPECT_THAT(snap.output, HasSubstr("3,783 active"));
}

TEST_F(CliTest, ConvertAndGenerateRoundTrip) {
  const std::string tgl = (dir_ / "edges.csv").string();
  CommandResult r = Streamgnn("dataset convert " + Data("collegemsg/CollegeMsg.txt") + " --format snap --to tgl --out " + tgl);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Streamgnn("dataset info " + tgl + " --format tgl --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"num_events\":59835"));
  EXPECT_THAT(r.output, HasSubstr("\"active_nodes\":1899"));

  const std::string gen = (dir_ / "w1.csv").string();
  r = Streamgnn("dataset generate --kind zipf --nodes 500 --edges 4000 --out " + gen);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Streamgnn("dataset info " + gen + " --format csv --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"num_events\":4000"));
}

TEST_F(CliTest, StreamRunsAConfigAndWritesItsSummary) {
  const std::string config = Write("run.yaml",
                                   "dataset:\n  format: synthetic\n  synthetic:\n    num_nodes: 300\n"
                                   "    num_edges: 5000\nsampling:\n  layer: 2\n  neighbor: [5, 5]\n"
                                   "train:\n  batch_size: 100\nlog:\n  dir: " + (dir_ / "run").string() + "\n");
  const CommandResult r = Streamgnn("stream " + config + " --set sampling.strategy=uniform");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("streamed 5000 events"));
  EXPECT_THAT(r.output, HasSubstr("uniform 5,5"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "run" / "stream_summary.json"));
}

TEST_F(CliTest, BadConfigsStopBeforeAnyWork) {
  struct Case {
    const char* yaml;
    const char* override_arg;
    const char* expect;
  };
  const Case cases[] = {
      {"dataset:\n  format: synthetic\n  bogus: 1\n", "", ":3:3: key 'dataset.bogus'"},
      {"sampling:\n  layer: two\n", "", ":2:10: key 'sampling.layer'"},
      {"sampling:\n  layer: 2\n  neighbor: [10]\n", "", "key 'sampling.neighbor'"},
      {"graph:\n  out_of_order: sometimes\n", "", "key 'graph.out_of_order'"},
      {"train:\n  batch_size: 0\n", "", "key 'train.batch_size'"},
      {"dataset:\n  format: synthetic\n", "--set graph.eviction_window=-1", "--set graph.eviction_window=-1"},
  };
  for (const Case& c : cases) {
    const std::string config = Write("bad.yaml", c.yaml);
    const CommandResult r = Streamgnn("stream " + config + " " + c.override_arg);
    EXPECT_EQ(r.exit_code, 1) << c.yaml;
    EXPECT_THAT(r.output, HasSubstr(c.expect)) << r.output;
    EXPECT_THAT(r.output, ::testing::Not(HasSubstr("streamed"))) << r.output;
  }
  const CommandResult missing = Streamgnn("stream " + Write("m.yaml", "dataset:\n  format: jodie\n  path: nowhere.csv\n"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("nowhere.csv"));
  const CommandResult usage = Streamgnn("dataset info");
  EXPECT_EQ(usage.exit_code, 2);  // CLI usage error
}

TEST_F(CliTest, TrainDispatchesStaticConfigs) {
  // A config with a top-level `model` section is a static-graph run (GCN on cora here).
  const CommandResult r = Streamgnn("train " + std::string(STREAMGNN_SOURCE_DIR) +
                                    "/examples/gcn_cora.yaml --set train.epoch=3 --set log.dir=" +
                                    (dir_ / "gcn").string());
  if (r.output.find("no LibTorch") != std::string::npos) GTEST_SKIP() << "built without LibTorch";
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("test accuracy"));
  const CommandResult resume = Streamgnn("train " + std::string(STREAMGNN_SOURCE_DIR) +
                                         "/examples/gcn_cora.yaml --resume");
  EXPECT_EQ(resume.exit_code, 1);
  EXPECT_THAT(resume.output, HasSubstr("no --resume"));
}

TEST_F(CliTest, BenchPrintsBothLayoutsFromTheSameRun) {
  CommandResult r = Streamgnn("bench sample --w1-nodes 2000 --w1-edges 20000 --repeats 1 --fanouts 5,5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"config\":\"recent [5,5]\""));
  EXPECT_THAT(r.output, HasSubstr("\"identical_to_tcsr\":true"));
  r = Streamgnn("bench ingest --w1-nodes 2000 --w1-edges 20000 --repeats 1 --batch 1000");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"batch_size\":1000"));
  EXPECT_THAT(r.output, HasSubstr("\"bytes_per_edge\""));
  r = Streamgnn("bench sample --w1-nodes 10 --w1-edges 100 --fanouts 5,x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--fanouts"));
}

}  // namespace
