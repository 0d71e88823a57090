#include "service/edge_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace streamgnn::service {
namespace {

std::string Key(EdgeId id) {
  std::string key(8, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>((static_cast<uint64_t>(id) >> (56 - 8 * i)) & 0xff);
  return key;
}

EdgeId FromKey(const rocksdb::Slice& key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) v = (v << 8) | static_cast<uint8_t>(key[i]);
  return static_cast<EdgeId>(v);
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

template <typename T>
void Put(std::string* out, const T* data, size_t n) {
  out->append(reinterpret_cast<const char*>(data), n * sizeof(T));
}

template <typename T>
bool Get(const std::string& in, size_t* pos, T* data, size_t n) {
  const size_t bytes = n * sizeof(T);
  if (*pos + bytes > in.size()) return false;
  if (bytes) std::memcpy(data, in.data() + *pos, bytes);
  *pos += bytes;
  return true;
}

}  // namespace

std::string EncodeColumns(const EdgeColumns& b) {
  std::string out;
  const int64_t n = b.size();
  Put(&out, &n, 1);
  Put(&out, &b.feature_dim, 1);
  Put(&out, b.src.data(), n);
  Put(&out, b.dst.data(), n);
  Put(&out, b.time.data(), n);
  Put(&out, b.features.data(), b.features.size());
  return out;
}

Status DecodeColumns(const std::string& bytes, EdgeColumns* b) {
  size_t pos = 0;
  int64_t n = 0;
  if (!Get(bytes, &pos, &n, 1) || !Get(bytes, &pos, &b->feature_dim, 1) || n < 0 ||
      b->feature_dim < 0) {
    return Status::Corruption("edge log record header is damaged");
  }
  b->src.resize(n);
  b->dst.resize(n);
  b->time.resize(n);
  b->features.resize(static_cast<size_t>(n) * b->feature_dim);
  if (!Get(bytes, &pos, b->src.data(), n) || !Get(bytes, &pos, b->dst.data(), n) ||
      !Get(bytes, &pos, b->time.data(), n) ||
      !Get(bytes, &pos, b->features.data(), b->features.size()) || pos != bytes.size()) {
    return Status::Corruption("edge log record of " + std::to_string(n) + " edges has " +
                              std::to_string(bytes.size()) + " bytes");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<EdgeLog>> EdgeLog::Open(const EdgeLogOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("edge log path is empty");
  if (options.sync == SyncPolicy::kInterval && options.interval_ms < 1) {
    return Status::InvalidArgument("edge log sync interval must be >= 1 ms");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::IOError("cannot create " + options.path + ": " + ec.message());
  std::unique_ptr<EdgeLog> log(new EdgeLog(options));
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.manual_wal_flush = false;
  // RocksDB's default (point-in-time recovery) stops replaying the WAL at the first damaged
  // record and opens with everything after it gone: acknowledged edges lost without a word. Only
  // an incomplete last record (a write torn by a crash, never acknowledged) may be dropped;
  // damage anywhere else makes Open fail with Corruption.
  ro.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::DB* db = nullptr;
  SG_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(ro, options.path, &db), "opening edge log " + options.path));
  log->db_.reset(db);
  // Contiguity check; finds where the log ends.
  EdgeId expected = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const EdgeId first = FromKey(it->key());
    if (it->key().size() != 8 || first != expected) {
      return Status::Corruption(options.path + ": edge log record at edge " + std::to_string(first) +
                                " where edge " + std::to_string(expected) + " was expected");
    }
    int64_t n = 0;
    if (it->value().size() < sizeof(int64_t)) return Status::Corruption(options.path + ": short record");
    std::memcpy(&n, it->value().data(), sizeof(n));
    expected += n;
  }
  SG_RETURN_IF_ERROR(FromRocks(it->status(), "scanning edge log " + options.path));
  log->next_edge_.store(expected);
  if (options.sync == SyncPolicy::kInterval) log->syncer_ = std::thread([l = log.get()] { l->SyncLoop(); });
  return log;
}

EdgeLog::EdgeLog(EdgeLogOptions options) : options_(std::move(options)) {}

EdgeLog::~EdgeLog() {
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    stop_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (db_) db_->FlushWAL(true);
}

void EdgeLog::SyncLoop() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  while (!stop_) {
    sync_cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms));
    if (stop_) break;
    db_->FlushWAL(true);  // errors resurface on the next synced write
  }
}

Status EdgeLog::Append(EdgeId first_edge_id, const EdgeColumns& batch) {
  if (first_edge_id != next_edge_id()) {
    return Status::FailedPrecondition("edge log append at edge " + std::to_string(first_edge_id) +
                                      ", but the log ends at " + std::to_string(next_edge_id()));
  }
  if (batch.size() == 0) return Status::Ok();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync == SyncPolicy::kEveryBatch;
  SG_RETURN_IF_ERROR(FromRocks(db_->Put(wo, Key(first_edge_id), EncodeColumns(batch)),
                               "writing edge log " + options_.path));
  next_edge_.store(first_edge_id + batch.size(), std::memory_order_release);
  return Status::Ok();
}

Status EdgeLog::ForEach(const std::function<Status(EdgeId, const EdgeColumns&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  EdgeColumns batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    SG_RETURN_IF_ERROR(DecodeColumns(it->value().ToString(), &batch)
                           .WithPrefix(options_.path + ": record at edge " +
                                       std::to_string(FromKey(it->key()))));
    SG_RETURN_IF_ERROR(fn(FromKey(it->key()), batch));
  }
  return FromRocks(it->status(), "reading edge log " + options_.path);
}

StatusOr<EdgeColumns> EdgeLog::Read(EdgeId first, int64_t count, bool one_width) const {
  if (first < 0 || count < 0) return Status::InvalidArgument("edge range must be non-negative");
  EdgeColumns out;
  const EdgeId next = next_edge_id();
  if (first >= next) return out;
  const EdgeId end = count < next - first ? first + count : next;  // first + count may overflow
  if (first >= end) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  // The record holding `first` is the last one whose key is <= first.
  it->SeekForPrev(Key(first));
  if (!it->Valid()) it->SeekToFirst();
  EdgeColumns batch;
  for (; it->Valid(); it->Next()) {
    const EdgeId begin = FromKey(it->key());
    if (begin >= end) break;
    SG_RETURN_IF_ERROR(DecodeColumns(it->value().ToString(), &batch));
    if (out.size() == 0) out.feature_dim = batch.feature_dim;
    if (one_width && batch.feature_dim != out.feature_dim) {
      return Status::InvalidArgument("edges from id " + std::to_string(std::max(begin, first)) +
                                     " carry " + std::to_string(batch.feature_dim) +
                                     " features, earlier ones " + std::to_string(out.feature_dim));
    }
    for (int64_t i = 0; i < batch.size(); ++i) {
      const EdgeId id = begin + i;
      if (id < first || id >= end) continue;
      out.src.push_back(batch.src[i]);
      out.dst.push_back(batch.dst[i]);
      out.time.push_back(batch.time[i]);
      if (batch.feature_dim == out.feature_dim) {
        out.features.insert(out.features.end(), batch.features.begin() + i * batch.feature_dim,
                            batch.features.begin() + (i + 1) * batch.feature_dim);
      }
    }
  }
  SG_RETURN_IF_ERROR(FromRocks(it->status(), "reading edge log " + options_.path));
  if (out.features.size() != static_cast<size_t>(out.size()) * out.feature_dim) {
    out.feature_dim = 0;  // batches with different feature widths: columns only
    out.features.clear();
  }
  return out;
}

int64_t EdgeLog::ApproximateBytes() const {
  uint64_t sst = 0, mem = 0;
  db_->GetIntProperty("rocksdb.total-sst-files-size", &sst);
  db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &mem);
  return static_cast<int64_t>(sst + mem);
}

}  // namespace streamgnn::service
