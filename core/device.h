// What accelerators this process can use. Safe to call on machines without a GPU or a driver:
// every CUDA error reads as "0 devices".
#pragma once

#include <string>

namespace streamgnn::core {

// Number of visible CUDA devices; 0 when CUDA is not compiled in (STREAMGNN_WITH_CUDA), when
// there is no driver or no device, or on any other CUDA error. Probed once per process.
int CudaDeviceCount();

// One line for logs, e.g. "cuda: 1 device (0: NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB)",
// "cuda: 0 devices (cudaErrorNoDevice: no CUDA-capable device is detected)" or
// "cuda: not compiled in".
std::string DeviceSummary();

// True when CUDA support is compiled in (whether or not a device is present).
bool CudaCompiledIn();

}  // namespace streamgnn::core
