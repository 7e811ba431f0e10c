// The reference interpreter: evaluates a checked policy on bound inputs.
//
// It is the semantic oracle the JIT is held to, so it favours being obviously
// correct over being fast. It never throws and never fails: every evaluation
// ends in a routed, degraded or rejected Decision (the policy is total).
// Thread-safe: any number of threads may call Evaluate on one Policy.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

Decision Evaluate(const Policy& policy, const BoundRequest& request, const BoundSnapshot& snapshot,
                  int64_t now_ms, const EvalOptions& options = {});

// Whether some expression of the policy reads masked request fields only
// (`masked`: nonzero per masked request slot), so that an audited decision
// records its value as derived (lang/SPEC.md §19.1). Only the interpreter
// records them: an audited decision of such a policy is interpreted.
bool DerivesFromMasked(const Policy& policy, const std::vector<uint8_t>& masked);

// Breaker state for a snapshot about to be published (lang/SPEC.md §5.6):
// per snapshot target, the latest `now_ms + cooldown` over the breakers
// whose condition holds for it at `now_ms`, or nullopt when none does.
std::vector<std::optional<int64_t>> TripBreakers(const Policy& policy,
                                                 const BoundSnapshot& snapshot, int64_t now_ms);

// Condition `id` of the cascade-condition table (lang/SPEC.md §8.11) on a
// stage's response, bound to the response schema: true, false or missing.
std::optional<bool> EvaluateCascadeCondition(const Policy& policy, int32_t id,
                                             const BoundRequest& request,
                                             const std::vector<Value>& response);

// Route `route`'s charges (lang/SPEC.md §8.14) with `target` bound to the
// snapshot target named `target`, for charge_adjust: per charge its counter's
// declaration index and whether its amount reads the target (comes out
// missing without one). Empty when the route or the target is unknown.
// `options` carries the hooks (counters, record with the values read).
struct RecomputedCharge {
  Charge charge;
  size_t counter_index = 0;
  bool amount_reads_target = false;
};
std::vector<RecomputedCharge> RecomputeCharges(const Policy& policy, std::string_view route,
                                               const BoundRequest& request,
                                               const BoundSnapshot& snapshot,
                                               std::string_view target, int64_t now_ms,
                                               const EvalOptions& options);

}  // namespace mixtral
