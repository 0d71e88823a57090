#include "trainers/config_reference.h"

#include "trainers/temporal_config.h"
#include "core/config_engine.h"
#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

constexpr const char* kPreamble = R"(# Configuration reference

<!-- Generated from the schemas (trainers/temporal_config.h, trainers/static_trainer.h) by
     streamgnn::trainers::ConfigReferenceMarkdown(). Do not edit by hand; regenerate with
     STREAMGNN_UPDATE_DOCS=1 build/bin/config_reference_test -->

A run is described by one YAML file. Temporal runs (`streamgnn train`, `stream`, `continuous`,
`serve --learn`) and static runs (`streamgnn static-train`) have their own sections, listed
below, in one dialect: TGL's names wherever TGL has one (`train.epoch`, `train.batch_size`,
`sampling.neighbor`, `runtime.threads`, `runtime.device`). Every key is optional and takes the
default shown when it is missing. Loading is strict: an unknown section or key, a value of the
wrong type, an out-of-range value or a broken rule stops the run before any work starts, with
the file, line, column and key:

    run.yml:2:10: key 'sampling.layer': expected an integer in [1, 8], got '9'

A key that was renamed is refused with its new name:

    gcn.yaml:4:3: key 'train.epochs': expected a key of section 'train' (...), got 'epochs'
    (renamed: did you mean 'train.epoch'?)

A section is a map of keys or, as in TGL's configs, a one-element list holding that map:

```yaml
sampling:
  layer: 1
  neighbor: [10]
```

is the same as

```yaml
sampling:
  - layer: 1
    neighbor:
      - 10
```

A list field given one value is a one-entry list (`neighbor: 10` is `neighbor: [10]`), and an
integer field whose range admits -1 also takes the word `all` for it (`batch_size: all`).

Any key can be overridden from the command line with `--set section.key=value`. The value is
YAML and is checked like the file: `--set sampling.neighbor=[10,10]`,
`--set dataset.csv.header=false`, `--set train.lr=1e-3`.

# Temporal runs
)";

constexpr const char* kStaticHeading = R"(
# Static runs

Node classification on static graphs (`streamgnn static-train`, docs/static.md).
)";

}  // namespace

std::string ConfigReferenceMarkdown() {
  return kPreamble + core::ConfigReferenceAs<trainers::TemporalConfig>(2) + kStaticHeading +
         core::ConfigReferenceAs<StaticConfig>(2);
}

}  // namespace streamgnn::trainers
