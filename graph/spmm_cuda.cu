#include "graph/spmm_cuda.h"

#include <cusparse.h>

#include "core/device.h"
#include "graph/temporal_graph_device.cuh"

namespace streamgnn::graph {
namespace {

Status SparseStatus(cusparseStatus_t s, const char* what) {
  if (s == CUSPARSE_STATUS_SUCCESS) return Status::Ok();
  return Status::Internal(std::string(what) + ": " + cusparseGetErrorString(s));
}

#define SG_CUSPARSE_RETURN(expr) SG_RETURN_IF_ERROR(SparseStatus((expr), #expr))

__global__ void FillOnes(int64_t n, float* v) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) v[i] = 1.0f;
}

}  // namespace

struct CudaSpmm::Rep {
  cusparseHandle_t handle = nullptr;
  DeviceArray<char> workspace;
  DeviceArray<float> ones;
  ~Rep() {
    if (handle) cusparseDestroy(handle);
  }
};

CudaSpmm::CudaSpmm(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
CudaSpmm::~CudaSpmm() = default;

StatusOr<std::unique_ptr<CudaSpmm>> CudaSpmm::Create() {
  if (core::CudaDeviceCount() == 0) {
    return Status::FailedPrecondition("no CUDA device (" + core::DeviceSummary() + ")");
  }
  auto rep = std::make_unique<Rep>();
  SG_CUSPARSE_RETURN(cusparseCreate(&rep->handle));
  return std::unique_ptr<CudaSpmm>(new CudaSpmm(std::move(rep)));
}

Status CudaSpmm::Multiply(const DeviceCsr& a, const float* x, int64_t dim, float* y, float alpha,
                          float beta) {
  if (a.rows < 0 || a.cols < 0 || a.nnz < 0 || dim < 1) {
    return Status::InvalidArgument("spmm: negative sizes or dim < 1");
  }
  if (a.rows == 0) return Status::Ok();
  const float* values = a.values;
  if (values == nullptr && a.nnz > 0) {
    if (rep_->ones.capacity() < a.nnz) {
      SG_RETURN_IF_ERROR(rep_->ones.Reserve(a.nnz));
      FillOnes<<<static_cast<int>((rep_->ones.capacity() + 255) / 256), 256>>>(rep_->ones.capacity(),
                                                                            rep_->ones.data());
      SG_CUDA_RETURN(cudaGetLastError());
    }
    values = rep_->ones.data();
  }
  cusparseSpMatDescr_t mat = nullptr;
  cusparseDnMatDescr_t mx = nullptr, my = nullptr;
  auto run = [&]() -> Status {
    SG_CUSPARSE_RETURN(cusparseCreateCsr(&mat, a.rows, a.cols, a.nnz, const_cast<int64_t*>(a.offsets),
                                         const_cast<int64_t*>(a.indices), const_cast<float*>(values),
                                         CUSPARSE_INDEX_64I, CUSPARSE_INDEX_64I,
                                         CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F));
    SG_CUSPARSE_RETURN(cusparseCreateDnMat(&mx, a.cols, dim, dim, const_cast<float*>(x), CUDA_R_32F,
                                           CUSPARSE_ORDER_ROW));
    SG_CUSPARSE_RETURN(cusparseCreateDnMat(&my, a.rows, dim, dim, y, CUDA_R_32F, CUSPARSE_ORDER_ROW));
    size_t bytes = 0;
    SG_CUSPARSE_RETURN(cusparseSpMM_bufferSize(rep_->handle, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                               CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat, mx,
                                               &beta, my, CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT,
                                               &bytes));
    SG_RETURN_IF_ERROR(rep_->workspace.Reserve(static_cast<int64_t>(std::max<size_t>(bytes, 1))));
    SG_CUSPARSE_RETURN(cusparseSpMM(rep_->handle, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                    CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat, mx, &beta, my,
                                    CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT, rep_->workspace.data()));
    SG_CUDA_RETURN(cudaDeviceSynchronize());
    return Status::Ok();
  };
  const Status s = run();
  if (mat) cusparseDestroySpMat(mat);
  if (mx) cusparseDestroyDnMat(mx);
  if (my) cusparseDestroyDnMat(my);
  return s;
}

StatusOr<std::vector<float>> CudaSpmm::MultiplyHost(int64_t rows, int64_t cols,
                                                    const std::vector<int64_t>& offsets,
                                                    const std::vector<int64_t>& indices,
                                                    const std::vector<float>& values,
                                                    const std::vector<float>& x, int64_t dim) {
  if (rows < 0 || cols < 0 || dim < 1 || static_cast<int64_t>(offsets.size()) != rows + 1 ||
      offsets.front() != 0 || offsets.back() != static_cast<int64_t>(indices.size()) ||
      (!values.empty() && values.size() != indices.size()) ||
      static_cast<int64_t>(x.size()) != cols * dim) {
    return Status::InvalidArgument("spmm: CSR or dense sizes do not match");
  }
  for (int64_t c : indices) {
    if (c < 0 || c >= cols) return Status::InvalidArgument("spmm: column index out of range");
  }
  const int64_t nnz = static_cast<int64_t>(indices.size());
  DeviceArray<int64_t> d_off, d_idx;
  DeviceArray<float> d_val, d_x, d_y;
  SG_RETURN_IF_ERROR(d_off.Reserve(rows + 1));
  SG_RETURN_IF_ERROR(d_idx.Reserve(std::max<int64_t>(1, nnz)));
  SG_RETURN_IF_ERROR(d_val.Reserve(std::max<int64_t>(1, nnz)));
  SG_RETURN_IF_ERROR(d_x.Reserve(std::max<int64_t>(1, cols * dim)));
  SG_RETURN_IF_ERROR(d_y.Reserve(std::max<int64_t>(1, rows * dim)));
  SG_CUDA_RETURN(cudaMemcpy(d_off.data(), offsets.data(), (rows + 1) * 8, cudaMemcpyHostToDevice));
  SG_CUDA_RETURN(cudaMemcpy(d_idx.data(), indices.data(), nnz * 8, cudaMemcpyHostToDevice));
  if (!values.empty()) {
    SG_CUDA_RETURN(cudaMemcpy(d_val.data(), values.data(), nnz * 4, cudaMemcpyHostToDevice));
  }
  SG_CUDA_RETURN(cudaMemcpy(d_x.data(), x.data(), cols * dim * 4, cudaMemcpyHostToDevice));
  DeviceCsr a{rows, cols, nnz, d_off.data(), d_idx.data(), values.empty() ? nullptr : d_val.data()};
  SG_RETURN_IF_ERROR(Multiply(a, d_x.data(), dim, d_y.data()));
  std::vector<float> y(static_cast<size_t>(rows * dim));
  SG_CUDA_RETURN(cudaMemcpy(y.data(), d_y.data(), rows * dim * 4, cudaMemcpyDeviceToHost));
  return y;
}

}  // namespace streamgnn::graph
