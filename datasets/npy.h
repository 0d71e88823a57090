// A minimal reader and writer for NumPy .npy files holding float matrices: the edge and node
// feature companions of DyGLib/TGN "ml_" datasets. Supports format versions 1.0, 2.0 and 3.0,
// dtypes '<f4' and '<f8' (f8 is narrowed to float32), C order, 1-D or 2-D shapes. Anything else
// (Fortran order, other dtypes, big-endian, object arrays, a size that does not match the
// header) is an error naming the file and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace streamgnn::datasets {

struct NpyMatrix {
  int64_t rows = 0;
  int64_t cols = 0;         // 1 for a 1-D array
  std::vector<float> data;  // rows * cols, row-major
};

StatusOr<NpyMatrix> ReadNpyMatrix(const std::string& path);

// Writes a '<f4' C-order 2-D array (version 1.0 header), atomically. data.size() must equal
// rows * cols.
Status WriteNpyMatrix(const std::string& path, const NpyMatrix& m);

}  // namespace streamgnn::datasets
