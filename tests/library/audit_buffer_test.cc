// An engine's decision records go to the audit writer through a buffer per
// worker (runtime/src/audit/record_ring.h), not the shared queue. With the
// writer held up by a gate entry: drop mode counts exactly and puts `gap`
// records exactly where records went missing; block mode waits and loses
// nothing; a worker that goes before its records are written loses none;
// decisions after the writer has closed are counted, not waited for; Flush
// covers the buffers; records captured inline and boxed keep their order.
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit_test_support.h"
#include "audited_rig.h"
#include "library_support.h"

namespace mixtral::testing {
namespace {

const char* const kPolicy = R"(policy buffered version "1"
request {
  id: string id
  tenant: string
  tokens: int
}
target attributes { cost_per_1k: float }
telemetry per target { healthy: bool }
target cheap { cost_per_1k: 1.0 }
target dear { cost_per_1k: 3.0 }
route main default {
  require healthy: telemetry.healthy
  minimize cost: target.cost_per_1k
  fallback 1
}
)";

const char* const kSnapshot =
    R"({"taken_at":1000,"targets":[{"name":"cheap","healthy":true},{"name":"dear","healthy":true}]})";

// The buffered policy, auditing to `log` through a 64 KiB buffer (the
// smallest: a few hundred records).
struct Setup : Audited {
  Setup(EngineKind kind, const std::string& log, AuditOverflow overflow, bool explain = false)
      : Audited(kind, Options(log, overflow), kPolicy, kSnapshot, explain) {}

  static AuditOptions Options(const std::string& log, AuditOverflow overflow) {
    AuditOptions o = LogAt(log);
    o.overflow = overflow;
    o.worker_buffer_bytes = 1;
    return o;
  }

  void Decide(int i, bool explain = false) {
    REQUIRE(request
                ->SetJson(R"({"id":"r)" + std::to_string(i) + R"(","tenant":"acme","tokens":)" +
                          std::to_string(i) + "}")
                .code == ErrorCode::kOk);
    DecideOptions options;
    options.explain = explain;
    REQUIRE(engine->Decide(*worker, *request, options, &d).code == ErrorCode::kOk);
  }

  // Holds the writer thread in a gate entry's Render until the gate opens.
  void HoldWriter(Gate& gate) {
    REQUIRE(writer->Append(std::make_unique<GateEntry>(&gate)));
    gate.WaitEntered();
  }
};

// The decision records' numbers (r<N>) and the gaps, in log order; the gate's
// own record is left out.
struct Logged {
  std::vector<int> ids;
  std::vector<std::pair<size_t, uint64_t>> gaps;  // (records before it, dropped)
};

Logged ReadLog(const std::string& log) {
  Logged out;
  for (const std::string& line : ReadLines(log)) {
    const nlohmann::json r = nlohmann::json::parse(line);
    if (r["kind"] == "gap") {
      out.gaps.push_back({out.ids.size(), r["dropped"].get<uint64_t>()});
    } else if (r["kind"] == "decision" && r.contains("decision_id")) {
      const std::string id = r["decision_id"];
      REQUIRE(id.rfind("r", 0) == 0);
      out.ids.push_back(std::stoi(id.substr(1)));
      CHECK(r["decision"]["target"] == "cheap");
      CHECK(r["request"]["tokens"] == out.ids.back());
    }
  }
  return out;
}

TEST_CASE("audit buffer: drop mode: exact counts, gaps where records went missing") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    TempDir dir;
    const std::string log = dir.path("audit.jsonl");
    Setup s(kind, log, AuditOverflow::kDrop);
    Gate gate;
    s.HoldWriter(gate);
    // The writer is held: the buffer fills and the rest are dropped.
    constexpr int kFirst = 3000, kAll = 4000;
    for (int i = 0; i < kFirst; ++i) s.Decide(i);
    const uint64_t dropped_held = s.writer->counters().dropped;
    CHECK(dropped_held > 0);
    CHECK(dropped_held < static_cast<uint64_t>(kFirst));
    gate.open = true;
    // Deciding on while the writer catches up: records and drops interleave.
    for (int i = kFirst; i < kAll; ++i) s.Decide(i);
    REQUIRE(s.writer->Flush());
    const AuditCounters c = s.writer->counters();
    s.writer->Close();

    const Logged got = ReadLog(log);
    CHECK(got.ids.size() + c.dropped == static_cast<size_t>(kAll));
    CHECK(c.gaps == got.gaps.size());
    // Each gap stands exactly for the numbers missing at its place.
    uint64_t gap_total = 0;
    size_t g = 0;
    int expect = 0;
    for (size_t k = 0; k <= got.ids.size(); ++k) {
      uint64_t missing = 0;
      for (; g < got.gaps.size() && got.gaps[g].first == k; ++g) missing += got.gaps[g].second;
      gap_total += missing;
      if (k < got.ids.size()) {
        CHECK(got.ids[k] == expect + static_cast<int>(missing));
        expect = got.ids[k] + 1;
      } else {
        CHECK(expect + static_cast<int>(missing) == kAll);
      }
    }
    CHECK(gap_total == c.dropped);
    CHECK(VerifyAuditLog({log}).ok());
  }
}

TEST_CASE("audit buffer: block mode: a full buffer waits, nothing is lost") {
  TempDir dir;
  const std::string log = dir.path("audit.jsonl");
  Setup s(FastestEngine(), log, AuditOverflow::kBlock);
  Gate gate;
  s.HoldWriter(gate);
  std::atomic<bool> blocked_long{false};
  std::thread opener([&] {
    // Long enough for the decider to fill its buffer and wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    blocked_long = true;
    gate.open = true;
  });
  constexpr int kAll = 3000;
  for (int i = 0; i < kAll; ++i) s.Decide(i);
  // The buffer holds a few hundred: the decider can only have finished
  // after the writer was let go.
  CHECK(blocked_long.load());
  opener.join();
  s.writer->Close();
  CHECK(s.writer->counters().dropped == 0);
  const Logged got = ReadLog(log);
  REQUIRE(got.ids.size() == static_cast<size_t>(kAll));
  for (int i = 0; i < kAll; ++i) CHECK(got.ids[i] == i);
  CHECK(got.gaps.empty());
}

TEST_CASE("audit buffer: a worker that goes before its records are written loses none") {
  TempDir dir;
  const std::string log = dir.path("audit.jsonl");
  Setup s(FastestEngine(), log, AuditOverflow::kBlock);
  Gate gate;
  s.HoldWriter(gate);
  for (int i = 0; i < 100; ++i) s.Decide(i);
  s.worker.reset();
  s.engine.reset();
  gate.open = true;
  s.writer->Close();
  const Logged got = ReadLog(log);
  REQUIRE(got.ids.size() == 100u);
  CHECK(got.ids.back() == 99);
  CHECK(s.writer->counters().dropped == 0);
}

TEST_CASE(
    "audit buffer: decisions after the writer has closed are counted as dropped, never waited "
    "for") {
  TempDir dir;
  const std::string log = dir.path("audit.jsonl");
  Setup s(FastestEngine(), log, AuditOverflow::kBlock);
  s.Decide(0);
  s.writer->Close();
  // More than the buffer holds: in block mode a wait would never end.
  for (int i = 1; i <= 2000; ++i) s.Decide(i);
  CHECK(s.writer->counters().dropped == 2000);
  const Logged got = ReadLog(log);
  CHECK(got.ids == std::vector<int>{0});
}

TEST_CASE("audit buffer: Flush covers the records in a worker's buffer") {
  TempDir dir;
  const std::string log = dir.path("audit.jsonl");
  Setup s(FastestEngine(), log, AuditOverflow::kBlock);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) s.Decide(round * 5 + i);
    REQUIRE(s.writer->Flush());
    // Written and synced before Flush returned, with the writer still open.
    CHECK(ReadLog(log).ids.size() == static_cast<size_t>(round * 5 + 5));
  }
}

TEST_CASE("audit buffer: records captured inline and boxed (with explain) keep a worker's order") {
  TempDir dir;
  const std::string log = dir.path("audit.jsonl");
  Setup s(FastestEngine(), log, AuditOverflow::kBlock, /*explain=*/true);
  for (int i = 0; i < 300; ++i) s.Decide(i, /*explain=*/i % 3 == 0);
  s.writer->Close();
  int with_explain = 0, i = 0;
  for (const std::string& line : ReadLines(log)) {
    const nlohmann::json r = nlohmann::json::parse(line);
    CHECK(r["decision_id"] == "r" + std::to_string(i));
    const bool has = r["decision"].contains("explain") && !r["decision"]["explain"].is_null();
    CHECK(has == (i % 3 == 0));
    with_explain += has;
    ++i;
  }
  CHECK(i == 300);
  CHECK(with_explain == 100);
}

}  // namespace
}  // namespace mixtral::testing
