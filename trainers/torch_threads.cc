#include "trainers/torch_threads.h"

#include <dlfcn.h>
#include <malloc.h>

#include <ATen/Parallel.h>

#include <mutex>

#include "core/threads.h"

namespace streamgnn::trainers {
namespace {

// glibc returns large blocks to the kernel on free (mmap above 128 KiB, heap trimming), so
// every batch's tensors were fresh pages: page faults and zeroing took a quarter of a TGN
// epoch (perf, docs/benchmarks.md). Keeping blocks up to 32 MiB (glibc's maximum) on the heap
// and not trimming it lets the allocator reuse them; the process keeps its peak heap.
void KeepFreedMemory() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
}

}  // namespace

int SetTorchThreads(int threads, TorchParallelism mode) {
  KeepFreedMemory();
  core::SetThreadBudget(threads);
  const int budget = core::ThreadBudget();
  at::set_num_threads(mode == TorchParallelism::kIntraOp ? budget : 1);
  // Looked up at run time: OpenBLAS is LibTorch's dependency, not ours, and may be absent
  // (reference BLAS, MKL).
  using SetThreads = void (*)(int);
  static const auto openblas =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas != nullptr) openblas(mode == TorchParallelism::kTasks ? 1 : budget);
  return budget;
}

}  // namespace streamgnn::trainers
