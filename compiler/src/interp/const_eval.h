// Constant evaluation for the checker (lets, target attributes, defaults),
// done by the interpreter itself so that constants mean what they mean at
// run time.
#pragma once

#include "ast/ast.h"
#include "ir/policy_ir.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::internal {

Value EvalConst(const Policy& policy, const PolicyIR& ir, ast::ExprId id);

}  // namespace mixtral::internal
