#include "args.h"

namespace mixtral::cli {

std::optional<std::string> Args::Parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-" || a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string value;
    bool inline_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    if (switches_.count(a)) {
      if (inline_value) return "flag " + a + " takes no value";
      seen_.insert(a);
    } else if (with_value_.count(a)) {
      if (!inline_value) {
        if (i + 1 >= argc) return "flag " + a + " needs a value";
        value = argv[++i];
      }
      if (seen_.count(a)) return "flag " + a + " is given twice";
      seen_.insert(a);
      values_[a] = value;
    } else {
      return "unknown flag " + a;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace mixtral::cli
