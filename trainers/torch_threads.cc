#include "trainers/torch_threads.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>

#include <mutex>

#include "core/threads.h"

namespace streamgnn::trainers {

void BindTorchToThreadBudget() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Looked up at run time: OpenBLAS is LibTorch's dependency, not ours, and may be absent
    // (reference BLAS, MKL).
    using SetThreads = void (*)(int);
    auto openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    core::OnThreadBudgetChange([openblas](int n) {
      at::set_num_threads(n);
      if (openblas) openblas(n);
    });
  });
}

}  // namespace streamgnn::trainers
