// Budget counters under concurrency (label `tsan`): threads decide against a
// capped budget while the counter store's clock rolls over many windows. In
// any window the charges made never exceed cap + threads x max_charge
// (SPEC §6.9: a decision racing another may miss its charge, at most one per
// deciding thread).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "library_support.h"

namespace mixtral::testing {
namespace {

const char* kCappedPolicy = R"(policy capped version "1"
request {
  id: string id
  tenant: string
}
target attributes { cost: float }
telemetry per target { healthy: bool }
counter spend by request.tenant window 100ms
target only { cost: 1.0 }
route over_budget when counter.spend >= 10.0 {
  require free: target.cost <= 0.0
  otherwise reject 429 "over budget"
}
route normal default {
  require healthy: telemetry.healthy
  charge spend: target.cost * 2.0
}
)";

TEST_CASE("budget stress: concurrent deciders never overshoot cap + threads x max_charge") {
  constexpr int kThreads = 4;
  constexpr double kCap = 10.0, kMaxCharge = 2.0;
  constexpr int64_t kWindowNs = 100'000'000;
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    auto clock = std::make_shared<ManualClock>(1);
    EngineOptions o;
    o.engine = kind;
    o.clock = [] { return int64_t{1000}; };
    o.counters = std::make_shared<LocalCounterStore>(LocalCounterStore::Options{.clock = clock});
    auto engine = Engine::Create(o);
    REQUIRE(engine->LoadPolicySource("capped.mxl", kCappedPolicy).ok);
    REQUIRE(!engine->PublishSnapshot(
        R"({"taken_at":1000,"targets":[{"name":"only","healthy":true}]})"));

    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<int64_t> charged_at;  // every charge's receipt time
    std::atomic<int> rejected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        auto worker = engine->NewWorker();
        auto request = engine->NewRequest();
        EngineDecision d;
        std::vector<int64_t> mine;
        REQUIRE(request->SetJson(R"({"id":"x","tenant":"acme"})").code == ErrorCode::kOk);
        while (!stop.load()) {
          REQUIRE(engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
          if (d.outcome() == Outcome::kRejected) {
            rejected.fetch_add(1);
            continue;
          }
          REQUIRE(d.charge_receipts().size() == 1);
          REQUIRE(d.charge_receipts()[0].status == CounterStatus::kOk);
          mine.push_back(d.charge_receipts()[0].at_ns);
        }
        std::lock_guard lock(mu);
        charged_at.insert(charged_at.end(), mine.begin(), mine.end());
      });
    }
    // Roll the windows over: 40 windows in 1 ms steps.
    for (int step = 0; step < 4000; ++step) {
      clock->Advance(kWindowNs / 100);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    stop = true;
    for (std::thread& t : threads) t.join();

    std::sort(charged_at.begin(), charged_at.end());
    REQUIRE(charged_at.size() > 40);  // the budget refilled across windows
    CHECK(rejected.load() > 0);       // and ran out in them
    // The exact sliding sum ending at each charge: charges in [t - W, t].
    double worst = 0;
    size_t lo = 0;
    for (size_t hi = 0; hi < charged_at.size(); ++hi) {
      while (charged_at[lo] < charged_at[hi] - kWindowNs) ++lo;
      worst = std::max(worst, static_cast<double>(hi - lo + 1) * kMaxCharge);
    }
    CAPTURE(worst);
    CHECK(worst <= kCap + kThreads * kMaxCharge);
  }
}

}  // namespace
}  // namespace mixtral::testing
