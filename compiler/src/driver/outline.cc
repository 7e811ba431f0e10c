#include "mixtral/compiler/outline.h"

#include "ir/policy_ir.h"

namespace mixtral {

PolicyOutline Outline(const Policy& policy) {
  PolicyOutline o;
  const internal::PolicyIR& ir = *policy.ir;
  for (const ast::Route& r : ir.program.routes) {
    o.rules.emplace_back();
    for (const ast::Rule& rule : r.rules) o.rules.back().push_back(rule.name);
  }
  for (const ast::AssertDecl& a : ir.program.asserts) o.assertions.push_back(a.name);
  o.request_fields_read.assign(policy.request.fields.size(), false);
  for (const internal::Ref& ref : ir.ref)
    if (ref.kind == internal::RefKind::kRequestField && ref.index < o.request_fields_read.size())
      o.request_fields_read[ref.index] = true;
  return o;
}

}  // namespace mixtral
