// The declaration of every built-in: name, signature and the documentation
// that the spec and the editor's hover show. Implementations live in
// builtins_<family>.cc; this file holds no code.
#include "builtin_decls.h"

namespace mixtral::stdlib_internal {
namespace {
using B = BuiltinId;
}  // namespace

// Sorted by name and indexed by BuiltinId (checked below), so that lookup by
// id is an index and lookup by name is a binary search.
constexpr std::array<BuiltinDecl, kBuiltinCount> kBuiltinDecls{{
    {B::kAbs, "abs", "(num) -> num",
     "Absolute value. For an int the result saturates: the absolute value of the smallest int, "
     "-2^63, is 2^63 - 1 (`9223372036854775807`). For a float it clears the sign bit: `abs(-0.0)` "
     "is `0.0` and "
     "`abs(NaN)` is NaN.",
     -1},
    {B::kBucket, "bucket", "(string, int) -> int",
     "`bucket(key, n)`: a stable bucket in `[0, n)` for `key`: the FNV-1a 64-bit hash of the "
     "key's UTF-8 bytes, taken mod `n` as an unsigned number. The same key always lands in the "
     "same bucket, on every host and in every version. `bucket(\"foobar\", 100)` is `68`. "
     "Missing if `n <= 0`.",
     -1},
    {B::kCidrContains, "cidr_contains", "(string, string) -> bool",
     "`cidr_contains(cidr, ip)`: true if the address `ip` lies in the network `cidr`, such as "
     "`\"10.0.0.0/8\"` or `\"2001:db8::/32\"`. `cidr` must be a literal; it is checked when the "
     "policy compiles, and host bits after the prefix are an error (`10.0.0.1/8`). An IPv4 "
     "address never matches an IPv6 network, nor the reverse (`::ffff:10.0.0.1` is IPv6). "
     "Missing if `ip` is not an IP address.",
     0},
    {B::kClamp, "clamp", "(num, num, num) -> num",
     "`clamp(x, lo, hi)` is `min(max(x, lo), hi)`, with the semantics of `min` and `max`: a float "
     "result if any argument is a float, and a NaN argument gives NaN. If `lo > hi` the result is "
     "`hi`.",
     -1},
    {B::kContains, "contains", "(string, string) -> bool",
     "`contains(s, part)`: true if `part` occurs in `s`, comparing bytes exactly (case matters). "
     "Every string contains `\"\"`.",
     -1},
    {B::kDayOfWeek, "day_of_week", "(time) -> int",
     "The ISO day of the week of a time, in UTC: Monday is 1 and Sunday is 7.", -1},
    {B::kEndsWith, "ends_with", "(string, string) -> bool",
     "`ends_with(s, suffix)`: true if `s` ends with `suffix`, comparing bytes exactly (case "
     "matters). Every string ends with `\"\"`.",
     -1},
    {B::kFloat, "float", "(num) -> float",
     "Converts to float. An int converts to the nearest float, ties to even, so ints beyond "
     "2^53 may round.",
     -1},
    {B::kHourOfDay, "hour_of_day", "(time) -> int",
     "The hour of a time in UTC, from 0 to 23. Times before 1970 count correctly.", -1},
    {B::kInWindow, "in_window", "(time, string, string) -> bool",
     "`in_window(t, start, end)`: true if the UTC time of day of `t` is at or after `start` and "
     "before `end`, both written `\"HH:MM\"` (00:00 to 23:59). When `start` is later than `end` "
     "the window wraps past midnight: `in_window(now, \"22:00\", \"06:00\")` covers the night. "
     "An equal `start` and `end` is an empty window. Missing if either bound is not `\"HH:MM\"`.",
     -1},
    {B::kInt, "int", "(num) -> int",
     "Converts to int. A float is truncated toward zero (`int(-2.7)` is `-2`) and saturates at "
     "the int range (`int(1e300)` is `9223372036854775807`). Missing for NaN.",
     -1},
    {B::kIsIp, "is_ip", "(string) -> bool",
     "True if the string is an IPv4 address in dotted-decimal form (`\"192.0.2.1\"`) or an IPv6 "
     "address (`\"2001:db8::1\"`). Prefixes, ports and zone ids (`%eth0`) are not addresses.",
     -1},
    {B::kLen, "len", "(coll) -> int",
     "The length of a collection: the number of Unicode code points of a string (`len(\"héllo\")` "
     "is 5), or the number of elements of a list, set or map.",
     -1},
    {B::kLower, "lower", "(string) -> string",
     "The string with ASCII letters A-Z turned to a-z. Every other character, including non-ASCII "
     "letters such as `É`, is left unchanged.",
     -1},
    {B::kMatches, "matches", "(string, string) -> bool",
     "`matches(s, pattern)`: true if the RE2 regular expression `pattern` matches anywhere in `s`. "
     "Anchor it with `^` and `$` to match the whole string. `pattern` must be a literal; it is "
     "compiled when the policy compiles, and an invalid pattern is an error. RE2 runs in time "
     "linear in the input and has no backreferences.",
     1},
    {B::kMax, "max", "(num, num) -> num",
     "The larger of two numbers. If either is a float, both convert to float and IEEE 754-2019 "
     "`maximum` applies: a NaN argument gives NaN, and `+0.0` is larger than `-0.0`. Two ints give "
     "an int.",
     -1},
    {B::kMillis, "millis", "(duration) -> int",
     "A duration as a whole number of milliseconds: `millis(2s)` is `2000`.", -1},
    {B::kMin, "min", "(num, num) -> num",
     "The smaller of two numbers. If either is a float, both convert to float and IEEE 754-2019 "
     "`minimum` applies: a NaN argument gives NaN, and `-0.0` is smaller than `+0.0`. Two ints "
     "give an int.",
     -1},
    {B::kSampleBucket, "sample_bucket", "(string, string) -> int",
     "`sample_bucket(salt, key)`: the bucket in `[0, 10000)` that `split` and `sample` use: "
     "`fmix64(fnv1a64(salt + \":\" + key)) mod 10000`. Compare it with a rate in basis points "
     "(`sample_bucket(\"trial\", request.user) < 250` admits 2.5% of users). A different salt "
     "gives an independent sample.",
     -1},
    {B::kSeconds, "seconds", "(duration) -> float",
     "A duration in seconds, as a float: `seconds(1500ms)` is `1.5`.", -1},
    {B::kStartsWith, "starts_with", "(string, string) -> bool",
     "`starts_with(s, prefix)`: true if `s` begins with `prefix`, comparing bytes exactly (case "
     "matters). Every string starts with `\"\"`.",
     -1},
    {B::kUpper, "upper", "(string) -> string",
     "The string with ASCII letters a-z turned to A-Z. Every other character, including non-ASCII "
     "letters such as `é`, is left unchanged.",
     -1},
    {B::kVersionAtLeast, "version_at_least", "(string, string) -> bool",
     "`version_at_least(v, min)`: true if the version `v` is `min` or later. Versions are "
     "dot-separated decimal numbers with an optional leading `v`, compared number by number "
     "(`\"v1.10.2\"` is at least `\"1.9\"`); a missing component counts as 0, so `\"1.2\"` equals "
     "`\"1.2.0\"`. Missing if either is not such a version (`\"1.2-rc1\"`, `\"\"`).",
     -1},
}};

namespace {

constexpr bool IsOrderedTable() {
  for (size_t i = 0; i < kBuiltinDecls.size(); ++i) {
    if (static_cast<size_t>(kBuiltinDecls[i].id) != i) {
      return false;
    }
    if (i > 0 && !(kBuiltinDecls[i - 1].name < kBuiltinDecls[i].name)) {
      return false;
    }
  }
  return true;
}
static_assert(IsOrderedTable(), "kBuiltinDecls must be in BuiltinId order and sorted by name");

constexpr std::array<Signature, kBuiltinCount> ParseAll() {
  std::array<Signature, kBuiltinCount> sigs{};
  for (size_t i = 0; i < kBuiltinDecls.size(); ++i) {
    sigs[i] = ParseSignature(kBuiltinDecls[i].signature);
  }
  return sigs;
}

constexpr bool AllValid(const std::array<Signature, kBuiltinCount>& sigs) {
  for (size_t i = 0; i < sigs.size(); ++i) {
    const int literal = kBuiltinDecls[i].literal_arg;
    if (!sigs[i].valid || literal >= static_cast<int>(sigs[i].arity)) {
      return false;
    }
  }
  return true;
}

}  // namespace

constexpr std::array<Signature, kBuiltinCount> kBuiltinSignatures = ParseAll();
static_assert(AllValid(kBuiltinSignatures), "a signature in kBuiltinDecls does not parse");

}  // namespace mixtral::stdlib_internal
