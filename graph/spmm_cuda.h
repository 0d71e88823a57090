// CudaSpmm: Y = alpha * A * X + beta * Y with A sparse (CSR) and X, Y dense, on the GPU through
// cuSPARSE's generic SpMM (DESIGN.md: "never hand-write what the table covers"). The full-graph
// aggregation of the static-graph trainers (sum / mean / GCN-normalised) is this product with
// the matching edge weights. Raw CUDA buffers, no LibTorch, no CUDA header here; compiled only
// when nvcc is found. Without a device, Create() returns FailedPrecondition.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"

namespace streamgnn::graph {

// A CSR matrix in device memory. offsets: rows + 1 entries, indices and values: nnz entries
// (values may be null: every stored entry is 1). int64 indices (cuSPARSE CUSPARSE_INDEX_64I).
struct DeviceCsr {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t nnz = 0;
  const int64_t* offsets = nullptr;
  const int64_t* indices = nullptr;
  const float* values = nullptr;
};

class CudaSpmm {
 public:
  // Errors: no CUDA device (FailedPrecondition), cuSPARSE initialisation (Internal).
  static StatusOr<std::unique_ptr<CudaSpmm>> Create();
  ~CudaSpmm();
  CudaSpmm(const CudaSpmm&) = delete;
  CudaSpmm& operator=(const CudaSpmm&) = delete;

  // x: a.cols x dim, y: a.rows x dim, both row-major float32 device buffers. Synchronous.
  // Errors: bad sizes (InvalidArgument), cuSPARSE/CUDA errors (Internal).
  Status Multiply(const DeviceCsr& a, const float* x, int64_t dim, float* y, float alpha = 1.0f,
                  float beta = 0.0f);

  // Host convenience (tests, tools): uploads a host CSR and X, multiplies, returns Y
  // (rows x dim, row-major). values may be empty (all ones).
  StatusOr<std::vector<float>> MultiplyHost(int64_t rows, int64_t cols,
                                            const std::vector<int64_t>& offsets,
                                            const std::vector<int64_t>& indices,
                                            const std::vector<float>& values,
                                            const std::vector<float>& x, int64_t dim);

 private:
  struct Rep;
  explicit CudaSpmm(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace streamgnn::graph
