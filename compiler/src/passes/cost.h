// The cost pass: each route's worst-case operations per decision, as a
// polynomial in T and the sizes of run-time collections (see
// mixtral/compiler/cost.h for the result and docs/COST.md for the model).
#pragma once

#include <vector>

#include "ir/policy_ir.h"
#include "mixtral/compiler/cost.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::passes {

std::vector<RouteCost> AnalyzeCost(const Policy& policy, const internal::PolicyIR& ir);

}  // namespace mixtral::passes
