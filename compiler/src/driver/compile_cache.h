// CompileCache's internals (compiler.h): entries keyed by the root file's
// path and bytes, each listing the imports it read with their SHA-256, which
// Find re-reads and compares. Equal bytes for every file is exactly what the
// policy hash covers, and the front end is deterministic, so a hit is the
// result that compiling again would give.
#pragma once

#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mixtral/compiler/compiler.h"

namespace mixtral {

struct CompileCache::Impl {
  using Reader = std::function<std::optional<std::string>(const std::string&)>;
  struct Entry {
    std::string path;                                          // as given to CompileSource
    std::string root_sha;                                      // of the root file's bytes
    std::vector<std::pair<std::string, std::string>> imports;  // path as read, SHA-256
    CompileResult result;
  };

  // The cached result for this root, if every import still has its bytes.
  std::optional<CompileResult> Find(const std::string& path, const std::string& root_sha,
                                    const Reader& read);
  void Insert(Entry entry);

  size_t max_entries = 16;
  mutable std::mutex mu;
  std::list<Entry> lru;  // most recently used first
  Stats stats;
};

}  // namespace mixtral
