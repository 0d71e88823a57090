// Damaged-file tests of the RocksDB-backed stores (edge log, feature store): every file of a
// database folder, in turn, gets single-bit flips spread over it and truncations; the code under
// test opens and reads the folder after each, and the original bytes are put back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace streamgnn::testing {

// Calls `check(file name, damage)` after damaging one regular file under `dir` whose name
// `select` accepts: `flips` single-bit flips at evenly spread offsets (first and last byte
// included), then truncation to half and to all but the last byte. Before each damage the whole
// folder is restored from a copy taken first (opening a database may rewrite or delete files),
// and once more at the end. Returns the number of damages made.
inline int64_t ForEachDamage(const std::string& dir, const std::function<bool(const std::string&)>& select,
                             int flips, const std::function<void(const std::string&, const std::string&)>& check) {
  namespace fs = std::filesystem;
  const fs::path pristine = fs::path(dir).string() + ".pristine";
  fs::remove_all(pristine);
  fs::copy(dir, pristine, fs::copy_options::recursive);
  const auto restore = [&] {
    fs::remove_all(dir);
    fs::copy(pristine, dir, fs::copy_options::recursive);
  };
  int64_t made = 0;
  for (const auto& entry : fs::directory_iterator(pristine)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !select(name)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (original.empty()) continue;
    std::vector<std::pair<std::string, std::string>> damages;
    for (int k = 0; k < flips; ++k) {
      const size_t at = flips > 1 ? (original.size() - 1) * k / (flips - 1) : 0;
      std::string bad = original;
      bad[at] = static_cast<char>(bad[at] ^ (1 << (k % 8)));
      damages.emplace_back("bit " + std::to_string(k % 8) + " of byte " + std::to_string(at) + " flipped", bad);
    }
    damages.emplace_back("truncated to half", original.substr(0, original.size() / 2));
    damages.emplace_back("last byte cut", original.substr(0, original.size() - 1));
    for (const auto& [what, bytes] : damages) {
      restore();
      std::ofstream(fs::path(dir) / name, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
      check(name, what);
      ++made;
    }
  }
  restore();
  fs::remove_all(pristine);
  return made;
}

}  // namespace streamgnn::testing
