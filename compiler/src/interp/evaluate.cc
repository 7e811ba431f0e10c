#include "interp/route_eval.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral {

Decision Evaluate(const Policy& policy, const BoundRequest& request, const BoundSnapshot& snapshot,
                  int64_t now_ms, const EvalOptions& options) {
  internal::EvalCtx ctx = internal::DecisionCtx(policy, request, snapshot, now_ms);
  Decision d = internal::StartDecision(ctx, options);
  const auto& routes = ctx.ir->program.routes;
  std::vector<Fault> faults;
  size_t chosen = internal::SelectRoute(
      ctx, options, [&](size_t i) { return internal::Truth(internal::Eval(ctx, routes[i].when)); },
      &d, options.explain ? &faults : nullptr);
  if (chosen == routes.size()) return d;
  d.route = routes[chosen].name;
  internal::EvaluateRoute(ctx, chosen, options, &d, nullptr, std::move(faults));
  internal::CheckAssertions(ctx, options.explain, &d);
  return d;
}

}  // namespace mixtral
