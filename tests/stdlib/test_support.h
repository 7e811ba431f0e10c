// Shorthands and a table runner shared by the stdlib tests.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mixtral/stdlib/builtins.h"
#include "mixtral/stdlib/value.h"
#include "test_values.h"

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

// "(int:1, str:a)". Values render through DescribeValue (tests/support), which
// keeps int and float, and -0.0 and 0.0, apart.
inline std::string DescribeArgs(std::span<const Value> values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    s += (i ? ", " : "") + DescribeValue(values[i]);
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

// Runs every case through CallBuiltin and compares the renderings, so that a
// failure prints both values.
inline void CheckCalls(std::span<const CallCase> cases) {
  for (const CallCase& c : cases) {
    const std::string call = std::string(c.fn) + DescribeArgs(c.args);
    CAPTURE(call);
    CHECK(DescribeValue(Call(c.fn, c.args)) == DescribeValue(c.want));
  }
}

}  // namespace mixtral::testing
