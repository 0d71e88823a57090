#include "datasets/npz.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "datasets/static_dataset.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {
namespace {

uint64_t Le(const std::string& b, size_t pos, int bytes) {
  uint64_t x = 0;
  for (int i = bytes - 1; i >= 0; --i) x = (x << 8) | static_cast<unsigned char>(b[pos + i]);
  return x;
}

template <class T>
T LoadLe(const char* p) {
  T x;
  std::memcpy(&x, p, sizeof(T));  // the hosts we build for are little-endian
  return x;
}

template <class Out>
StatusOr<std::vector<Out>> Convert(const NpyArray& a, const std::string& what) {
  if (a.descr.size() < 3 || a.descr[0] == '>') {
    return Status::InvalidArgument(what + ": unsupported dtype '" + a.descr +
                                   "' (expected little-endian bool, integer or float)");
  }
  const char kind = a.descr[1];
  const int width = std::atoi(a.descr.c_str() + 2);
  if (width < 1 || width > 8) {
    return Status::InvalidArgument(what + ": unsupported dtype '" + a.descr + "'");
  }
  const int64_t n = a.size();
  if (static_cast<int64_t>(a.bytes.size()) != n * width) {
    return Status::Corruption(what + ": holds " + std::to_string(a.bytes.size()) +
                              " bytes, expected " + std::to_string(n * width));
  }
  std::vector<Out> out(n);
  const char* p = a.bytes.data();
  // A float read as an integer must fit: converting NaN, infinities or values beyond int64's
  // range is undefined behaviour, not an error the caller would see.
  const auto fits = [&](double v) {
    return !std::is_integral_v<Out> || (v >= -0x1p63 && v < 0x1p63);
  };
  for (int64_t i = 0; i < n; ++i, p += width) {
    if (kind == 'f') {
      const double v = width == 4 ? LoadLe<float>(p) : width == 8 ? LoadLe<double>(p) : 0.0;
      if (!fits(v)) {
        return Status::InvalidArgument(what + ": element " + std::to_string(i) + " is " +
                                       std::to_string(v) + ", outside int64's range");
      }
    }
    if ((kind == 'b' || kind == 'u') && width == 1) {
      out[i] = static_cast<Out>(static_cast<uint8_t>(*p));
    } else if (kind == 'i' && width == 1) {
      out[i] = static_cast<Out>(static_cast<int8_t>(*p));
    } else if (kind == 'i' && width == 2) {
      out[i] = static_cast<Out>(LoadLe<int16_t>(p));
    } else if (kind == 'i' && width == 4) {
      out[i] = static_cast<Out>(LoadLe<int32_t>(p));
    } else if (kind == 'i' && width == 8) {
      out[i] = static_cast<Out>(LoadLe<int64_t>(p));
    } else if (kind == 'u' && width == 2) {
      out[i] = static_cast<Out>(LoadLe<uint16_t>(p));
    } else if (kind == 'u' && width == 4) {
      out[i] = static_cast<Out>(LoadLe<uint32_t>(p));
    } else if (kind == 'u' && width == 8) {
      out[i] = static_cast<Out>(LoadLe<uint64_t>(p));
    } else if (kind == 'f' && width == 4) {
      out[i] = static_cast<Out>(LoadLe<float>(p));
    } else if (kind == 'f' && width == 8) {
      out[i] = static_cast<Out>(LoadLe<double>(p));
    } else {
      return Status::InvalidArgument(what + ": unsupported dtype '" + a.descr + "'");
    }
  }
  return out;
}

// The value text of `key` in the npy header dict ("'descr': '<i4', ...").
std::string HeaderValue(const std::string& header, const std::string& key) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t v = header.find(':', k);
  if (v == std::string::npos) return "";
  ++v;
  while (v < header.size() && header[v] == ' ') ++v;
  if (v < header.size() && header[v] == '(') return header.substr(v, header.find(')', v) - v + 1);
  if (v < header.size() && header[v] == '\'') {
    return header.substr(v + 1, header.find('\'', v + 1) - v - 1);
  }
  return header.substr(v, header.find_first_of(",}", v) - v);
}

StatusOr<std::string> Inflate(const std::string& in, uint64_t out_size, const std::string& what) {
  std::string out(out_size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Status::Internal(what + ": inflateInit2");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size) {
    return Status::Corruption(what + ": deflate stream is corrupt or truncated (zlib code " +
                              std::to_string(rc) + ")");
  }
  return out;
}

}  // namespace

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

StatusOr<std::vector<int64_t>> NpyArray::ToInt64(const std::string& what) const {
  return Convert<int64_t>(*this, what);
}
StatusOr<std::vector<double>> NpyArray::ToDouble(const std::string& what) const {
  return Convert<double>(*this, what);
}

StatusOr<NpyArray> ParseNpy(const std::string& b, const std::string& what) {
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) {
    return Status::InvalidArgument(what + ": not a .npy image (bad magic)");
  }
  const int major = static_cast<unsigned char>(b[6]);
  const size_t hlen_bytes = major == 1 ? 2 : 4;
  const size_t hlen = Le(b, 8, static_cast<int>(hlen_bytes));
  const size_t data_pos = 8 + hlen_bytes + hlen;
  if (data_pos > b.size()) return Status::Corruption(what + ": truncated .npy header");
  const std::string header = b.substr(8 + hlen_bytes, hlen);
  NpyArray a;
  a.descr = HeaderValue(header, "descr");
  if (HeaderValue(header, "fortran_order") != "False") {
    return Status::InvalidArgument(what + ": Fortran-order arrays are not supported");
  }
  const std::string shape = HeaderValue(header, "shape");
  if (shape.empty() || shape.front() != '(') {
    return Status::InvalidArgument(what + ": .npy header has no shape: " + header);
  }
  for (size_t i = 1; i < shape.size();) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',' || shape[i] == ')')) ++i;
    if (i >= shape.size()) break;
    int64_t x = 0;
    size_t j = i;
    while (j < shape.size() && std::isdigit(static_cast<unsigned char>(shape[j]))) {
      if (__builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, shape[j++] - '0', &x)) {
        return Status::Corruption(what + ": shape " + shape + " does not fit in 64 bits");
      }
    }
    if (j == i) return Status::InvalidArgument(what + ": bad shape " + shape);
    a.shape.push_back(x);
    i = j;
  }
  // Every element takes at least one byte: a shape promising more elements than the data has
  // bytes is damaged (and its product could overflow size()).
  int64_t elements = 1;
  for (const int64_t dim : a.shape) {
    if (__builtin_mul_overflow(elements, dim, &elements) ||
        elements > static_cast<int64_t>(b.size() - data_pos)) {
      return Status::Corruption(what + ": shape " + shape + " holds more elements than the " +
                                std::to_string(b.size() - data_pos) + " data bytes");
    }
  }
  a.bytes = b.substr(data_pos);
  return a;
}

StatusOr<std::map<std::string, NpyArray>> ReadNpz(const std::string& path) {
  SG_ASSIGN_OR_RETURN(std::string z, internal::ReadWholeFile(path));
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  size_t eocd = std::string::npos;
  for (size_t i = z.size() >= 22 ? z.size() - 22 : 0, stop = i > 65557 ? i - 65557 : 0;; --i) {
    if (z.compare(i, 4, "PK\x05\x06") == 0) {
      eocd = i;
      break;
    }
    if (i == stop || i == 0) break;
  }
  if (z.size() < 22 || eocd == std::string::npos) {
    return Status::InvalidArgument(path + ": not a zip/npz archive (no end-of-central-directory)");
  }
  uint64_t entries = Le(z, eocd + 10, 2);
  uint64_t cd = Le(z, eocd + 16, 4);
  if (cd == 0xFFFFFFFFu || entries == 0xFFFFu) {  // zip64: locator just before the EOCD
    if (eocd < 20 || z.compare(eocd - 20, 4, "PK\x06\x07") != 0) {
      return Status::Corruption(path + ": zip64 archive without its locator");
    }
    const uint64_t rec = Le(z, eocd - 20 + 8, 8);
    if (rec + 56 > z.size() || z.compare(rec, 4, "PK\x06\x06") != 0) {
      return Status::Corruption(path + ": bad zip64 end-of-central-directory record");
    }
    entries = Le(z, rec + 32, 8);
    cd = Le(z, rec + 48, 8);
  }
  std::map<std::string, NpyArray> out;
  size_t pos = cd;
  for (uint64_t e = 0; e < entries; ++e) {
    if (pos + 46 > z.size() || z.compare(pos, 4, "PK\x01\x02") != 0) {
      return Status::Corruption(path + ": bad central directory entry " + std::to_string(e));
    }
    const uint64_t method = Le(z, pos + 10, 2);
    uint64_t csize = Le(z, pos + 20, 4), usize = Le(z, pos + 24, 4);
    const size_t nlen = Le(z, pos + 28, 2), xlen = Le(z, pos + 30, 2), clen = Le(z, pos + 32, 2);
    uint64_t local = Le(z, pos + 42, 4);
    if (pos + 46 + nlen + xlen + clen > z.size()) {
      return Status::Corruption(path + ": central directory entry " + std::to_string(e) +
                                " runs past the end");
    }
    std::string name = z.substr(pos + 46, nlen);
    // zip64 extra field: the 0xFFFFFFFF fields, in order usize, csize, offset.
    const size_t extra_end = pos + 46 + nlen + xlen;
    for (size_t x = pos + 46 + nlen; x + 4 <= extra_end;) {
      const uint64_t id = Le(z, x, 2), len = Le(z, x + 2, 2);
      const size_t field_end = x + 4 + len;
      if (field_end > extra_end) return Status::Corruption(path + ":" + name + ": extra field runs past its entry");
      if (id == 1) {
        size_t f = x + 4;
        const auto next = [&](uint64_t* value) {
          if (*value != 0xFFFFFFFFu) return true;
          if (f + 8 > field_end) return false;
          *value = Le(z, f, 8);
          f += 8;
          return true;
        };
        if (!next(&usize) || !next(&csize) || !next(&local)) {
          return Status::Corruption(path + ":" + name + ": zip64 extra field too short");
        }
      }
      x = field_end;
    }
    pos += 46 + nlen + xlen + clen;
    const std::string what = path + ":" + name;
    if (local + 30 > z.size() || z.compare(local, 4, "PK\x03\x04") != 0) {
      return Status::Corruption(what + ": bad local header");
    }
    const uint64_t data = local + 30 + Le(z, local + 26, 2) + Le(z, local + 28, 2);
    if (data + csize > z.size()) return Status::Corruption(what + ": member runs past the end");
    std::string raw = z.substr(data, csize);
    if (method == 8) {
      // Deflate expands at most ~1032:1; a larger claim would only make us allocate it.
      if (usize > 1032 * csize + 1024) {
        return Status::Corruption(what + ": declares " + std::to_string(usize) + " bytes inflated from " +
                                  std::to_string(csize) + ", more than deflate can produce");
      }
      SG_ASSIGN_OR_RETURN(raw, Inflate(raw, usize, what));
    } else if (method != 0) {
      return Status::InvalidArgument(what + ": unsupported zip compression method " +
                                     std::to_string(method) + " (expected stored or deflate)");
    }
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) {
      name.resize(name.size() - 4);
    }
    SG_ASSIGN_OR_RETURN(out[name], ParseNpy(raw, what));
  }
  return out;
}

StatusOr<NpyArray> ReadNpy(const std::string& path) {
  SG_ASSIGN_OR_RETURN(std::string bytes, internal::ReadWholeFile(path));
  return ParseNpy(bytes, path);
}

StatusOr<NpzCsr> CsrFromNpz(const std::map<std::string, NpyArray>& npz, const std::string& prefix,
                            const std::string& path) {
  const auto get = [&](const std::string& key) -> StatusOr<std::vector<int64_t>> {
    auto it = npz.find(prefix + key);
    if (it == npz.end()) {
      return Status::InvalidArgument(path + ": no member '" + prefix + key +
                                     "' (a sparse matrix needs " + prefix + "shape, " + prefix +
                                     "indptr, " + prefix + "indices)");
    }
    return it->second.ToInt64(path + ":" + prefix + key);
  };
  NpzCsr m;
  SG_ASSIGN_OR_RETURN(auto shape, get("shape"));
  if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0) {
    return Status::InvalidArgument(path + ": " + prefix + "shape must hold two sizes");
  }
  m.rows = shape[0];
  m.cols = shape[1];
  SG_ASSIGN_OR_RETURN(m.indptr, get("indptr"));
  SG_ASSIGN_OR_RETURN(m.indices, get("indices"));
  const int64_t nnz = static_cast<int64_t>(m.indices.size());
  if (static_cast<int64_t>(m.indptr.size()) != m.rows + 1 || m.indptr.front() != 0 ||
      m.indptr.back() != nnz || !std::is_sorted(m.indptr.begin(), m.indptr.end())) {
    return Status::InvalidArgument(path + ": " + prefix + "indptr does not match " + prefix +
                                   "shape and " + prefix + "indices");
  }
  for (const int64_t c : m.indices) {
    if (c < 0 || c >= m.cols) {
      return Status::InvalidArgument(path + ": " + prefix + "indices holds " + std::to_string(c) +
                                     ", outside [0, " + std::to_string(m.cols) + ")");
    }
  }
  if (auto it = npz.find(prefix + "data"); it != npz.end()) {
    SG_ASSIGN_OR_RETURN(m.data, it->second.ToDouble(path + ":" + prefix + "data"));
    if (static_cast<int64_t>(m.data.size()) != nnz) {
      return Status::InvalidArgument(path + ": " + prefix + "data and " + prefix +
                                     "indices differ in length");
    }
  } else {
    m.data.assign(static_cast<size_t>(nnz), 1.0);
  }
  return m;
}

StatusOr<std::vector<float>> DenseRows(const NpzCsr& m, const std::string& what) {
  SG_ASSIGN_OR_RETURN(std::vector<float> out, internal::DenseZeros<float>(m.rows, m.cols, what));
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int64_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
      out[r * m.cols + m.indices[e]] += static_cast<float>(m.data[e]);
    }
  }
  return out;
}

// ---- gnn-benchmark ------------------------------------------------------------------------

StatusOr<StaticDataset> LoadGnnBenchmarkNpz(const std::string& path, const NpzSplitOptions& split) {
  SG_ASSIGN_OR_RETURN(auto npz, ReadNpz(path));
  const auto get = [&](const char* key) -> StatusOr<const NpyArray*> {
    auto it = npz.find(key);
    if (it == npz.end()) {
      return Status::InvalidArgument(path + ": gnn-benchmark npz has no member '" +
                                     std::string(key) + "'");
    }
    return &it->second;
  };
  StaticDataset d;
  d.name = std::filesystem::path(path).stem().string();
  SG_ASSIGN_OR_RETURN(const NpzCsr adj, CsrFromNpz(npz, "adj_", path));
  if (adj.rows != adj.cols) return Status::InvalidArgument(path + ": adj_shape must be square");
  d.num_nodes = adj.rows;
  for (int64_t u = 0; u < d.num_nodes; ++u) {
    for (int64_t e = adj.indptr[u]; e < adj.indptr[u + 1]; ++e) {
      d.edge_src.push_back(u);
      d.edge_dst.push_back(adj.indices[e]);
    }
  }
  // Attributes: sparse attr_* or dense attr_matrix.
  if (npz.count("attr_matrix")) {
    const NpyArray& m = npz["attr_matrix"];
    SG_ASSIGN_OR_RETURN(auto values, m.ToDouble(path + ":attr_matrix"));
    if (m.shape.size() != 2 || m.shape[0] != d.num_nodes) {
      return Status::InvalidArgument(path + ": attr_matrix must be num_nodes x dim");
    }
    d.feature_dim = m.shape[1];
    d.features.assign(values.begin(), values.end());
  } else if (npz.count("attr_shape")) {
    SG_ASSIGN_OR_RETURN(const NpzCsr attr, CsrFromNpz(npz, "attr_", path));
    if (attr.rows != d.num_nodes) {
      return Status::InvalidArgument(path + ": attr_shape must have num_nodes rows");
    }
    d.feature_dim = attr.cols;
    SG_ASSIGN_OR_RETURN(d.features, DenseRows(attr, path + ": attr_"));
  }
  SG_ASSIGN_OR_RETURN(const NpyArray* labels_a, get("labels"));
  SG_ASSIGN_OR_RETURN(d.labels, labels_a->ToInt64(path + ":labels"));
  if (static_cast<int64_t>(d.labels.size()) != d.num_nodes) {
    return Status::InvalidArgument(path + ": labels has " + std::to_string(d.labels.size()) +
                                   " entries, expected one per node (" + std::to_string(d.num_nodes) + ")");
  }
  for (size_t v = 0; v < d.labels.size(); ++v) {
    if (d.labels[v] < -1 || d.labels[v] >= (int64_t{1} << 31)) {
      return Status::InvalidArgument(path + ": labels[" + std::to_string(v) + "] = " +
                                     std::to_string(d.labels[v]) + " is not a class index (in [0, " +
                                     "2^31), or -1 for none)");
    }
    d.num_classes = std::max(d.num_classes, d.labels[v] + 1);
  }
  internal::DrawSplit(&d, split.per_class_train, split.num_val, split.num_test, split.seed);
  SG_RETURN_IF_ERROR(d.Validate().WithPrefix(path));
  return d;
}

}  // namespace streamgnn::datasets
