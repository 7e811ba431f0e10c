// The engine's audit records and counters: decision records with masked
// fields and derived buckets and values, invalid requests audited, charges
// applied and read back, refused charges as faults, charge_adjust corrected
// and audited; records captured from reused entries under concurrency (a
// `stress:` case, run under TSan).
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "audited_rig.h"
#include "library_support.h"
#include "mixtral/runtime/audit.h"

namespace mixtral::testing {
namespace {

const char* const kBudgetPolicy = R"(policy budget version "1"
request {
  id: string id
  tenant: string
  user: string sensitive
  tokens: int
}
target attributes { cost_per_1k: float }
telemetry per target { healthy: bool }
counter spend by request.tenant window 1s
counter per_target by target.name window 1s
target cheap { cost_per_1k: 1.0 }
target dear { cost_per_1k: 3.0 }
route over_budget when counter.spend >= 10.0 {
  require cheap_enough: target.cost_per_1k <= 0.5
  otherwise reject 429 "tenant budget exhausted"
}
route normal default {
  split arm by request.user { a: 50%, b: 50% }
  require healthy: telemetry.healthy
  minimize cost: target.cost_per_1k
  fallback 1
  charge spend: target.cost_per_1k * request.tokens / 1000
  charge per_target: 1
}
)";

const char* kBudgetSnapshot =
    R"({"taken_at":1000,"targets":[{"name":"cheap","healthy":true},{"name":"dear","healthy":true}]})";

std::string TempLog(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mixtral-audit-engine-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "audit.jsonl").string();
}

std::vector<nlohmann::json> Records(const std::string& log) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : SplitLines(ReadFile(log)))
    out.push_back(nlohmann::json::parse(line));
  return out;
}

struct Budget {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1);
  std::shared_ptr<LocalCounterStore> store;
  std::shared_ptr<AuditWriter> writer;
  std::unique_ptr<Engine> engine;

  Budget(EngineKind kind, const std::string& log, size_t capacity = 8192) {
    store = std::make_shared<LocalCounterStore>(
        LocalCounterStore::Options{.capacity = capacity, .clock = clock});
    EngineOptions o;
    o.engine = kind;
    o.clock = [] { return int64_t{1000}; };
    o.counters = store;
    if (!log.empty()) {
      AuditOptions ao;
      ao.path = log;
      std::string error;
      writer = AuditWriter::Open(ao, &error);
      REQUIRE_MESSAGE(writer, error);
      o.audit = writer;
    }
    engine = Engine::Create(o);
    REQUIRE(engine);
    LoadResult r = engine->LoadPolicySource("budget.mxl", kBudgetPolicy);
    REQUIRE_MESSAGE(r.ok, r.rendered);
    REQUIRE(!engine->PublishSnapshot(kBudgetSnapshot));
  }
};

TEST_CASE("decision records: masked fields, derived buckets, counters, charges, invalid requests") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    const std::string log = TempLog(kind == EngineKind::kJit ? "records-jit" : "records-interp");
    Budget b(kind, log);
    auto worker = b.engine->NewWorker();
    auto request = b.engine->NewRequest();
    EngineDecision d;
    // 4000 tokens at 1.0 per 1k: 4.0 per decision; the third sees 8.0, the
    // fourth 12.0 >= 10.0 and is refused.
    std::vector<std::string> outcomes;
    for (int i = 0; i < 4; ++i) {
      std::string json = R"({"id":"r)" + std::to_string(i) +
                         R"(","tenant":"acme","user":"alice@example.com","tokens":4000})";
      REQUIRE(request->SetJson(json).code == ErrorCode::kOk);
      REQUIRE(b.engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
      outcomes.push_back(OutcomeName(d.outcome()));
    }
    CHECK(outcomes == std::vector<std::string>{"routed", "routed", "routed", "rejected"});
    CHECK(d.reject_status() == 429);
    REQUIRE(request->SetJson(R"({"id":"bad","tenant":7})").code == ErrorCode::kOk);
    REQUIRE(b.engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
    CHECK(d.reject_status() == 400);
    CHECK(b.store->Read(0, "acme").value == doctest::Approx(12.0));
    b.writer->Close();

    std::vector<nlohmann::json> recs = Records(log);
    REQUIRE(recs.size() == 5);
    const nlohmann::json& third = recs[2];
    CHECK(third["kind"] == "decision");
    CHECK(third["decision_id"] == "r2");
    CHECK(third["request"]["user"] == "***");
    CHECK(third["request"]["tenant"] == "acme");
    CHECK(third["masked"] == nlohmann::json::array({"user"}));
    CHECK(ReadFile(log).find("alice@example.com") == std::string::npos);
    // The split's key is the masked field: its bucket is recorded.
    REQUIRE(third["derived"].contains("split:arm"));
    CHECK(third["derived"]["split:arm"].get<int64_t>() >= 0);
    CHECK(third["derived"]["split:arm"].get<int64_t>() < 10000);
    CHECK(third["counters_read"] ==
          nlohmann::json::parse(R"([{"counter":"spend","key":"acme","value":8.0}])"));
    CHECK(third["charges"] == nlohmann::json::parse(
                                  R"([{"amount":4.0,"counter":"spend","key":"acme"},
                                      {"amount":1.0,"counter":"per_target","key":"cheap"}])"));
    CHECK(!third.contains("faults"));  // every charge was made
    CHECK(third["decision"]["target"] == "cheap");
    CHECK(!third["decision"].contains("explain"));
    CHECK(third["eval_ns"].is_number_integer());
    CHECK(third["now"] == "1970-01-01T00:00:01.000Z");
    CHECK(recs[3]["charges"].empty());
    CHECK(recs[3]["decision"]["reject"]["status"] == 429);
    CHECK(recs[4]["request"].is_null());
    CHECK(recs[4]["decision"]["reject"]["status"] == 400);
    const std::string sha = third["snapshot_sha256"];
    CHECK(std::filesystem::exists(log + ".snapshots/" + sha + ".json"));
    AuditVerifyResult v = VerifyAuditLog({log});
    CHECK(v.ok());
    CHECK(v.records == 5);
  }
}

TEST_CASE("charge_adjust recomputes with the actual target and audits each correction") {
  const std::string log = TempLog("adjust");
  Budget b(EngineKind::kInterp, log);
  auto worker = b.engine->NewWorker();
  auto request = b.engine->NewRequest();
  EngineDecision d;
  REQUIRE(request->SetJson(R"({"id":"r1","tenant":"acme","user":"u","tokens":2000})").code ==
          ErrorCode::kOk);
  REQUIRE(b.engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
  REQUIRE(d.target() == "cheap");
  REQUIRE(d.charge_receipts().size() == 2);
  CHECK(b.store->Read(0, "acme").value == doctest::Approx(2.0));
  CHECK(b.store->Read(1, "cheap").value == doctest::Approx(1.0));

  CHECK(b.engine->ChargeAdjust(d, "nowhere").code == ErrorCode::kInvalidInput);
  // The data plane fell back to `dear`: 3.0 per 1k, so 6.0 instead of 2.0,
  // and the per-target count moves from cheap to dear.
  REQUIRE(b.engine->ChargeAdjust(d, "dear").code == ErrorCode::kOk);
  CHECK(b.store->Read(0, "acme").value == doctest::Approx(6.0));
  CHECK(b.store->Read(1, "cheap").value == doctest::Approx(0.0));
  CHECK(b.store->Read(1, "dear").value == doctest::Approx(1.0));
  CHECK(b.engine->ChargeAdjust(d, "dear").code == ErrorCode::kUsage);  // once only

  // With the actual cost: it replaces target-dependent amounts only.
  REQUIRE(request->SetJson(R"({"id":"r2","tenant":"beta","user":"u","tokens":2000})").code ==
          ErrorCode::kOk);
  REQUIRE(b.engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
  REQUIRE(b.engine->ChargeAdjust(d, "cheap", 0.5).code == ErrorCode::kOk);
  CHECK(b.store->Read(0, "beta").value == doctest::Approx(0.5));
  CHECK(b.store->Read(1, "cheap").value == doctest::Approx(1.0));
  b.writer->Close();

  std::vector<nlohmann::json> adjust;
  for (const nlohmann::json& r : Records(log))
    if (r["kind"] == "charge_adjust") adjust.push_back(r);
  REQUIRE(adjust.size() == 4);
  auto rec = [](const char* id, const char* counter, const char* key, double amount) {
    return nlohmann::json{
        {"decision_id", id}, {"counter", counter}, {"key", key}, {"amount", amount}};
  };
  auto strip = [](nlohmann::json r) {
    for (const char* k : {"kind", "seq", "prev_hash", "ts"}) r.erase(k);
    return r;
  };
  CHECK(strip(adjust[0]) == rec("r1", "spend", "acme", 4.0));
  CHECK(strip(adjust[1]) == rec("r1", "per_target", "cheap", -1.0));
  CHECK(strip(adjust[2]) == rec("r1", "per_target", "dear", 1.0));
  CHECK(strip(adjust[3]) == rec("r2", "spend", "beta", -1.5));
  CHECK(VerifyAuditLog({log}).ok());
}

TEST_CASE("a rejected decision charges nothing; offline counters read the snapshot") {
  EngineOptions o;
  o.engine = EngineKind::kInterp;
  o.offline_counters = true;
  o.clock = [] { return int64_t{1000}; };
  auto e = Engine::Create(o);
  REQUIRE(e->LoadPolicySource("budget.mxl", kBudgetPolicy).ok);
  REQUIRE(!e->PublishSnapshot(
      R"({"taken_at":1000,"targets":[{"name":"cheap","healthy":true}],"counters":{"spend":{"acme":11.5}}})"));
  auto worker = e->NewWorker();
  auto request = e->NewRequest();
  EngineDecision d;
  REQUIRE(request->SetJson(R"({"id":"r1","tenant":"acme","user":"u","tokens":10})").code ==
          ErrorCode::kOk);
  REQUIRE(e->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
  CHECK(d.outcome() == Outcome::kRejected);
  CHECK(d.charges().empty());
  REQUIRE(d.counters_read().size() == 1);
  CHECK(d.counters_read()[0].value == 11.5);
  REQUIRE(request->SetJson(R"({"id":"r2","tenant":"zed","user":"u","tokens":1000})").code ==
          ErrorCode::kOk);
  REQUIRE(e->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
  CHECK(d.outcome() == Outcome::kRouted);
  CHECK(d.charges().size() == 2);          // computed and audited ...
  CHECK(d.charge_receipts().size() == 2);  // ... but the store is not charged offline
  CHECK(e->counters().Read(0, "zed").value == 0.0);
}

TEST_CASE("a charge the counter store refuses is a charge:NAME fault, in explain and the record") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    const std::string log = TempLog(kind == EngineKind::kJit ? "refused-jit" : "refused-interp");
    // Room for one key: `spend` takes it, `per_target` is refused (full).
    Budget b(kind, log, 1);
    auto worker = b.engine->NewWorker();
    auto request = b.engine->NewRequest();
    EngineDecision d;
    DecideOptions o;
    o.explain = true;
    REQUIRE(request->SetJson(R"({"id":"r1","tenant":"acme","user":"u","tokens":2000})").code ==
            ErrorCode::kOk);
    REQUIRE(b.engine->Decide(*worker, *request, o, &d).code == ErrorCode::kOk);
    REQUIRE(d.target() == "cheap");
    REQUIRE(d.charge_receipts().size() == 2);
    CHECK(d.charge_receipts()[0].status == CounterStatus::kOk);
    CHECK(d.charge_receipts()[1].status == CounterStatus::kFull);
    CHECK(b.store->Read(0, "acme").value == doctest::Approx(2.0));
    REQUIRE(d.explain());
    const Fault want{"cheap", "charge:per_target", {"refused by the counter store: full"}};
    CHECK(std::count(d.explain()->faults.begin(), d.explain()->faults.end(), want) == 1);
    CHECK(b.engine->ReadStats().faulted_decisions == 1);
    // Without explain the decision carries no faults, but the record does.
    REQUIRE(request->SetJson(R"({"id":"r2","tenant":"acme","user":"u","tokens":1000})").code ==
            ErrorCode::kOk);
    REQUIRE(b.engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
    CHECK(!d.explain());
    b.writer->Close();

    std::vector<nlohmann::json> recs = Records(log);
    REQUIRE(recs.size() == 2);
    const auto made = nlohmann::json::parse(R"([{"amount":2.0,"counter":"spend","key":"acme"}])");
    const auto faults = nlohmann::json::parse(
        R"([{"fields":["refused by the counter store: full"],"rule":"charge:per_target",
             "target":"cheap"}])");
    CHECK(recs[0]["charges"] == made);
    CHECK(recs[0]["faults"] == faults);
    CHECK(recs[1]["charges"][0]["amount"] == 1.0);
    CHECK(recs[1]["faults"] == faults);
    CHECK(VerifyAuditLog({log}).ok());
  }
}

TEST_CASE("a charge with a missing or NaN amount is not made: a charge:NAME fault") {
  const char* policy = R"(policy p version "1"
request {
  id: string id
  tenant: string
  cost: float?
}
target attributes { zone: string }
telemetry per target { healthy: bool }
counter spend by request.tenant window 1s
target only { zone: "a" }
route main {
  require healthy: telemetry.healthy
  charge spend: request.cost
}
)";
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    EngineOptions o;
    o.engine = kind;
    o.clock = [] { return int64_t{1000}; };
    auto e = Engine::Create(o);
    LoadResult r = e->LoadPolicySource("p.mxl", policy);
    REQUIRE_MESSAGE(r.ok, r.rendered);
    REQUIRE(!e->PublishSnapshot(R"({"taken_at":1000,"targets":[{"name":"only","healthy":true}]})"));
    auto worker = e->NewWorker();
    auto request = e->NewRequest();
    EngineDecision d;
    DecideOptions explain;
    explain.explain = true;
    auto decide = [&](const char* json) {
      REQUIRE(request->SetJson(json).code == ErrorCode::kOk);
      REQUIRE(e->Decide(*worker, *request, explain, &d).code == ErrorCode::kOk);
      REQUIRE(d.outcome() == Outcome::kRouted);
      REQUIRE(d.explain());
    };
    decide(R"({"id":"r1","tenant":"acme"})");
    CHECK(d.charges().empty());
    CHECK(d.explain()->faults == std::vector<Fault>{{"only", "charge:spend", {"request.cost"}}});
    decide(R"({"id":"r2","tenant":"acme","cost":"NaN"})");
    CHECK(d.charges().empty());
    CHECK(d.explain()->faults == std::vector<Fault>{{"only", "charge:spend", {"NaN"}}});
    decide(R"({"id":"r3","tenant":"acme","cost":2.5})");
    REQUIRE(d.charges().size() == 1);
    CHECK(d.explain()->faults.empty());
    CHECK(e->counters().Read(0, "acme").value == 2.5);
  }
}

const char* const kMaskedPolicy = R"(policy masked version "1"
type Tier = enum { free, pro }
request {
  id: string id
  email: string sensitive
  ip: string sensitive
  tier: Tier sensitive
  tokens: int
}
target attributes {
  internal: bool = false
  cost: float
}
telemetry per target { healthy: bool }
let vips = ["bob@corp.example"]
target inside { internal: true, cost: 1.0 }
target outside { cost: 2.0 }
route main {
  require healthy: telemetry.healthy
  forbid outsiders: target.internal and not matches(request.email, "@corp\\.example$")
  minimize cost: target.cost weight (request.tier == pro ? 2.0 : 1.0)
  annotate "x-email-len": len(request.email)
  annotate "x-internal-ip": cidr_contains("10.0.0.0/8", request.ip) and request.tokens > 10
  annotate "x-vip": request.email in vips
}
)";

TEST_CASE("decision records carry the values of expressions over masked fields") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    const std::string log = TempLog(kind == EngineKind::kJit ? "expr-jit" : "expr-interp");
    Audited a(
        kind, log, kMaskedPolicy,
        R"({"taken_at":1000,"targets":[{"name":"inside","healthy":true},{"name":"outside","healthy":true}]})");
    CHECK(
        a.Target(
            R"({"id":"r1","email":"eve@evil.example","ip":"10.1.2.3","tier":"pro","tokens":50})") ==
        "outside");
    CHECK(
        a.Target(
            R"({"id":"r2","email":"bob@corp.example","ip":"192.0.2.1","tier":"free","tokens":50})") ==
        "inside");
    a.writer->Close();

    const std::string text = ReadFile(log);
    // (bob@corp.example is in the policy, and so in a key.)
    for (const char* secret : {"eve@evil", "10.1.2.3", "192.0.2.1"})
      CHECK_MESSAGE(text.find(secret) == std::string::npos, secret);
    std::vector<nlohmann::json> recs = Records(log);
    REQUIRE(recs.size() == 2);
    // Keyed by canonical source, `let`s spelled out; the maximal expression
    // only (`not matches(...)`, not also `matches(...)`; the whole weight).
    const std::string re = R"x("expr:not matches(request.email, \"@corp\\\\.example$\")")x";
    const std::string vip = R"x("expr:request.email in vips where vips = [\"bob@corp.example\"]")x";
    const std::string cidr = R"x("expr:cidr_contains(\"10.0.0.0/8\", request.ip)")x";
    const std::string weight = R"x("expr:request.tier == pro ? 2.0 : 1.0")x";
    const std::string len = R"x("expr:len(request.email)")x";
    // `cidr_contains(...) and request.tokens > 10` reads an unmasked field:
    // only its masked part is derived.
    CHECK(recs[0]["derived"] == nlohmann::json::parse("{" + re + ":true," + vip + ":false," + cidr +
                                                      ":true," + weight + ":2.0," + len + ":16}"));
    CHECK(recs[1]["derived"] == nlohmann::json::parse("{" + re + ":false," + vip + ":true," + cidr +
                                                      ":false," + weight + ":1.0," + len + ":16}"));
    CHECK(recs[0]["decision"]["annotations"]["x-email-len"] == 16);
    CHECK(recs[1]["decision"]["annotations"]["x-vip"] == true);
  }
}

// The JIT compiles this route's rules, string comparison included: audited,
// the decision takes the interpreter, which records the comparison's value.
const char* const kNativePolicy = R"(policy native version "1"
request {
  id: string id
  email: string sensitive
}
target attributes { cost: float }
telemetry per target { healthy: bool }
target a { cost: 1.0 }
target b { cost: 2.0 }
route main {
  require healthy: telemetry.healthy
  forbid blocked: target.cost < 1.5 and request.email == "eve@evil.example"
  minimize cost: target.cost
}
)";

TEST_CASE("a compiled comparison with a masked field is recorded too") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    const std::string log = TempLog(kind == EngineKind::kJit ? "native-jit" : "native-interp");
    Audited a(
        kind, log, kNativePolicy,
        R"({"taken_at":1000,"targets":[{"name":"a","healthy":true},{"name":"b","healthy":true}]})");
    CHECK(a.Target(R"({"id":"r1","email":"eve@evil.example"})") == "b");
    CHECK(a.Target(R"({"id":"r2","email":"bob@corp.example"})") == "a");
    a.writer->Close();
    std::vector<nlohmann::json> recs = Records(log);
    REQUIRE(recs.size() == 2);
    const std::string key = R"(expr:request.email == "eve@evil.example")";
    CHECK(recs[0]["derived"] == nlohmann::json{{key, true}});
    CHECK(recs[1]["derived"] == nlohmann::json{{key, false}});
  }
}

// Deciding threads reuse their pools' entries while the writer renders them
// and snapshots are published: every record must carry its own decision's
// request and the snapshot it was decided against, none lost or repeated.
// Two deciding threads against a publisher, through small buffers so that
// they block on the writer: every record names the snapshot its decision saw.
void AuditedStress(const std::string& policy, const char* name) {
  const std::string log = TempLog(name);
  AuditOptions ao;
  ao.path = log;
  ao.worker_buffer_bytes = 1;  // 64 KiB: the deciders wait for the writer
  std::string error;
  std::shared_ptr<AuditWriter> writer = AuditWriter::Open(ao, &error);
  REQUIRE_MESSAGE(writer, error);
  EngineOptions o;
  o.engine = EngineKind::kJit;
  o.clock = [] { return int64_t{1000}; };
  o.audit = writer;
  auto engine = Engine::Create(o);
  REQUIRE(engine);
  LoadResult r = engine->LoadPolicySource("budget.mxl", policy);
  REQUIRE_MESSAGE(r.ok, r.rendered);
  REQUIRE(!engine->PublishSnapshot(kBudgetSnapshot));

  constexpr int kThreads = 2, kDecisions = 1500;
  std::atomic<bool> deciding{true};
  std::atomic<int> failures{0};
  std::thread publisher([&] {
    for (int i = 2; deciding.load(); ++i) {
      const std::string snapshot = R"({"taken_at":)" + std::to_string(i * 1000) +
                                   R"(,"targets":[{"name":"cheap","healthy":true},)"
                                   R"({"name":"dear","healthy":true}]})";
      if (engine->PublishSnapshot(snapshot)) failures.fetch_add(1);
      std::this_thread::yield();
    }
  });
  // The snapshot each decision was made against, by decision id.
  std::vector<std::map<std::string, std::string>> decided(kThreads);
  std::vector<std::thread> deciders;
  for (int t = 0; t < kThreads; ++t) {
    deciders.emplace_back([&, t] {
      auto worker = engine->NewWorker();
      auto request = engine->NewRequest();
      EngineDecision d;
      for (int i = 0; i < kDecisions; ++i) {
        const std::string n = std::to_string(t) + "-" + std::to_string(i);
        const std::string json = R"({"id":"d)" + n + R"(","tenant":"t)" + n +
                                 R"(","user":"secret)" + n + R"(","tokens":)" + std::to_string(i) +
                                 "}";
        if (request->SetJson(json).code != ErrorCode::kOk ||
            engine->Decide(*worker, *request, {}, &d).code != ErrorCode::kOk)
          failures.fetch_add(1);
        decided[t]["d" + n] = std::string(d.snapshot_sha256());
      }
    });
  }
  for (std::thread& d : deciders) d.join();
  deciding = false;
  publisher.join();
  engine.reset();
  writer->Close();
  CHECK(failures.load() == 0);

  std::set<std::string> ids;
  for (const nlohmann::json& rec : Records(log)) {
    REQUIRE(rec["kind"] == "decision");
    const std::string id = rec["decision_id"];
    const std::string n = id.substr(1);
    CHECK(ids.insert(id).second);
    CHECK(rec["request"]["id"] == id);
    CHECK(rec["request"]["tenant"] == "t" + n);
    CHECK(rec["request"]["user"] == "***");
    CHECK(rec["request"]["tokens"] == std::stoi(n.substr(n.find('-') + 1)));
    CHECK(rec["decision"]["target"] == "cheap");
    const std::string sha = rec["snapshot_sha256"];
    CHECK(sha == decided[std::stoi(n)][id]);
    CHECK(std::filesystem::exists(log + ".snapshots/" + sha + ".json"));
  }
  CHECK(ids.size() == static_cast<size_t>(kThreads * kDecisions));
  CHECK(ReadFile(log).find("secret") == std::string::npos);
  CHECK(VerifyAuditLog({log}).ok());
}

TEST_CASE("stress: audited deciders and a publisher on the JIT") {
  if (!JitAvailable()) return;
  // Split by the masked user: every record has a derived bucket, so each
  // takes a pooled entry, boxed in the worker's buffer.
  AuditedStress(kBudgetPolicy, "stress-boxed");
  // Without the split: records copied inline, their snapshots pinned per state.
  std::string inline_policy = kBudgetPolicy;
  const std::string split = "  split arm by request.user { a: 50%, b: 50% }\n";
  REQUIRE(inline_policy.find(split) != std::string::npos);
  inline_policy.erase(inline_policy.find(split), split.size());
  AuditedStress(inline_policy, "stress-inline");
}

}  // namespace
}  // namespace mixtral::testing
