// One route's decision pipeline (lang/SPEC.md §7), in the order the spec gives.
#pragma once

#include <functional>

#include "interp/eval.h"
#include "mixtral/compiler/decision.h"

namespace mixtral::internal {

// A compiled annotation: the value of annotation k of the route with target i
// (an index into the snapshot's targets, or SIZE_MAX for none); the inner
// nullopt omits it, the outer one leaves it to the interpreter.
using CompiledAnnotation = std::function<std::optional<std::optional<Scalar>>(size_t, size_t)>;

// Per-target verdicts and scores computed by a compiled route kernel
// (codegen/frame.h's KernelOut), used in place of interpreting the rules.
struct KernelVerdicts {
  const uint8_t* selected = nullptr;
  const uint64_t* failed = nullptr;
  const uint64_t* missing = nullptr;
  const double* score = nullptr;
  const uint8_t* score_class = nullptr;
  // Compiled forms of the clauses that the pipeline evaluates after ranking;
  // an empty function leaves that clause to the interpreter.
  // The route's binding rules on target i (an index into the snapshot's
  // targets): 0 when all hold, else 1 + the index in route.rules of the first
  // that does not.
  std::function<size_t(size_t)> binding;
  // Safe default k's `when` (nullopt = missing), or nullopt for "interpret".
  std::function<std::optional<std::optional<bool>>(size_t)> safe_default;
  // The route's annotations, with the route's variant.
  CompiledAnnotation annotation;
  // The split arm computed by compiled code; nullopt leaves it to SplitVariant.
  std::optional<std::optional<uint32_t>> variant;
  // Whether mirror clause k samples this request, or nullopt: interpret.
  std::function<std::optional<bool>(size_t)> mirror;
  // `spread`'s pick among the best n (inner nullopt: the key is missing), or
  // nullopt: interpret.
  std::function<std::optional<std::optional<size_t>>(size_t)> spread;
  // `affinity`'s weight of target i (inner nullopt: the key is missing), or
  // nullopt: interpret.
  std::function<std::optional<std::optional<uint64_t>>(size_t)> affinity;
  // Whether the cascade's `pin` keeps stage target j for primary i.
  std::function<bool(size_t, size_t)> pin;
  // The route's charges with target i (SIZE_MAX: none), or nullopt: interpret.
  std::function<std::optional<std::vector<Charge>>(size_t)> charges;
};

// Compiled assertions: assertion a over snapshot target i (nullopt =
// missing), or nullopt for "interpret".
using CompiledAssertion = std::function<std::optional<std::optional<bool>>(size_t, size_t)>;

// `route_faults`: missing `when` conditions met while choosing the route;
// they open explain.faults.
void EvaluateRoute(const EvalCtx& base, size_t route, const EvalOptions& options, Decision* d,
                   const KernelVerdicts* kernel = nullptr, std::vector<Fault> route_faults = {});

// A decision with its identity fields filled in, before any route runs.
// Also attaches the options' audit hooks to `ctx` (AttachHooks), so every
// engine that starts a decision here honours them.
Decision StartDecision(EvalCtx& ctx, const EvalOptions& options);

// Picks the route (contract §7): the override, the only route, or the first
// whose `when` holds, else the default. `when_holds(i)` evaluates route i's
// condition (nullopt = missing; its fault goes to `faults`). Returns
// routes.size() and fills a rejection in `d` when none applies.
size_t SelectRoute(const EvalCtx& ctx, const EvalOptions& options,
                   const std::function<std::optional<bool>(size_t)>& when_holds, Decision* d,
                   std::vector<Fault>* faults);

// The charges of route `route`'s `charge` clauses in ctx (ctx.target: the
// decision's target), in clause order; clauses with a missing key or a
// missing or NaN amount make none, but a `charge:NAME` fault in `faults`
// when given (SPEC §8.14).
struct RouteCharge {
  Charge charge;
  size_t counter_index = 0;
  bool amount_reads_target = false;  // the amount is missing without a target
};
std::vector<RouteCharge> RouteCharges(const EvalCtx& ctx, size_t route,
                                      std::vector<Fault>* faults = nullptr);

// The split arm of a route for this request (contract §6), or nullopt.
std::optional<uint32_t> SplitVariant(const EvalCtx& ctx, size_t route);

// Assertions over every target in a finished decision (contract §7).
// `annotation` recomputes the decided route's annotations, without a target
// or variant, for a decision that an assertion rejects.
void CheckAssertions(const EvalCtx& base, bool explain, Decision* d,
                     const CompiledAssertion& compiled = {},
                     const CompiledAnnotation& annotation = {});

}  // namespace mixtral::internal
