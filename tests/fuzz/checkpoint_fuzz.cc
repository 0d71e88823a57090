// The checkpoint reader (trainers/checkpoint_file.h): envelope checks, then LibTorch's archive
// reader for inputs whose CRC matches, then the reads `eval` makes first (the stored config and
// the scalars). LibTorch reports a bad archive by throwing; that must come back as an error.
#include "tests/fuzz/fuzz_util.h"
#include "trainers/checkpoint_file.h"

using namespace streamgnn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& scratch = fuzz::ScratchDir::Get();
  const std::string dir = scratch.Reset();
  const std::string path = scratch.Write("best.pt", fuzz::Bytes(data, size));
  torch::serialize::InputArchive archive;
  const Status loaded = trainers::LoadCheckpointFile(path, torch::kCPU, &archive);
  if (!loaded.ok()) {
    fuzz::CheckError(loaded, dir);
    return 0;
  }
  try {
    c10::IValue config;
    if (archive.try_read("config", config) && config.isString()) (void)config.toStringRef().size();
    torch::Tensor epoch;
    if (archive.try_read("epoch", epoch) && epoch.numel() == 1) (void)epoch.item<int64_t>();
  } catch (const std::exception&) {  // a well-formed envelope around an archive of other contents
  }
  return 0;
}
