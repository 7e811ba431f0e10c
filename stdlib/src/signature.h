// Parses the signature notation of builtins.h ("(string, int) -> int") into
// the Value kinds each parameter accepts. constexpr, so that a malformed
// signature in the table fails the build instead of a call at run time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mixtral/stdlib/value.h"

namespace mixtral::stdlib_internal {

inline constexpr size_t kMaxParams = 3;

// One bit per Value::Kind.
using KindMask = uint16_t;

constexpr KindMask MaskOf(Value::Kind k) { return KindMask{1} << static_cast<unsigned>(k); }

// The kinds a value of a signature type may have at run time; 0 if unknown.
constexpr KindMask KindsOfType(std::string_view type) {
  using K = Value::Kind;
  if (type == "bool") {
    return MaskOf(K::kBool);
  }
  if (type == "int" || type == "duration" || type == "time") {
    return MaskOf(K::kInt);
  }
  if (type == "float") {
    return MaskOf(K::kFloat);
  }
  if (type == "string") {
    return MaskOf(K::kString);
  }
  if (type == "num") {
    return MaskOf(K::kInt) | MaskOf(K::kFloat);
  }
  if (type == "coll") {
    return MaskOf(K::kString) | MaskOf(K::kList) | MaskOf(K::kSet) | MaskOf(K::kMap);
  }
  if (type == "any") {
    return MaskOf(K::kBool) | MaskOf(K::kInt) | MaskOf(K::kFloat) | MaskOf(K::kString) |
           MaskOf(K::kEnum) | MaskOf(K::kList) | MaskOf(K::kSet) | MaskOf(K::kMap);
  }
  return 0;
}

struct Signature {
  bool valid = false;
  uint8_t arity = 0;
  std::array<KindMask, kMaxParams> params{};
  KindMask result = 0;
};

// Accepts exactly "(T, T, ...) -> T" with single spaces as written in the
// table; anything else is invalid.
constexpr Signature ParseSignature(std::string_view text) {
  constexpr std::string_view kArrow = " -> ";
  Signature sig;
  const size_t close = text.find(')');
  if (!text.starts_with('(') || close == std::string_view::npos) {
    return {};
  }
  std::string_view params = text.substr(1, close - 1);
  const std::string_view rest = text.substr(close + 1);
  if (!rest.starts_with(kArrow)) {
    return {};
  }
  sig.result = KindsOfType(rest.substr(kArrow.size()));
  if (sig.result == 0) {
    return {};
  }
  while (!params.empty()) {
    const size_t comma = params.find(", ");
    const KindMask kinds = KindsOfType(params.substr(0, comma));
    if (kinds == 0 || sig.arity == kMaxParams) {
      return {};
    }
    sig.params[sig.arity++] = kinds;
    if (comma == std::string_view::npos) {
      break;
    }
    params = params.substr(comma + 2);
    if (params.empty()) {
      return {};  // a trailing ", "
    }
  }
  sig.valid = true;
  return sig;
}

}  // namespace mixtral::stdlib_internal
