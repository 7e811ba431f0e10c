// Internal: one JSON value to one Value of a schema type. Requests turn the
// error into a rejection; snapshots turn it into a missing value and count it
// (contract §4).
#pragma once

#include <optional>

#include "io/json_doc.h"
#include "io/json_path.h"
#include "mixtral/compiler/schema.h"
#include "mixtral/runtime/inputs.h"
#include "mixtral/stdlib/value.h"

namespace mixtral::io {

struct BindLimits {
  size_t max_string_bytes = 0;  // 0: unlimited (snapshots are bounded as a whole)
};

// Binds a present value; JSON null is an error here (only a whole field may
// be null, and callers decide what that means). On error *out is untouched.
std::optional<InputError> BindValue(const TypeTable& types, TypeId type, const JsonValue& json,
                                    const PathNode& path, const BindLimits& limits, Value* out);

// "250ms", "30s", "5m", "1h", "1d" to milliseconds. Sets *overflow (and
// returns nullopt) when the form is right but the value exceeds int64.
std::optional<int64_t> ParseDuration(std::string_view text, bool* overflow);

}  // namespace mixtral::io
