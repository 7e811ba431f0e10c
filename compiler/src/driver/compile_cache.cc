#include "driver/compile_cache.h"

#include "mixtral/stdlib/bytes.h"

namespace mixtral {

CompileCache::CompileCache(size_t max_entries) : impl(std::make_unique<Impl>()) {
  impl->max_entries = max_entries;
}
CompileCache::~CompileCache() = default;

CompileCache::Stats CompileCache::stats() const {
  std::lock_guard<std::mutex> lock(impl->mu);
  return impl->stats;
}

std::optional<CompileResult> CompileCache::Impl::Find(const std::string& path,
                                                      const std::string& root_sha,
                                                      const Reader& read) {
  std::vector<std::pair<std::string, std::string>> imports;
  std::optional<CompileResult> found;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const Entry& e : lru) {
      if (e.path == path && e.root_sha == root_sha) {
        imports = e.imports;
        found = e.result;
        break;
      }
    }
    if (!found) ++stats.misses;
  }
  if (!found) return std::nullopt;
  // Imports are read outside the lock: `read` may be slow or re-enter.
  for (const auto& [import, sha] : imports) {
    std::optional<std::string> bytes = read(import);
    if (!bytes || Sha256Hex(*bytes) != sha) {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.misses;
      return std::nullopt;
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  ++stats.hits;
  for (auto it = lru.begin(); it != lru.end(); ++it) {
    if (it->path == path && it->root_sha == root_sha) {
      lru.splice(lru.begin(), lru, it);
      break;
    }
  }
  found->from_cache = true;
  found->timings = CompileTimings{};
  return found;
}

void CompileCache::Impl::Insert(Entry entry) {
  std::lock_guard<std::mutex> lock(mu);
  if (max_entries == 0) return;
  // One entry per root: a newer compile (an import changed) replaces it.
  lru.remove_if(
      [&](const Entry& e) { return e.path == entry.path && e.root_sha == entry.root_sha; });
  lru.push_front(std::move(entry));
  while (lru.size() > max_entries) lru.pop_back();
}

}  // namespace mixtral
