// Lookup, literal preparation and the call dispatcher. Each built-in's code is
// in builtins_<family>.cc and its declaration in builtin_decls.cc.
#include "mixtral/stdlib/builtins.h"

#include <algorithm>

#include "builtin_decls.h"
#include "builtins_impl.h"

namespace mixtral::stdlib_internal {
namespace {

// True if `args` match the declared signature in number and kind, so
// that the implementations never read a value as the wrong kind.
bool ArgsFit(size_t index, std::span<const Value> args) {
  const Signature& sig = kBuiltinSignatures[index];
  if (args.size() != sig.arity) {
    return false;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if ((sig.params[i] & MaskOf(args[i].kind())) == 0) {
      return false;
    }
  }
  return true;
}

Value Dispatch(BuiltinId id, std::span<const Value> a, const PreparedArg* prepared) {
  using B = BuiltinId;
  switch (id) {
    case B::kAbs:
      return Abs(a[0]);
    case B::kBucket:
      return BucketOf(a[0].as_string(), a[1].as_int());
    case B::kCidrContains:
      return CidrContains(a[0].as_string(), a[1].as_string(), prepared);
    case B::kClamp:
      return Clamp(a[0], a[1], a[2]);
    case B::kContains:
      return Contains(a[0].as_string(), a[1].as_string());
    case B::kDayOfWeek:
      return DayOfWeek(a[0].as_int());
    case B::kEndsWith:
      return EndsWith(a[0].as_string(), a[1].as_string());
    case B::kFloat:
      return ToFloat(a[0]);
    case B::kHourOfDay:
      return HourOfDay(a[0].as_int());
    case B::kInWindow:
      return InWindow(a[0].as_int(), a[1].as_string(), a[2].as_string());
    case B::kInt:
      return ToInt(a[0]);
    case B::kIsIp:
      return IsIp(a[0].as_string());
    case B::kLen:
      return Len(a[0]);
    case B::kLower:
      return Lower(a[0].as_string());
    case B::kMatches:
      return Matches(a[0].as_string(), a[1].as_string(), prepared);
    case B::kMax:
      return Max(a[0], a[1]);
    case B::kMillis:
      return Millis(a[0].as_int());
    case B::kMin:
      return Min(a[0], a[1]);
    case B::kSampleBucket:
      return SampleBucket(a[0].as_string(), a[1].as_string());
    case B::kSeconds:
      return Seconds(a[0].as_int());
    case B::kStartsWith:
      return StartsWith(a[0].as_string(), a[1].as_string());
    case B::kUpper:
      return Upper(a[0].as_string());
    case B::kVersionAtLeast:
      return VersionAtLeast(a[0].as_string(), a[1].as_string());
  }
  return Value::Missing();
}

}  // namespace
}  // namespace mixtral::stdlib_internal

namespace mixtral {

using stdlib_internal::kBuiltinCount;
using stdlib_internal::kBuiltinDecls;

std::span<const BuiltinDecl> Builtins() { return kBuiltinDecls; }

const BuiltinDecl* FindBuiltin(std::string_view name) {
  const auto it = std::lower_bound(
      kBuiltinDecls.begin(), kBuiltinDecls.end(), name,
      [](const BuiltinDecl& decl, std::string_view key) { return decl.name < key; });
  if (it == kBuiltinDecls.end() || it->name != name) {
    return nullptr;
  }
  return &*it;
}

std::shared_ptr<const PreparedArg> PrepareLiteral(BuiltinId id, const Value& literal,
                                                  std::string* error) {
  auto fail = [&](std::string message) -> std::shared_ptr<const PreparedArg> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return nullptr;
  };
  if (literal.kind() != Value::Kind::kString) {
    return fail("the literal argument must be a string");
  }
  try {
    switch (id) {
      case BuiltinId::kMatches:
        return stdlib_internal::PrepareRegex(literal.as_string(), error);
      case BuiltinId::kCidrContains:
        return stdlib_internal::PrepareCidr(literal.as_string(), error);
      default:
        return fail("this built-in takes no literal argument");
    }
  } catch (...) {  // only std::bad_alloc can get here
    return fail("out of memory preparing a literal argument");
  }
}

Value CallBuiltin(BuiltinId id, std::span<const Value> args, const PreparedArg* prepared) {
  const auto index = static_cast<size_t>(id);
  if (index >= kBuiltinCount || !stdlib_internal::ArgsFit(index, args)) {
    return Value::Missing();
  }
  // Allocation failure is the only exception possible; like every other fault
  // in a policy it becomes missing, and the rule fails closed.
  try {
    return stdlib_internal::Dispatch(id, args, prepared);
  } catch (...) {
    return Value::Missing();
  }
}

}  // namespace mixtral
