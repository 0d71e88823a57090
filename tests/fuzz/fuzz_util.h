// Shared plumbing of the fuzz targets (tests/fuzz/README.md): a scratch folder the inputs are
// written into (the loaders read files), the split of one input into several files, and the
// checks every target makes on what a parser returned. A failed check aborts, which libFuzzer
// and the corpus replay both report as a crash with the input that caused it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "core/status.h"

namespace streamgnn::fuzz {

// Multi-file inputs (an ml_ CSV and its .npy companions, a Planetoid set, an OGB folder) are one
// byte string with the files joined by this line; a missing part means the file is absent.
inline constexpr std::string_view kFileSeparator = "\n--next-file--\n";

inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The key dataset_cache_fuzz reads its inputs under, and the seeds were written with.
inline constexpr const char* kCacheKey = "streamgnn fuzz seed key";

// The input cut at kFileSeparator into at most `max_parts` parts (the last takes the rest).
inline std::vector<std::string_view> SplitFiles(const uint8_t* data, size_t size, size_t max_parts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = rest.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kFileSeparator.size());
  }
  parts.push_back(rest);
  return parts;
}

// One folder per process under /dev/shm (RAM) when it exists, else the temp folder; emptied
// before each input and removed at exit.
class ScratchDir {
 public:
  static ScratchDir& Get() {
    static ScratchDir dir;
    return dir;
  }
  const std::string& path() const { return path_; }
  // Empties the folder; returns its path.
  const std::string& Reset() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ec)) {
      std::filesystem::remove_all(entry.path(), ec);
    }
    return path_;
  }
  // Writes `bytes` to `relative` (parent folders created); returns the full path.
  std::string Write(const std::string& relative, std::string_view bytes) const {
    const std::filesystem::path full = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream out(full, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) Fail("cannot write the scratch file " + full.string());
    return full.string();
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  [[noreturn]] static void Fail(const std::string& what) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
  }

 private:
  ScratchDir() {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    path_ = (base / ("streamgnn-fuzz-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(path_);
  }
  std::string path_;
};

// An error must say where: its message names `where` (the file, folder or source name given to
// the parser). OK passes.
inline void CheckError(const Status& st, const std::string& where) {
  if (!st.ok() && st.message().find(where) == std::string::npos) {
    ScratchDir::Fail("error does not name '" + where + "': " + st.ToString());
  }
}

// An error must say where (CheckError); an OK result must pass `valid` (the type's own
// invariant check). With $STREAMGNN_FUZZ_SHOW set, prints each result's status (is a seed valid?).
template <typename T, typename Valid>
void CheckResult(const StatusOr<T>& result, const std::string& where, Valid valid) {
  if (std::getenv("STREAMGNN_FUZZ_SHOW") != nullptr) std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
  CheckError(result.status(), where);
  if (!result.ok()) return;
  const Status st = valid(result.value());
  if (!st.ok()) ScratchDir::Fail("a parser returned OK with an invalid result: " + st.ToString());
}

// Compressed sparse rows as the readers promise them (datasets::NpzCsr, pickle::Csr): rows + 1
// non-decreasing offsets from 0 to the entry count, one value per entry, columns in range.
template <typename Csr>
Status CsrWellFormed(const Csr& m) {
  const auto bad = [](const std::string& why) { return Status::Internal("malformed CSR: " + why); };
  if (m.rows < 0 || m.cols < 0) return bad("negative shape");
  if (static_cast<int64_t>(m.indptr.size()) != m.rows + 1 || m.indptr.front() != 0) return bad("indptr");
  if (m.indptr.back() != static_cast<int64_t>(m.indices.size()) || m.indices.size() != m.data.size()) {
    return bad("entry counts");
  }
  for (size_t r = 0; r + 1 < m.indptr.size(); ++r) {
    if (m.indptr[r + 1] < m.indptr[r]) return bad("decreasing indptr");
  }
  for (const int64_t c : m.indices) {
    if (c < 0 || c >= m.cols) return bad("column " + std::to_string(c) + " outside [0, cols)");
  }
  return Status::Ok();
}

}  // namespace streamgnn::fuzz
