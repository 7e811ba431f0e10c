#include "passes/validate.h"

#include "interp/eval.h"

namespace mixtral::passes {
namespace {

using internal::RefKind;

// Which inputs an expression reads: none (a constant), only the target's
// static attributes, or something known only per request.
enum class Reads { kConstant, kStatic, kDynamic };

Reads Classify(const internal::PolicyIR& ir, ast::ExprId root) {
  Reads out = Reads::kConstant;
  std::vector<ast::ExprId> stack = {root};
  while (!stack.empty()) {
    ast::ExprId e = stack.back();
    stack.pop_back();
    switch (ir.ref[e].kind) {
      case RefKind::kNone:
      case RefKind::kLet:
      case RefKind::kEnumMember:
      case RefKind::kBuiltin:
      case RefKind::kPolicyName:
      case RefKind::kPolicyVersion:
        break;
      case RefKind::kAttribute:
      case RefKind::kTargetName:
        out = Reads::kStatic;
        break;
      default:
        return Reads::kDynamic;
    }
    ast::ForEachChild(ir.program.at(e), [&](ast::ExprId child) { stack.push_back(child); });
  }
  return out;
}

// The verdict of a rule that reads at most the target's static attributes.
std::optional<bool> StaticVerdict(const Policy& policy, const internal::PolicyIR& ir,
                                  const ast::Rule& rule, const BoundTarget* target) {
  internal::EvalCtx ctx;
  ctx.policy = &policy;
  ctx.ir = &ir;
  ctx.target = target;
  std::optional<bool> v = internal::Truth(internal::Eval(ctx, rule.cond));
  if (!v) return false;  // missing fails closed
  return rule.forbid ? !*v : *v;
}

}  // namespace

void Validate(const Policy& policy, const internal::PolicyIR& ir, Diagnostics* diags) {
  const ast::Program& p = ir.program;
  std::vector<BoundTarget> statics;
  for (size_t i = 0; i < policy.static_targets.size(); ++i) {
    BoundTarget t;
    t.name = policy.static_targets[i];
    t.attributes = policy.static_attributes[i];
    statics.push_back(std::move(t));
  }
  bool route_always = false;
  for (const ast::Route& r : p.routes) {
    if (route_always && !r.is_default)
      diags->Warning("W0303", r.range,
                     "route `" + r.name + "` is unreachable: an earlier route always matches");
    if (r.when != ast::kNoExpr && Classify(ir, r.when) == Reads::kConstant) {
      internal::EvalCtx ctx;
      ctx.policy = &policy;
      ctx.ir = &ir;
      std::optional<bool> v = internal::Truth(internal::Eval(ctx, r.when));
      if (v && *v) route_always = true;
    }
    const ast::Rule* blocker = nullptr;
    std::vector<std::string> seen;
    for (const ast::Rule& rule : r.rules) {
      std::string text =
          std::string(rule.forbid ? "forbid " : "require ") + ast::PrintExpr(p, rule.cond);
      for (size_t i = 0; i < seen.size(); ++i) {
        if (seen[i] == text) {
          diags->Warning("W0302", rule.range,
                         "rule `" + rule.name + "` repeats `" + r.rules[i].name +
                             "` exactly; it can never change a decision");
          break;
        }
      }
      seen.push_back(text);
      if (blocker) {
        diags->Warning("W0301", rule.range,
                       "rule `" + rule.name + "` is unreachable: rule `" + blocker->name +
                           "` already removes every target");
        continue;
      }
      if (Classify(ir, rule.cond) == Reads::kConstant &&
          StaticVerdict(policy, ir, rule, nullptr) == false)
        blocker = &rule;
    }
    if (statics.empty() || blocker) continue;
    bool any = false;
    for (const BoundTarget& t : statics) {
      bool passes = true;
      for (const ast::Rule& rule : r.rules) {
        if (Classify(ir, rule.cond) == Reads::kDynamic) continue;
        if (StaticVerdict(policy, ir, rule, &t) == false) {
          passes = false;
          break;
        }
      }
      any |= passes;
    }
    if (!any)
      diags->Warning("W0304", r.range,
                     "no declared target can ever pass route `" + r.name +
                         "` (inventory targets are checked at evaluation)");
  }
}

}  // namespace mixtral::passes
