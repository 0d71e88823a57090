// Loading the dataset a run config names (the `dataset` section of core::Config).
#pragma once

#include "core/config.h"
#include "core/status.h"
#include "datasets/loaders.h"

namespace streamgnn::datasets {

// Translates the config section into a LoadSpec (paths are already resolved by the config
// loader) and loads it, through the binary cache when dataset.cache is on.
LoadSpec SpecFromConfig(const core::DatasetConfig& config);
StatusOr<TemporalDataset> LoadFromConfig(const core::DatasetConfig& config,
                                         LoadReport* report = nullptr);

}  // namespace streamgnn::datasets
