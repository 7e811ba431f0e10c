// Built-in functions: one table of declarations, kept apart from the code.
//
// The table (name, signature, docs, literal argument) feeds the checker, the
// interpreter, the JIT lowering, the spec and the editor's completion. The
// implementations are plain functions over Values that both engines call, so
// that the engines cannot drift apart.
//
// Signatures use a small notation: "(string, int) -> int". Parameter and
// result types are bool, int, float, string, duration, time, any, or:
//   num   int or float; a `num` result is float if any `num` argument is float
//   coll  string, list, set or map
//
//   const BuiltinDecl* d = FindBuiltin("bucket");
//   Value r = CallBuiltin(d->id, args, nullptr);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "mixtral/stdlib/value.h"

namespace mixtral {

enum class BuiltinId : uint16_t {
  kAbs,
  kBucket,
  kCidrContains,
  kClamp,
  kContains,
  kDayOfWeek,
  kEndsWith,
  kFloat,
  kHourOfDay,
  kInWindow,
  kInt,
  kIsIp,
  kLen,
  kLower,
  kMatches,
  kMax,
  kMillis,
  kMin,
  kSampleBucket,
  kSeconds,
  kStartsWith,
  kUpper,
  kVersionAtLeast,
};

struct BuiltinDecl {
  BuiltinId id;
  std::string_view name;
  std::string_view signature;
  std::string_view doc;
  // Index of an argument that must be a literal, prepared once when the
  // policy compiles (a regex, a CIDR); -1 if none.
  int literal_arg;
};

std::span<const BuiltinDecl> Builtins();
const BuiltinDecl* FindBuiltin(std::string_view name);  // nullptr if unknown

// A literal argument compiled at policy-compile time. Immutable and safe to
// share between threads.
class PreparedArg {
 public:
  virtual ~PreparedArg() = default;
};

// Compiles the literal argument of `id`. On failure returns nullptr and sets
// *error to a message for the user ("invalid regex: missing )").
std::shared_ptr<const PreparedArg> PrepareLiteral(BuiltinId id, const Value& literal,
                                                  std::string* error);

// Calls a built-in on present (non-missing) arguments of the declared types;
// the caller handles missing operands (contract §4). Returns missing where the
// result is undefined: bucket(k, 0), an unparsable IP or version, NaN to int.
Value CallBuiltin(BuiltinId id, std::span<const Value> args, const PreparedArg* prepared);

}  // namespace mixtral
