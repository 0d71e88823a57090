#include "datasets/writers.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "core/atomic_file.h"
#include "datasets/npy.h"
#include "datasets/text_io.h"

namespace streamgnn::datasets {

namespace {

// Accumulates text and hands it to the file in large pieces.
class TextSink {
 public:
  explicit TextSink(std::FILE* f) : f_(f) { buf_.reserve(kFlushAt + 4096); }

  void Str(std::string_view s) { buf_.append(s); }
  void Char(char c) { buf_.push_back(c); }
  template <typename T>
  void Num(T v) {
    char tmp[64];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp), v);
    buf_.append(tmp, end);
  }
  // Ends a line; flushes when the buffer is large. Returns false on a write error.
  bool EndLine() {
    buf_.push_back('\n');
    return buf_.size() < kFlushAt || Flush();
  }
  bool Flush() {
    const bool ok = std::fwrite(buf_.data(), 1, buf_.size(), f_) == buf_.size();
    buf_.clear();
    return ok;
  }

 private:
  static constexpr size_t kFlushAt = size_t{1} << 20;
  std::FILE* f_;
  std::string buf_;
};

Status WriteError(const std::string& path) {
  return Status::IOError(path + ": write failed: " + std::strerror(errno));
}

}  // namespace

Status WriteTglCsv(const TemporalDataset& ds, const std::string& path,
                   const TglWriteOptions& options) {
  SG_RETURN_IF_ERROR(Validate(ds));
  if (!(options.val_fraction >= 0 && options.test_fraction >= 0 &&
        options.val_fraction + options.test_fraction < 1)) {
    return Status::InvalidArgument("TGL split fractions must be >= 0 and sum to < 1");
  }
  const std::vector<int8_t> split =
      ds.split.empty() ? ChronologicalSplit(ds.ts, options.val_fraction, options.test_fraction)
                       : ds.split;
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    TextSink out(f);
    out.Str(",src,dst,time,int_roll,ext_roll");
    if (!out.EndLine()) return WriteError(path);
    for (int64_t i = 0; i < ds.num_events(); ++i) {
      out.Num(i);
      out.Char(',');
      out.Num(ds.src[i]);
      out.Char(',');
      out.Num(ds.dst[i]);
      out.Char(',');
      out.Num(ds.ts[i]);
      out.Str(",0,");
      out.Num(static_cast<int>(split[i]));
      if (!out.EndLine()) return WriteError(path);
    }
    return out.Flush() ? Status::Ok() : WriteError(path);
  });
}

Status WriteCsv(const TemporalDataset& ds, const std::string& path) {
  SG_RETURN_IF_ERROR(Validate(ds));
  const bool labels = !ds.labels.empty();
  const int64_t dim = ds.edge_feat_dim;
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    TextSink out(f);
    out.Str("src,dst,time");
    if (labels) out.Str(",label");
    for (int64_t k = 0; k < dim; ++k) {
      out.Str(",f");
      out.Num(k);
    }
    if (!out.EndLine()) return WriteError(path);
    for (int64_t i = 0; i < ds.num_events(); ++i) {
      out.Num(ds.src[i]);
      out.Char(',');
      out.Num(ds.dst[i]);
      out.Char(',');
      out.Num(ds.ts[i]);
      if (labels) {
        out.Char(',');
        out.Num(ds.labels[i]);
      }
      for (int64_t k = 0; k < dim; ++k) {
        out.Char(',');
        out.Num(ds.edge_feat[i * dim + k]);
      }
      if (!out.EndLine()) return WriteError(path);
    }
    return out.Flush() ? Status::Ok() : WriteError(path);
  });
}

Status WriteMlCsv(const TemporalDataset& ds, const std::string& path) {
  SG_RETURN_IF_ERROR(Validate(ds));
  std::string base = path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".csv") == 0) base.resize(base.size() - 4);
  NpyMatrix edges;
  edges.rows = ds.num_events() + 1;
  edges.cols = std::max<int64_t>(ds.edge_feat_dim, 1);
  edges.data.assign(static_cast<size_t>(edges.rows * edges.cols), 0.f);
  std::copy(ds.edge_feat.begin(), ds.edge_feat.end(), edges.data.begin() + edges.cols);
  SG_RETURN_IF_ERROR(WriteNpyMatrix(base + ".npy", edges));
  NpyMatrix nodes;
  nodes.rows = ds.num_nodes + 1;
  nodes.cols = std::max<int64_t>(ds.node_feat_dim, 1);
  nodes.data.assign(static_cast<size_t>(nodes.rows * nodes.cols), 0.f);
  std::copy(ds.node_feat.begin(), ds.node_feat.end(), nodes.data.begin() + nodes.cols);
  SG_RETURN_IF_ERROR(WriteNpyMatrix(base + "_node.npy", nodes));
  return core::WriteFileAtomic(path, [&](std::FILE* f) {
    TextSink out(f);
    out.Str(",u,i,ts,label,idx");
    if (!out.EndLine()) return WriteError(path);
    for (int64_t i = 0; i < ds.num_events(); ++i) {
      out.Num(i);
      out.Char(',');
      out.Num(ds.src[i] + 1);
      out.Char(',');
      out.Num(ds.dst[i] + 1);
      out.Char(',');
      out.Num(ds.ts[i]);
      out.Char(',');
      out.Num(ds.labels.empty() ? 0 : ds.labels[i]);
      out.Char(',');
      out.Num(i + 1);
      if (!out.EndLine()) return WriteError(path);
    }
    return out.Flush() ? Status::Ok() : WriteError(path);
  });
}

}  // namespace streamgnn::datasets
