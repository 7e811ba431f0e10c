// The engine: deciding by field index and by JSON, failed loads, rollback,
// candidates, schema changes, snapshot updates, breakers and cascades.
#include "library_support.h"

namespace mixtral::testing {
namespace {

const char* kSmall = R"(policy small version "1"
type Tier = enum { free, pro }
request {
  id: string? id
  tier: Tier
  tokens: int = 100
  note: string?
}
target attributes { cost: float }
telemetry per target { healthy: bool  p95_ms: float }
target a { cost: 1.0 }
target b { cost: 2.0 }
route main {
  require healthy: telemetry.healthy
  forbid free_b: request.tier == free and target.cost > 1.5
  minimize cost: target.cost
  fallback 1
}
)";

const char* kSmallSnapshot =
    R"({"taken_at": 1000, "version": 7, "targets": [{"name": "a", "healthy": true, "p95_ms": 10.0},
       {"name": "b", "healthy": true, "p95_ms": 20.0}]})";

std::unique_ptr<Engine> SmallEngine(EngineKind kind, const std::string& source = kSmall) {
  EngineOptions o;
  o.engine = kind;
  o.clock = [] { return int64_t{5000}; };
  auto e = Engine::Create(o);
  REQUIRE(e);
  LoadResult r = e->LoadPolicySource("small.mxl", source);
  INFO(r.rendered);
  REQUIRE(r.ok);
  REQUIRE(!e->PublishSnapshot(kSmallSnapshot));
  return e;
}

// The small engine with one worker, a `pro` request and a decision: the
// setup most cases start from.
struct SmallRig {
  explicit SmallRig(EngineKind kind) : e(SmallEngine(kind)), w(e->NewWorker()), r(e->NewRequest()) {
    REQUIRE(r->SetEnumName(r->FieldIndex("tier"), "pro").code == ErrorCode::kOk);
  }
  std::unique_ptr<Engine> e;
  std::unique_ptr<Worker> w;
  std::unique_ptr<EngineRequest> r;
  EngineDecision d;
};

TEST_CASE("route16 by field index agrees with the reference answers on every engine") {
  auto expected = JsonLines(SourcePath(kRoute16Data + "expected.jsonl"));
  auto requests = JsonLines(SourcePath(kRoute16Data + "requests.jsonl"));
  REQUIRE(requests.size() == 20000);
  REQUIRE(expected.size() == requests.size());
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    auto e = Route16Engine(kind);
    auto w = e->NewWorker();
    auto r = e->NewRequest();
    REQUIRE(r);
    EngineDecision d;
    size_t mismatches = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      FillRoute16(*r, requests[i]);
      REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
      const nlohmann::json& x = expected[i];
      bool ok = d.decision_id() == x["id"].get<std::string>() &&
                OutcomeName(d.outcome()) == x["outcome"].get<std::string>();
      if (x["target"].is_null())
        ok = ok && !d.has_target();
      else
        ok = ok && d.target() == x["target"].get<std::string>();
      std::vector<std::string> fb;
      for (size_t k = 0; k < d.fallback_count(); ++k) fb.emplace_back(d.fallback(k));
      ok = ok && fb == x["fallbacks"].get<std::vector<std::string>>();
      if (!ok && ++mismatches < 5) CHECK_MESSAGE(false, "request ", i, ": ", d.ToJson());
    }
    CHECK(mismatches == 0);
    EngineStats s = e->ReadStats();
    CHECK(s.decisions == 20000);
    CHECK(s.by_outcome[0] + s.by_outcome[1] + s.by_outcome[2] == 20000);
    uint64_t by_target = 0;
    for (const auto& [name, n] : s.by_target) by_target += n;
    CHECK(by_target == s.by_outcome[0] + s.by_outcome[1]);
  }
}

TEST_CASE("a JSON request decides like the same request set by field index") {
  for (EngineKind kind : Engines()) {
    auto e = Route16Engine(kind);
    auto w = e->NewWorker();
    auto by_index = e->NewRequest();
    auto by_json = e->NewRequest();
    EngineDecision a, b;
    for (const auto& j : JsonLines(SourcePath(kRoute16Data + "requests.jsonl"), 200)) {
      FillRoute16(*by_index, j);
      REQUIRE(by_json->SetJson(j.dump()).code == ErrorCode::kOk);
      REQUIRE(e->Decide(*w, *by_index, {}, &a).code == ErrorCode::kOk);
      REQUIRE(e->Decide(*w, *by_json, {}, &b).code == ErrorCode::kOk);
      CHECK(a.ToJson() == b.ToJson());
    }
  }
}

TEST_CASE("identity fields: the injected clock, the snapshot and the policy") {
  for (EngineKind kind : Engines()) {
    SmallRig rig(kind);
    auto& [e, w, r, d] = rig;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.now_ms() == 5000);
    CHECK(d.target() == "a");
    CHECK(d.policy_name() == "small");
    CHECK(d.snapshot_sha256().size() == 64);
    // No id field set: `<instance>-<seq>`.
    CHECK(d.decision_id().starts_with("mx-"));
    DecideOptions o;
    o.now_ms = 1234;
    o.timing = true;
    REQUIRE(r->SetString(r->FieldIndex("id"), "req-9").code == ErrorCode::kOk);
    REQUIRE(e->Decide(*w, *r, o, &d).code == ErrorCode::kOk);
    CHECK(d.now_ms() == 1234);
    CHECK(d.decision_id() == "req-9");
    CHECK(d.eval_ns().has_value());
  }
}

TEST_CASE("setters check types, enums, indices, UTF-8 and lengths") {
  auto e = SmallEngine(EngineKind::kInterp);
  auto r = e->NewRequest();
  const size_t tier = r->FieldIndex("tier"), tokens = r->FieldIndex("tokens"),
               note = r->FieldIndex("note");
  CHECK(r->FieldIndex("nope") == -1);
  CHECK(r->SetInt(99, 1).code == ErrorCode::kBadIndex);
  CHECK(r->SetInt(tier, 1).code == ErrorCode::kWrongType);
  CHECK(r->SetEnumName(tier, "gold").code == ErrorCode::kUnknownEnum);
  CHECK(r->SetEnum(tier, 2).code == ErrorCode::kUnknownEnum);
  CHECK(r->SetFloat(tokens, 1.5).code == ErrorCode::kWrongType);
  CHECK(r->SetString(note, std::string("\xff\xfe", 2)).code == ErrorCode::kInvalidUtf8);
  CHECK(r->SetString(note, std::string(kMaxStringFieldBytes + 1, 'x')).code == ErrorCode::kTooLong);
  CHECK(r->SetFieldJson(tokens, "\"ten\"").code == ErrorCode::kWrongType);
  CHECK(r->SetFieldJson(tokens, "{").code == ErrorCode::kInvalidInput);
  CHECK(r->SetFieldJson(tokens, "12").code == ErrorCode::kOk);
  CHECK(r->IsSet(tokens));
  CHECK(r->SetFieldJson(tokens, "null").code == ErrorCode::kOk);
  CHECK(!r->IsSet(tokens));  // null is unset: the default applies again
}

TEST_CASE("an invalid request is decided as rejected 400 with its path") {
  for (EngineKind kind : Engines()) {
    auto e = SmallEngine(kind);
    auto w = e->NewWorker();
    auto r = e->NewRequest();
    EngineDecision d;
    // Required `tier` unset.
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.outcome() == Outcome::kRejected);
    CHECK(d.reject_status() == 400);
    CHECK(d.reject_reason() == "request.tier: missing required field");
    REQUIRE(r->SetJson(R"({"id": "x1", "tier": "gold"})").code == ErrorCode::kOk);
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.reject_status() == 400);
    CHECK(d.reject_reason() == "request.tier: unknown enum value \"gold\"");
    CHECK(d.decision_id() == "x1");
    // Unknown fields are ignored and counted.
    REQUIRE(r->SetJson(R"({"tier": "pro", "extra": 1, "more": 2})").code == ErrorCode::kOk);
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.outcome() == Outcome::kRouted);
    EngineStats s = e->ReadStats();
    CHECK(s.invalid_requests == 2);
    CHECK(s.unknown_request_fields == 2);
  }
}

TEST_CASE("a policy that fails to compile never replaces the running one") {
  auto e = SmallEngine(EngineKind::kInterp);
  const uint64_t before = e->active_version();
  LoadResult bad = e->LoadPolicySource("bad.mxl", "policy broken version \"1\"\nroute {");
  CHECK(!bad.ok);
  CHECK(bad.rendered.find("bad.mxl:2:") != std::string::npos);
  CHECK(bad.rendered.find("error[E") != std::string::npos);
  CHECK(e->active_version() == before);
  auto w = e->NewWorker();
  auto r = e->NewRequest();
  REQUIRE(r->SetEnumName(r->FieldIndex("tier"), "pro").code == ErrorCode::kOk);
  EngineDecision d;
  REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
  CHECK(d.engine_version() == before);
  CHECK(e->ReadStats().policy_load_failures == 1);
}

TEST_CASE("rollback returns to the last-known-good policy") {
  auto e = SmallEngine(EngineKind::kInterp);
  std::string cheaper_b = kSmall;
  cheaper_b.replace(cheaper_b.find("target b { cost: 2.0 }"), 22, "target b { cost: 0.5 }");
  REQUIRE(e->LoadPolicySource("v2.mxl", cheaper_b).ok);
  auto w = e->NewWorker();
  auto r = e->NewRequest();
  REQUIRE(r->SetEnumName(r->FieldIndex("tier"), "pro").code == ErrorCode::kOk);
  EngineDecision d;
  REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
  CHECK(d.target() == "b");
  CHECK(e->Rollback());
  REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
  CHECK(d.target() == "a");
  CHECK(d.engine_version() == 1);
}

TEST_CASE("a changed request schema is refused, a kept one is not") {
  for (EngineKind kind : Engines()) {
    SmallRig rig(kind);
    auto& [e, w, r, d] = rig;
    // Same schema, other rules: the old request keeps working.
    std::string same = kSmall;
    same.replace(same.find("fallback 1"), 10, "fallback 0");
    REQUIRE(e->LoadPolicySource("same.mxl", same).ok);
    CHECK(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    // `tokens` moves before `tier`: the old indices would be wrong.
    std::string moved = kSmall;
    moved.replace(moved.find("  tier: Tier\n  tokens: int = 100\n"), 34,
                  "  tokens: int = 100\n  tier: Tier\n");
    REQUIRE(e->LoadPolicySource("moved.mxl", moved).ok);
    EngineError err = e->Decide(*w, *r, {}, &d);
    CHECK(err.code == ErrorCode::kSchemaChanged);
    CHECK(d.outcome() == Outcome::kRejected);
    auto fresh = e->NewRequest();
    CHECK(fresh->schema_id() != r->schema_id());
    REQUIRE(fresh->SetEnumName(fresh->FieldIndex("tier"), "pro").code == ErrorCode::kOk);
    CHECK(e->Decide(*w, *fresh, {}, &d).code == ErrorCode::kOk);
    CHECK(e->ReadStats().schema_changed == 1);
  }
}

TEST_CASE("a candidate's differences are counted, and match a separate engine") {
  for (EngineKind kind : Engines()) {
    auto e = Route16Engine(kind);
    std::string changed = ReadFile(SourcePath(kRoute16Policy));
    const std::string rule = "require queue: telemetry.queue_depth < 64";
    REQUIRE(changed.find(rule) != std::string::npos);
    changed.replace(changed.find(rule), rule.size(), "require queue: telemetry.queue_depth < 20");
    REQUIRE(e->LoadCandidateSource("candidate.mxl", changed).ok);
    // The oracle: the changed policy as the active one of another engine.
    auto oracle = Route16Engine(kind);
    REQUIRE(oracle->LoadPolicySource("candidate.mxl", changed).ok);
    auto w = e->NewWorker();
    auto ow = oracle->NewWorker();
    auto r = e->NewRequest();
    auto orq = oracle->NewRequest();
    EngineDecision d, od;
    uint64_t differ = 0, target_first = 0;
    const auto requests = JsonLines(SourcePath(kRoute16Data + "requests.jsonl"), 2000);
    for (const auto& j : requests) {
      FillRoute16(*r, j);
      FillRoute16(*orq, j);
      REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
      REQUIRE(oracle->Decide(*ow, *orq, {}, &od).code == ErrorCode::kOk);
      if (d.outcome() != od.outcome()) {
        ++differ;
      } else if (d.target() != od.target()) {
        ++differ;
        ++target_first;
      } else {
        bool fb = d.fallback_count() != od.fallback_count();
        for (size_t k = 0; !fb && k < d.fallback_count(); ++k) fb = d.fallback(k) != od.fallback(k);
        if (fb || d.reject_reason() != od.reject_reason()) ++differ;
      }
    }
    EngineStats s = e->ReadStats();
    CHECK(s.candidate_compared == requests.size());
    CHECK(differ > 0);  // the change must matter, or this test proves nothing
    CHECK(s.candidate_differed == differ);
    CHECK(s.candidate_diff_by_field["target"] == target_first);
    // Promote: the candidate decides.
    CHECK(e->PromoteCandidate());
    FillRoute16(*r, requests[0]);
    FillRoute16(*orq, requests[0]);
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    REQUIRE(oracle->Decide(*ow, *orq, {}, &od).code == ErrorCode::kOk);
    CHECK(d.ToJson().substr(0, 200) == od.ToJson().substr(0, 200));
  }
}

TEST_CASE("a candidate takes no generated decision ids from the active policy") {
  for (EngineKind kind : Engines()) {
    SmallRig rig(kind);
    auto& [e, w, r, d] = rig;
    auto seq = [&] {
      REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
      REQUIRE(d.decision_id().starts_with("mx-"));
      return std::stoull(std::string(d.decision_id().substr(3)));
    };
    const uint64_t first = seq();
    REQUIRE(e->LoadCandidateSource("candidate.mxl", kSmall).ok);
    CHECK(seq() == first + 1);
    CHECK(seq() == first + 2);
    CHECK(e->ReadStats().candidate_compared == 2);
  }
}

TEST_CASE("per-target updates and inventory changes publish new snapshots") {
  for (EngineKind kind : Engines()) {
    SmallRig rig(kind);
    auto& [e, w, r, d] = rig;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "a");
    const std::string sha = std::string(d.snapshot_sha256());
    REQUIRE(!e->UpdateTargets(R"({"targets": [{"name": "a", "healthy": false}]})"));
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "b");
    CHECK(d.snapshot_sha256() != sha);
    // The other fields of `a` were kept.
    CHECK(e->SnapshotJson().find(R"("p95_ms":10.0)") != std::string::npos);
    // A structural error keeps the published snapshot.
    auto err = e->UpdateTargets(R"({"targets": [{"healthy": true}]})");
    REQUIRE(err);
    CHECK(err->path == "update.targets[0].name");
    auto bad = e->PublishSnapshot("{\"targets\": [");
    REQUIRE(bad);
    CHECK(bad->code == "E1001");
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "b");
    // A wrong-typed field is counted, and the rest is published.
    REQUIRE(
        !e->UpdateTargets(R"({"targets": [{"name": "a", "healthy": true, "p95_ms": "slow"}]})"));
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "a");
    CHECK(e->ReadStats().snapshot_wrong_type_fields >= 1);
  }
}

const char* kBreakers = R"(policy breakers version "1"
request { id: string? id }
target attributes { zone: string }
telemetry per target { healthy: bool  error_rate: float }
breaker errors: telemetry.error_rate > 0.05 cooldown 30s
target a { zone: "1a" }
target b { zone: "1b" }
route chat {
  require healthy: telemetry.healthy
  require not_ejected: not telemetry.ejected
  fallback 1
}
)";

TEST_CASE("breakers trip once per publish and their cool-down is stored in the snapshot") {
  for (EngineKind kind : Engines()) {
    EngineOptions o;
    o.engine = kind;
    int64_t now = 0;
    o.clock = [&now] { return now; };
    auto e = Engine::Create(o);
    REQUIRE(e->LoadPolicySource("breakers.mxl", kBreakers).ok);
    auto w = e->NewWorker();
    auto r = e->NewRequest();
    EngineDecision d;
    // 10:00:00: `a` errors; ejected until 10:00:30.
    REQUIRE(!e->PublishSnapshot(R"({"taken_at": 100000, "targets": [
        {"name": "a", "healthy": true, "error_rate": 0.2},
        {"name": "b", "healthy": true, "error_rate": 0.0}]})"));
    CHECK(e->SnapshotJson().find(R"("ejected_until":130000)") != std::string::npos);
    now = 100000;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "b");
    // 10:00:10: `a` recovered, but still cools down: the state was carried.
    REQUIRE(!e->PublishSnapshot(R"({"taken_at": 110000, "targets": [
        {"name": "a", "healthy": true, "error_rate": 0.0},
        {"name": "b", "healthy": true, "error_rate": 0.0}]})"));
    CHECK(e->SnapshotJson().find(R"("ejected_until":130000)") != std::string::npos);
    now = 110000;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "b");
    // 10:00:30: the cool-down is over (ejected while now < until).
    now = 130000;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(d.target() == "a");
  }
}

TEST_CASE("cascade_next walks the plan on the pinned version") {
  for (EngineKind kind : Engines()) {
    EngineOptions o;
    o.engine = kind;
    o.clock = [] { return int64_t{1795773600000}; };  // 2026-11-27T10:00:00Z
    auto e = Engine::Create(o);
    const std::string dir = SourcePath("examples/constructs/13-cascade/");
    REQUIRE(e->LoadPolicyFile(dir + "policy.mxl").ok);
    REQUIRE(!e->PublishSnapshot(ReadFile(dir + "telemetry.json")));
    auto w = e->NewWorker();
    auto r = e->NewRequest();
    REQUIRE(r->SetJson(ReadFile(dir + "request.json")).code == ErrorCode::kOk);
    EngineDecision d;
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    REQUIRE(d.escalation().size() == 2);
    CHECK(d.target() == "edge-small-eu");
    // A reload now must not change the plan this decision follows.
    REQUIRE(e->LoadPolicyFile(dir + "policy.mxl").ok);
    std::optional<std::string> next;
    REQUIRE(e->CascadeNext(d, R"({"confidence": 0.5})", &next).code == ErrorCode::kOk);
    CHECK(next == "gpu-large-eu");  // 0.5 < 0.7
    REQUIRE(e->CascadeNext(d, R"({"confidence": 0.9})", &next).code == ErrorCode::kOk);
    CHECK(!next);  // 0.9 is not < 0.4 and not refused: accepted
    CHECK(e->CascadeNext(d, R"({"confidence": 0.1})", &next).code == ErrorCode::kNotCascade);
    // Fresh plan; a refusal escalates twice; a malformed response is an error.
    REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
    CHECK(e->CascadeNext(d, R"({"confidence": "high"})", &next).code == ErrorCode::kInvalidInput);
    REQUIRE(e->CascadeNext(d, R"({"confidence": 0.6})", &next).code == ErrorCode::kOk);
    CHECK(next == "gpu-large-eu");
    REQUIRE(e->CascadeNext(d, R"({"confidence": 0.9, "refused": true})", &next).code ==
            ErrorCode::kOk);
    CHECK(next == "gpu-xl-eu");
  }
}

TEST_CASE("before a policy or a snapshot there is nothing to decide") {
  auto e = Engine::Create({});
  EngineError err;
  CHECK(!e->NewRequest(&err));
  CHECK(err.code == ErrorCode::kNoPolicy);
  auto pub = e->PublishSnapshot(kSmallSnapshot);
  REQUIRE(pub);
  CHECK(pub->message.find("no policy") != std::string::npos);
  REQUIRE(e->LoadPolicySource("small.mxl", kSmall).ok);
  auto w = e->NewWorker();
  auto r = e->NewRequest();
  EngineDecision d;
  CHECK(e->Decide(*w, *r, {}, &d).code == ErrorCode::kNoSnapshot);
}

}  // namespace
}  // namespace mixtral::testing

namespace mixtral::testing {
namespace {

TEST_CASE("counters survive snapshot publishes and policy reloads") {
  SmallRig rig(EngineKind::kInterp);
  auto& [e, w, r, d] = rig;
  DecideOptions explain;
  explain.explain = true;
  for (int i = 0; i < 3; ++i) REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
  REQUIRE(!e->UpdateTargets(R"({"targets": [{"name": "a", "p95_ms": 11.0}]})"));
  for (int i = 0; i < 2; ++i) REQUIRE(e->Decide(*w, *r, {}, &d).code == ErrorCode::kOk);
  CHECK(e->ReadStats().by_target["a"] == 5);
  // `a` unhealthy: explained decisions count its failed rule.
  REQUIRE(!e->UpdateTargets(R"({"targets": [{"name": "a", "healthy": false}]})"));
  REQUIRE(e->Decide(*w, *r, explain, &d).code == ErrorCode::kOk);
  CHECK(d.target() == "b");
  // A policy with other names: what was counted under the old names stays.
  std::string renamed = kSmall;
  renamed.replace(renamed.find("require healthy:"), 16, "require up:");
  REQUIRE(e->LoadPolicySource("renamed.mxl", renamed).ok);
  REQUIRE(e->Decide(*w, *r, explain, &d).code == ErrorCode::kOk);
  EngineStats s = e->ReadStats();
  CHECK(s.decisions == 7);
  CHECK(s.by_target["a"] == 5);
  CHECK(s.by_target["b"] == 2);
  CHECK(s.rule_failures["main/healthy"] == 1);
  CHECK(s.rule_failures["main/up"] == 1);
  CHECK(s.by_route["main"] == 7);
  CHECK(s.snapshots_published == 3);
  CHECK(s.policies_loaded == 2);
}

}  // namespace
}  // namespace mixtral::testing
