// The cost pass, one construct at a time. Every case is a route small enough
// that its polynomial is worked out by hand in the comment beside it, using
// the operation model of docs/COST.md: each AST node is 1 op, `in` scans its
// collection, the per-candidate part is × T, and ranking adds T·log2(T).
#include "mixtral/compiler/cost.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mixtral/compiler/compiler.h"

namespace mixtral {
namespace {

// Declarations every case may use. Nothing here is evaluated by a route
// unless the route reads it, so it adds nothing to a route's cost.
constexpr const char* kPrelude = R"(policy p version "1"
request {
  id: string id
  tier: enum { free, pro }
  n: int
  tags: list<string>
}
target attributes {
  region: string
  tags: set<string>
}
telemetry per target {
  healthy: bool
  p95: float
}
response { confidence: float }
counter spend by request.id window 1h
breaker slow: telemetry.p95 > 500.0 cooldown 30s
let regions = {"eu", "us", "ap"}
let home = {"eu": 1, "us": 2}
target a { region: "eu", tags: {"x"} }
target b { region: "us", tags: {"y"} }
)";

// Compiles the prelude plus `body`; fails the test on any error.
std::vector<RouteCost> CostOf(const std::string& body) {
  CompileResult r = CompileSource("policy.mxl", std::string(kPrelude) + body);
  for (const Diagnostic& d : r.diagnostics.Sorted())
    if (d.severity == Severity::kError) FAIL_CHECK(RenderDiagnostic(d, r.sources));
  REQUIRE(r.policy);
  return AnalyzeCost(*r.policy);
}

struct Case {
  const char* name;
  const char* body;
  size_t route;         // which route of the body to look at
  const char* formula;  // RouteCost::Format()
  int64_t at_16;        // Evaluate(16, 16): T = 16, ⌈log2 T⌉ = 4, L = 16
};

// T·log2(T) at T = 16 is 64; it is in every route (ranking).
const Case kCases[] = {
    // Nothing but the ranking sort.
    {"empty route", "route r { }", 0, "T·log2(T)", 64},
    // telemetry.healthy: 1 node per candidate.
    {"one rule", "route r { require h: telemetry.healthy }", 0, "T + T·log2(T)", 80},
    // `in` 1 + "x" 1 + request.tags 1 + the scan L(request.tags).
    {"in over a request list", R"(route r { require t: "x" in request.tags })", 0,
     "3·T + T·log2(T) + T·L(request.tags)", 48 + 64 + 256},
    // A target attribute set is sized at run time too (inventory targets).
    {"in over a target set", R"(route r { require t: "x" in target.tags })", 0,
     "3·T + T·log2(T) + T·L(target.tags)", 48 + 64 + 256},
    // `in` 1 + target.region 1 + the literal built (1 + 2 items) + a scan of 2.
    {"in over a literal set", R"(route r { require r: target.region in {"eu", "us"} })", 0,
     "7·T + T·log2(T)", 112 + 64},
    // `in` 1 + target.region 1 + regions 1 (precomputed) + a scan of 3.
    {"in over a constant let", "route r { require r: target.region in regions }", 0,
     "6·T + T·log2(T)", 96 + 64},
    // Two scans of the same list add up to 2·L(request.tags); `or` 1 + 2 × 3.
    {"one list read twice", R"(route r { require t: "a" in request.tags or "b" in request.tags })",
     0, "7·T + T·log2(T) + 2·T·L(request.tags)", 112 + 64 + 512},
    // call 1 + 2 arguments + kMatchesCost 50.
    {"matches", R"(route r { require m: matches(target.region, "^e") })", 0, "53·T + T·log2(T)",
     848 + 64},
    // `>` 1 + len(...) (1 + 1) + 2 1: len reads a stored size, no scan.
    {"len", "route r { require l: len(request.tags) > 2 }", 0, "4·T + T·log2(T)", 64 + 64},
    // `?:` 1 + (request.n > 0) 3 + max(1, request.n * 2 = 3).
    {"ternary takes the costlier branch",
     "route r { minimize c: request.n > 0 ? 1 : request.n * 2 }", 0, "7·T + T·log2(T)", 112 + 64},
    // index 1 + home 1 + target.region 1 + a scan of the 2 map entries.
    {"map index", "route r { minimize c: home[target.region] }", 0, "5·T + T·log2(T)", 80 + 64},
    // value 1 + weight (1 + 3 + max(1, 1)).
    {"objective weight", "route r { minimize c: telemetry.p95 weight (request.n > 1 ? 2.0 : 1.0) }",
     0, "6·T + T·log2(T)", 96 + 64},
    // `==` 1 + request.tags 1 + ["a"] (1 + 1) + the shorter side, 1 element.
    {"collection equality", R"(route r { require e: request.tags == ["a"] })", 0, "5·T + T·log2(T)",
     80 + 64},
    // `<` 1 + counter.spend 1 + its key request.id 1 + 10.0 1.
    {"counter read evaluates its key", "route r { require under: counter.spend < 10.0 }", 0,
     "4·T + T·log2(T)", 64 + 64},
    // `not` 1 + telemetry.ejected 1 + the breaker (telemetry.p95 > 500.0) 3.
    {"ejected evaluates the breakers", "route r { require up: not telemetry.ejected }", 0,
     "5·T + T·log2(T)", 80 + 64},
    // has 1 + its argument 1.
    {"has", "route r { require h: has(telemetry.p95) }", 0, "2·T + T·log2(T)", 32 + 64},
    // The selector is per candidate like a rule: `==` 1 + 1 + 1.
    {"selector", R"(route r { candidates where target.region == "eu" })", 0, "3·T + T·log2(T)",
     48 + 64},
    // Route selection: the first route pays its own `when` (3), the second
    // both (6), the default every `when` (6).
    {"selection: first",
     "route first when request.n > 1 { }\nroute second when request.tier == pro { }\n"
     "route third default { }",
     0, "3 + T·log2(T)", 67},
    {"selection: second",
     "route first when request.n > 1 { }\nroute second when request.tier == pro { }\n"
     "route third default { }",
     1, "6 + T·log2(T)", 70},
    {"selection: default",
     "route third default { }\nroute first when request.n > 1 { }\n"
     "route second when request.tier == pro { }",
     0, "6 + T·log2(T)", 70},
    // Per candidate 3·T; each of the two named fallbacks is found by name (T)
    // and re-runs the binding rule (3): 2 × (T + 3).
    {"binding rules for named fallbacks",
     R"(route r { binding require eu: target.region == "eu"
                  fallback [a, b] })",
     0, "6 + 5·T + T·log2(T)", 6 + 80 + 64},
    // Safe-default condition 3, per candidate 3·T, then one of the exclusive
    // branches: safe default or `otherwise degrade`, each T + 3.
    {"safe default and otherwise degrade",
     R"(route r { safe default a when request.n > 100 "busy"
                  binding require eu: target.region == "eu"
                  otherwise degrade b "none" })",
     0, "6 + 4·T + T·log2(T)", 6 + 64 + 64},
    // Condition 3 + the safe-default branch (T) against the routed branch
    // (two named fallbacks, 2·T): the costlier counts.
    {"exclusive branches take the costlier",
     R"(route r { safe default a when request.n > 100 "busy"
                  fallback [a, b] })",
     0, "3 + 2·T + T·log2(T)", 3 + 32 + 64},
    // when 3 + key 1 + sampling hash 1 + the mirror's lookup T.
    {"mirror", "route r { mirror b sample 10% by request.id when request.n > 1 }", 0,
     "5 + T + T·log2(T)", 5 + 16 + 64},
    // pin on the primary 1; the stage: lookup T + its `when` summary 1 +
    // pin on the stage's target 1 + the comparison 1.
    {"cascade with pin",
     "route r { cascade pin target.region { escalate b when response.confidence < 0.5 } }", 0,
     "4 + T + T·log2(T)", 4 + 16 + 64},
    // Two named members, each found by name.
    {"named ensemble", "route r { ensemble [a, b] combine best_of }", 0, "2·T + T·log2(T)",
     32 + 64},
    // The counter's key 1 + the amount 1.
    {"charge", "route r { charge spend: 1.0 }", 0, "2 + T·log2(T)", 66},
    // `+` 1 + request.n 1 + 1 1.
    {"annotate", R"(route r { annotate "k": request.n + 1 })", 0, "3 + T·log2(T)", 67},
    // The key 1 + the hash 1.
    {"split", "route r { split exp by request.id { on: 50%, off: 50% } }", 0, "2 + T·log2(T)", 66},
    {"spread", "route r { spread top 2 by request.id }", 0, "2 + T·log2(T)", 66},
    // The key 1 + a second sort of the survivors.
    {"affinity", "route r { affinity by request.id }", 0, "1 + 2·T·log2(T)", 129},
    // The decision names 1 + 2 fallbacks = 3 targets; each is found by name
    // (T) and checked (`!=` 1 + 1 + 1): 3 × (T + 3).
    {"assertion per target in the decision",
     "route r { fallback 2 }\nassert not_ap: target.region != \"ap\"", 0, "9 + 3·T + T·log2(T)",
     9 + 48 + 64},
};

TEST_CASE("route cost polynomials, worked out by hand") {
  for (const Case& c : kCases) {
    const std::string name = c.name;
    CAPTURE(name);
    SUBCASE(c.name) {
      std::vector<RouteCost> costs = CostOf(c.body);
      REQUIRE(costs.size() > c.route);
      CHECK(costs[c.route].Format() == std::string(c.formula));
      CHECK(costs[c.route].Evaluate(16, 16) == c.at_16);
    }
  }
}

TEST_CASE("one entry per route, in declaration order, located at the route name") {
  std::vector<RouteCost> costs =
      CostOf("route first when request.n > 1 { }\nroute second default { }");
  REQUIRE(costs.size() == 2);
  CHECK(costs[0].route == "first");
  CHECK(costs[1].route == "second");
  // The prelude has 22 lines; `first` starts the next one, at column 7.
  CHECK(costs[0].range.begin.line == 23);
  CHECK(costs[0].range.begin.col == 7);
  CHECK(costs[1].range.begin.line == 24);
}

TEST_CASE("terms come in canonical order and carry their factors") {
  std::vector<RouteCost> costs = CostOf(R"(route r { require t: "x" in request.tags
                          annotate "k": request.n })");
  REQUIRE(costs.size() == 1);
  const std::vector<CostTerm> want = {
      {1, 0, false, {}},                // annotate
      {3, 1, false, {}},                // the rule's nodes
      {1, 1, true, {}},                 // ranking
      {1, 1, false, {"request.tags"}},  // the scan
  };
  CHECK(costs[0].terms == want);
  CHECK(costs[0].HasLists());
}

TEST_CASE("Format and Evaluate") {
  RouteCost c;
  CHECK(c.Format() == "0");
  CHECK(c.Evaluate(16, 16) == 0);
  CHECK_FALSE(c.HasLists());

  c.terms = {{12, 0, false, {}},
             {41, 1, false, {}},
             {2, 1, true, {}},
             {3, 1, false, {"request.tags"}},
             {1, 2, false, {"a", "b"}}};
  CHECK(c.Format() == "12 + 41·T + 2·T·log2(T) + 3·T·L(request.tags) + T^2·L(a)·L(b)");
  // 12 + 410 + 2·10·4 + 3·10·5 + 100·25
  CHECK(c.Evaluate(10, 5) == 12 + 410 + 80 + 150 + 2500);
  // ⌈log2 T⌉ is 0 for T <= 1 and rounds up between powers of two.
  CHECK(c.Evaluate(1, 0) == 12 + 41);
  CHECK(c.Evaluate(0, 0) == 12);
  RouteCost log_only;
  log_only.terms = {{1, 1, true, {}}};
  CHECK(log_only.Evaluate(2, 0) == 2);
  CHECK(log_only.Evaluate(3, 0) == 6);
  CHECK(log_only.Evaluate(1000, 0) == 10000);
}

TEST_CASE("Evaluate saturates at INT64_MAX") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  RouteCost c;
  c.terms = {{3, 2, false, {"x"}}};
  CHECK(c.Evaluate(kMax, 2) == kMax);
  CHECK(c.Evaluate(1LL << 32, 1) == kMax);
  c.terms = {{kMax, 0, false, {}}, {1, 0, false, {}}};
  CHECK(c.Evaluate(1, 1) == kMax);
  c.terms = {{1, 1, true, {}}};
  CHECK(c.Evaluate(kMax, 0) == kMax);
}

TEST_CASE("a policy without checked IR has no routes to cost") {
  Policy p;
  p.routes = {"main"};
  CHECK(AnalyzeCost(p).empty());
}

}  // namespace
}  // namespace mixtral
