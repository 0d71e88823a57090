// The staged training pipeline of MSPipe (Sheng et al., KDD 2024; docs/models.md, "Pipeline"):
// the scheduler's staleness choice, similarity-based staleness mitigation, and a runner that
// moves batches through stages on their own threads with bounded TBB queues.
//
// Stages run on dedicated threads, not TBB tasks: the memory-read stage blocks until the node
// memory reaches the version its staleness bound requires, and a blocked TBB worker could be
// the one the writer stage needs (deadlock with a budget of one or two threads).
#pragma once

#include <tbb/concurrent_queue.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace streamgnn::trainers {

// Mean seconds per batch of each pipeline stage.
struct StageCosts {
  double sample = 0;
  double features = 0;
  double memory_read = 0;
  double compute = 0;  // forward + backward + optimiser step
  double memory_write = 0;
};

// MSPipe's minimal staleness. In steady state the pipeline advances one batch per period
// P = the slowest stage. Batch i starts computing at T_i = T_0 + i P and must have read memory
// by then; the writes it may still lack are those of batches i-s..i-1, so the write of batch
// i-s-1 must end by T_i - t_read: T_{i-s-1} + t_compute + t_write <= T_i - t_read, i.e.
// (s + 1) P >= t_compute + t_write + t_read. Returns the smallest such s in [0, max_staleness]
// (MSPipe's k = s + 1). Stage costs must be >= 0; all zero gives 0.
int64_t ChooseStaleness(const StageCosts& costs, int64_t max_staleness);

// MSPipe's staleness mitigation, applied to a batch's memory rows. memory float32 [U, d],
// last_update float64 [U], stale bool [U] (rows lacking writes of earlier batches). Each stale
// row v is blended with the mean of its top-k most similar (cosine) rows u that are not stale
// and were updated later (last_update[u] > last_update[v]):
//   s_v <- lambda * s_v + (1 - lambda) * mean_u s_u.
// Rows without such a candidate stay as they are. Returns the new memory and, in *corrected,
// how many rows changed.
torch::Tensor MitigateStaleMemory(const torch::Tensor& memory, const torch::Tensor& last_update,
                                  const torch::Tensor& stale, double lambda, int64_t k,
                                  int64_t* corrected);

// One stage: a name (for hooks and messages) and the work on one item.
template <class Item>
struct PipelineStage {
  std::string name;
  std::function<Status(Item&)> run;
};

// Moves items 0..n-1 (made by make(i)) through `stages` in order. Every stage runs items in
// order on one thread: stage `caller_stage` on the calling thread, the others on their own
// threads; between two stages sits a bounded queue of `depth` items. The first failing stage
// (or exception) stops the run: on_abort() is called (to wake stages blocked elsewhere, e.g. on
// a memory version), later items pass through unprocessed, and its Status is returned once
// every thread has ended.
template <class Item>
Status RunPipeline(int64_t n, const std::function<std::unique_ptr<Item>(int64_t)>& make,
                   const std::vector<PipelineStage<Item>>& stages, size_t caller_stage,
                   int64_t depth, const std::function<void()>& on_abort) {
  const size_t num = stages.size();
  std::vector<std::unique_ptr<tbb::concurrent_bounded_queue<Item*>>> queues;
  for (size_t k = 0; k + 1 < num; ++k) {
    queues.push_back(std::make_unique<tbb::concurrent_bounded_queue<Item*>>());
    queues.back()->set_capacity(depth);
  }
  std::mutex mu;
  Status first_error;
  bool failed = false;
  // After a failure the stages keep passing items on without working on them, so that no
  // stage blocks on a full or empty queue; stage 0 stops making items.
  const auto fail = [&](Status s) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (failed) return;
      failed = true;
      first_error = std::move(s);
    }
    if (on_abort) on_abort();
  };
  const auto is_failed = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return failed;
  };
  // Stage k: take items from queue k-1 (stage 0 makes them), run, hand to queue k. A null item
  // marks the end.
  const auto stage_loop = [&](size_t k) {
    for (int64_t i = 0;; ++i) {
      std::unique_ptr<Item> item;
      if (k == 0) {
        if (i < n && !is_failed()) item = make(i);
      } else {
        Item* raw = nullptr;
        queues[k - 1]->pop(raw);
        item.reset(raw);
      }
      const bool end = item == nullptr;
      if (!end && !is_failed()) {
        Status s;
        try {
          s = stages[k].run(*item);
        } catch (const std::exception& e) {
          s = Status::Internal("pipeline stage " + stages[k].name + ": " + e.what());
        }
        if (!s.ok()) fail(std::move(s));
      }
      if (k + 1 < num) queues[k]->push(item.release());
      if (end) return;
    }
  };
  std::vector<std::thread> threads;
  for (size_t k = 0; k < num; ++k) {
    if (k != caller_stage) threads.emplace_back(stage_loop, k);
  }
  stage_loop(caller_stage);
  for (auto& t : threads) t.join();
  return first_error;
}

}  // namespace streamgnn::trainers
