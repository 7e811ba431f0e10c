// Internal: one JSON value to one Value of a schema type. Requests turn the
// error into a rejection; snapshots turn it into a missing value and count it
// (contract §4).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

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

// Binds the fields of a JSON object against a schema, strictly: a missing
// required field is E1010, a wrong type E1012 (requests and inventory
// entries). Members named in `ignore` are skipped; other unknown members are
// E1011 when `reject_unknown`, else counted in *unknown.
std::optional<InputError> BindObjectFields(const TypeTable& types, const Schema& schema,
                                           const JsonValue& object, const PathNode& root,
                                           const BindLimits& limits, bool reject_unknown,
                                           std::string_view ignore, uint64_t* unknown,
                                           std::vector<Value>* out);

// "250ms", "30s", "5m", "1h", "1d" to milliseconds. Sets *overflow (and
// returns nullopt) when the form is right but the value exceeds int64.
std::optional<int64_t> ParseDuration(std::string_view text, bool* overflow);

}  // namespace mixtral::io
