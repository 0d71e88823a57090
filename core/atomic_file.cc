#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace streamgnn::core {
namespace {

Status SyncParentFolder(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError(folder + ": cannot open to fsync: " + std::strerror(errno));
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  return synced ? Status::Ok() : Status::IOError(folder + ": fsync failed: " + std::strerror(err));
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::function<Status(std::FILE*)>& body) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter.fetch_add(1));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return Status::IOError(tmp + ": cannot create: " + std::strerror(errno));
  }
  std::vector<char> buffer(size_t{1} << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  Status s = body(f);
  if (s.ok() && (std::fflush(f) != 0 || std::ferror(f) != 0)) {
    s = Status::IOError(tmp + ": write failed: " + std::strerror(errno));
  }
  if (s.ok() && fsync(fileno(f)) != 0) {
    s = Status::IOError(tmp + ": fsync failed: " + std::strerror(errno));
  }
  if (std::fclose(f) != 0 && s.ok()) {
    s = Status::IOError(tmp + ": close failed: " + std::strerror(errno));
  }
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::IOError(path + ": cannot rename " + tmp + " into place: " + std::strerror(errno));
  }
  if (!s.ok()) {
    std::remove(tmp.c_str());
    return s;
  }
  return SyncParentFolder(path);
}

}  // namespace streamgnn::core
