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

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

// The largest policy file, imports included one by one (contract §8).
inline constexpr size_t kMaxPolicyBytes = 1024 * 1024;

struct CompileOptions {
  // Reads an imported file; defaults to the file system. Returns nullopt when
  // the file cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
  // Dump the IR after this named pass to stderr ("" = none).
  std::string dump_after;
};

struct CompileResult {
  std::shared_ptr<const Policy> policy;
  Diagnostics diagnostics;
  SourceSet sources;
};

CompileResult CompileFile(const std::string& path, const CompileOptions& options = {});
CompileResult CompileSource(const std::string& path, std::string text,
                            const CompileOptions& options = {});

// Names of the front-end passes, in the order the driver runs them.
const std::vector<std::string>& PassNames();

}  // namespace mixtral
