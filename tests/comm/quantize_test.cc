// Tests for comm/quantize.h: bf16 rounding, unbiasedness and variance of the stochastic
// rounding (statistical tolerances derived from the per-element variance), the documented wire
// layout, exact sizes, determinism, and errors on bad input and damaged buffers.
#include "comm/quantize.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.h"

namespace streamgnn::comm {
namespace {

constexpr int kWidths[] = {2, 4, 8};

// Uniform floats in [lo, hi) from Philox (deterministic).
std::vector<float> RandomData(int64_t n, float lo, float hi, uint64_t seed) {
  std::vector<float> out(static_cast<size_t>(n));
  core::RngStream rng(seed, 0, 0);
  for (auto& v : out) v = lo + static_cast<float>(rng.Uniform()) * (hi - lo);
  return out;
}

// The grid neighbours of x: lo <= x <= hi, both on the grid, hi the next distinct grid value.
void Bracket(const RowGrid& g, float x, double* lo, double* hi) {
  const int64_t top = (1 << g.bits) - 1;
  int64_t k = 0;
  while (k < top && g.Value(k + 1) <= x) ++k;
  *lo = g.Value(k);
  int64_t n = k;
  while (n < top && g.Value(n) <= x) ++n;
  *hi = g.Value(n) > x ? g.Value(n) : g.Value(k);
}

TEST(Bf16, DirectedRoundingBracketsEveryFloat) {
  const std::vector<float> xs = {0.0f,   -0.0f,   1.0f,    -1.0f,    0.1f,    -0.1f, 3.14159f,
                                 1e-40f, -1e-40f, 65504.f, -2.5e30f, 1.0e-3f, 7.0f};
  std::vector<float> all = xs;
  for (float v : RandomData(2000, -1e4f, 1e4f, 7)) all.push_back(v);
  for (float x : all) {
    const float down = Bf16ToFloat(FloatToBf16Down(x));
    const float up = Bf16ToFloat(FloatToBf16Up(x));
    const float near = Bf16ToFloat(FloatToBf16(x));
    EXPECT_LE(down, x);
    EXPECT_GE(up, x);
    // Adjacent bf16 values (or both equal to x when x is a bf16 value).
    if (down == x) {
      EXPECT_EQ(up, x);
    } else {
      EXPECT_EQ(FloatToBf16Up(down) == FloatToBf16(down), true);
      EXPECT_LE(std::abs(static_cast<int>(FloatToBf16Up(x)) - static_cast<int>(FloatToBf16Down(x))),
                1);
    }
    EXPECT_TRUE(near == down || near == up) << x;
    // bf16 values survive float -> bf16 -> float unchanged.
    EXPECT_EQ(Bf16ToFloat(FloatToBf16(down)), down);
  }
}

// Unbiasedness and variance, element by element: over N independent encodings (different
// streams), mean(decoded) - x has standard deviation sigma / sqrt(N), sigma^2 = (x - lo)(hi - x);
// the sample variance has variance (mu4 - sigma^4) / N for the two-point distribution.
TEST(Quantize, UnbiasedWithFormulaVariance) {
  constexpr int64_t kDim = 96;
  constexpr int kDraws = 4000;
  std::vector<float> row = RandomData(kDim, -2.0f, 3.0f, 11);
  // Min and max not representable in bf16: the grid must come from the rounded values the
  // receiver sees, or the decoded mean drifts by up to a bf16 ulp.
  row[5] = -2.3f;  // min
  row[6] = 3.17f;  // max
  for (int bits : kWidths) {
    SCOPED_TRACE(bits);
    auto grid = MakeRowGrid(Span<const float>(row), bits);
    ASSERT_TRUE(grid.ok()) << grid.status().ToString();
    // Put a few elements exactly on grid points inside (min, max): those must never move.
    row[10] = grid->Value(1);
    row[11] = grid->Value(2);
    auto regrid = MakeRowGrid(Span<const float>(row), bits);
    ASSERT_TRUE(regrid.ok());
    ASSERT_EQ(regrid->min, grid->min);
    ASSERT_EQ(regrid->step, grid->step);
    std::vector<double> sum(kDim, 0), sum_sq(kDim, 0);
    for (int d = 0; d < kDraws; ++d) {
      auto enc = Encode(Span<const float>(row), kDim, bits, QuantKey{42, static_cast<uint64_t>(d)});
      ASSERT_TRUE(enc.ok()) << enc.status().ToString();
      auto dec = Decode(Span<const uint8_t>(*enc));
      ASSERT_TRUE(dec.ok()) << dec.status().ToString();
      for (int64_t j = 0; j < kDim; ++j) {
        const double e = static_cast<double>((*dec)[j]) - row[j];
        sum[j] += e;
        sum_sq[j] += e * e;
      }
    }
    double total_err = 0, total_var = 0, total_emp_var = 0, total_var_of_var = 0;
    for (int64_t j = 0; j < kDim; ++j) {
      double lo, hi;
      Bracket(*grid, row[j], &lo, &hi);
      const double p = hi > lo ? (row[j] - lo) / (hi - lo) : 0.0;
      const double var = (row[j] - lo) * (hi - row[j]);
      // Delta^2 / 4 bound; grid spacing is step' up to the float32 rounding of min' + k step'.
      EXPECT_LE(var, (hi - lo) * (hi - lo) / 4);
      if (hi > lo) {
        EXPECT_NEAR(hi - lo, grid->step, 2 * std::ldexp(4.0, -23));
      }
      const double mean = sum[j] / kDraws;
      const double emp_var = sum_sq[j] / kDraws - mean * mean;
      if (var == 0) {
        EXPECT_EQ(sum_sq[j], 0.0) << "element " << j << " sits on the grid and must not move";
        continue;
      }
      EXPECT_LE(std::abs(mean), 5 * std::sqrt(var / kDraws)) << "element " << j;
      const double d2 = (hi - lo) * (hi - lo);
      const double mu4 = p * (1 - p) * (1 - 3 * p + 3 * p * p) * d2 * d2;
      total_err += sum[j] / kDraws;
      total_var += var;
      total_emp_var += emp_var;
      total_var_of_var += (mu4 - var * var) / kDraws;
    }
    // Whole-row checks: sum of mean errors (sd sqrt(sum var / N)) and sum of sample variances.
    EXPECT_LE(std::abs(total_err), 4 * std::sqrt(total_var / kDraws));
    EXPECT_LE(std::abs(total_emp_var - total_var), 5 * std::sqrt(total_var_of_var));
  }
}

// Under uniform residuals the expected per-element variance is step^2 / 6 (AdaQP's constant);
// f(1 - f) for f ~ U(0, 1) has mean 1/6 and variance 1/180.
TEST(Quantize, MeanVarianceOfUniformDataIsStepSquaredOverSix) {
  constexpr int64_t kDim = 20000;
  const std::vector<float> row = RandomData(kDim, -1.0f, 1.0f, 5);
  for (int bits : kWidths) {
    auto grid = MakeRowGrid(Span<const float>(row), bits);
    ASSERT_TRUE(grid.ok());
    double total = 0;
    for (float x : row) {
      double lo, hi;
      Bracket(*grid, x, &lo, &hi);
      total += (x - lo) * (hi - x);
    }
    const double step2 = static_cast<double>(grid->step) * grid->step;
    const double ratio = total / (kDim * step2);
    EXPECT_NEAR(ratio, 1.0 / 6, 5 * std::sqrt(1.0 / 180 / kDim)) << bits << " bits";
    // step' is (max - min') / L rounded up to bf16, plus at most one more bf16 ulp when the
    // float32 grid top falls short of max: within two bf16 ulps (2^-7 relative each).
    float lo = row[0], hi = row[0];
    for (float x : row) lo = std::min(lo, x), hi = std::max(hi, x);
    EXPECT_EQ(grid->min, Bf16ToFloat(FloatToBf16Down(lo)));
    const double exact_step = (static_cast<double>(hi) - grid->min) / ((1 << bits) - 1);
    EXPECT_GE(grid->step, exact_step);
    EXPECT_LE(grid->step, exact_step * (1 + 2 * std::ldexp(1.0, -7)));
  }
}

// Reads code j of row r straight from the documented layout.
unsigned RawCode(const std::vector<uint8_t>& buf, int64_t rows, int64_t code_offset, int bits,
                 int64_t j) {
  const uint8_t* codes = buf.data() + kQuantHeaderBytes + rows * kQuantRowMetaBytes + code_offset;
  const int per_byte = 8 / bits;
  return (codes[j / per_byte] >> ((j % per_byte) * bits)) & ((1u << bits) - 1);
}

TEST(Quantize, PackedLayoutRoundTripsCodesAndBf16Meta) {
  constexpr int64_t kDim = 37;  // not a multiple of 8 / bits: exercises the row padding
  const std::vector<uint8_t> widths = {2, 4, 8, 8, 2, 4, 2};
  const int64_t rows = static_cast<int64_t>(widths.size());
  std::vector<float> data = RandomData(rows * kDim, -50.0f, 80.0f, 3);
  auto enc = Encode(Span<const float>(data), kDim, Span<const uint8_t>(widths), QuantKey{1, 2});
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  auto dec = Decode(Span<const uint8_t>(*enc));
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  // Header fields as documented.
  EXPECT_EQ(std::memcmp(enc->data(), "SGQ1", 4), 0);
  uint64_t hdr_rows, hdr_dim;
  std::memcpy(&hdr_rows, enc->data() + 8, 8);
  std::memcpy(&hdr_dim, enc->data() + 16, 8);
  EXPECT_EQ(hdr_rows, static_cast<uint64_t>(rows));
  EXPECT_EQ(hdr_dim, static_cast<uint64_t>(kDim));
  int64_t offset = 0;
  for (int64_t r = 0; r < rows; ++r) {
    SCOPED_TRACE(r);
    const Span<const float> row(data.data() + r * kDim, kDim);
    auto want = MakeRowGrid(row, widths[r]);
    auto got = ReadRowGrid(Span<const uint8_t>(*enc), r);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ((*enc)[kQuantHeaderBytes + r], widths[r]);  // tag
    // min and step travel exactly as bf16: the receiver's grid is the sender's grid.
    EXPECT_EQ(got->min, want->min);
    EXPECT_EQ(got->step, want->step);
    EXPECT_EQ(Bf16ToFloat(FloatToBf16(got->min)), got->min);
    EXPECT_EQ(Bf16ToFloat(FloatToBf16(got->step)), got->step);
    float lo = row[0];
    for (float x : row) lo = std::min(lo, x);
    EXPECT_EQ(got->min, Bf16ToFloat(FloatToBf16Down(lo)));
    for (int64_t j = 0; j < kDim; ++j) {
      const unsigned code = RawCode(*enc, rows, offset, widths[r], j);
      const float y = (*dec)[r * kDim + j];
      EXPECT_EQ(y, got->Value(code));
      double blo, bhi;
      Bracket(*got, row[j], &blo, &bhi);
      EXPECT_TRUE(y == blo || y == bhi) << "element " << j << " left its bracket";
    }
    // Padding bits after the last code are zero.
    const int64_t rb = RowCodeBytes(kDim, widths[r]);
    const int used_bits = static_cast<int>((kDim * widths[r]) % 8);
    if (used_bits != 0) {
      const uint8_t last = (*enc)[kQuantHeaderBytes + rows * kQuantRowMetaBytes + offset + rb - 1];
      EXPECT_EQ(last >> used_bits, 0);
    }
    offset += rb;
  }
}

TEST(Quantize, ConstantRowsRoundTripExactly) {
  const float values[] = {0.0f, -0.0f, 0.1f, -3.7e-20f, 1e30f, -123.456f, 1e-42f};
  for (int bits : kWidths) {
    for (float v : values) {
      for (int64_t dim : {1, 3, 64}) {
        std::vector<float> row(static_cast<size_t>(dim), v);
        auto enc = Encode(Span<const float>(row), dim, bits, QuantKey{9, 9});
        ASSERT_TRUE(enc.ok()) << enc.status().ToString();
        auto dec = Decode(Span<const uint8_t>(*enc));
        ASSERT_TRUE(dec.ok());
        for (float y : *dec) {
          uint32_t a, b;
          std::memcpy(&a, &y, 4);
          std::memcpy(&b, &v, 4);
          EXPECT_EQ(a, b) << v << " at " << bits << " bits, dim " << dim;
        }
      }
    }
  }
}

TEST(Quantize, WireSizeMatchesFormula) {
  struct Case {
    int64_t rows, dim;
    int bits;
  };
  const Case cases[] = {{0, 5, 2},    {1, 1, 2},  {1, 1, 8},    {3, 7, 2},
                        {3, 7, 4},    {3, 7, 8},  {10, 128, 2}, {10, 128, 4},
                        {10, 128, 8}, {5, 33, 4}, {2, 1000, 2}};
  for (const Case& c : cases) {
    const int64_t code_bytes = (c.dim * c.bits + 7) / 8;
    const int64_t expected = 24 + c.rows * (5 + code_bytes);
    auto data = RandomData(c.rows * c.dim, -1, 1, 17);
    auto enc = Encode(Span<const float>(data), c.dim, c.bits, QuantKey{});
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(static_cast<int64_t>(enc->size()), expected)
        << c.rows << "x" << c.dim << "@" << c.bits;
    auto size = EncodedSize(c.rows, c.dim, c.bits);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, expected);
  }
  const std::vector<uint8_t> mixed = {8, 2, 4, 4};
  auto size = EncodedSize(10, Span<const uint8_t>(mixed));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 24 + 4 * 5 + (10 + 3 + 5 + 5));
}

TEST(Quantize, DeterministicAcrossThreadCountsAndKeyed) {
  constexpr int64_t kRows = 3000, kDim = 64;  // large enough for the parallel path
  const auto data = RandomData(kRows * kDim, -4, 4, 23);
  auto serial = [&] {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    return Encode(Span<const float>(data), kDim, 4, QuantKey{5, 6});
  }();
  auto parallel = Encode(Span<const float>(data), kDim, 4, QuantKey{5, 6});
  auto other = Encode(Span<const float>(data), kDim, 4, QuantKey{5, 7});
  ASSERT_TRUE(serial.ok() && parallel.ok() && other.ok());
  EXPECT_EQ(*serial, *parallel);
  EXPECT_NE(*parallel, *other);
}

TEST(Quantize, BadInputIsAnError) {
  const std::vector<float> data(12, 1.0f);
  const std::vector<uint8_t> widths3 = {3, 3};
  auto st = Encode(Span<const float>(data), 0, 4, QuantKey{});
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("dim"), std::string::npos);
  st = Encode(Span<const float>(data), 6, 3, QuantKey{});
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("2, 4 and 8"), std::string::npos);
  st = Encode(Span<const float>(data), 6, Span<const uint8_t>(widths3), QuantKey{});
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  st = Encode(Span<const float>(data), 5, 4, QuantKey{});  // 12 floats is not rows of 5
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  std::vector<float> bad = data;
  bad[7] = std::numeric_limits<float>::quiet_NaN();
  st = Encode(Span<const float>(bad), 6, 4, QuantKey{});
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("row 1"), std::string::npos) << st.status().message();
  bad[7] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(Encode(Span<const float>(bad), 6, 4, QuantKey{}).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<uint8_t> small(10);
  const std::vector<uint8_t> widths = {4, 4};
  EXPECT_EQ(EncodeInto(Span<const float>(data), 6, Span<const uint8_t>(widths), QuantKey{},
                       Span<uint8_t>(small))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(Quantize, DamagedBuffersAreCorruptionNeverACrash) {
  constexpr int64_t kDim = 10;
  const auto data = RandomData(4 * kDim, -1, 1, 31);
  const std::vector<uint8_t> widths = {2, 4, 8, 4};
  auto enc = Encode(Span<const float>(data), kDim, Span<const uint8_t>(widths), QuantKey{});
  ASSERT_TRUE(enc.ok());
  const std::vector<uint8_t>& good = *enc;
  // Every truncation, and one byte too many.
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(Decode(Span<const uint8_t>(cut)).status().code(), StatusCode::kCorruption) << n;
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_EQ(Decode(Span<const uint8_t>(longer)).status().code(), StatusCode::kCorruption);

  struct Damage {
    const char* what;
    size_t offset;
    std::vector<uint8_t> bytes;
  };
  const size_t meta = kQuantHeaderBytes + widths.size();
  const Damage damages[] = {
      {"magic", 0, {'X'}},
      {"version", 4, {2}},
      {"rows huge", 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
      {"rows + 1", 8, {5}},
      {"dim zero", 16, {0, 0, 0, 0, 0, 0, 0, 0}},
      {"dim huge", 16, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
      {"tag 3 bits", kQuantHeaderBytes + 1, {3}},
      {"tag stray bit", kQuantHeaderBytes + 1, {0x14}},
      {"tag changes size", kQuantHeaderBytes, {8}},
      {"step zero", meta + 2, {0x00, 0x00}},
      {"step negative", meta + 2, {0x80, 0xbf}},
      {"step NaN", meta + 2, {0xc0, 0x7f}},
      {"min inf", meta + 4, {0x80, 0x7f}},
  };
  for (const Damage& d : damages) {
    std::vector<uint8_t> buf = good;
    std::copy(d.bytes.begin(), d.bytes.end(), buf.begin() + static_cast<std::ptrdiff_t>(d.offset));
    auto dec = Decode(Span<const uint8_t>(buf));
    EXPECT_EQ(dec.status().code(), StatusCode::kCorruption) << d.what;
    EXPECT_FALSE(dec.status().message().empty());
  }
  // Random byte flips: each decodes or is Corruption; nothing else (and no crash).
  core::RngStream rng(77, 0, 0);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> buf = good;
    const int flips = 1 + static_cast<int>(rng.Below(4));
    for (int f = 0; f < flips; ++f)
      buf[rng.Below(buf.size())] ^= static_cast<uint8_t>(1 + rng.Below(255));
    auto dec = Decode(Span<const uint8_t>(buf));
    EXPECT_TRUE(dec.ok() || dec.status().code() == StatusCode::kCorruption)
        << dec.status().ToString();
  }
  std::vector<float> wrong(3);
  EXPECT_EQ(DecodeInto(Span<const uint8_t>(good), Span<float>(wrong)).code(),
            StatusCode::kInvalidArgument);
}

// Not a benchmark (timings are never asserted): prints encode/decode throughput of one
// test-size block for the record.
TEST(Quantize, ReportsThroughput) {
  constexpr int64_t kRows = 20000, kDim = 256;
  const auto data = RandomData(kRows * kDim, -1, 1, 1);
  for (int bits : kWidths) {
    auto size = EncodedSize(kRows, kDim, bits);
    ASSERT_TRUE(size.ok());
    std::vector<uint8_t> buf(static_cast<size_t>(*size));
    const std::vector<uint8_t> widths(kRows, static_cast<uint8_t>(bits));
    std::vector<float> out(data.size());
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(EncodeInto(Span<const float>(data), kDim, Span<const uint8_t>(widths), QuantKey{},
                           Span<uint8_t>(buf))
                    .ok());
    const auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(DecodeInto(Span<const uint8_t>(buf), Span<float>(out)).ok());
    const auto t2 = std::chrono::steady_clock::now();
    const double gb = static_cast<double>(data.size()) * 4 / 1e9;
    std::printf(
        "[throughput] %d bits, %lld x %lld: encode %.2f GB/s, decode %.2f GB/s (float32 "
        "side), wire %.1f%% of fp32\n",
        bits, static_cast<long long>(kRows), static_cast<long long>(kDim),
        gb / std::chrono::duration<double>(t1 - t0).count(),
        gb / std::chrono::duration<double>(t2 - t1).count(),
        100.0 * static_cast<double>(buf.size()) / (static_cast<double>(data.size()) * 4));
  }
}

}  // namespace
}  // namespace streamgnn::comm
