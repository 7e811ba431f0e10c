// The declaration table, indexed by BuiltinId, and each entry's parsed
// signature. Defined in builtin_decls.cc.
#pragma once

#include <array>
#include <cstddef>

#include "mixtral/stdlib/builtins.h"
#include "signature.h"

namespace mixtral::stdlib_internal {

inline constexpr size_t kBuiltinCount = static_cast<size_t>(BuiltinId::kVersionAtLeast) + 1;

extern const std::array<BuiltinDecl, kBuiltinCount> kBuiltinDecls;
extern const std::array<Signature, kBuiltinCount> kBuiltinSignatures;

}  // namespace mixtral::stdlib_internal
