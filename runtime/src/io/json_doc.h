// Internal: a parsed JSON document, as the binders and the canonicalizer need
// it. nlohmann/json tokenizes (json_parse.cc); this tree keeps what its DOM
// loses: whether a number outside int64 was written as an integer literal
// (so an int field can say "integer out of range" rather than "wrong type"),
// and duplicate keys are rejected instead of silently overwritten.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mixtral/runtime/inputs.h"

namespace mixtral::io {

// An integer literal that does not fit int64, held as the nearest double.
struct JsonBigInt {
  double value;
};

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  // Sorted by key in byte order, which for UTF-8 is code-point order
  // (contract §12), with unique keys.
  using Object = std::vector<Member>;
  using Data =
      std::variant<std::nullptr_t, bool, int64_t, double, JsonBigInt, std::string, Array, Object>;

  JsonValue() = default;
  explicit JsonValue(Data data) : data_(std::move(data)) {}

  const Data& data() const { return data_; }
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(data_); }
  const bool* as_bool() const { return std::get_if<bool>(&data_); }
  const int64_t* as_int() const { return std::get_if<int64_t>(&data_); }
  const double* as_double() const { return std::get_if<double>(&data_); }
  const JsonBigInt* as_big_int() const { return std::get_if<JsonBigInt>(&data_); }
  const std::string* as_string() const { return std::get_if<std::string>(&data_); }
  const Array* as_array() const { return std::get_if<Array>(&data_); }
  const Object* as_object() const { return std::get_if<Object>(&data_); }
  Array* mutable_array() { return std::get_if<Array>(&data_); }
  Object* mutable_object() { return std::get_if<Object>(&data_); }

  // Any number, as a double (ints rounded to nearest, ties to even).
  std::optional<double> as_number() const;

  // The member `key` of an object; nullptr when absent or not an object.
  const JsonValue* Find(std::string_view key) const;
  // Adds or replaces a member of an object, keeping the order.
  void Set(std::string key, JsonValue value);

  // "null", "bool", "int", "float", "string", "array" or "object", for messages.
  const char* KindName() const;

 private:
  Data data_;
};

// Size, UTF-8 and nesting depth, checked on the raw text before any parser
// sees it. Errors are located at `root` (e.g. "request").
std::optional<InputError> PrecheckJson(std::string_view text, size_t max_bytes,
                                       std::string_view root);

// PrecheckJson, then parse. Syntax errors carry the byte offset.
std::optional<InputError> ParseJson(std::string_view text, size_t max_bytes, std::string_view root,
                                    JsonValue* out);

// Contract §12. Integer literals outside int64 are written as floats: that is
// the value every consumer reads.
void WriteCanonical(const JsonValue& value, std::string* out);

}  // namespace mixtral::io
