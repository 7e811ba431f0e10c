// Validators that run on the checked IR: warnings about rules and routes that
// cannot matter, and routes whose static targets can never pass.
#pragma once

#include "ir/policy_ir.h"
#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::passes {

void Validate(const Policy& policy, const internal::PolicyIR& ir, Diagnostics* diags);

}  // namespace mixtral::passes
