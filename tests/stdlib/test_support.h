// Shorthands and a table runner shared by the stdlib tests.
#pragma once

#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mixtral/stdlib/builtins.h"
#include "mixtral/stdlib/value.h"

namespace mixtral::testing {

inline constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline Value I(int64_t i) { return Value::Int(i); }
inline Value F(double f) { return Value::Float(f); }
inline Value S(std::string_view s) { return Value::Str(std::string(s)); }
inline Value B(bool b) { return Value::Bool(b); }
inline Value M() { return Value::Missing(); }

// An exact rendering: floats in shortest round-trip form, so -0.0 and 0.0
// differ, and every NaN reads "nan". Comparing renderings compares values
// bit-for-bit where it matters and prints both sides on failure.
inline std::string Show(const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kMissing:
      return "missing";
    case K::kBool:
      return v.as_bool() ? "true" : "false";
    case K::kInt:
      return std::to_string(v.as_int());
    case K::kFloat: {
      if (std::isnan(v.as_float())) {
        return "nan";
      }
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.as_float());
      std::string s(buf, res.ptr);
      if (s.find_first_of(".ein") == std::string::npos) {
        s += ".0";
      }
      return s;
    }
    case K::kString:
      return "\"" + std::string(v.as_string()) + "\"";
    case K::kEnum:
      return "enum#" + std::to_string(v.as_enum());
    case K::kList:
    case K::kSet: {
      std::string s = v.kind() == K::kList ? "[" : "{";
      for (const Value& item : v.as_list()) {
        s += Show(item) + ",";
      }
      return s + (v.kind() == K::kList ? "]" : "}");
    }
    case K::kMap: {
      std::string s = "{";
      for (const auto& [key, value] : v.as_map()) {
        s += Show(key) + ":" + Show(value) + ",";
      }
      return s + "}";
    }
  }
  return "?";
}

inline std::string Show(std::span<const Value> values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    s += (i ? ", " : "") + Show(values[i]);
  }
  return s + ")";
}

inline Value Call(std::string_view name, const std::vector<Value>& args,
                  const PreparedArg* prepared = nullptr) {
  const BuiltinDecl* decl = FindBuiltin(name);
  REQUIRE_MESSAGE(decl != nullptr, "no built-in named ", name);
  return CallBuiltin(decl->id, args, prepared);
}

struct CallCase {
  std::string_view fn;
  std::vector<Value> args;
  Value want;
};

// Runs every case through CallBuiltin and compares exact renderings.
inline void CheckCalls(std::span<const CallCase> cases) {
  for (const CallCase& c : cases) {
    const std::string call = std::string(c.fn) + Show(c.args);
    CAPTURE(call);
    CHECK(Show(Call(c.fn, c.args)) == Show(c.want));
  }
}

}  // namespace mixtral::testing
