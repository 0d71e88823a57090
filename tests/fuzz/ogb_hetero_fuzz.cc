// OGB's heterogeneous folder (datasets::LoadOgbHetero), with node types "a" and "b" and relation
// a___r___b as the seeds name them: raw/num-node-dict.csv, raw/triplet-type-list.csv, the
// relation's edge.csv and num-edge-list.csv, raw/nodetype-has-label.csv, a's node-label.csv and
// node-feat.csv, split/time/a/{train,valid,test}.csv joined by fuzz::kFileSeparator. (Type and
// relation names come from the files; a mutated name reads a folder that is not there.)
#include "datasets/hetero_dataset.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  static const char* const kFiles[] = {
      "raw/num-node-dict.csv",          "raw/triplet-type-list.csv",
      "raw/relations/a___r___b/edge.csv", "raw/relations/a___r___b/num-edge-list.csv",
      "raw/nodetype-has-label.csv",     "raw/node-label/a/node-label.csv",
      "raw/node-feat/a/node-feat.csv",  "split/time/a/train.csv",
      "split/time/a/valid.csv",         "split/time/a/test.csv"};
  const auto parts = fuzz::SplitFiles(data, size, 10);
  for (size_t i = 0; i < parts.size(); ++i) scratch.Write(kFiles[i], parts[i]);
  fuzz::CheckResult(datasets::LoadOgbHetero(dir), dir,
                    [](const datasets::HeteroDataset& d) { return d.Validate(); });
  return 0;
}
