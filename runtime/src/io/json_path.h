// Internal: JSON paths in error messages: `request.tier`, `request.tags[2]`,
// `snapshot.targets[3].p95_ms`, and `request.limits["a.b"]` for a key that
// would otherwise read ambiguously.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mixtral::io {

void AppendPathKey(std::string* path, std::string_view key);
void AppendPathIndex(std::string* path, size_t index);

// One step of a path, linked to its parent on the stack. Binding walks the
// document with these and renders a string only when it reports an error, so
// the happy path allocates nothing for paths.
struct PathNode {
  const PathNode* parent = nullptr;
  std::string_view key;  // the root's name, or a member name
  size_t index = 0;
  bool is_index = false;

  static PathNode Root(std::string_view name) { return PathNode{nullptr, name, 0, false}; }
  PathNode Member(std::string_view k) const { return PathNode{this, k, 0, false}; }
  PathNode Index(size_t i) const { return PathNode{this, {}, i, true}; }

  std::string Render() const;
};

}  // namespace mixtral::io
