// CUDA helpers shared by every module's CUDA sources: Status from a CUDA call
// (SG_CUDA_RETURN), owning device and pinned host arrays. Include only from .cu files.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <utility>

#include "core/status.h"

namespace streamgnn {

// Status from a CUDA call: Internal("<what>: cudaErrorX: message"). Clears the sticky-free error.
inline Status CudaStatus(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return Status::Ok();
  cudaGetLastError();
  const std::string m = std::string(what) + ": " + cudaGetErrorName(err) + ": " + cudaGetErrorString(err);
  if (err == cudaErrorMemoryAllocation) return Status::ResourceExhausted(m);
  return Status::Internal(m);
}

#define SG_CUDA_RETURN(expr) SG_RETURN_IF_ERROR(::streamgnn::CudaStatus((expr), #expr))

// An owning device array (cudaMalloc). Grows by reallocation; Reserve keeps the contents.
template <typename T>
class DeviceArray {
 public:
  DeviceArray() = default;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& o) noexcept { *this = std::move(o); }
  DeviceArray& operator=(DeviceArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(capacity_, o.capacity_);
    return *this;
  }
  ~DeviceArray() {
    if (data_) cudaFree(data_);
  }
  T* data() const { return data_; }
  int64_t capacity() const { return capacity_; }
  int64_t bytes() const { return capacity_ * static_cast<int64_t>(sizeof(T)); }

  // Ensures room for n elements; keeps the first `keep` elements when it reallocates; grows by
  // at least doubling.
  Status Reserve(int64_t n, int64_t keep = 0, cudaStream_t stream = nullptr) {
    if (n <= capacity_) return Status::Ok();
    int64_t cap = capacity_ > 0 ? capacity_ : 1;
    while (cap < n) cap *= 2;
    T* fresh = nullptr;
    SG_CUDA_RETURN(cudaMalloc(&fresh, static_cast<size_t>(cap) * sizeof(T)));
    if (data_ && keep > 0) {
      const cudaError_t err = cudaMemcpyAsync(fresh, data_, static_cast<size_t>(keep) * sizeof(T),
                                              cudaMemcpyDeviceToDevice, stream);
      if (err != cudaSuccess) {
        cudaFree(fresh);
        return CudaStatus(err, "DeviceArray grow copy");
      }
      SG_CUDA_RETURN(cudaStreamSynchronize(stream));
    }
    if (data_) cudaFree(data_);
    data_ = fresh;
    capacity_ = cap;
    return Status::Ok();
  }

 private:
  T* data_ = nullptr;
  int64_t capacity_ = 0;
};

// Pinned host memory (cudaHostAlloc), for asynchronous and batched copies.
template <typename T>
class PinnedArray {
 public:
  PinnedArray() = default;
  PinnedArray(const PinnedArray&) = delete;
  PinnedArray& operator=(const PinnedArray&) = delete;
  ~PinnedArray() {
    if (data_) cudaFreeHost(data_);
  }
  T* data() const { return data_; }
  int64_t capacity() const { return capacity_; }
  // Contents are not kept.
  Status Reserve(int64_t n) {
    if (n <= capacity_) return Status::Ok();
    int64_t cap = capacity_ > 0 ? capacity_ : 1;
    while (cap < n) cap *= 2;
    if (data_) cudaFreeHost(data_);
    data_ = nullptr;
    capacity_ = 0;
    SG_CUDA_RETURN(cudaHostAlloc(&data_, static_cast<size_t>(cap) * sizeof(T), cudaHostAllocDefault));
    capacity_ = cap;
    return Status::Ok();
  }

 private:
  T* data_ = nullptr;
  int64_t capacity_ = 0;
};

}  // namespace streamgnn
