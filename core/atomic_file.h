// Files written atomically: readers see the old file or the whole new one, never a torn one.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "core/status.h"

namespace streamgnn::core {

// Writes `path` atomically: `body` writes into a temporary file next to it, which is flushed,
// fsync'ed and renamed over `path`, and the folder is fsync'ed so that the rename survives a
// machine crash. On any failure the temporary file is removed and `path` is left as it was.
// `body` must return a non-ok Status on its own errors.
Status WriteFileAtomic(const std::string& path, const std::function<Status(std::FILE*)>& body);

}  // namespace streamgnn::core
