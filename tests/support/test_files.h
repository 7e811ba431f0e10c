// File and policy helpers for tests that read fixtures from disk: the
// malformed corpus, route16 and the goldens' library-side checks.
//
//   std::string text = mixtral::testing::ReadFile(path);        // "" if unreadable
//   for (const std::string& f : mixtral::testing::ListFiles(dir)) ...  // sorted
//   auto policy = mixtral::testing::CompilePolicyFile(path, &diagnostics);
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mixtral/compiler/compiler.h"

namespace mixtral::testing {

// The bytes of a file, or "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The regular files directly in `dir`, as full paths, sorted by name.
inline std::vector<std::string> ListFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file()) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The lines of a text, without their terminators; a final empty line is dropped.
inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Compiles a policy file. On failure returns nullptr and puts the rendered
// diagnostics in `*diagnostics`, so a test can print why.
inline std::shared_ptr<const Policy> CompilePolicyFile(const std::string& path,
                                                       std::string* diagnostics) {
  CompileResult r = CompileFile(path);
  diagnostics->clear();
  for (const Diagnostic& d : r.diagnostics.Sorted()) *diagnostics += RenderDiagnostic(d, r.sources);
  return r.policy;
}

}  // namespace mixtral::testing
