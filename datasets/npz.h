// NumPy .npz archives: a zip of .npy members, stored or deflate-compressed (zlib), zip64 sizes
// included. Reads every member into memory. LibTorch-free.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace streamgnn::datasets {

// One .npy array: its dtype descriptor ("<i4", "<f8", "|b1", "<U7", ...), shape (C order) and
// raw little-endian bytes.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;
  std::string bytes;

  int64_t size() const;  // product of shape (1 for a scalar)
  // The values converted to int64 / double. InvalidArgument for dtypes that are not booleans,
  // integers or floats (strings, objects), or for big-endian data; `what` names the array.
  StatusOr<std::vector<int64_t>> ToInt64(const std::string& what) const;
  StatusOr<std::vector<double>> ToDouble(const std::string& what) const;
};

// Parses one .npy image (format versions 1-3; fortran_order must be False).
StatusOr<NpyArray> ParseNpy(const std::string& bytes, const std::string& what);

// Member name without ".npy" -> array. Errors name the file and the member.
StatusOr<std::map<std::string, NpyArray>> ReadNpz(const std::string& path);

// Reads a whole .npy file.
StatusOr<NpyArray> ReadNpy(const std::string& path);

// A sparse matrix kept in an npz as <prefix>shape, <prefix>indptr, <prefix>indices and
// <prefix>data: scipy.sparse.save_npz's CSR layout (prefix "") or gnn-benchmark's adj_ / attr_.
// A missing data member means all ones. Errors name `path` and the member.
struct NpzCsr {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> indptr, indices;
  std::vector<double> data;
};
StatusOr<NpzCsr> CsrFromNpz(const std::map<std::string, NpyArray>& npz, const std::string& prefix,
                            const std::string& path);
// The matrix as dense row-major floats (duplicate entries summed, as scipy does);
// ResourceExhausted naming `what` when it does not fit in memory.
StatusOr<std::vector<float>> DenseRows(const NpzCsr& m, const std::string& what);

}  // namespace streamgnn::datasets
