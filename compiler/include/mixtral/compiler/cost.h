// Worst-case cost of a policy: operations per decision, route by route.
//
// AnalyzeCost() walks the checked policy the way the interpreter evaluates it
// and returns, for each route, a polynomial in
//   T        the number of candidate targets (static + inventory), and
//   L(x)     the size of each run-time collection an expression iterates,
//            named after the expression: L(request.tags), L(target.serves).
// Ranking sorts the survivors, which adds a T·⌈log2 T⌉ term.
//
//   mixtral::CompileResult r = mixtral::CompileFile("policy.mxl");
//   for (const mixtral::RouteCost& c : mixtral::AnalyzeCost(*r.policy))
//     std::cout << c.route << ": " << c.Format() << " = " << c.Evaluate(16, 16) << " ops\n";
//   // quickstart: chat: 41 + 41·T + T·log2(T) + T·L(target.serves) = 1017 ops
//
// "Worst case" means the explanation path: every selector, rule and objective
// of every candidate is evaluated, both sides of `and`/`or`, the costlier
// branch of `?:`, every `when` that route selection may try, and every named
// target the decision can hold. The operation model is documented in
// docs/COST.md and beside the pass (compiler/src/passes/cost.cc).
//
// AnalyzeCost is a pure function of the policy: thread-safe, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

// What one `matches(s, pattern)` call costs beyond its arguments. RE2 runs in
// time linear in `s`; the model charges a fixed figure rather than a symbol.
inline constexpr int64_t kMatchesCost = 50;

// coeff · T^t_power · ⌈log2 T⌉^(log_t ? 1 : 0) · Π L(lists[i]).
struct CostTerm {
  int64_t coeff = 0;
  int t_power = 0;
  bool log_t = false;
  std::vector<std::string> lists;  // sorted; a name may repeat (L(x)²)

  bool operator==(const CostTerm&) const = default;
};

struct RouteCost {
  std::string route;
  SourceRange range;  // the route's name, for diagnostics
  // Canonical order: by power of T, then number of lists, then log, then names.
  std::vector<CostTerm> terms;

  // "12 + 41·T + 2·T·log2(T) + 3·T·L(request.tags)"; "0" when there is no term.
  std::string Format() const;
  // The figure with T = `targets` and every L = `list_size`, saturating at
  // INT64_MAX. ⌈log2 T⌉ is 0 for T <= 1.
  int64_t Evaluate(int64_t targets, int64_t list_size) const;
  // True if some term depends on a run-time collection size.
  bool HasLists() const;
};

// One entry per route, in declaration order. Empty if the policy carries no
// checked IR (a hand-built Policy).
std::vector<RouteCost> AnalyzeCost(const Policy& policy);

}  // namespace mixtral
