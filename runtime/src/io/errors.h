// Internal: building InputErrors with the stable codes of input_error.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mixtral/runtime/inputs.h"

namespace mixtral::io {

enum class Err {
  kMalformedJson,
  kInvalidUtf8,
  kTooLarge,
  kTooDeep,
  kStringTooLong,
  kMissingField,
  kUnknownField,
  kWrongType,
  kUnknownEnum,
  kIntOutOfRange,
  kDuplicateTarget,
  kInvalidTime,
  kSnapshotShape,
  kInternal,
};

// The stable code, e.g. "E1013".
const char* ErrCode(Err e);

InputError MakeError(Err e, std::string path, std::string message,
                     std::optional<size_t> byte_offset = std::nullopt);

// For the catch (...) at each public entry point: a bug or resource
// exhaustion, never a verdict on the input.
InputError InternalError(std::string_view root) noexcept;

// `s` as a JSON string literal, for echoing input in messages.
std::string Quote(std::string_view s);

}  // namespace mixtral::io
