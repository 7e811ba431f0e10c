// The engine's audit records and counters: decision records with masked
// fields and derived buckets, invalid requests audited, charges applied and
// read back, charge_adjust corrected and audited.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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

  Budget(EngineKind kind, const std::string& log) {
    store = std::make_shared<LocalCounterStore>(LocalCounterStore::Options{.clock = clock});
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

}  // namespace
}  // namespace mixtral::testing
