#include "core/threads.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <memory>
#include <vector>

namespace streamgnn::core {
namespace {

size_t TbbLimit() {
  return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
}

TEST(ThreadBudget, DefaultsToAvailableCores) {
  SetThreadBudget(0);
  EXPECT_GE(AvailableCores(), 1);
  EXPECT_EQ(ThreadBudget(), AvailableCores());
}

TEST(ThreadBudget, SetLimitsTbb) {
  SetThreadBudget(1);
  EXPECT_EQ(ThreadBudget(), 1);
  EXPECT_EQ(TbbLimit(), 1u);
  SetThreadBudget(3);  // raising works too: the old limit is released
  EXPECT_EQ(ThreadBudget(), 3);
  EXPECT_EQ(TbbLimit(), 3u);
  SetThreadBudget(-1);
  EXPECT_EQ(ThreadBudget(), AvailableCores());
}

TEST(ThreadBudget, ListenersSeeCurrentValueAndEveryChange) {
  SetThreadBudget(2);
  auto seen = std::make_shared<std::vector<int>>();
  const ThreadBudgetListenerId id = OnThreadBudgetChange([seen](int n) { seen->push_back(n); });
  EXPECT_EQ(*seen, std::vector<int>({2}));
  SetThreadBudget(5);
  SetThreadBudget(1);
  EXPECT_EQ(*seen, std::vector<int>({2, 5, 1}));

  auto second = std::make_shared<int>(0);
  const ThreadBudgetListenerId id2 = OnThreadBudgetChange([second](int n) { *second = n; });
  EXPECT_EQ(*second, 1);

  RemoveThreadBudgetListener(id);
  SetThreadBudget(4);
  EXPECT_EQ(seen->size(), 3u);  // removed
  EXPECT_EQ(*second, 4);        // still registered
  RemoveThreadBudgetListener(id2);
  RemoveThreadBudgetListener(12345);  // unknown: ignored
  SetThreadBudget(0);
}

}  // namespace
}  // namespace streamgnn::core
