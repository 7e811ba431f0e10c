#include "io/json_path.h"

#include "io/json_text.h"

namespace mixtral::io {
namespace {

// Keys like `gpu`, `p95_ms` or `edge-eu-west` print bare after a dot.
bool IsBareKey(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

void AppendPathKey(std::string* path, std::string_view key) {
  if (IsBareKey(key)) {
    path->push_back('.');
    path->append(key);
  } else {
    path->push_back('[');
    AppendJsonString(path, key);
    path->push_back(']');
  }
}

void AppendPathIndex(std::string* path, size_t index) {
  path->push_back('[');
  path->append(std::to_string(index));
  path->push_back(']');
}

std::string PathNode::Render() const {
  if (parent == nullptr) {
    return std::string(key);
  }
  std::string path = parent->Render();
  if (is_index) {
    AppendPathIndex(&path, index);
  } else {
    AppendPathKey(&path, key);
  }
  return path;
}

}  // namespace mixtral::io
