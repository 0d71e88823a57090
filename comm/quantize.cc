#include "comm/quantize.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/rng.h"

namespace streamgnn::comm {
namespace {

constexpr uint8_t kMagic[4] = {'S', 'G', 'Q', '1'};
constexpr uint16_t kVersion = 1;
// Below this many elements a block is encoded on the calling thread: TBB's fork/join costs more
// than it saves.
constexpr int64_t kParallelElements = 1 << 15;
constexpr int64_t kGrainElements = 1 << 14;

void PutU16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
void PutU64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint16_t GetU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "wire format is little-endian");

uint32_t FloatBits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
float BitsFloat(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// Lowers `*slot` to `value` (first failing row wins, whatever the schedule).
void AtomicMin(std::atomic<int64_t>* slot, int64_t value) {
  int64_t cur = slot->load(std::memory_order_relaxed);
  while (value < cur && !slot->compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
}

template <class Fn>
void ForRows(int64_t rows, int64_t dim, Fn&& fn) {
  if (rows * dim < kParallelElements) {
    for (int64_t r = 0; r < rows; ++r) fn(r);
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrainElements / dim);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, grain),
                    [&](const tbb::blocked_range<int64_t>& range) {
                      for (int64_t r = range.begin(); r < range.end(); ++r) fn(r);
                    });
}

// Row offsets of the code section (relative to its start); rows + 1 entries. Widths must be
// valid. Returns false on int64 overflow.
bool CodeOffsets(int64_t dim, Span<const uint8_t> bits, std::vector<int64_t>* offsets) {
  offsets->resize(bits.size() + 1);
  (*offsets)[0] = 0;
  for (size_t r = 0; r < bits.size(); ++r) {
    const int64_t rb = RowCodeBytes(dim, bits[r]);
    if (rb < 0 || __builtin_add_overflow((*offsets)[r], rb, &(*offsets)[r + 1])) return false;
  }
  return true;
}

int MaxCode(int bits) { return (1 << bits) - 1; }

// Quantises one row with the grid `g` into its code bytes (zeroed by the caller). B is a template
// argument so that the packing compiles to shifts and masks.
template <int B>
void QuantizeRowImpl(const float* x, int64_t dim, const RowGrid& g, core::RngStream& rng,
                     uint8_t* codes) {
  constexpr int kPerByte = 8 / B;
  constexpr int64_t kTop = (1 << B) - 1;
  const double inv_step = 1.0 / static_cast<double>(g.step);
  uint64_t draws = 0;
  for (int64_t j = 0; j < dim; ++j) {
    // Two 32-bit uniforms per 64-bit draw; element j always uses the same half.
    if ((j & 1) == 0) draws = rng.NextU64();
    const uint32_t u = static_cast<uint32_t>(draws >> ((j & 1) * 32));
    const float v = x[j];
    // Estimate (v >= min', so truncation is floor), then correct against the float32 grid the
    // decoder computes.
    int64_t k =
        std::min<int64_t>(static_cast<int64_t>((static_cast<double>(v) - g.min) * inv_step), kTop);
    while (k > 0 && g.Value(k) > v) --k;
    while (k < kTop && g.Value(k + 1) <= v) ++k;
    // Up with probability (v - lo) / (hi - lo), i.e. u / 2^32 < p, without the division and
    // without a branch (the outcome is random, so a branch would mispredict half the time).
    // At k == kTop, v == lo and the comparison is false.
    const double lo = g.Value(k);
    const double hi = g.Value(std::min<int64_t>(k + 1, kTop));
    const bool up =
        static_cast<double>(u) * (hi - lo) < (static_cast<double>(v) - lo) * 4294967296.0;
    const int64_t code = k + static_cast<int64_t>(up);
    codes[j / kPerByte] |= static_cast<uint8_t>(code << ((j % kPerByte) * B));
  }
}

void QuantizeRow(const float* x, int64_t dim, const RowGrid& g, uint64_t seed, uint64_t stream,
                 int64_t row, uint8_t* codes) {
  core::RngStream rng(seed, stream, static_cast<uint64_t>(row));
  switch (g.bits) {
    case 2:
      return QuantizeRowImpl<2>(x, dim, g, rng, codes);
    case 4:
      return QuantizeRowImpl<4>(x, dim, g, rng, codes);
    default:
      return QuantizeRowImpl<8>(x, dim, g, rng, codes);
  }
}

template <int B>
void DequantizeRowImpl(const uint8_t* c, int64_t dim, const RowGrid& g, float* y) {
  constexpr int kPerByte = 8 / B;
  constexpr unsigned kMask = (1u << B) - 1;
  for (int64_t j = 0; j < dim; ++j) {
    y[j] = g.Value((c[j / kPerByte] >> ((j % kPerByte) * B)) & kMask);
  }
}

void DequantizeRow(const uint8_t* c, int64_t dim, const RowGrid& g, float* y) {
  switch (g.bits) {
    case 2:
      return DequantizeRowImpl<2>(c, dim, g, y);
    case 4:
      return DequantizeRowImpl<4>(c, dim, g, y);
    default:
      return DequantizeRowImpl<8>(c, dim, g, y);
  }
}

Status CheckWidths(Span<const uint8_t> bits) {
  for (size_t r = 0; r < bits.size(); ++r) {
    if (!IsSupportedBitWidth(bits[r])) {
      return Status::InvalidArgument("quantize: row " + std::to_string(r) + " asks for " +
                                     std::to_string(bits[r]) +
                                     " bits; supported widths are 2, 4 and 8");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsSupportedBitWidth(int bits) { return bits == 2 || bits == 4 || bits == 8; }

uint16_t FloatToBf16(float x) {
  const uint32_t u = FloatBits(x);
  if (std::isnan(x)) return static_cast<uint16_t>((u >> 16) | 0x40);
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

uint16_t FloatToBf16Down(float x) {
  const uint32_t u = FloatBits(x);
  if (std::isnan(x)) return static_cast<uint16_t>((u >> 16) | 0x40);
  const uint16_t trunc = static_cast<uint16_t>(u >> 16);
  // Truncation moves towards zero: that is down for positives, up for negatives.
  const bool inexact = (u & 0xFFFFu) != 0;
  return (inexact && (u >> 31)) ? static_cast<uint16_t>(trunc + 1) : trunc;
}

uint16_t FloatToBf16Up(float x) {
  const uint32_t u = FloatBits(x);
  if (std::isnan(x)) return static_cast<uint16_t>((u >> 16) | 0x40);
  const uint16_t trunc = static_cast<uint16_t>(u >> 16);
  const bool inexact = (u & 0xFFFFu) != 0;
  return (inexact && !(u >> 31)) ? static_cast<uint16_t>(trunc + 1) : trunc;
}

float Bf16ToFloat(uint16_t h) { return BitsFloat(static_cast<uint32_t>(h) << 16); }

int64_t RowCodeBytes(int64_t dim, int bits) {
  int64_t total_bits;
  if (dim < 0 || __builtin_mul_overflow(dim, static_cast<int64_t>(bits), &total_bits)) return -1;
  return total_bits / 8 + (total_bits % 8 != 0);
}

StatusOr<int64_t> EncodedSize(int64_t dim, Span<const uint8_t> bits) {
  if (dim < 1)
    return Status::InvalidArgument("quantize: dim must be >= 1, got " + std::to_string(dim));
  SG_RETURN_IF_ERROR(CheckWidths(bits));
  std::vector<int64_t> offsets;
  int64_t meta, total;
  if (!CodeOffsets(dim, bits, &offsets) ||
      __builtin_mul_overflow(static_cast<int64_t>(bits.size()), kQuantRowMetaBytes, &meta) ||
      __builtin_add_overflow(kQuantHeaderBytes + meta, offsets.back(), &total)) {
    return Status::InvalidArgument("quantize: encoded size overflows int64");
  }
  return total;
}

StatusOr<int64_t> EncodedSize(int64_t rows, int64_t dim, int bits) {
  if (rows < 0) return Status::InvalidArgument("quantize: rows must be >= 0");
  if (!IsSupportedBitWidth(bits)) {
    return Status::InvalidArgument("quantize: " + std::to_string(bits) +
                                   " bits; supported widths are 2, 4 and 8");
  }
  if (dim < 1)
    return Status::InvalidArgument("quantize: dim must be >= 1, got " + std::to_string(dim));
  int64_t per_row, body, total;
  const int64_t rb = RowCodeBytes(dim, bits);
  if (rb < 0 || __builtin_add_overflow(rb, kQuantRowMetaBytes, &per_row) ||
      __builtin_mul_overflow(per_row, rows, &body) ||
      __builtin_add_overflow(body, kQuantHeaderBytes, &total)) {
    return Status::InvalidArgument("quantize: encoded size overflows int64");
  }
  return total;
}

StatusOr<RowGrid> MakeRowGrid(Span<const float> row, int bits) {
  if (!IsSupportedBitWidth(bits)) {
    return Status::InvalidArgument("quantize: " + std::to_string(bits) +
                                   " bits; supported widths are 2, 4 and 8");
  }
  if (row.empty()) return Status::InvalidArgument("quantize: empty row (dim must be >= 1)");
  float lo = row[0], hi = row[0];
  for (float v : row) {
    if (!std::isfinite(v)) {
      return Status::InvalidArgument("quantize: non-finite element " + std::to_string(v));
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  RowGrid g;
  g.bits = bits;
  if (lo == hi) {
    g.constant = true;
    g.min = lo;
    return g;
  }
  g.min = Bf16ToFloat(FloatToBf16Down(lo));
  if (!std::isfinite(g.min)) {
    return Status::InvalidArgument("quantize: row minimum " + std::to_string(lo) +
                                   " does not fit bf16");
  }
  const int top = MaxCode(bits);
  const double want = (static_cast<double>(hi) - g.min) / top;
  float approx = static_cast<float>(want);
  if (static_cast<double>(approx) < want) approx = std::nextafter(approx, INFINITY);
  uint16_t h = FloatToBf16Up(approx);
  // The grid top is computed in float32 by the decoder; bump the step until it covers max.
  for (;;) {
    g.step = Bf16ToFloat(h);
    if (!std::isfinite(g.step) || !std::isfinite(g.Value(top))) {
      return Status::InvalidArgument("quantize: row range [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + "] does not fit bf16");
    }
    if (g.Value(top) >= hi) break;
    ++h;
  }
  return g;
}

Status EncodeInto(Span<const float> data, int64_t dim, Span<const uint8_t> bits,
                  const QuantKey& key, Span<uint8_t> out) {
  SG_ASSIGN_OR_RETURN(const int64_t size, EncodedSize(dim, bits));
  const int64_t rows = static_cast<int64_t>(bits.size());
  int64_t elements;
  if (__builtin_mul_overflow(rows, dim, &elements) ||
      static_cast<int64_t>(data.size()) != elements) {
    return Status::InvalidArgument("quantize: data has " + std::to_string(data.size()) +
                                   " floats, expected rows (" + std::to_string(rows) + ") x dim (" +
                                   std::to_string(dim) + ")");
  }
  if (static_cast<int64_t>(out.size()) != size) {
    return Status::InvalidArgument("quantize: output buffer has " + std::to_string(out.size()) +
                                   " bytes, EncodedSize is " + std::to_string(size));
  }
  std::vector<int64_t> offsets;
  CodeOffsets(dim, bits, &offsets);  // cannot overflow: EncodedSize succeeded
  uint8_t* base = out.data();
  std::memcpy(base, kMagic, 4);
  PutU16(base + 4, kVersion);
  PutU16(base + 6, 0);
  PutU64(base + 8, static_cast<uint64_t>(rows));
  PutU64(base + 16, static_cast<uint64_t>(dim));
  uint8_t* tags = base + kQuantHeaderBytes;
  uint8_t* meta = tags + rows;
  uint8_t* codes = meta + 4 * rows;
  std::memset(codes, 0, static_cast<size_t>(offsets.back()));

  std::atomic<int64_t> bad_row{rows};
  ForRows(rows, dim, [&](int64_t r) {
    const Span<const float> row(data.data() + r * dim, static_cast<size_t>(dim));
    StatusOr<RowGrid> grid = MakeRowGrid(row, bits[r]);
    if (!grid.ok()) {
      AtomicMin(&bad_row, r);
      return;
    }
    const RowGrid& g = *grid;
    if (g.constant) {
      tags[r] = static_cast<uint8_t>(bits[r] | kQuantConstantRowFlag);
      std::memcpy(meta + 4 * r, &g.min, 4);
      return;
    }
    tags[r] = bits[r];
    PutU16(meta + 4 * r, FloatToBf16(g.min));  // exact: g.min is a bf16 value
    PutU16(meta + 4 * r + 2, FloatToBf16(g.step));
    QuantizeRow(row.data(), dim, g, key.seed, key.stream, r, codes + offsets[r]);
  });
  if (const int64_t r = bad_row.load(); r < rows) {
    const Span<const float> row(data.data() + r * dim, static_cast<size_t>(dim));
    return MakeRowGrid(row, bits[r]).status().WithPrefix("row " + std::to_string(r));
  }
  return Status::Ok();
}

StatusOr<std::vector<uint8_t>> Encode(Span<const float> data, int64_t dim, Span<const uint8_t> bits,
                                      const QuantKey& key) {
  SG_ASSIGN_OR_RETURN(const int64_t size, EncodedSize(dim, bits));
  std::vector<uint8_t> out(static_cast<size_t>(size));
  SG_RETURN_IF_ERROR(EncodeInto(data, dim, bits, key, Span<uint8_t>(out)));
  return out;
}

StatusOr<std::vector<uint8_t>> Encode(Span<const float> data, int64_t dim, int bits,
                                      const QuantKey& key) {
  if (!IsSupportedBitWidth(bits)) {
    return Status::InvalidArgument("quantize: " + std::to_string(bits) +
                                   " bits; supported widths are 2, 4 and 8");
  }
  if (dim < 1)
    return Status::InvalidArgument("quantize: dim must be >= 1, got " + std::to_string(dim));
  if (data.size() % static_cast<size_t>(dim) != 0) {
    return Status::InvalidArgument("quantize: " + std::to_string(data.size()) +
                                   " floats is not a whole number of rows of dim " +
                                   std::to_string(dim));
  }
  const std::vector<uint8_t> widths(data.size() / static_cast<size_t>(dim),
                                    static_cast<uint8_t>(bits));
  return Encode(data, dim, Span<const uint8_t>(widths), key);
}

StatusOr<QuantBlockInfo> ParseQuantHeader(Span<const uint8_t> buffer) {
  const int64_t size = static_cast<int64_t>(buffer.size());
  if (size < kQuantHeaderBytes) {
    return Status::Corruption("quantized block: " + std::to_string(size) +
                              " bytes, shorter than the " + std::to_string(kQuantHeaderBytes) +
                              "-byte header");
  }
  const uint8_t* p = buffer.data();
  if (std::memcmp(p, kMagic, 4) != 0) return Status::Corruption("quantized block: bad magic");
  if (GetU16(p + 4) != kVersion || GetU16(p + 6) != 0) {
    return Status::Corruption("quantized block: unsupported version " +
                              std::to_string(GetU16(p + 4)));
  }
  const uint64_t rows = GetU64(p + 8), dim = GetU64(p + 16);
  // Every row takes at least 5 meta bytes and one code byte per 4 elements: bound both before
  // any arithmetic on them.
  const uint64_t body = static_cast<uint64_t>(size - kQuantHeaderBytes);
  if (dim < 1 || dim > static_cast<uint64_t>(size) * 4 + 4) {
    return Status::Corruption("quantized block: implausible dim " + std::to_string(dim));
  }
  if (rows > body / (kQuantRowMetaBytes + 1)) {
    return Status::Corruption("quantized block: header says " + std::to_string(rows) +
                              " rows, only " + std::to_string(size) + " bytes present");
  }
  return QuantBlockInfo{static_cast<int64_t>(rows), static_cast<int64_t>(dim)};
}

namespace {

// Validates the tags and the exact size; fills the code offsets.
Status CheckLayout(Span<const uint8_t> buffer, const QuantBlockInfo& info,
                   std::vector<int64_t>* offsets) {
  const uint8_t* tags = buffer.data() + kQuantHeaderBytes;
  offsets->assign(static_cast<size_t>(info.rows) + 1, 0);
  for (int64_t r = 0; r < info.rows; ++r) {
    const uint8_t tag = tags[r];
    const int b = tag & ~kQuantConstantRowFlag;
    if (!IsSupportedBitWidth(b) || (tag & 0x70) != 0) {
      return Status::Corruption("quantized block: row " + std::to_string(r) + " has bad tag " +
                                std::to_string(tag));
    }
    const int64_t rb = RowCodeBytes(info.dim, b);
    if (rb < 0 || __builtin_add_overflow((*offsets)[r], rb, &(*offsets)[r + 1])) {
      return Status::Corruption("quantized block: size overflows");
    }
  }
  int64_t expected;
  if (__builtin_add_overflow(kQuantHeaderBytes + info.rows * kQuantRowMetaBytes, offsets->back(),
                             &expected) ||
      expected != static_cast<int64_t>(buffer.size())) {
    return Status::Corruption("quantized block: " + std::to_string(buffer.size()) +
                              " bytes, the header and row tags imply " + std::to_string(expected) +
                              " (truncated or padded)");
  }
  return Status::Ok();
}

StatusOr<RowGrid> GridFromMeta(uint8_t tag, const uint8_t* meta, int64_t r) {
  RowGrid g;
  g.bits = tag & ~kQuantConstantRowFlag;
  if (tag & kQuantConstantRowFlag) {
    g.constant = true;
    std::memcpy(&g.min, meta, 4);
    if (!std::isfinite(g.min)) {
      return Status::Corruption("quantized block: row " + std::to_string(r) +
                                " has a non-finite constant value");
    }
    return g;
  }
  g.min = Bf16ToFloat(GetU16(meta));
  g.step = Bf16ToFloat(GetU16(meta + 2));
  if (!std::isfinite(g.min) || !std::isfinite(g.step) || !(g.step > 0) ||
      !std::isfinite(g.Value(MaxCode(g.bits)))) {
    return Status::Corruption("quantized block: row " + std::to_string(r) +
                              " has an invalid min/step (" + std::to_string(g.min) + ", " +
                              std::to_string(g.step) + ")");
  }
  return g;
}

}  // namespace

StatusOr<RowGrid> ReadRowGrid(Span<const uint8_t> buffer, int64_t r) {
  SG_ASSIGN_OR_RETURN(const QuantBlockInfo info, ParseQuantHeader(buffer));
  std::vector<int64_t> offsets;
  SG_RETURN_IF_ERROR(CheckLayout(buffer, info, &offsets));
  if (r < 0 || r >= info.rows) {
    return Status::OutOfRange("quantized block: row " + std::to_string(r) + " of " +
                              std::to_string(info.rows));
  }
  const uint8_t* base = buffer.data() + kQuantHeaderBytes;
  return GridFromMeta(base[r], base + info.rows + 4 * r, r);
}

Status DecodeInto(Span<const uint8_t> buffer, Span<float> out) {
  SG_ASSIGN_OR_RETURN(const QuantBlockInfo info, ParseQuantHeader(buffer));
  std::vector<int64_t> offsets;
  SG_RETURN_IF_ERROR(CheckLayout(buffer, info, &offsets));
  const int64_t rows = info.rows, dim = info.dim;
  int64_t elements;
  if (__builtin_mul_overflow(rows, dim, &elements) ||
      static_cast<int64_t>(out.size()) != elements) {
    return Status::InvalidArgument("dequantize: output has " + std::to_string(out.size()) +
                                   " floats, the block holds " + std::to_string(rows) + " x " +
                                   std::to_string(dim));
  }
  const uint8_t* tags = buffer.data() + kQuantHeaderBytes;
  const uint8_t* meta = tags + rows;
  const uint8_t* codes = meta + 4 * rows;
  std::atomic<int64_t> bad_row{rows};
  ForRows(rows, dim, [&](int64_t r) {
    StatusOr<RowGrid> grid = GridFromMeta(tags[r], meta + 4 * r, r);
    if (!grid.ok()) {
      AtomicMin(&bad_row, r);
      return;
    }
    const RowGrid& g = *grid;
    float* y = out.data() + r * dim;
    if (g.constant) {
      std::fill(y, y + dim, g.min);
      return;
    }
    DequantizeRow(codes + offsets[r], dim, g, y);
  });
  if (const int64_t r = bad_row.load(); r < rows) {
    return GridFromMeta(tags[r], meta + 4 * r, r).status();
  }
  return Status::Ok();
}

StatusOr<std::vector<float>> Decode(Span<const uint8_t> buffer) {
  SG_ASSIGN_OR_RETURN(const QuantBlockInfo info, ParseQuantHeader(buffer));
  int64_t elements;
  if (__builtin_mul_overflow(info.rows, info.dim, &elements)) {
    return Status::Corruption("quantized block: rows x dim overflows");
  }
  // ParseQuantHeader bounded rows by the size; check the layout before allocating rows x dim.
  std::vector<int64_t> offsets;
  SG_RETURN_IF_ERROR(CheckLayout(buffer, info, &offsets));
  std::vector<float> out(static_cast<size_t>(elements));
  SG_RETURN_IF_ERROR(DecodeInto(buffer, Span<float>(out)));
  return out;
}

}  // namespace streamgnn::comm
