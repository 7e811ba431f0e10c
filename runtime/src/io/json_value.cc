#include <algorithm>
#include <iterator>

#include "io/json_doc.h"

namespace mixtral::io {
namespace {

struct KeyLess {
  bool operator()(const JsonValue::Member& m, std::string_view key) const { return m.first < key; }
};

}  // namespace

std::optional<double> JsonValue::as_number() const {
  if (auto* i = as_int()) {
    return static_cast<double>(*i);
  }
  if (auto* d = as_double()) {
    return *d;
  }
  if (auto* b = as_big_int()) {
    return b->value;
  }
  return std::nullopt;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  const Object* obj = as_object();
  if (obj == nullptr) {
    return nullptr;
  }
  auto it = std::lower_bound(obj->begin(), obj->end(), key, KeyLess{});
  if (it == obj->end() || it->first != key) {
    return nullptr;
  }
  return &it->second;
}

void JsonValue::Set(std::string key, JsonValue value) {
  Object* obj = mutable_object();
  if (obj == nullptr) {
    return;
  }
  auto it = std::lower_bound(obj->begin(), obj->end(), key, KeyLess{});
  if (it != obj->end() && it->first == key) {
    it->second = std::move(value);
  } else {
    obj->emplace(it, std::move(key), std::move(value));
  }
}

const char* JsonValue::KindName() const {
  // Indexed like Data; a big integer is still an int to the person who wrote it.
  static constexpr const char* kNames[] = {"null", "bool",   "int",   "float",
                                           "int",  "string", "array", "object"};
  static_assert(std::size(kNames) == std::variant_size_v<Data>);
  return kNames[data_.index()];
}

}  // namespace mixtral::io
