// The event split of the TGN/DyGLib link-prediction protocol (docs/models.md, "Protocol"):
// chronological train/validation/test parts, and TGN's inductive masking of nodes.
#pragma once

#include <cstdint>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/types.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::trainers {

struct TemporalSplit {
  std::vector<int64_t> train_all;  // every training event, chronological
  std::vector<int64_t> train;      // training events without masked nodes (the ones trained on)
  std::vector<int64_t> val, test;
  std::vector<uint8_t> inductive;  // per event: val/test event with a node unseen in training
  std::vector<NodeId> train_destinations, all_destinations;  // negative pools
  int64_t masked_nodes = 0;
};

// The dataset's own split when it has one, else by time quantiles (train.val_fraction,
// train.test_fraction); then int(train.inductive_fraction * #nodes) nodes active after the
// training period, drawn with a fixed seed (TGN's random.seed(2020)), lose their training events.
TemporalSplit MakeTemporalSplit(const datasets::TemporalDataset& ds, const trainers::TrainConfig& tc);

// Mean and (population) standard deviation of the time since a node's previous event, as a
// source and as a destination separately, over `events` in order; a node's first event counts
// from time 0. TGN's compute_time_statistics (over all events) and DyGLib's
// compute_src_dst_node_time_shifts (over the training events, as the trainer calls this, so
// validation and test times do not leak into the model). A standard deviation of 0 is reported
// as 1.
struct TimeShiftStats {
  double src_mean = 0, src_std = 1, dst_mean = 0, dst_std = 1;
};
TimeShiftStats ComputeTimeShiftStats(const datasets::TemporalDataset& ds,
                                     const std::vector<int64_t>& events);

}  // namespace streamgnn::trainers
