#include <exception>

#include "io/errors.h"
#include "io/json_text.h"

namespace mixtral {
namespace io {

// Input error codes. They are stable: tests, goldens and clients match on the
// code, never on the message.
//
//   code   meaning                       typical path
//   E1001  malformed JSON                request (byte_offset set)
//   E1002  invalid UTF-8                 request (byte_offset set)
//   E1003  input too large               request, snapshot, inventory
//   E1004  nested too deeply             request (byte_offset set)
//   E1005  string too long               request.tenant
//   E1010  missing required field        request.tier
//   E1011  unknown field                 request.teir
//   E1012  wrong type                    request.tokens, request.tags[2]
//   E1013  unknown enum value            request.tier
//   E1014  integer out of range          request.tokens
//   E1020  duplicate target name         snapshot.targets[3].name
//   E1021  invalid time                  snapshot.taken_at, request.deadline
//   E1022  bad snapshot shape            snapshot.targets, inventory[2]
//   E1999  internal error                (a bug or out of memory, not the input's fault)
const char* ErrCode(Err e) {
  switch (e) {
    case Err::kMalformedJson:
      return "E1001";
    case Err::kInvalidUtf8:
      return "E1002";
    case Err::kTooLarge:
      return "E1003";
    case Err::kTooDeep:
      return "E1004";
    case Err::kStringTooLong:
      return "E1005";
    case Err::kMissingField:
      return "E1010";
    case Err::kUnknownField:
      return "E1011";
    case Err::kWrongType:
      return "E1012";
    case Err::kUnknownEnum:
      return "E1013";
    case Err::kIntOutOfRange:
      return "E1014";
    case Err::kDuplicateTarget:
      return "E1020";
    case Err::kInvalidTime:
      return "E1021";
    case Err::kSnapshotShape:
      return "E1022";
    case Err::kInternal:
      return "E1999";
  }
  return "E1999";
}

InputError MakeError(Err e, std::string path, std::string message,
                     std::optional<size_t> byte_offset) {
  return InputError{ErrCode(e), std::move(path), std::move(message), byte_offset};
}

InputError InternalError(std::string_view root) noexcept {
  // Called from inside a catch block, so the current exception, if any, can
  // still say what went wrong.
  try {
    std::string what = "internal error";
    try {
      if (auto eptr = std::current_exception()) {
        std::rethrow_exception(eptr);
      }
    } catch (const std::exception& ex) {
      what += ": ";
      what += ex.what();
    } catch (...) {
    }
    return InputError{ErrCode(Err::kInternal), std::string(root), std::move(what), std::nullopt};
  } catch (...) {
    // Out of memory while reporting: these strings fit the small-string
    // buffer, so building them cannot throw again.
    return InputError{"E1999", {}, "internal error", std::nullopt};
  }
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

}  // namespace io

std::string InputError::ToString() const {
  try {
    if (path.empty()) {
      return message;
    }
    return path + ": " + message;
  } catch (...) {
    return std::string();  // out of memory; nothing may escape (inputs.h)
  }
}

}  // namespace mixtral
