// Internal: reading an audit line back (verify, and the writer continuing a
// chain). Lines come from disk and may be anything, so they are checked for
// UTF-8, raw control bytes and nesting depth before nlohmann/json sees them:
// it recurses per nesting level and stops at a NUL byte.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mixtral::audit {

// Deep enough for a decision record around a request at the input depth
// limit (contract §8), far too shallow to exhaust the stack.
inline constexpr int kMaxRecordDepth = 256;

// Parses one line. On failure returns false with *error saying what is
// wrong and where ("not valid JSON at byte 17").
bool ParseRecordLine(std::string_view line, nlohmann::json* out, std::string* error);

}  // namespace mixtral::audit
