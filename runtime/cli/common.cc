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

CompileResult CompileAndReport(const std::string& path, bool werror, bool* ok) {
  CompileResult r = CompileFile(path);
  for (const Diagnostic& d : r.diagnostics.Sorted()) std::cerr << RenderDiagnostic(d, r.sources);
  *ok = r.policy != nullptr;
  if (*ok && werror && r.diagnostics.warning_count() > 0) {
    std::cerr << path << ": warnings are errors (--werror)\n";
    *ok = false;
  }
  return r;
}

std::shared_ptr<const Policy> CompileReporting(const std::string& path, bool werror) {
  bool ok = false;
  CompileResult r = CompileAndReport(path, werror, &ok);
  return ok ? r.policy : nullptr;
}

}  // namespace mixtral::cli
