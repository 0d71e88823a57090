// Malformed inputs: every one must give a clear error naming the file, the 1-based line and what
// was expected, and never a dataset.
#include <gtest/gtest.h>

#include <filesystem>

#include "datasets/loaders.h"
#include "datasets/npy.h"
#include "tests/datasets/test_util.h"

namespace streamgnn::datasets {
namespace {

using testing::Contains;
using testing::TempDir;
using testing::WriteText;

struct BadCase {
  const char* label;
  Format format;
  const char* file_name;
  const char* text;
  int line;            // expected line in "<path>:<line>:", 0 = no line (file-level error)
  const char* expect;  // substring of the message
};

const BadCase kBadCases[] = {
    {"jodie_too_few_columns", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1,0\n1,6,2\n", 3,
     "expected 4 columns (user,item,timestamp,state_label), found 3"},
    {"jodie_too_many_columns", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1,0\n1,6,2,0,9\n", 3,
     "expected 4 columns"},
    {"jodie_first_row_short", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1\n", 2,
     "expected at least 4 columns"},
    {"jodie_time_not_a_number", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1,0\n0,5,1x,0\n", 3,
     "column 3 (timestamp): expected a number (timestamp), found '1x'"},
    {"jodie_time_nan", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,nan,0\n", 2,
     "expected a finite timestamp, found 'nan'"},
    {"jodie_time_inf", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1,0\n0,5,-inf,0\n", 3,
     "expected a finite timestamp"},
    {"jodie_negative_id", Format::kJodie, "a.csv", "u,i,ts,label\n0,5,1,0\n-3,5,1,0\n", 3,
     "column 1 (user): expected a non-negative integer node id, found '-3'"},
    {"jodie_fractional_id", Format::kJodie, "a.csv", "u,i,ts,label\n0,5.5,1,0\n", 2,
     "column 2 (item): expected a non-negative integer node id, found '5.5'"},
    {"jodie_empty_field", Format::kJodie, "a.csv", "u,i,ts,label\n0,,1,0\n", 2, "found ''"},
    {"jodie_bad_label", Format::kJodie, "a.csv", "u,i,ts,label\n0,1,1,0.5\n", 2,
     "column 4 (state_label): expected an integer label"},
    {"jodie_bad_feature", Format::kJodie, "a.csv", "u,i,ts,label,f\n0,1,1,0,1\n0,1,1,0,abc\n", 3,
     "column 5 (feature 0): expected a finite number (feature), found 'abc'"},
    {"jodie_id_too_large", Format::kJodie, "a.csv", "u,i,ts,label\n0,2000000000000,1,0\n", 0,
     "node id 2000000000000 is too large for a dense id space"},
    {"tgl_id_too_large", Format::kTgl, "edges.csv", "src,dst,time\n9223372036854775807,1,0\n", 0,
     "node id 9223372036854775807 is too large"},
    {"jodie_header_only", Format::kJodie, "a.csv", "u,i,ts,label\n", 0, "no events"},
    {"empty_file", Format::kSnap, "e.txt", "", 0, "no events"},
    {"snap_five_columns", Format::kSnap, "s.txt", "1 2 3 4 5\n", 1,
     "expected 3 columns (src dst time) or 4 (src,dst,weight,time), found 5"},
    {"snap_ragged", Format::kSnap, "s.txt", "# c\n1 2 3\n\n1 2\n", 4,
     "expected 3 columns (src dst time), found 2"},
    {"snap_huge_id", Format::kSnap, "s.txt", "1 2 3\n99999999999999999999 2 3\n", 2,
     "column 1 (src): expected a non-negative integer node id"},
    {"snap_bad_weight", Format::kSnap, "s.csv", "1,2,x,3\n", 1,
     "column 3 (weight): expected a finite number (feature), found 'x'"},
    {"ml_no_header", Format::kMl, "ml_a.csv", "0,1,2,3,0,1\n", 1,
     "expected a header naming columns u, i and ts"},
    {"ml_bad_idx", Format::kMl, "ml_a.csv", ",u,i,ts,label,idx\n0,1,2,3,0,-1\n", 2,
     "column 6 (idx): expected a non-negative integer edge index"},
    {"tgl_bad_split", Format::kTgl, "edges.csv", ",src,dst,time,int_roll,ext_roll\n0,1,2,3,0,3\n",
     2, "column 6 (ext_roll): expected a split value 0, 1 or 2, found '3'"},
    {"tgl_no_time", Format::kTgl, "edges.csv", "src,dst,t\n1,2,3\n", 1,
     "expected a header naming columns src, dst and time"},
};

class MalformedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedTest, ErrorNamesFileAndLine) {
  const BadCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.File(c.file_name);
  WriteText(path, c.text);
  LoadSpec spec;
  spec.format = c.format;
  spec.path = path;
  spec.cache.dir = dir.File("cache");
  LoadReport report;
  StatusOr<TemporalDataset> ds = LoadTemporal(spec, &report);
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().code(), StatusCode::kInvalidArgument);
  const std::string msg = ds.status().message();
  const std::string where = c.line > 0 ? path + ":" + std::to_string(c.line) + ": " : path + ": ";
  EXPECT_EQ(msg.rfind(where, 0), 0u) << msg;
  EXPECT_TRUE(Contains(msg, c.expect)) << msg;
  // Nothing was cached for a failed parse.
  EXPECT_FALSE(std::filesystem::exists(dir.File("cache")));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedTest, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(Malformed, MissingFileIsNotFound) {
  for (Format f : {Format::kJodie, Format::kMl, Format::kSnap, Format::kTgl, Format::kCsv}) {
    LoadSpec spec;
    spec.format = f;
    spec.path = "/nonexistent/dir/data.csv";
    spec.cache.enable = false;
    auto ds = LoadTemporal(spec);
    ASSERT_FALSE(ds.ok());
    EXPECT_EQ(ds.status().code(), StatusCode::kNotFound) << FormatName(f);
    EXPECT_TRUE(Contains(ds.status().message(), "/nonexistent/dir/data.csv"));
  }
}

TEST(Malformed, DirectoryIsNotAFile) {
  TempDir dir;
  auto ds = LoadSnapEdges(dir.path());
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(Contains(ds.status().message(), "not a regular file"));
}

TEST(Malformed, TruncatedAndCorruptGzip) {
  TempDir dir;
  std::string text;
  for (int k = 0; k < 20000; ++k) {
    text += std::to_string(k) + " " + std::to_string(k * 7 % 1013) + " " + std::to_string(k) + "\n";
  }
  testing::WriteGzip(dir.File("full.txt.gz"), text);
  auto full = LoadSnapEdges(dir.File("full.txt.gz"));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->num_events(), 20000);

  const std::string bytes = testing::ReadText(dir.File("full.txt.gz"));
  WriteText(dir.File("cut.txt.gz"), bytes.substr(0, bytes.size() / 2));
  auto cut = LoadSnapEdges(dir.File("cut.txt.gz"));
  ASSERT_FALSE(cut.ok());
  EXPECT_TRUE(Contains(cut.status().message(), dir.File("cut.txt.gz") + ": truncated gzip"))
      << cut.status().message();

  WriteText(dir.File("cut8.txt.gz"), bytes.substr(0, bytes.size() - 8));  // trailer missing
  EXPECT_FALSE(LoadSnapEdges(dir.File("cut8.txt.gz")).ok());

  std::string corrupt = bytes;
  for (size_t k = 100; k < 200; ++k) corrupt[k] = static_cast<char>(corrupt[k] ^ 0x5a);
  WriteText(dir.File("bad.txt.gz"), corrupt);
  auto bad = LoadSnapEdges(dir.File("bad.txt.gz"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), dir.File("bad.txt.gz"))) << bad.status().message();
}

// The parallel parser reports the first error in file order, with the right line number, even
// when errors sit in several chunks.
TEST(Malformed, FirstErrorInALargeFileHasTheRightLine) {
  TempDir dir;
  std::string text = "# header comment\n";
  for (int line = 2; line <= 150000; ++line) {
    if (line == 90001) {
      text += "1 2 oops\n";
    } else if (line == 140000) {
      text += "1 2\n";
    } else {
      text += "1 2 " + std::to_string(line) + "\n";
    }
  }
  WriteText(dir.File("big.txt"), text);
  auto ds = LoadSnapEdges(dir.File("big.txt"));
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().message().rfind(dir.File("big.txt") + ":90001: ", 0), 0u)
      << ds.status().message();
}

TEST(Malformed, BadNpyFiles) {
  TempDir dir;
  const std::string good_csv = ",u,i,ts,label,idx\n0,1,2,0,0,1\n1,2,1,1,0,2\n";
  auto header = [](const std::string& dict) {
    std::string h = dict;
    h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
    h.push_back('\n');
    std::string b = std::string("\x93NUMPY\x01\x00", 8);
    b.push_back(static_cast<char>(h.size()));
    b.push_back(0);
    return b + h;
  };
  const std::string floats(3 * 2 * 4, '\0');
  struct NpyCase {
    const char* label;
    std::string bytes;
    const char* expect;
  };
  const NpyCase kCases[] = {
      {"no magic", "hello world, not numpy", "not a .npy file"},
      {"int64",
       header("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }") +
           std::string(48, '\0'),
       "dtype '<i8' is not supported"},
      {"big endian", header("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }") + floats,
       "dtype '>f4'"},
      {"fortran", header("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }") + floats,
       "Fortran order"},
      {"3-D", header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 2), }") + floats,
       "3 dimensions"},
      {"short data",
       header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }") + floats.substr(4),
       "header (shape 3 x 2, <f4) implies"},
      {"no shape", header("{'descr': '<f4', 'fortran_order': False, }") + floats, "no 'shape'"},
      {"version 9", std::string("\x93NUMPY\x09\x00", 8), "format version 9"},
  };
  for (const NpyCase& c : kCases) {
    SCOPED_TRACE(c.label);
    WriteText(dir.File("ml_n.csv"), good_csv);
    WriteText(dir.File("ml_n.npy"), c.bytes);
    auto ds = LoadMlCsv(dir.File("ml_n.csv"));
    ASSERT_FALSE(ds.ok());
    EXPECT_EQ(ds.status().message().rfind(dir.File("ml_n.npy") + ": ", 0), 0u)
        << ds.status().message();
    EXPECT_TRUE(Contains(ds.status().message(), c.expect)) << ds.status().message();
  }
}

TEST(Malformed, FeatureRowCountMismatch) {
  TempDir dir;
  WriteText(dir.File("ml_m.csv"), ",u,i,ts,label,idx\n0,1,2,0,0,1\n1,2,5,1,0,2\n");
  // Edge matrix with rows 0..1 only: idx 2 on line 3 has no row.
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_m.npy"), {2, 1, {0, 1}}).ok());
  auto ds = LoadMlCsv(dir.File("ml_m.csv"));
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().message().rfind(dir.File("ml_m.csv") + ":3: ", 0), 0u)
      << ds.status().message();
  EXPECT_TRUE(Contains(ds.status().message(), "below 2 (the row count of"));

  // Node matrix too small for node id 5.
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_m.npy"), {3, 1, {0, 1, 2}}).ok());
  ASSERT_TRUE(WriteNpyMatrix(dir.File("ml_m_node.npy"), {4, 2, std::vector<float>(8)}).ok());
  ds = LoadMlCsv(dir.File("ml_m.csv"));
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(Contains(ds.status().message(),
                       dir.File("ml_m_node.npy") + ": node feature matrix has 4 rows"))
      << ds.status().message();

  // Edge features but no idx column to pick the rows.
  WriteText(dir.File("ml_m.csv"), ",u,i,ts\n0,1,2,0\n");
  ds = LoadMlCsv(dir.File("ml_m.csv"));
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(Contains(ds.status().message(), "expected an 'idx' column"));
}

TEST(Malformed, CsvMappingErrors) {
  TempDir dir;
  WriteText(dir.File("m.csv"), "a,b,c\n1,2,3\n");
  struct MapCase {
    const char* label;
    CsvOptions options;
    const char* expect;
  };
  CsvOptions beyond;
  beyond.time_col = 5;
  CsvOptions twice;
  twice.label_col = 1;
  CsvOptions negative;
  negative.src_col = -1;
  CsvOptions feats;
  feats.feat_begin = 2;
  const MapCase kCases[] = {
      {"beyond", beyond, "time_col = 5, but the file has 3 columns"},
      {"twice", twice, "label_col = 1 is already mapped"},
      {"negative", negative, "must be >= 0"},
      {"features overlap time", feats, "feature column = 2 is already mapped"},
  };
  for (const MapCase& c : kCases) {
    SCOPED_TRACE(c.label);
    auto ds = LoadCsv(dir.File("m.csv"), c.options);
    ASSERT_FALSE(ds.ok());
    EXPECT_TRUE(Contains(ds.status().message(), dir.File("m.csv"))) << ds.status().message();
    EXPECT_TRUE(Contains(ds.status().message(), c.expect)) << ds.status().message();
  }
}

}  // namespace
}  // namespace streamgnn::datasets
