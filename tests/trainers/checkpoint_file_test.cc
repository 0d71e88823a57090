// The checkpoint envelope (trainers/checkpoint_file.h): an intact file loads with its values; a
// truncated, extended, bit-flipped or foreign file is Corruption naming the file and never
// reaches LibTorch's reader. A trainer's damaged best.pt is refused by `eval` and by resume.
#include "trainers/checkpoint_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/testing/temp_dir.h"
#include "tests/trainers/temporal_test_util.h"
#include "trainers/temporal_trainer.h"

namespace streamgnn::trainers {
namespace {

using ::streamgnn::testing::TempDir;
using testing::Quiet;

const datasets::TemporalDataset& PlantedGraph() {
  static const datasets::TemporalDataset ds = testing::PlantedGraph(200, 3000, 10, 16, 5);
  return ds;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

std::string WriteSmallCheckpoint(const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::arange(12, torch::kFloat32).reshape({3, 4}));
  archive.write("config", c10::IValue(std::string("model: tgn\n")));
  EXPECT_TRUE(SaveCheckpointFile(archive, path).ok());
  return ReadBytes(path);
}

void ExpectCorruption(const std::string& path, const std::string& what) {
  torch::serialize::InputArchive archive;
  const Status s = LoadCheckpointFile(path, torch::kCPU, &archive);
  ASSERT_EQ(s.code(), StatusCode::kCorruption) << what << ": " << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
}

TEST(CheckpointFile, IntactFileLoadsItsValues) {
  TempDir dir;
  const std::string path = dir.str() + "/c.pt";
  WriteSmallCheckpoint(path);
  torch::serialize::InputArchive archive;
  ASSERT_TRUE(LoadCheckpointFile(path, torch::kCPU, &archive).ok());
  torch::Tensor weights;
  archive.read("weights", weights);
  EXPECT_TRUE(torch::equal(weights, torch::arange(12, torch::kFloat32).reshape({3, 4})));
  c10::IValue config;
  archive.read("config", config);
  EXPECT_EQ(config.toStringRef(), "model: tgn\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(CheckpointFile, MissingFileIsNotFound) {
  TempDir dir;
  torch::serialize::InputArchive archive;
  const Status s = LoadCheckpointFile(dir.str() + "/none.pt", torch::kCPU, &archive);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

// Every prefix length a crash or a full disk could leave, and one byte appended.
TEST(CheckpointFile, TruncatedOrExtendedFilesAreCorruption) {
  TempDir dir;
  const std::string path = dir.str() + "/c.pt";
  const std::string good = WriteSmallCheckpoint(path);
  for (size_t keep = 0; keep < good.size(); keep += (keep < 64 ? 1 : 97)) {
    WriteBytes(path, good.substr(0, keep));
    ExpectCorruption(path, "truncated to " + std::to_string(keep));
  }
  WriteBytes(path, good.substr(0, good.size() - 1));
  ExpectCorruption(path, "last byte missing");
  WriteBytes(path, good + "x");
  ExpectCorruption(path, "one byte appended");
}

// One flipped bit anywhere in the file (header, archive, end marker) is caught: CRC-32 detects
// every single-bit error in the payload, the header and marker are compared exactly.
TEST(CheckpointFile, EveryFlippedBitIsCorruption) {
  TempDir dir;
  const std::string path = dir.str() + "/c.pt";
  const std::string good = WriteSmallCheckpoint(path);
  for (size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ (1 << (at % 8)));
    WriteBytes(path, bad);
    ExpectCorruption(path, "bit flipped at byte " + std::to_string(at));
  }
}

TEST(CheckpointFile, BareLibTorchArchiveIsRefusedWithTheReason) {
  TempDir dir;
  const std::string path = dir.str() + "/old.pt";
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::ones({2}));
  archive.save_to(path);
  ExpectCorruption(path, "bare archive");
  torch::serialize::InputArchive in;
  EXPECT_NE(LoadCheckpointFile(path, torch::kCPU, &in).message().find("envelope"), std::string::npos);
}

// What a user meets: `eval` and resume of a trained run whose checkpoint was damaged.
TEST(CheckpointFile, DamagedTrainerCheckpointIsRefusedByEvalAndResume) {
  TempDir out;
  ASSERT_TRUE(TrainTemporal(testing::MakeConfig("jodie", testing::SmallModel(), out.str(), 1), Quiet(), &PlantedGraph()).ok());
  for (const char* file : {"best.pt", "checkpoint.pt"}) {
    const std::string path = out.str() + "/" + file;
    std::string bytes = ReadBytes(path);
    ASSERT_GT(bytes.size(), 1000u) << path;
    bytes[bytes.size() / 2] ^= 0x10;
    WriteBytes(path, bytes);
  }
  auto eval = EvaluateCheckpoint(out.str() + "/best.pt", &PlantedGraph());
  ASSERT_FALSE(eval.ok());
  EXPECT_EQ(eval.status().code(), StatusCode::kCorruption) << eval.status().ToString();
  EXPECT_NE(eval.status().message().find("best.pt"), std::string::npos);

  TrainOptions resume = Quiet();
  resume.resume = true;
  auto resumed = TrainTemporal(testing::MakeConfig("jodie", testing::SmallModel(), out.str(), 2), resume, &PlantedGraph());
  ASSERT_FALSE(resumed.ok());
  EXPECT_EQ(resumed.status().code(), StatusCode::kCorruption) << resumed.status().ToString();
  EXPECT_NE(resumed.status().message().find("checkpoint.pt"), std::string::npos);
}

// The checkpoint_fuzz seed (tests/fuzz/corpus) is a valid envelope around an archive with the
// entries `eval` reads first; `STREAMGNN_UPDATE_SEEDS=1 <build>/bin/checkpoint_file_test
// --gtest_filter='*FuzzSeed*'` rewrites it after a format change.
TEST(CheckpointFile, FuzzSeedIsCurrent) {
  const std::string dir = std::string(STREAMGNN_SOURCE_DIR) + "/tests/fuzz/corpus/checkpoint_fuzz";
  const std::string path = dir + "/seed-small";
  if (std::getenv("STREAMGNN_UPDATE_SEEDS") != nullptr) {
    std::filesystem::create_directories(dir);
    torch::serialize::OutputArchive archive;
    archive.write("config", c10::IValue(std::string("gnn:\n  arch: jodie\n")));
    archive.write("epoch", torch::tensor(int64_t{3}));
    archive.write("weights", torch::arange(6, torch::kFloat32));
    ASSERT_TRUE(SaveCheckpointFile(archive, path).ok());
  }
  torch::serialize::InputArchive archive;
  const Status loaded = LoadCheckpointFile(path, torch::kCPU, &archive);
  ASSERT_TRUE(loaded.ok()) << loaded.ToString() << "\n  rewrite with STREAMGNN_UPDATE_SEEDS=1";
  torch::Tensor epoch;
  archive.read("epoch", epoch);
  EXPECT_EQ(epoch.item<int64_t>(), 3);
}

}  // namespace
}  // namespace streamgnn::trainers
