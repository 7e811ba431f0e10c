// The implementation of each built-in, one family per file. The dispatcher in
// builtins.cc has already checked the arity and the kinds of the arguments
// against the declared signature, so these functions may read them directly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mixtral/stdlib/builtins.h"
#include "mixtral/stdlib/value.h"

namespace mixtral::stdlib_internal {

// builtins_math.cc; arguments are ints or floats.
Value Abs(const Value& x);
Value Min(const Value& a, const Value& b);
Value Max(const Value& a, const Value& b);
Value Clamp(const Value& x, const Value& lo, const Value& hi);
Value ToInt(const Value& x);
Value ToFloat(const Value& x);

// builtins_string.cc
Value Len(const Value& coll);
Value Lower(std::string_view s);
Value Upper(std::string_view s);
Value StartsWith(std::string_view s, std::string_view prefix);
Value EndsWith(std::string_view s, std::string_view suffix);
Value Contains(std::string_view s, std::string_view part);
// `prepared` comes from PrepareRegex; without it the pattern compiles per call.
Value Matches(std::string_view s, std::string_view pattern, const PreparedArg* prepared);
std::shared_ptr<const PreparedArg> PrepareRegex(std::string_view pattern, std::string* error);

// builtins_net.cc
// `prepared` comes from PrepareCidr; without it the CIDR parses per call.
Value CidrContains(std::string_view cidr, std::string_view ip, const PreparedArg* prepared);
Value IsIp(std::string_view s);
std::shared_ptr<const PreparedArg> PrepareCidr(std::string_view cidr, std::string* error);

// builtins_time.cc; durations and times are int milliseconds.
Value Seconds(int64_t duration_ms);
Value Millis(int64_t duration_ms);
Value HourOfDay(int64_t time_ms);
Value DayOfWeek(int64_t time_ms);
Value InWindow(int64_t time_ms, std::string_view start, std::string_view end);

// builtins_hash.cc
Value BucketOf(std::string_view key, int64_t n);
Value SampleBucket(std::string_view salt, std::string_view key);

// builtins_version.cc
Value VersionAtLeast(std::string_view version, std::string_view min);

}  // namespace mixtral::stdlib_internal
