// Internal: the fast path of BindRequestJson for flat requests of scalars.
#pragma once

#include <string_view>

#include "mixtral/runtime/inputs.h"

namespace mixtral::io {

// Binds `json_text` when it is an object of scalar members, each a known
// field given once, with the right type, and every required field present.
// Returns false, leaving *out and *info untouched, for anything else; the
// document binder then gives the same result or the error.
bool BindFlatRequest(const Policy& policy, std::string_view json_text, BoundRequest* out,
                     RequestBindInfo* info);

}  // namespace mixtral::io
