#include "datasets/text_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <filesystem>

#include "core/rng.h"

namespace streamgnn::datasets::internal {

namespace {

Status OpenError(const std::string& path, int err) {
  if (err == ENOENT) return Status::NotFound(path + ": no such file");
  return Status::IOError(path + ": cannot open: " + std::strerror(err));
}

StatusOr<std::string> InflateGzip(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return OpenError(path, errno);
  gzbuffer(gz, 1 << 18);
  std::string out;
  constexpr size_t kChunk = size_t{4} << 20;
  size_t used = 0;
  while (true) {
    if (out.size() < used + kChunk) out.resize(std::max(out.size() * 2, used + kChunk));
    const int n = gzread(gz, out.data() + used, static_cast<unsigned>(kChunk));
    if (n < 0) break;  // reported by gzerror below
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  int errnum = Z_OK;
  const char* msg = gzerror(gz, &errnum);
  std::string zmsg = msg ? msg : "";
  gzclose(gz);
  // Z_BUF_ERROR after the last read means the input ended inside a gzip stream.
  if (errnum == Z_BUF_ERROR) {
    return Status::InvalidArgument(path + ": truncated gzip stream (input ends after " +
                                   std::to_string(used) + " inflated bytes)");
  }
  if (errnum != Z_OK) return Status::InvalidArgument(path + ": corrupt gzip stream: " + zmsg);
  out.resize(used);
  return out;
}

}  // namespace

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return OpenError(path, errno);
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(f);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  unsigned char magic[2] = {0, 0};
  const size_t got = std::fread(magic, 1, 2, f);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    std::fclose(f);
    return InflateGzip(path);
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  std::memcpy(out.data(), magic, std::min<size_t>(got, out.size()));
  size_t used = std::min<size_t>(got, out.size());
  while (used < out.size()) {
    const size_t n = std::fread(out.data() + used, 1, out.size() - used, f);
    if (n == 0) break;
    used += n;
  }
  const bool err = std::ferror(f) != 0;
  std::fclose(f);
  if (err || used != out.size()) {
    return Status::IOError(path + ": read " + std::to_string(used) + " of " +
                           std::to_string(out.size()) + " bytes");
  }
  return out;
}

StatusOr<FileStamp> StampFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return OpenError(path, errno);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  FileStamp stamp;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::weakly_canonical(path, ec);
  stamp.abs_path = ec ? std::filesystem::absolute(path, ec).string() : abs.string();
  if (stamp.abs_path.empty()) stamp.abs_path = path;
  stamp.size = static_cast<uint64_t>(st.st_size);
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  return stamp;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status LineError(const std::string& path, int64_t line, const std::string& what) {
  return Status::InvalidArgument(path + ":" + std::to_string(line) + ": " + what);
}

std::string Quoted(std::string_view field) {
  constexpr size_t kMax = 40;
  if (field.size() <= kMax) return "'" + std::string(field) + "'";
  return "'" + std::string(field.substr(0, kMax)) + "...'";
}

std::vector<TextChunk> IndexChunks(std::string_view text, size_t begin, int64_t first_line,
                                   size_t chunk_bytes) {
  std::vector<TextChunk> chunks;
  size_t pos = begin;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + chunk_bytes);
    if (end < text.size()) {
      const void* nl = std::memchr(text.data() + end, '\n', text.size() - end);
      end = nl ? static_cast<const char*>(nl) - text.data() + 1 : text.size();
    }
    TextChunk c;
    c.begin = pos;
    c.end = end;
    chunks.push_back(c);
    pos = end;
  }
  std::vector<int64_t> lines(chunks.size(), 0);
  tbb::parallel_for(size_t{0}, chunks.size(), [&](size_t i) {
    std::string_view sub = text.substr(0, chunks[i].end);
    size_t p = chunks[i].begin;
    int64_t n_lines = 0, n_rows = 0;
    while (p < chunks[i].end) {
      std::string_view line = NextLine(sub, &p);
      ++n_lines;
      if (!IsSkippable(line)) ++n_rows;
    }
    lines[i] = n_lines;
    chunks[i].num_rows = n_rows;
  });
  int64_t line = first_line, row = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    chunks[i].first_line = line;
    chunks[i].first_row = row;
    line += lines[i];
    row += chunks[i].num_rows;
  }
  return chunks;
}

uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return core::Mix64(h);
}

}  // namespace streamgnn::datasets::internal
