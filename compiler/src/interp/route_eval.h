// One route's decision pipeline (lang/SPEC.md §7), in the order the spec gives.
#pragma once

#include "interp/eval.h"
#include "mixtral/compiler/decision.h"

namespace mixtral::internal {

void EvaluateRoute(const EvalCtx& base, size_t route, const EvalOptions& options, Decision* d);

// Assertions over every target in a finished decision (contract §7).
void CheckAssertions(const EvalCtx& base, bool explain, Decision* d);

}  // namespace mixtral::internal
