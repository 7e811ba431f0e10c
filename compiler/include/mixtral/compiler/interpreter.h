// The reference interpreter: evaluates a checked policy on bound inputs.
//
// It is the semantic oracle the JIT is held to, so it favours being obviously
// correct over being fast. It never throws and never fails: every evaluation
// ends in a routed, degraded or rejected Decision (the policy is total).
// Thread-safe: any number of threads may call Evaluate on one Policy.
#pragma once

#include <cstdint>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

Decision Evaluate(const Policy& policy, const BoundRequest& request, const BoundSnapshot& snapshot,
                  int64_t now_ms, const EvalOptions& options = {});

}  // namespace mixtral
