// The YAML config engine (core/config_engine.h) through both roots, the temporal and the static
// config, with `--set` overrides. Input: the YAML text, then (after fuzz::kFileSeparator) one
// override per line. Errors name the file or the override, so any message is accepted here;
// the engine must return, never crash.
#include <sstream>

#include "core/config_engine.h"
#include "tests/fuzz/fuzz_util.h"
#include "trainers/static_trainer.h"
#include "trainers/temporal_config.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::SplitFiles(data, size, 2);
  const std::string yaml(parts[0]);
  std::vector<std::string> overrides;
  if (parts.size() > 1) {
    std::istringstream lines{std::string(parts[1])};
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  }
  // An accepted config keeps every range and rule of its schema.
  const auto valid = [](const auto& config) { return core::ValidateConfigFields(config); };
  fuzz::CheckResult(trainers::LoadTemporalConfigString(yaml, "fuzz.yaml", overrides), "", valid);
  fuzz::CheckResult(trainers::LoadStaticConfigString(yaml, "fuzz.yaml", overrides), "", valid);
  return 0;
}
