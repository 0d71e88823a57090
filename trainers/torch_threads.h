// The LibTorch side of the global thread budget (core/threads.h): LibTorch's intra-op pool and,
// when LibTorch runs on OpenBLAS (Debian's libopenblas0-pthread), OpenBLAS's own pthread pool,
// which at::set_num_threads does not size. Left at one thread per core, OpenBLAS's idle workers
// spin in sched_yield against TBB's and OpenMP's (measured: 16% of a TGN epoch's CPU time,
// docs/benchmarks.md "TGN against PyG").
#pragma once

namespace streamgnn::trainers {

// Registers, once per process, a listener that sizes those pools to the thread budget (called
// at once with the current budget and on every later change). Every trainer calls it first.
void BindTorchToThreadBudget();

}  // namespace streamgnn::trainers
