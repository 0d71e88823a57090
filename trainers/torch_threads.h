// How the trainers spend the thread budget (runtime.threads, in both configs) on the pools
// LibTorch brings: its intra-op pool (GNU OpenMP in Debian's LibTorch) and, when LibTorch runs
// on OpenBLAS (Debian's libopenblas0-pthread), OpenBLAS's own pthread pool, which
// at::set_num_threads does not size. The policy, and the measurements behind it, are in
// docs/architecture.md ("Threads"); every executable also makes idle OpenMP workers sleep
// (core/openmp_env.cc).
#pragma once

namespace streamgnn::trainers {

enum class TorchParallelism {
  // Large tensors (static full-graph training): the intra-op pool and OpenBLAS both get the
  // budget.
  kIntraOp,
  // Many small operators computed whole (temporal batches with PRES or staleness mitigation):
  // one intra-op thread, so the OpenMP pool never runs (its fork and join cost more than these
  // operators gain); OpenBLAS gets the budget for the GEMMs.
  kGemm,
  // Many small operators, computed by the trainer as independent tasks (temporal batches in
  // shards): one thread for each pool, the budget goes to the trainer's own tasks.
  kTasks,
};

// Sets the process thread budget (core::SetThreadBudget: TBB) to `threads` (<= 0: every
// available core) and sizes LibTorch's pools for it per `mode`. Also keeps freed tensor memory
// in the process (see the .cc). Returns the budget.
int SetTorchThreads(int threads, TorchParallelism mode);

}  // namespace streamgnn::trainers
