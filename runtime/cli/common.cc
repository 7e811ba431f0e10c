#include "common.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace mixtral::cli {

std::optional<std::string> ReadInput(const std::string& path, size_t max_bytes) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return std::nullopt;
    in = &file;
  }
  std::string text;
  char buf[1 << 16];
  while (text.size() <= max_bytes && in->read(buf, sizeof buf).gcount() > 0) {
    text.append(buf, static_cast<size_t>(in->gcount()));
    if (in->eof()) break;
  }
  if (in->bad()) return std::nullopt;
  if (text.size() > max_bytes + 1) text.resize(max_bytes + 1);
  return text;
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
