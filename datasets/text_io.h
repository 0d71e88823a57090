// Internal helpers shared by the loaders, the cache and the writers: whole-file reads (plain or
// gzip), file stamps, and a parallel line parser over an in-memory text.
// Not part of the public datasets API.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace streamgnn::datasets::internal {

// Reads the whole file into memory. A gzip file (recognised by its magic bytes, whatever its
// name) is inflated by streaming it through zlib in large chunks; a truncated or corrupt gzip
// stream is an error, never a silently short text. NotFound when the file does not exist.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// What identifies one version of a file for the cache: absolute path, size, mtime (ns) and inode
// (an atomic replace changes the inode even when size and mtime collide).
struct FileStamp {
  std::string abs_path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp& o) const {
    return abs_path == o.abs_path && size == o.size && mtime_ns == o.mtime_ns && inode == o.inode;
  }
};
// NotFound when the path does not exist; InvalidArgument when it is not a regular file.
StatusOr<FileStamp> StampFile(const std::string& path);
bool FileExists(const std::string& path);

// "<path>:<line>: <what>" as InvalidArgument: the one shape of every parse error.
Status LineError(const std::string& path, int64_t line, const std::string& what);
// A field quoted for an error message, cut to a readable length.
std::string Quoted(std::string_view field);

// ---- lines ---------------------------------------------------------------------------------

// True for blank lines and comment lines ('#' or '%' as the first non-blank character).
inline bool IsSkippable(std::string_view line) {
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r') continue;
    return c == '#' || c == '%';
  }
  return true;
}

// Line [*pos, next '\n') without its "\r\n"/"\n"; advances *pos past the newline.
inline std::string_view NextLine(std::string_view text, size_t* pos) {
  const size_t begin = *pos;
  const void* nl = std::memchr(text.data() + begin, '\n', text.size() - begin);
  size_t end = nl ? static_cast<const char*>(nl) - text.data() : text.size();
  *pos = nl ? end + 1 : end;
  if (end > begin && text[end - 1] == '\r') --end;
  return text.substr(begin, end - begin);
}

// Finds the next data line (not blank, not a comment) at or after *pos. *line_no is the 1-based
// number of the line starting at *pos on entry and of the line after the returned one on exit.
// Returns false at the end of the text.
inline bool NextDataLine(std::string_view text, size_t* pos, int64_t* line_no,
                         std::string_view* line, int64_t* found_line_no) {
  while (*pos < text.size()) {
    std::string_view l = NextLine(text, pos);
    const int64_t this_line = (*line_no)++;
    if (!IsSkippable(l)) {
      *line = l;
      *found_line_no = this_line;
      return true;
    }
  }
  return false;
}

// A byte range of the text that starts at a line start, with the line number of its first line
// and the row index (count of data lines before it) of its first data line.
struct TextChunk {
  size_t begin = 0, end = 0;
  int64_t first_line = 0;
  int64_t first_row = 0;
  int64_t num_rows = 0;
};

// Cuts text[begin, end) into chunks of about `chunk_bytes` at line boundaries and counts their
// data lines (in parallel). `first_line` is the line number at `begin`. Total data rows = the
// last chunk's first_row + num_rows.
std::vector<TextChunk> IndexChunks(std::string_view text, size_t begin, int64_t first_line,
                                   size_t chunk_bytes = size_t{1} << 20);

inline int64_t TotalRows(const std::vector<TextChunk>& chunks) {
  return chunks.empty() ? 0 : chunks.back().first_row + chunks.back().num_rows;
}

// Calls fn(row, line, line_no) -> Status for every data line, chunks in parallel (TBB). fn must
// only write to per-row state. Returns the error of the smallest line number, so the result does
// not depend on scheduling; chunks after a known error are skipped.
template <typename Fn>
Status ParseChunks(std::string_view text, const std::vector<TextChunk>& chunks, const Fn& fn) {
  std::vector<Status> errors(chunks.size());
  std::atomic<int64_t> first_bad_chunk{std::numeric_limits<int64_t>::max()};
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t c = r.begin(); c != r.end(); ++c) {
          if (static_cast<int64_t>(c) > first_bad_chunk.load(std::memory_order_relaxed)) return;
          const TextChunk& chunk = chunks[c];
          std::string_view sub = text.substr(0, chunk.end);
          size_t pos = chunk.begin;
          int64_t line_no = chunk.first_line;
          int64_t row = chunk.first_row;
          while (pos < chunk.end) {
            std::string_view line = NextLine(sub, &pos);
            const int64_t this_line = line_no++;
            if (IsSkippable(line)) continue;
            Status s = fn(row++, line, this_line);
            if (!s.ok()) {
              errors[c] = std::move(s);
              int64_t cur = first_bad_chunk.load();
              while (static_cast<int64_t>(c) < cur &&
                     !first_bad_chunk.compare_exchange_weak(cur, static_cast<int64_t>(c))) {
              }
              break;
            }
          }
        }
      });
  for (Status& s : errors) {
    if (!s.ok()) return std::move(s);
  }
  return Status::Ok();
}

// ---- fields --------------------------------------------------------------------------------

// Splits one line into fields. delim ',' (or any non-blank char): fields between delimiters,
// surrounding blanks trimmed, empty fields kept. delim ' ': fields are runs of non-blank chars
// (spaces and tabs separate). No quoting: the formats here hold numbers only.
class FieldCursor {
 public:
  FieldCursor(std::string_view line, char delim) : rest_(line), delim_(delim) {}

  bool Next(std::string_view* field) {
    if (delim_ == ' ') {
      size_t b = 0;
      while (b < rest_.size() && IsBlank(rest_[b])) ++b;
      if (b == rest_.size()) return false;
      size_t e = b;
      while (e < rest_.size() && !IsBlank(rest_[e])) ++e;
      *field = rest_.substr(b, e - b);
      rest_.remove_prefix(e);
      return true;
    }
    if (done_) return false;
    const size_t p = rest_.find(delim_);
    std::string_view f = rest_.substr(0, p);
    if (p == std::string_view::npos) {
      done_ = true;
      rest_ = {};
    } else {
      rest_.remove_prefix(p + 1);
    }
    while (!f.empty() && IsBlank(f.front())) f.remove_prefix(1);
    while (!f.empty() && IsBlank(f.back())) f.remove_suffix(1);
    *field = f;
    return true;
  }

  // Number of fields not consumed yet.
  int64_t CountRest() {
    int64_t n = 0;
    std::string_view f;
    while (Next(&f)) ++n;
    return n;
  }

 private:
  static bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
  std::string_view rest_;
  char delim_;
  bool done_ = false;
};

inline int64_t CountFields(std::string_view line, char delim) {
  return FieldCursor(line, delim).CountRest();
}

inline std::vector<std::string> SplitFields(std::string_view line, char delim) {
  std::vector<std::string> out;
  FieldCursor cur(line, delim);
  std::string_view f;
  while (cur.Next(&f)) out.emplace_back(f);
  return out;
}

// Whole-field number parsers (a leading '+' is accepted). They return false unless the field is
// exactly one number.
inline bool ParseInt64(std::string_view s, int64_t* out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  auto [p, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && p == e;
}

template <typename T>
inline bool ParseFloating(std::string_view s, T* out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  auto [p, ec] = std::from_chars(b, e, *out, std::chars_format::general);
  return ec == std::errc() && p == e;
}

// An integer label written as "1" or "1.0" (pandas writes float columns with ".0").
inline bool ParseIntegral32(std::string_view s, int32_t* out) {
  int64_t v;
  if (ParseInt64(s, &v)) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return false;
    }
    *out = static_cast<int32_t>(v);
    return true;
  }
  double d;
  if (!ParseFloating(s, &d) || !(std::fabs(d) <= 2147483647.0) || d != std::floor(d)) return false;
  *out = static_cast<int32_t>(d);
  return true;
}

// ---- hashing -------------------------------------------------------------------------------

// 64-bit FNV-1a over bytes, finished with a SplitMix64 mix: names cache files. Collisions are
// harmless because the cache also stores and compares the full key text.
uint64_t HashBytes(std::string_view bytes);

}  // namespace streamgnn::datasets::internal
