// DecisionToJson (contract §1): every field, keys in code-point order, and a
// compact form that is already canonical (§12).
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "mixtral/runtime/inputs.h"

namespace mixtral {
namespace {

Decision RoutedDecision() {
  Decision d;
  d.route = "main";
  d.outcome = Outcome::kRouted;
  d.target = "edge-eu-west";
  d.fallbacks = {"serverless-eu-west", "k8s-eu-central"};
  d.mirrors = {{"gpu_pool-eu-west", 250}};
  d.variant = "canary";
  EscalationWhen simple;
  simple.simple = true;
  simple.field = "confidence";
  simple.op = "<";
  simple.value = 0.7;
  EscalationWhen complex;
  complex.expr = "response.confidence < 0.5 or response.refused";
  complex.id = 1;
  d.escalation = {{"gpu_pool-eu-west", simple}, {"serverless-eu-west", complex}};
  // Deliberately out of order: the writer sorts.
  d.annotations = {
      {"weight", int64_t{3}}, {"cost_class", std::string("low")}, {"pinned", true}, {"boost", 1.0}};
  Explain e;
  e.removed = {{"k8s-eu-west", {"latency", "queue"}}, {"edge-us-east", {"unhealthy"}}};
  e.dropped = {{"gpu_pool-eu-west", "mirror", "residency"}};
  e.scores = {{"edge-eu-west", 0.25},
              {"serverless-eu-west", std::nullopt},
              {"k8s-eu-central", std::numeric_limits<double>::quiet_NaN()}};
  e.faults = {{"serverless-eu-west", "latency", {"telemetry.p95_ms"}},
              {"", "route_when", {"request.region"}}};
  d.explain = e;
  d.decision_id = "r00000";
  d.policy = "route16";
  d.policy_version = "1.0.0";
  d.policy_hash = "sha256:abc";
  d.snapshot_sha256 = "def";
  d.snapshot_version = Scalar(int64_t{7});
  d.snapshot_taken_at_ms = 1'735'689'600'000;
  d.now_ms = 1'735'689'600'250;
  d.charges = {{"spend", "tenant-1", 0.5}};  // audit only: never in the decision JSON
  return d;
}

constexpr const char* kRoutedJson =
    R"({"annotations":{"boost":1.0,"cost_class":"low","pinned":true,"weight":3},)"
    R"("decision_id":"r00000","degraded_reason":null,"ensemble":null,)"
    R"("escalation":[{"target":"gpu_pool-eu-west","when":{"field":"confidence","op":"<","value":0.7}},)"
    R"({"target":"serverless-eu-west","when":{"expr":"response.confidence < 0.5 or response.refused","id":1}}],)"
    R"("eval_ns":null,)"
    R"("explain":{"assertions":[],"dropped":[{"role":"mirror","rule":"residency","target":"gpu_pool-eu-west"}],)"
    R"("faults":[{"fields":["telemetry.p95_ms"],"rule":"latency","target":"serverless-eu-west"},)"
    R"({"fields":["request.region"],"rule":"route_when","target":null}],)"
    R"("removed":{"edge-us-east":["unhealthy"],"k8s-eu-west":["latency","queue"]},)"
    R"("scores":{"edge-eu-west":0.25,"k8s-eu-central":"NaN","serverless-eu-west":null}},)"
    R"("fallbacks":["serverless-eu-west","k8s-eu-central"],)"
    R"("mirrors":[{"rate_bp":250,"target":"gpu_pool-eu-west"}],)"
    R"("now":"2025-01-01T00:00:00.250Z","outcome":"routed","policy":"route16",)"
    R"("policy_hash":"sha256:abc","policy_version":"1.0.0","reject":null,"route":"main",)"
    R"("snapshot_sha256":"def","snapshot_taken_at":"2025-01-01T00:00:00.000Z",)"
    R"("snapshot_version":7,"target":"edge-eu-west","variant":"canary"})";

TEST_CASE("a routed decision with explanation") {
  const std::string json = DecisionToJson(RoutedDecision());
  CHECK(json == kRoutedJson);
  // Compact output is exactly the canonical form.
  std::string canonical;
  REQUIRE_FALSE(CanonicalizeJson(json, &canonical).has_value());
  CHECK(canonical == json);
}

Decision RejectedDecision() {
  Decision d;
  d.route = "main";
  d.outcome = Outcome::kRejected;
  d.reject = Reject{503, "no eligible target"};
  d.decision_id = "d-1";
  d.policy = "p";
  d.policy_version = "1";
  d.policy_hash = "sha256:00";
  d.now_ms = 0;
  d.eval_ns = 1234;
  d.route_override = "main";
  return d;
}

TEST_CASE("a rejected decision, pretty") {
  const char* expected = R"({
  "annotations": {},
  "decision_id": "d-1",
  "degraded_reason": null,
  "ensemble": null,
  "escalation": [],
  "eval_ns": 1234,
  "explain": null,
  "fallbacks": [],
  "mirrors": [],
  "now": "1970-01-01T00:00:00.000Z",
  "outcome": "rejected",
  "policy": "p",
  "policy_hash": "sha256:00",
  "policy_version": "1",
  "reject": {
    "reason": "no eligible target",
    "status": 503
  },
  "route": "main",
  "route_override": "main",
  "snapshot_sha256": "",
  "snapshot_taken_at": null,
  "snapshot_version": null,
  "target": null,
  "variant": null
})";
  CHECK(DecisionToJson(RejectedDecision(), /*pretty=*/true) == expected);
  // Pretty and compact carry the same document.
  std::string from_pretty;
  REQUIRE_FALSE(CanonicalizeJson(DecisionToJson(RejectedDecision(), true), &from_pretty));
  CHECK(from_pretty == DecisionToJson(RejectedDecision()));
}

TEST_CASE("a degraded decision: ensemble, scalars and escapes") {
  Decision d;
  d.route = "r";
  d.outcome = Outcome::kDegraded;
  d.target = "safe";
  d.ensemble = Ensemble{{"a", "b"}, "vote"};
  d.degraded_reason = "stale snapshot";
  d.annotations = {{"neg_zero", -0.0},
                   {"note", std::string("tab\there \"q\"")},
                   {"big", 1e300},
                   {"inf", std::numeric_limits<double>::infinity()}};
  d.explain = Explain{};
  d.explain->assertions = {"eu_only"};
  d.snapshot_version = Scalar(std::string("v3"));
  d.now_ms = -1;
  const char* expected =
      R"({"annotations":{"big":1e+300,"inf":"Infinity","neg_zero":-0.0,"note":"tab\u0009here \"q\""},)"
      R"("decision_id":"","degraded_reason":"stale snapshot",)"
      R"("ensemble":{"combiner":"vote","members":["a","b"]},"escalation":[],"eval_ns":null,)"
      R"("explain":{"assertions":["eu_only"],"dropped":[],"faults":[],"removed":{},"scores":{}},)"
      R"("fallbacks":[],"mirrors":[],"now":"1969-12-31T23:59:59.999Z","outcome":"degraded",)"
      R"("policy":"","policy_hash":"","policy_version":"","reject":null,"route":"r",)"
      R"("snapshot_sha256":"","snapshot_taken_at":null,"snapshot_version":"v3",)"
      R"("target":"safe","variant":null})";
  CHECK(DecisionToJson(d) == expected);
}

TEST_CASE("pretty printing nests two spaces per level") {
  Decision d = RoutedDecision();
  d.annotations.clear();
  d.escalation.resize(1);
  d.explain->removed.resize(1);
  d.explain->dropped.clear();
  d.explain->faults.clear();
  d.explain->scores.resize(1);
  d.fallbacks.clear();
  const std::string pretty = DecisionToJson(d, true);
  const char* expected_part = R"(  "escalation": [
    {
      "target": "gpu_pool-eu-west",
      "when": {
        "field": "confidence",
        "op": "<",
        "value": 0.7
      }
    }
  ],
  "eval_ns": null,
  "explain": {
    "assertions": [],
    "dropped": [],
    "faults": [],
    "removed": {
      "k8s-eu-west": [
        "latency",
        "queue"
      ]
    },
    "scores": {
      "edge-eu-west": 0.25
    }
  },
  "fallbacks": [],
)";
  CHECK(pretty.find(expected_part) != std::string::npos);
  std::string canonical;
  REQUIRE_FALSE(CanonicalizeJson(pretty, &canonical).has_value());
  CHECK(canonical == DecisionToJson(d));
}

}  // namespace
}  // namespace mixtral
