#include "core/threads.h"

#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace streamgnn::core {
namespace {

struct BudgetState {
  std::mutex mutex;  // serialises changes and listener calls
  int budget = 0;    // 0 until first set or read
  std::unique_ptr<tbb::global_control> control;
  std::vector<std::pair<ThreadBudgetListenerId, std::function<void(int)>>> listeners;
  ThreadBudgetListenerId next_id = 1;
};

BudgetState& State() {
  static BudgetState* state = new BudgetState();  // never destroyed: usable during exit
  return *state;
}

// Requires state.mutex.
int CurrentLocked(BudgetState& state) {
  if (state.budget == 0) state.budget = AvailableCores();
  return state.budget;
}

}  // namespace

int AvailableCores() { return std::max(1, tbb::info::default_concurrency()); }

void SetThreadBudget(int n) {
  BudgetState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  const int budget = n > 0 ? n : AvailableCores();
  // Make the new limit before dropping the old one: TBB applies the smallest live limit.
  auto control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                       static_cast<size_t>(budget));
  state.control = std::move(control);
  state.budget = budget;
  for (auto& [id, listener] : state.listeners) listener(budget);
}

int ThreadBudget() {
  BudgetState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  return CurrentLocked(state);
}

ThreadBudgetListenerId OnThreadBudgetChange(std::function<void(int)> listener) {
  BudgetState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  const ThreadBudgetListenerId id = state.next_id++;
  listener(CurrentLocked(state));
  state.listeners.emplace_back(id, std::move(listener));
  return id;
}

void RemoveThreadBudgetListener(ThreadBudgetListenerId id) {
  BudgetState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  auto& l = state.listeners;
  l.erase(std::remove_if(l.begin(), l.end(), [id](const auto& e) { return e.first == id; }),
          l.end());
}

}  // namespace streamgnn::core
