// Internal: parts of a decision as JSON, shared by DecisionToJson and the
// audit record (a snapshot version, derived values, refused charges).
#pragma once

#include <vector>

#include "io/json_text.h"
#include "mixtral/compiler/decision.h"

namespace mixtral::io {

void WriteScalar(JsonWriter* w, const Scalar& s);
// [{fields, rule, target}], as in `explain.faults` (`target` null when empty).
void WriteFaults(JsonWriter* w, const std::vector<Fault>& faults);

}  // namespace mixtral::io
