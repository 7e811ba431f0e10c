// Compiling a policy: source text in, a checked Policy or diagnostics out.
//
//   mixtral::CompileOptions opts;
//   mixtral::CompileResult r = mixtral::CompileFile("policy.mxl", opts);
//   for (const auto& d : r.diagnostics.Sorted())
//     std::cerr << mixtral::RenderDiagnostic(d, r.sources);
//   if (r.policy) { ... evaluate r.policy ... }
//
// `policy` is set only when there are no errors (warnings allowed). Nothing
// throws: hostile input of any kind comes back as located diagnostics.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

// The largest policy file, imports included one by one (contract §8).
inline constexpr size_t kMaxPolicyBytes = 1024 * 1024;

// Compiled policies kept for reuse, keyed by what the policy hash covers
// (contract §12): the exact bytes of the policy file and of every file it
// imports, re-read and compared on each lookup, so an edited import is a
// miss. Share one between compiles (hot reload, `bench`) to skip parsing and
// checking a source seen before. Bounded: the least recently used entry goes
// first. Thread-safe.
class CompileCache {
 public:
  explicit CompileCache(size_t max_entries = 16);
  ~CompileCache();
  CompileCache(const CompileCache&) = delete;
  CompileCache& operator=(const CompileCache&) = delete;
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  Stats stats() const;

  struct Impl;
  std::unique_ptr<Impl> impl;
};

struct CompileOptions {
  // Reads an imported file; defaults to the file system. Returns nullopt when
  // the file cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
  // Dump the IR after this named pass to stderr ("" = none).
  std::string dump_after;
  // Reuse earlier results for the same bytes; not consulted with dump_after.
  std::shared_ptr<CompileCache> cache;
};

// Front-end stage times, in milliseconds. Both are 0 on a cache hit.
struct CompileTimings {
  double parse_ms = 0;  // reading imports, parsing, building the AST
  double check_ms = 0;  // type checking and validation
};

struct CompileResult {
  std::shared_ptr<const Policy> policy;
  Diagnostics diagnostics;
  SourceSet sources;
  CompileTimings timings;
  bool from_cache = false;  // copied from CompileOptions::cache
};

CompileResult CompileFile(const std::string& path, const CompileOptions& options = {});
CompileResult CompileSource(const std::string& path, std::string text,
                            const CompileOptions& options = {});

// Names of the front-end passes, in the order the driver runs them.
const std::vector<std::string>& PassNames();

}  // namespace mixtral
