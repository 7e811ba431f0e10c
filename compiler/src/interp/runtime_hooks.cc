// Evaluations the runtime makes outside a decision: breaker state when it
// publishes a snapshot, and a cascade's escalation condition when the data
// plane reports a response. Both go through the same Eval as decisions, so
// the engines cannot disagree on them.
#include "interp/eval.h"
#include "interp/route_eval.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral {

std::vector<std::optional<int64_t>> TripBreakers(const Policy& policy,
                                                 const BoundSnapshot& snapshot, int64_t now_ms) {
  std::vector<std::optional<int64_t>> out(snapshot.targets.size());
  const internal::PolicyIR& ir = *policy.ir;
  if (ir.program.breakers.empty()) return out;
  BoundRequest no_request;
  internal::EvalCtx ctx = internal::DecisionCtx(policy, no_request, snapshot, now_ms);
  ctx.request = nullptr;
  for (size_t t = 0; t < snapshot.targets.size(); ++t) {
    ctx.target = &snapshot.targets[t];
    for (const ast::BreakerDecl& b : ir.program.breakers) {
      std::optional<bool> v = internal::Truth(internal::Eval(ctx, b.cond));
      if (!v || !*v) continue;  // a breaker ejects on evidence only
      int64_t until = now_ms > INT64_MAX - b.cooldown_ms ? INT64_MAX : now_ms + b.cooldown_ms;
      if (!out[t] || *out[t] < until) out[t] = until;
    }
  }
  return out;
}

std::optional<bool> EvaluateCascadeCondition(const Policy& policy, int32_t id,
                                             const BoundRequest& request,
                                             const std::vector<Value>& response) {
  const internal::PolicyIR& ir = *policy.ir;
  for (size_t r = 0; r < ir.program.routes.size(); ++r) {
    const auto& cascade = ir.program.routes[r].cascade;
    if (!cascade) continue;
    const std::vector<int>& ids = ir.routes[r].cascade_cond_ids;
    for (size_t k = 0; k < ids.size() && k < cascade->stages.size(); ++k) {
      if (ids[k] != id) continue;
      internal::EvalCtx ctx;
      ctx.policy = &policy;
      ctx.ir = &ir;
      ctx.request = &request;
      ctx.response = &response;
      return internal::Truth(internal::Eval(ctx, cascade->stages[k].when));
    }
  }
  return std::nullopt;
}

std::vector<RecomputedCharge> RecomputeCharges(const Policy& policy, std::string_view route,
                                               const BoundRequest& request,
                                               const BoundSnapshot& snapshot,
                                               std::string_view target, int64_t now_ms,
                                               const EvalOptions& options) {
  std::vector<RecomputedCharge> out;
  const internal::PolicyIR& ir = *policy.ir;
  size_t r = 0;
  while (r < ir.program.routes.size() && ir.program.routes[r].name != route) ++r;
  const BoundTarget* t = nullptr;
  for (const BoundTarget& bt : snapshot.targets)
    if (bt.name == target) t = &bt;
  if (r == ir.program.routes.size() || !t) return out;
  internal::EvalCtx ctx = internal::DecisionCtx(policy, request, snapshot, now_ms);
  internal::AttachHooks(ctx, options);
  ctx.target = t;
  // The variant the decision saw, for amounts that read it.
  ctx.variant = internal::SplitVariant(ctx, r);
  for (internal::RouteCharge& c : internal::RouteCharges(ctx, r))
    out.push_back(RecomputedCharge{std::move(c.charge), c.counter_index, c.amount_reads_target});
  return out;
}

}  // namespace mixtral
