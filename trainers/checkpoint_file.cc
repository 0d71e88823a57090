#include "trainers/checkpoint_file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"

namespace streamgnn::trainers {

namespace {

constexpr char kMagic[8] = {'S', 'G', 'C', 'K', 'P', 'T', '0', '1'};
constexpr char kEndMarker[8] = {'S', 'G', 'C', 'K', 'E', 'N', 'D', '!'};
constexpr size_t kHeaderSize = 8 + 8 + 4 + 4;
constexpr size_t kTrailerSize = 8;

uint32_t Crc32(const char* data, size_t size) {
  return static_cast<uint32_t>(
      crc32_z(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data), size));
}

template <typename T>
void PutLittle(std::string* out, T value) {  // x86-64 and aarch64 are little-endian
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

template <typename T>
T GetLittle(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// The whole file in one string, read straight into it (a checkpoint can be GBs of node memory).
StatusOr<std::string> ReadRaw(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError(fmt::format("{}: cannot read checkpoint: {}", path, ec.message()));
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return Status::IOError(fmt::format("{}: cannot read checkpoint: {}", path, std::strerror(errno)));
  }
  return bytes;
}

}  // namespace

Status SaveCheckpointFile(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::string payload;
  try {
    std::ostringstream out;
    archive.save_to(out);
    payload = std::move(out).str();
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: cannot serialise checkpoint: {}", path, e.what()));
  }
  std::string header(kMagic, sizeof(kMagic));
  PutLittle<uint64_t>(&header, payload.size());
  PutLittle<uint32_t>(&header, Crc32(payload.data(), payload.size()));
  PutLittle<uint32_t>(&header, 0);
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    const bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
                    std::fwrite(payload.data(), 1, payload.size(), f) == payload.size() &&
                    std::fwrite(kEndMarker, 1, sizeof(kEndMarker), f) == sizeof(kEndMarker);
    return ok ? Status::Ok()
              : Status::IOError(fmt::format("{}: cannot write checkpoint: {}", path, std::strerror(errno)));
  });
}

Status LoadCheckpointFile(const std::string& path, const torch::Device& device,
                          torch::serialize::InputArchive* archive) {
  if (!std::filesystem::exists(path)) {
    return Status::NotFound(fmt::format("{}: checkpoint not found", path));
  }
  SG_ASSIGN_OR_RETURN(const std::string bytes, ReadRaw(path));
  const auto corrupt = [&](const std::string& what) {
    return Status::Corruption(fmt::format("{}: not a valid streamgnn checkpoint: {}", path, what));
  };
  if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) {
    return corrupt("a bare LibTorch archive without streamgnn's checksummed envelope (written "
                   "before it existed, or by another program); retrain to get a checkpoint that "
                   "can be verified");
  }
  if (bytes.size() < kHeaderSize + kTrailerSize || bytes.compare(0, 8, kMagic, 8) != 0) {
    return corrupt(fmt::format("no streamgnn checkpoint header ({} bytes)", bytes.size()));
  }
  const uint64_t size = GetLittle<uint64_t>(bytes.data() + 8);
  const uint32_t crc = GetLittle<uint32_t>(bytes.data() + 16);
  if (GetLittle<uint32_t>(bytes.data() + 20) != 0) return corrupt("the reserved header word is not 0");
  if (size != bytes.size() - kHeaderSize - kTrailerSize) {
    return corrupt(fmt::format("the header promises {} payload bytes, the file holds {} (truncated "
                               "or appended to)", size, bytes.size() - kHeaderSize - kTrailerSize));
  }
  if (bytes.compare(bytes.size() - kTrailerSize, kTrailerSize, kEndMarker, kTrailerSize) != 0) {
    return corrupt("the end marker is missing");
  }
  const char* payload = bytes.data() + kHeaderSize;
  if (Crc32(payload, size) != crc) return corrupt("CRC-32 mismatch (the file is damaged)");
  try {
    archive->load_from(payload, size, device);
  } catch (const std::exception& e) {
    return corrupt(fmt::format("the archive does not load: {}", e.what()));
  }
  return Status::Ok();
}

}  // namespace streamgnn::trainers
