// AdaQP's stochastic message quantisation (Wan, Zhao, Wu, MLSys 2023; PAPERS.md section 4) on raw
// float buffers. LibTorch-free. See docs/adaqp.md for the formulas.
//
// A block of `rows` messages of `dim` float32 each (row-major, contiguous) is encoded into one
// byte buffer. Row r is quantised to bits[r] in {2, 4, 8} with its own minimum and step, both
// sent as bf16:
//
//   min'  = bf16 rounded towards -inf of min(row)          (so min' <= every element)
//   step' = smallest bf16 with fl32(min' + L * step') >= max(row),  L = 2^b - 1
//   grid  g_k = fl32(min' + k * step'), k = 0..L            (exactly what the decoder computes:
//                                                            k * step' is exact in float32)
//   x in [g_k, g_k+1] becomes code k+1 with probability (x - g_k) / (g_k+1 - g_k), else k.
//
// Because the rounding grid is the receiver's grid, E[decode(encode(x))] = x exactly (up to the
// 2^-32 resolution of the uniform draw) and Var = (x - g_k)(g_k+1 - x) <= step'^2 / 4 per element.
// A row with max == min is flagged constant and carries its float32 value: it decodes exactly.
//
// Wire format (little-endian; kQuantHeaderBytes = 24):
//   [0, 4)    magic "SGQ1"          [4, 6) version (1)       [6, 8) reserved (0)
//   [8, 16)   rows (u64)            [16, 24) dim (u64)
//   rows x 1 byte  tag: bit width (2, 4, 8) in the low 4 bits, 0x80 = constant row
//   rows x 4 bytes meta: bf16 min' then bf16 step'; for a constant row its float32 value
//   codes: row r takes ceil(dim * bits[r] / 8) bytes; element j of a row sits in byte
//          j / (8 / b) at bit (j % (8 / b)) * b; padding bits are zero. Constant rows keep their
//          (zeroed) code bytes so that the size depends only on (rows, dim, bits).
//   EncodedSize = 24 + rows * 5 + sum_r ceil(dim * bits[r] / 8).
//
// Randomness: row r draws from core::RngStream(key.seed, key.stream, r), so an encoding is a pure
// function of (data, bits, key) whatever the thread count. Use a fresh stream per message
// exchange (e.g. StreamKey(epoch, layer, sender * num_ranks + receiver)), otherwise repeated
// exchanges of the same data repeat the same rounding and the errors no longer average out.
//
// Thread-safety: all functions are pure; large blocks are split over rows with TBB.
#pragma once

#include <cstdint>
#include <vector>

#include "core/span.h"
#include "core/status.h"

namespace streamgnn::comm {

inline constexpr int64_t kQuantHeaderBytes = 24;
inline constexpr int64_t kQuantRowMetaBytes = 5;  // tag + bf16 min + bf16 step
inline constexpr uint8_t kQuantConstantRowFlag = 0x80;

// Whether `bits` is a supported width (2, 4 or 8).
bool IsSupportedBitWidth(int bits);

// bf16 <-> float32. FloatToBf16 rounds to nearest even (NaN stays NaN); the directed variants
// round towards -inf / +inf and are used for min' and step'.
uint16_t FloatToBf16(float x);
uint16_t FloatToBf16Down(float x);
uint16_t FloatToBf16Up(float x);
float Bf16ToFloat(uint16_t h);

// Bytes taken by one row's codes: ceil(dim * bits / 8).
int64_t RowCodeBytes(int64_t dim, int bits);

// Exact wire size for the given shape and per-row widths. InvalidArgument when dim < 1, a width
// is unsupported or the size overflows int64.
StatusOr<int64_t> EncodedSize(int64_t dim, Span<const uint8_t> bits);
// Same, every row at `bits`.
StatusOr<int64_t> EncodedSize(int64_t rows, int64_t dim, int bits);

// Seed and stream of the rounding draws (see the header comment).
struct QuantKey {
  uint64_t seed = 0;
  uint64_t stream = 0;
};

// Encodes `data` (bits.size() rows x dim floats, row-major) into `out`, whose size must equal
// EncodedSize(dim, bits). InvalidArgument for dim < 1, an unsupported width, a size mismatch,
// data.size() != rows * dim, a NaN/Inf element, or a row whose range does not fit bf16.
Status EncodeInto(Span<const float> data, int64_t dim, Span<const uint8_t> bits,
                  const QuantKey& key, Span<uint8_t> out);

// Allocating forms: per-row widths, or one width for all rows.
StatusOr<std::vector<uint8_t>> Encode(Span<const float> data, int64_t dim, Span<const uint8_t> bits,
                                      const QuantKey& key);
StatusOr<std::vector<uint8_t>> Encode(Span<const float> data, int64_t dim, int bits,
                                      const QuantKey& key);

// What a buffer's header says; Corruption when the buffer is shorter than the header, the magic
// or version is wrong, dim < 1, or the size does not match what the header implies.
struct QuantBlockInfo {
  int64_t rows = 0;
  int64_t dim = 0;
};
StatusOr<QuantBlockInfo> ParseQuantHeader(Span<const uint8_t> buffer);

// Decodes into `out` (rows * dim floats). Corruption for a malformed buffer (header as above, a
// bad row tag, a non-finite or non-positive step, a non-finite min or grid top); InvalidArgument
// when out.size() != rows * dim. Never reads outside `buffer`.
Status DecodeInto(Span<const uint8_t> buffer, Span<float> out);
StatusOr<std::vector<float>> Decode(Span<const uint8_t> buffer);

// One row's rounding grid as the decoder sees it: value(k) = fl32(min + k * step). Exposed for
// tests and for variance bookkeeping.
struct RowGrid {
  bool constant = false;  // then `min` is the exact value and step == 0
  int bits = 8;
  float min = 0;
  float step = 0;
  float Value(int64_t code) const { return min + static_cast<float>(code) * step; }
};
// The grid EncodeInto uses for one row (InvalidArgument as for EncodeInto).
StatusOr<RowGrid> MakeRowGrid(Span<const float> row, int bits);
// Grid of row r of an encoded buffer (Corruption as for DecodeInto; OutOfRange for r).
StatusOr<RowGrid> ReadRowGrid(Span<const uint8_t> buffer, int64_t r);

}  // namespace streamgnn::comm
