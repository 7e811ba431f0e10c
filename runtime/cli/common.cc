#include "common.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace mixtral::cli {

std::optional<std::string> ReadInput(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

std::shared_ptr<const Policy> CompileReporting(const std::string& path, bool werror) {
  CompileResult r = CompileFile(path);
  for (const Diagnostic& d : r.diagnostics.Sorted()) std::cerr << RenderDiagnostic(d, r.sources);
  if (!r.policy) return nullptr;
  if (werror && r.diagnostics.warning_count() > 0) {
    std::cerr << path << ": warnings are errors (--werror)\n";
    return nullptr;
  }
  return r.policy;
}

}  // namespace mixtral::cli
