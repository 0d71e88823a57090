// Checkpoint files: a LibTorch archive inside a checked envelope, so that a truncated or damaged
// file is refused with a clear error before LibTorch's zip and pickle readers see it (those
// readers are not hardened against hostile bytes: docs/reliability.md).
//
// Layout (little-endian):
//   "SGCKPT01"  magic and envelope version (8 bytes)
//   u64         payload size in bytes
//   u32         CRC-32 (zlib) of the payload
//   u32         0 (reserved)
//   payload     the archive as torch::serialize::OutputArchive::save_to writes it
//   "SGCKEND!"  end marker (8 bytes)
// Files are written to a temporary name, fsync'd and renamed into place (core::WriteFileAtomic).
// Files without the envelope (written before it existed) are refused, naming the reason.
#pragma once

#include <torch/torch.h>

#include <string>

#include "core/status.h"

namespace streamgnn::trainers {

// Serialises `archive` and writes it atomically to `path`. IOError naming the file on failure.
Status SaveCheckpointFile(torch::serialize::OutputArchive& archive, const std::string& path);

// Reads `path`, checks the envelope (magic, sizes, CRC, end marker) and loads the archive with
// its tensors on `device`. NotFound when the file does not exist; Corruption naming the file and
// the failed check otherwise.
Status LoadCheckpointFile(const std::string& path, const torch::Device& device,
                          torch::serialize::InputArchive* archive);

}  // namespace streamgnn::trainers
