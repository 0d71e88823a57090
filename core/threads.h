// One process-wide thread budget, shared by TBB and LibTorch.
//
// SetThreadBudget(n) caps TBB's parallelism (it keeps a tbb::global_control alive) and tells
// every registered listener, so that the models layer can forward the budget to LibTorch
// (at::set_num_threads) without core including torch:
//
//   core::OnThreadBudgetChange([](int n) { at::set_num_threads(n); });
//
// Thread-safety: all functions may be called from any thread. Listeners run on the thread that
// changes the budget, one change at a time; a listener must not call SetThreadBudget or
// OnThreadBudgetChange itself.
#pragma once

#include <cstdint>
#include <functional>

namespace streamgnn::core {

// n > 0: at most n threads; n <= 0: all cores available to the process (affinity-aware).
void SetThreadBudget(int n);

// The current budget (all available cores until SetThreadBudget is called).
int ThreadBudget();

using ThreadBudgetListenerId = int64_t;

// Calls `listener` now with the current budget and again on every change. Returns an id for
// RemoveThreadBudgetListener; listeners that live as long as the process can ignore it.
ThreadBudgetListenerId OnThreadBudgetChange(std::function<void(int)> listener);

// Unregisters a listener; unknown ids are ignored.
void RemoveThreadBudgetListener(ThreadBudgetListenerId id);

// Cores available to this process (TBB's default concurrency: honours the affinity mask).
int AvailableCores();

}  // namespace streamgnn::core
