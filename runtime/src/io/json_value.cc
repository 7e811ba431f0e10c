#include <algorithm>

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
  switch (data_.index()) {
    case 0:
      return "null";
    case 1:
      return "bool";
    case 2:
      return "int";
    case 3:
      return "float";
    case 4:
      return "int";
    case 5:
      return "string";
    case 6:
      return "array";
    case 7:
      return "object";
  }
  return "?";
}

}  // namespace mixtral::io
