// Binary cache of parsed datasets (.sgds files). LoadTemporal() writes one after each text parse
// and reads it back on the next load with the same key, which is far faster than parsing.
//
// The key is a text describing everything the parsed result depends on: the cache format
// version, the loader, its options, and the absolute path, size, mtime and inode of the source
// file and of its companions (or "absent"). The file name holds the key's 64-bit hash,
// `<cache_dir>/<name>-<16 hex>.sgds`; the file stores the full key text, so a hash collision or
// a renamed file cannot serve the wrong data. Changing a source file changes the key: the old
// entry is simply no longer looked up.
//
// File layout (little-endian): a fixed header (magic, version, counts), the key text, the name,
// then the raw arrays of TemporalDataset, then a CRC-32 of everything before it and an end
// marker. A reader checks magic, version, sizes against the file size, the key, the CRC and
// finally Validate(); any mismatch is reported as Corruption and the caller reparses.
// Files are written to a temporary name and renamed into place, so readers never see a torn file
// and concurrent writers of the same entry are harmless.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "datasets/temporal_dataset.h"

namespace streamgnn::datasets {

inline constexpr uint32_t kCacheFormatVersion = 1;

struct CacheOptions {
  bool enable = true;
  // Where .sgds files go; created if missing. Empty: DefaultCacheDir().
  std::string dir;
};

// $STREAMGNN_CACHE_DIR, else $XDG_CACHE_HOME/streamgnn, else $HOME/.cache/streamgnn; empty when
// none of these variables is set.
std::string DefaultCacheDir();

// "<name>-<16 hex digits of hash(key_text)>.sgds", with characters other than [A-Za-z0-9._-] in
// name replaced by '_'.
std::string CacheFileName(const std::string& name, const std::string& key_text);

// NotFound when `path` does not exist; Corruption (naming the path and the check that failed)
// when it is not a valid cache file for `key_text`.
StatusOr<TemporalDataset> ReadDatasetCache(const std::string& path, const std::string& key_text);

// Writes `ds` atomically, creating the parent directory if needed.
Status WriteDatasetCache(const std::string& path, const std::string& key_text,
                         const TemporalDataset& ds);

}  // namespace streamgnn::datasets
