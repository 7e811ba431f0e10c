// Hot swap: nothing is freed under a running decision, and everything
// retired is freed once no decision can see it.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "library_support.h"

namespace mixtral::testing {
namespace {

// A clock that parks the deciding threads inside Decide (it is read under
// the epoch guard) until the test releases them.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  bool open = false;
  std::atomic<bool> armed{false};
  const std::thread::id writer = std::this_thread::get_id();  // publishes read the clock too

  int64_t Now() {
    if (armed.load() && std::this_thread::get_id() != writer) {
      std::unique_lock lock(mu);
      ++inside;
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
    }
    return kRoute16Now;
  }
};

TEST_CASE("swapping while two threads are inside the old version") {
  for (EngineKind kind : Engines()) {
    CAPTURE(static_cast<int>(kind));
    Gate gate;
    EngineOptions o;
    o.clock = [&gate] { return gate.Now(); };
    auto e = Route16Engine(kind, o);
    const uint64_t old_version = e->active_version();
    const auto requests = JsonLines(SourcePath(kRoute16Data + "requests.jsonl"), 2);

    gate.armed = true;
    EngineDecision out[2];
    std::thread threads[2];
    for (int t = 0; t < 2; ++t) {
      threads[t] = std::thread([&, t] {
        auto w = e->NewWorker();
        auto r = e->NewRequest();
        FillRoute16(*r, requests[t]);
        CHECK(e->Decide(*w, *r, {}, &out[t]).code == ErrorCode::kOk);
      });
    }
    {
      std::unique_lock lock(gate.mu);
      gate.cv.wait(lock, [&] { return gate.inside == 2; });
    }
    // Both threads hold the old state. Swap the policy and the snapshot.
    const uint64_t reclaimed_before = e->ReadStats().versions_reclaimed;
    REQUIRE(e->LoadPolicyFile(SourcePath(kRoute16Policy)).ok);
    REQUIRE(!e->PublishSnapshot(ReadFile(SourcePath(kRoute16Data + "telemetry.json")),
                                ReadFile(SourcePath(kRoute16Data + "targets.json"))));
    CHECK(e->active_version() == old_version + 1);
    // The state the threads entered with is retired, not freed.
    CHECK(e->ReadStats().versions_reclaimed == reclaimed_before);
    gate.armed = false;
    {
      std::lock_guard lock(gate.mu);
      gate.open = true;
    }
    gate.cv.notify_all();
    for (auto& t : threads) t.join();
    // They finished on the version they started with, intact.
    for (auto& d : out) {
      CHECK(d.engine_version() == old_version);
      CHECK(d.has_target());
    }
    // Now nothing can see the old states: the next write frees them.
    e->Collect();
    CHECK(e->ReadStats().versions_reclaimed >= reclaimed_before + 2);
    CHECK(e->RetiredCount() == 0);
  }
}

// Two threads decide while a third swaps policies and snapshots; every answer
// must still be route16's reference answer.
void Stress(EngineKind kind) {
  {
    auto e = Route16Engine(kind);
    const auto requests = JsonLines(SourcePath(kRoute16Data + "requests.jsonl"), 500);
    const auto expected = JsonLines(SourcePath(kRoute16Data + "expected.jsonl"), 500);
    const std::string telemetry = ReadFile(SourcePath(kRoute16Data + "telemetry.json"));
    const std::string targets = ReadFile(SourcePath(kRoute16Data + "targets.json"));
    const std::string source = ReadFile(SourcePath(kRoute16Policy));
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> wrong{0}, decided{0};
    auto decide = [&] {
      auto w = e->NewWorker();
      auto r = e->NewRequest();
      EngineDecision d;
      for (size_t i = 0; !stop.load(); i = (i + 1) % requests.size()) {
        FillRoute16(*r, requests[i]);
        if (e->Decide(*w, *r, {}, &d).code != ErrorCode::kOk) {
          ++wrong;
          continue;
        }
        const auto& x = expected[i];
        bool ok =
            x["target"].is_null() ? !d.has_target() : d.target() == x["target"].get<std::string>();
        if (!ok) ++wrong;
        ++decided;
      }
    };
    std::thread a(decide), b(decide);
    // Every swap republishes equivalent content, so every answer stays checkable.
    // Keep swapping until both threads have decided plenty under the churn.
    for (int i = 0; i < 40 || (decided.load() < 4000 && i < 100000); ++i) {
      if (i % 2 == 0)
        REQUIRE(e->LoadPolicySource("route16.mxl", source).ok);
      else
        REQUIRE(!e->PublishSnapshot(telemetry, targets));
      REQUIRE(!e->UpdateTargets(R"({"targets": []})"));
      if (i % 8 == 7) REQUIRE(e->Rollback());
    }
    stop = true;
    a.join();
    b.join();
    CHECK(decided.load() >= 4000);
    CHECK(wrong.load() == 0);
    e->Collect();
    CHECK(e->RetiredCount() == 0);
  }
}

// Separate cases, so that the TSan stage runs each engine on its own.
TEST_CASE("stress: two deciders and a swapper on the interpreter") { Stress(EngineKind::kInterp); }

TEST_CASE("stress: two deciders and a swapper on the JIT") {
  if (JitAvailable()) Stress(EngineKind::kJit);
}

}  // namespace
}  // namespace mixtral::testing
