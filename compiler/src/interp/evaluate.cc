#include "interp/route_eval.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral {

Decision Evaluate(const Policy& policy, const BoundRequest& request, const BoundSnapshot& snapshot,
                  int64_t now_ms, const EvalOptions& options) {
  Decision d;
  d.policy = policy.name;
  d.policy_version = policy.version;
  d.policy_hash = policy.hash;
  d.snapshot_sha256 = snapshot.sha256;
  d.snapshot_version = snapshot.version;
  d.snapshot_taken_at_ms = snapshot.taken_at_ms;
  d.now_ms = now_ms;
  d.route_override = options.route;

  internal::EvalCtx ctx;
  ctx.policy = &policy;
  ctx.ir = policy.ir.get();
  ctx.request = &request;
  ctx.snapshot = &snapshot;
  ctx.now_ms = now_ms;

  const auto& routes = ctx.ir->program.routes;
  size_t chosen = routes.size();
  if (options.route) {
    for (size_t i = 0; i < routes.size(); ++i)
      if (routes[i].name == *options.route) chosen = i;
    if (chosen == routes.size()) {
      d.outcome = Outcome::kRejected;
      d.reject = Reject{400, "unknown route \"" + *options.route + "\""};
      return d;
    }
  } else if (routes.size() == 1) {
    chosen = 0;
  } else {
    size_t fallback = routes.size();
    for (size_t i = 0; i < routes.size() && chosen == routes.size(); ++i) {
      if (routes[i].is_default && fallback == routes.size()) fallback = i;
      if (routes[i].when == ast::kNoExpr) continue;
      std::optional<bool> v = internal::Truth(internal::Eval(ctx, routes[i].when));
      if (v && *v) chosen = i;
    }
    if (chosen == routes.size()) chosen = fallback;
  }
  if (chosen == routes.size()) {
    d.outcome = Outcome::kRejected;
    d.reject = Reject{503, "no route matched"};
    return d;
  }
  d.route = routes[chosen].name;
  internal::EvaluateRoute(ctx, chosen, options, &d);
  internal::CheckAssertions(ctx, options.explain, &d);
  return d;
}

}  // namespace mixtral
