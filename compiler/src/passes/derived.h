// Finds the expressions whose values an audit record can carry in place of
// masked request fields (lang/SPEC.md §19.1): those that read request fields
// and otherwise only constants and `now`, of a scalar type other than string,
// and are not a bare field. Fills PolicyIR::derived_slot and derived_exprs.
#pragma once

#include "ir/policy_ir.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::passes {

void FindDerivedExprs(const Policy& policy, internal::PolicyIR* ir);

}  // namespace mixtral::passes
