// Value: the dynamic value domain shared by the interpreter and the built-ins.
//
// A Value is one of: missing, bool, int (int64), float (binary64), string,
// enum (an ordinal into a type the checker knows), list, set or map. Durations
// and times are ints in milliseconds; the checker keeps them apart by type.
// "Missing" is a value, not an error (contract §4): it covers absent fields,
// JSON null, integer division by zero and every operator applied to missing.
//
// Values are immutable and cheap to copy: strings and collections are shared.
//
//   Value v = Value::Int(3);
//   if (v.is_missing()) ...
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mixtral {

class Value {
 public:
  enum class Kind : uint8_t { kMissing, kBool, kInt, kFloat, kString, kEnum, kList, kSet, kMap };
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<Value, Value>>;  // sorted by key, unique keys

  Value() = default;
  static Value Missing() { return Value(); }
  static Value Bool(bool b) {
    Value v(Kind::kBool);
    v.u_.b = b;
    return v;
  }
  static Value Int(int64_t i) {
    Value v(Kind::kInt);
    v.u_.i = i;
    return v;
  }
  static Value Float(double f) {
    Value v(Kind::kFloat);
    v.u_.f = f;
    return v;
  }
  static Value Enum(uint32_t ordinal) {
    Value v(Kind::kEnum);
    v.u_.e = ordinal;
    return v;
  }
  static Value Str(std::string s);
  static Value ListOf(List items);
  // Sorts and removes duplicates so that equal sets compare equal.
  static Value SetOf(List items);
  // Sorts by key; a later duplicate key replaces an earlier one.
  static Value MapOf(Map entries);

  Kind kind() const { return kind_; }
  bool is_missing() const { return kind_ == Kind::kMissing; }
  bool as_bool() const { return u_.b; }
  int64_t as_int() const { return u_.i; }
  double as_float() const { return u_.f; }
  uint32_t as_enum() const { return u_.e; }
  std::string_view as_string() const {
    return kind_ == Kind::kString && heap_
               ? std::string_view(*static_cast<const std::string*>(heap_.get()))
               : std::string_view();
  }
  const List& as_list() const;  // lists and sets
  const Map& as_map() const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kMissing;
  union {
    bool b;
    int64_t i;
    double f;
    uint32_t e;
  } u_{};
  // The string, list or map, by kind_. One pointer rather than one per kind:
  // the interpreter copies and destroys Values on every read, and a scalar
  // then costs one null check instead of three.
  std::shared_ptr<const void> heap_;
};

// Equality of two present values of the same kind; floats compare with IEEE
// `==` (NaN is unequal to everything, -0 == +0). Int and float compare by value.
bool ValueEquals(const Value& a, const Value& b);

// A total order used only to sort sets and map keys (never for user-visible
// comparisons): kind first, then value; floats by their IEEE total order.
int ValueOrder(const Value& a, const Value& b);

}  // namespace mixtral
