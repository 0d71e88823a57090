#include "datasets/cache.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/atomic_file.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .sgds cache stores raw little-endian arrays");

namespace {

constexpr char kMagic[8] = {'S', 'G', 'D', 'S', 'C', 'A', 'C', 'H'};
constexpr uint32_t kEndMagic = 0x45534753;  // "SGSE"
// Counts above this are not plausible for one machine's RAM and are treated as corruption
// (they also keep every size computation far from overflow).
constexpr uint64_t kMaxCount = uint64_t{1} << 42;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t key_len, name_len;
  int64_t num_nodes, num_users, num_events, edge_feat_dim, node_feat_dim;
  uint64_t n_labels, n_edge_feat, n_node_feat, n_split, n_orig;
};
static_assert(sizeof(Header) == 112, "Header must have no padding");

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Writes bytes and folds them into the running CRC.
struct CrcWriter {
  std::FILE* f;
  uLong crc = crc32(0L, Z_NULL, 0);
  bool Write(const void* p, size_t n) {
    if (n == 0) return true;
    crc = crc32_z(crc, static_cast<const Bytef*>(p), n);
    return std::fwrite(p, 1, n, f) == n;
  }
};

struct CrcReader {
  std::FILE* f;
  uLong crc = crc32(0L, Z_NULL, 0);
  bool Read(void* p, size_t n) {
    if (n == 0) return true;
    if (std::fread(p, 1, n, f) != n) return false;
    crc = crc32_z(crc, static_cast<const Bytef*>(p), n);
    return true;
  }
  template <typename T>
  bool ReadVector(std::vector<T>* v, uint64_t n) {
    v->resize(n);
    return Read(v->data(), n * sizeof(T));
  }
};

}  // namespace

std::string DefaultCacheDir() {
  if (const char* d = std::getenv("STREAMGNN_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0') {
    return std::string(d) + "/streamgnn";
  }
  if (const char* d = std::getenv("HOME"); d != nullptr && *d != '\0') {
    return std::string(d) + "/.cache/streamgnn";
  }
  return "";
}

std::string CacheFileName(const std::string& name, const std::string& key_text) {
  std::string safe = name.empty() ? "dataset" : name;
  for (char& c : safe) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      c = '_';
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(internal::HashBytes(key_text)));
  return safe + "-" + hex + ".sgds";
}

StatusOr<TemporalDataset> ReadDatasetCache(const std::string& path, const std::string& key_text) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path + ": no cache file");
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption(path + ": invalid dataset cache (" + what + ")");
  };
  struct stat st;
  if (fstat(fileno(f.get()), &st) != 0) return Status::IOError(path + ": cannot stat");
  std::vector<char> buffer(size_t{1} << 20);
  std::setvbuf(f.get(), buffer.data(), _IOFBF, buffer.size());

  CrcReader in{f.get()};
  Header h;
  if (!in.Read(&h, sizeof(h))) return corrupt("short header");
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) return corrupt("bad magic");
  if (h.version != kCacheFormatVersion) {
    return corrupt("version " + std::to_string(h.version) + ", expected " +
                   std::to_string(kCacheFormatVersion));
  }
  const uint64_t counts[] = {h.key_len,  h.name_len,    static_cast<uint64_t>(h.num_events),
                             h.n_labels, h.n_edge_feat, h.n_node_feat,
                             h.n_split,  h.n_orig,      static_cast<uint64_t>(h.num_nodes)};
  for (uint64_t c : counts) {
    if (c > kMaxCount) return corrupt("implausible array size");
  }
  const uint64_t e = static_cast<uint64_t>(h.num_events);
  const uint64_t expected = sizeof(Header) + h.key_len + h.name_len + e * (8 + 8 + 8) +
                            h.n_labels * 4 + h.n_edge_feat * 4 + h.n_node_feat * 4 + h.n_split +
                            h.n_orig * 8 + 8;
  if (static_cast<uint64_t>(st.st_size) != expected) {
    return corrupt("file has " + std::to_string(st.st_size) + " bytes, header implies " +
                   std::to_string(expected));
  }
  std::string key(h.key_len, '\0');
  if (!in.Read(key.data(), key.size())) return corrupt("short key");
  if (key != key_text) return corrupt("written for a different source or options");

  TemporalDataset ds;
  ds.name.resize(h.name_len);
  if (!in.Read(ds.name.data(), ds.name.size())) return corrupt("short name");
  ds.num_nodes = h.num_nodes;
  ds.num_users = h.num_users;
  ds.edge_feat_dim = h.edge_feat_dim;
  ds.node_feat_dim = h.node_feat_dim;
  if (!in.ReadVector(&ds.src, e) || !in.ReadVector(&ds.dst, e) || !in.ReadVector(&ds.ts, e) ||
      !in.ReadVector(&ds.labels, h.n_labels) || !in.ReadVector(&ds.edge_feat, h.n_edge_feat) ||
      !in.ReadVector(&ds.node_feat, h.n_node_feat) || !in.ReadVector(&ds.split, h.n_split) ||
      !in.ReadVector(&ds.original_node_ids, h.n_orig)) {
    return corrupt("short data");
  }
  const uint32_t computed = static_cast<uint32_t>(in.crc);
  uint32_t trailer[2];
  if (std::fread(trailer, 4, 2, f.get()) != 2) return corrupt("short trailer");
  if (trailer[0] != computed) return corrupt("checksum mismatch");
  if (trailer[1] != kEndMagic) return corrupt("bad end marker");
  Status valid = Validate(ds);
  if (!valid.ok()) return corrupt(valid.message());
  return ds;
}

Status WriteDatasetCache(const std::string& path, const std::string& key_text,
                         const TemporalDataset& ds) {
  SG_RETURN_IF_ERROR(Validate(ds));
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return Status::IOError(parent.string() + ": cannot create: " + ec.message());
  }
  Header h;
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kCacheFormatVersion;
  h.reserved = 0;
  h.key_len = key_text.size();
  h.name_len = ds.name.size();
  h.num_nodes = ds.num_nodes;
  h.num_users = ds.num_users;
  h.num_events = ds.num_events();
  h.edge_feat_dim = ds.edge_feat_dim;
  h.node_feat_dim = ds.node_feat_dim;
  h.n_labels = ds.labels.size();
  h.n_edge_feat = ds.edge_feat.size();
  h.n_node_feat = ds.node_feat.size();
  h.n_split = ds.split.size();
  h.n_orig = ds.original_node_ids.size();
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    CrcWriter out{f};
    auto vec = [&](const auto& v) { return out.Write(v.data(), v.size() * sizeof(v[0])); };
    bool ok = out.Write(&h, sizeof(h)) && out.Write(key_text.data(), key_text.size()) &&
              out.Write(ds.name.data(), ds.name.size()) && vec(ds.src) && vec(ds.dst) &&
              vec(ds.ts) && vec(ds.labels) && vec(ds.edge_feat) && vec(ds.node_feat) &&
              vec(ds.split) && vec(ds.original_node_ids);
    const uint32_t trailer[2] = {static_cast<uint32_t>(out.crc), kEndMagic};
    ok = ok && std::fwrite(trailer, 4, 2, f) == 2;
    if (!ok) return Status::IOError(path + ": write failed: " + std::strerror(errno));
    return Status::Ok();
  });
}

}  // namespace streamgnn::datasets
