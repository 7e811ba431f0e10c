// version_at_least: dotted numeric versions such as "v1.10.2".
#include <algorithm>
#include <optional>
#include <vector>

#include "builtins_impl.h"

namespace mixtral::stdlib_internal {
namespace {

// The components of "v1.10.2" as digit strings without leading zeros
// ({"1", "10", "2"}), or nullopt if the text is not such a version.
// Comparing digit strings rather than parsed integers means that no component
// is too long to compare.
std::optional<std::vector<std::string_view>> SplitVersion(std::string_view text) {
  if (text.starts_with('v')) {
    text.remove_prefix(1);
  }
  std::vector<std::string_view> parts;
  while (true) {
    const size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    if (part.empty()) {
      return std::nullopt;
    }
    for (char c : part) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
    }
    part.remove_prefix(std::min(part.find_first_not_of('0'), part.size()));
    parts.push_back(part);
    if (dot == std::string_view::npos) {
      break;
    }
    text.remove_prefix(dot + 1);
  }
  return parts;
}

// Orders two digit strings without leading zeros by numeric value.
int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return a.size() < b.size() ? -1 : 1;
  }
  return a.compare(b);
}

}  // namespace

Value VersionAtLeast(std::string_view version, std::string_view min) {
  const auto v = SplitVersion(version);
  const auto m = SplitVersion(min);
  if (!v || !m) {
    return Value::Missing();
  }
  const size_t n = std::max(v->size(), m->size());
  for (size_t i = 0; i < n; ++i) {
    // A missing component counts as 0, whose digit string here is empty.
    const std::string_view a = i < v->size() ? (*v)[i] : std::string_view();
    const std::string_view b = i < m->size() ? (*m)[i] : std::string_view();
    if (const int c = CompareNumbers(a, b); c != 0) {
      return Value::Bool(c > 0);
    }
  }
  return Value::Bool(true);
}

}  // namespace mixtral::stdlib_internal
