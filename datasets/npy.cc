#include "datasets/npy.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/atomic_file.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr int64_t kMaxElements = int64_t{1} << 40;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Finds 'key' (single or double quoted) in the header dict and returns the text after its ':'.
bool FindKey(std::string_view header, std::string_view key, std::string_view* after) {
  for (char q : {'\'', '"'}) {
    const std::string quoted = std::string(1, q) + std::string(key) + std::string(1, q);
    size_t p = header.find(quoted);
    if (p == std::string_view::npos) continue;
    p = header.find(':', p + quoted.size());
    if (p == std::string_view::npos) return false;
    std::string_view rest = header.substr(p + 1);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) {
      rest.remove_prefix(1);
    }
    *after = rest;
    return true;
  }
  return false;
}

Status ParseHeader(const std::string& path, std::string_view header, std::string* descr,
                   bool* fortran, std::vector<int64_t>* shape) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(path + ": bad .npy header (" + what +
                                   "): " + internal::Quoted(header));
  };
  std::string_view v;
  if (!FindKey(header, "descr", &v)) return bad("no 'descr'");
  if (v.empty() || (v[0] != '\'' && v[0] != '"')) return bad("'descr' is not a string");
  const size_t close = v.find(v[0], 1);
  if (close == std::string_view::npos) return bad("unterminated 'descr'");
  *descr = std::string(v.substr(1, close - 1));
  if (!FindKey(header, "fortran_order", &v)) return bad("no 'fortran_order'");
  if (v.substr(0, 4) == "True") {
    *fortran = true;
  } else if (v.substr(0, 5) == "False") {
    *fortran = false;
  } else {
    return bad("'fortran_order' is not True/False");
  }
  if (!FindKey(header, "shape", &v)) return bad("no 'shape'");
  if (v.empty() || v[0] != '(') return bad("'shape' is not a tuple");
  const size_t end = v.find(')');
  if (end == std::string_view::npos) return bad("unterminated 'shape'");
  internal::FieldCursor cur(v.substr(1, end - 1), ',');
  std::string_view f;
  shape->clear();
  while (cur.Next(&f)) {
    if (f.empty()) continue;  // the trailing comma of "(n,)"
    int64_t d;
    if (!internal::ParseInt64(f, &d) || d < 0) return bad("shape entry " + internal::Quoted(f));
    shape->push_back(d);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<NpyMatrix> ReadNpyMatrix(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fileno(f.get()), &st) != 0) return Status::IOError(path + ": cannot stat");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  unsigned char pre[10];
  if (std::fread(pre, 1, 8, f.get()) != 8 || std::memcmp(pre, kMagic, kMagicLen) != 0) {
    return Status::InvalidArgument(path + ": not a .npy file (missing \\x93NUMPY magic)");
  }
  const int major = pre[6];
  uint64_t header_len = 0;
  size_t prefix = 0;
  if (major == 1) {
    if (std::fread(pre + 8, 1, 2, f.get()) != 2) {
      return Status::InvalidArgument(path + ": truncated .npy header");
    }
    header_len = pre[8] | (static_cast<uint64_t>(pre[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    unsigned char len4[4];
    if (std::fread(len4, 1, 4, f.get()) != 4) {
      return Status::InvalidArgument(path + ": truncated .npy header");
    }
    header_len = len4[0] | (static_cast<uint64_t>(len4[1]) << 8) |
                 (static_cast<uint64_t>(len4[2]) << 16) | (static_cast<uint64_t>(len4[3]) << 24);
    prefix = 12;
  } else {
    return Status::InvalidArgument(path + ": unsupported .npy format version " +
                                   std::to_string(major) + " (expected 1, 2 or 3)");
  }
  if (prefix + header_len > file_size) {
    return Status::InvalidArgument(path + ": truncated .npy header");
  }
  std::string header(header_len, '\0');
  if (std::fread(header.data(), 1, header_len, f.get()) != header_len) {
    return Status::IOError(path + ": cannot read .npy header");
  }
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  SG_RETURN_IF_ERROR(ParseHeader(path, header, &descr, &fortran, &shape));
  size_t item = 0;
  if (descr == "<f4") {
    item = 4;
  } else if (descr == "<f8") {
    item = 8;
  } else {
    return Status::InvalidArgument(path + ": .npy dtype '" + descr +
                                   "' is not supported (expected '<f4' or '<f8')");
  }
  if (fortran) {
    return Status::InvalidArgument(path + ": .npy array is in Fortran order (expected C order)");
  }
  if (shape.empty() || shape.size() > 2) {
    return Status::InvalidArgument(path + ": .npy array has " + std::to_string(shape.size()) +
                                   " dimensions (expected 1 or 2)");
  }
  NpyMatrix m;
  m.rows = shape[0];
  m.cols = shape.size() == 2 ? shape[1] : 1;
  if (m.rows > kMaxElements || m.cols > kMaxElements ||
      (m.cols > 0 && m.rows > kMaxElements / m.cols)) {
    return Status::InvalidArgument(path + ": .npy shape is too large");
  }
  const uint64_t count = static_cast<uint64_t>(m.rows * m.cols);
  const uint64_t expected = prefix + header_len + count * item;
  if (file_size != expected) {
    return Status::InvalidArgument(path + ": .npy file has " + std::to_string(file_size) +
                                   " bytes, but its header (shape " + std::to_string(m.rows) +
                                   " x " + std::to_string(m.cols) + ", " + descr + ") implies " +
                                   std::to_string(expected));
  }
  m.data.resize(count);
  if (item == 4) {
    if (std::fread(m.data.data(), 4, count, f.get()) != count) {
      return Status::IOError(path + ": short read of .npy data");
    }
  } else {
    std::vector<double> buf(size_t{1} << 16);
    for (uint64_t done = 0; done < count;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), count - done));
      if (std::fread(buf.data(), 8, n, f.get()) != n) {
        return Status::IOError(path + ": short read of .npy data");
      }
      for (size_t i = 0; i < n; ++i) m.data[done + i] = static_cast<float>(buf[i]);
      done += n;
    }
  }
  return m;
}

Status WriteNpyMatrix(const std::string& path, const NpyMatrix& m) {
  if (m.rows < 0 || m.cols < 0 || static_cast<int64_t>(m.data.size()) != m.rows * m.cols) {
    return Status::InvalidArgument(path + ": matrix data size does not match its shape");
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(m.rows) + ", " + std::to_string(m.cols) + "), }";
  // Pad so that magic + version + length + header + '\n' is a multiple of 64 (numpy does so).
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    const unsigned char pre[10] = {0x93,
                                   'N',
                                   'U',
                                   'M',
                                   'P',
                                   'Y',
                                   1,
                                   0,
                                   static_cast<unsigned char>(header.size() & 0xff),
                                   static_cast<unsigned char>(header.size() >> 8)};
    std::fwrite(pre, 1, 10, f);
    std::fwrite(header.data(), 1, header.size(), f);
    if (!m.data.empty()) std::fwrite(m.data.data(), 4, m.data.size(), f);
    return Status::Ok();
  });
}

}  // namespace streamgnn::datasets
