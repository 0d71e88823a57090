// Text writers for `streamgnn dataset convert`. Both write atomically (temporary file + rename),
// so a failed or interrupted conversion never leaves a half-written output behind. Numbers are
// written in their shortest exact form (times and features read back bit-identical).
#pragma once

#include <string>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets {

struct TglWriteOptions {
  // Used only when the dataset carries no split: ext_roll then comes from ChronologicalSplit()
  // with these fractions. Require 0 <= val, test and val + test < 1.
  double val_fraction = 0.15;
  double test_fraction = 0.15;
};

// TGL edges.csv: header ",src,dst,time,int_roll,ext_roll", a leading 0-based row index column
// (as pandas writes it), int_roll 0, ext_roll = the dataset's split (or a chronological one).
// Node ids are the dataset's (contiguous) ids; features are not written (TGL keeps them in
// torch files).
Status WriteTglCsv(const TemporalDataset& ds, const std::string& path,
                   const TglWriteOptions& options = {});

// Plain CSV: header "src,dst,time[,label][,f0,...,f<k-1>]" and one line per event; the label
// column is present when the dataset has labels, f0.. when it has edge features. Reads back with
// LoadCsv (label_col = 3 if labels, feat_begin = 3 or 4). Node features are not written.
Status WriteCsv(const TemporalDataset& ds, const std::string& path);

// DyGLib's and TGN's ml_ format, so that their own code runs on the same events: `path`
// (ml_<name>.csv, header ",u,i,ts,label,idx", a 0-based row index, node ids + 1 because their
// code keeps node 0 as padding, label 0 where the dataset has none, idx = event + 1), beside it
// ml_<name>.npy with the edge features (row idx = that event's features; row 0 zeros, their
// padding; one zero column when the dataset has none, as their code needs the file) and
// ml_<name>_node.npy with the node features (row = node id + 1; zeros of width 1 without them).
// LoadMlCsv reads all three back (node ids then start at 1). All three files are written
// atomically; the .npy files first.
Status WriteMlCsv(const TemporalDataset& ds, const std::string& path);

}  // namespace streamgnn::datasets
