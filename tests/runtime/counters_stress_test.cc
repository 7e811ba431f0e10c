// N threads race "read; if value + amount <= cap, charge amount" on one key
// while a driver moves a ManualClock across many windows. The store must
// never let more than cap + N * max_charge through in a window: each thread
// can have at most one charge between its read and its write. Checked two
// ways: every read a thread makes after charging, and, after the run, every
// exact window (t - W, t] of the charges' own timestamps. Built and run
// under ThreadSanitizer by the `tsan` ctest label.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mixtral/runtime/counters.h"

namespace mixtral {
namespace {

struct Logged {
  int64_t at_ns;
  double amount;
};

// The largest sum of amounts with timestamps in any (t - window, t].
double MaxWindowSum(std::vector<Logged> log, int64_t window) {
  std::sort(log.begin(), log.end(),
            [](const Logged& a, const Logged& b) { return a.at_ns < b.at_ns; });
  double best = 0, sum = 0;
  size_t lo = 0;
  for (size_t hi = 0; hi < log.size(); ++hi) {
    sum += log[hi].amount;
    while (log[lo].at_ns <= log[hi].at_ns - window) sum -= log[lo++].amount;
    // Charges sharing log[hi]'s timestamp that come after it are counted
    // when hi reaches them; the maximum is over all of them.
    best = std::max(best, sum);
  }
  return best;
}

TEST_CASE("stress: racing read-then-charge never exceeds cap + threads x max_charge") {
  constexpr int kThreads = 4;
  constexpr double kCap = 100;
  constexpr double kMaxCharge = 5;
  constexpr int kWindows = 48;
  constexpr int64_t window = 64'000;
  // One sub-bucket (the whole window rolls at once), a few, the default 64.
  for (uint32_t sub_buckets : {1u, 5u, 64u}) {
    CAPTURE(sub_buckets);
    auto clock = std::make_shared<ManualClock>(0);
    LocalCounterStore store({.capacity = 16, .sub_buckets = sub_buckets, .clock = clock});
    CounterId id = store.Declare({"budget", window}).id;

    // The workers move the clock themselves, a 1/512 window step every
    // fourth iteration each, so time advances only as fast as they race,
    // however the machine schedules them: every window gets ~2048 tries.
    const int64_t step = window / 512;
    const int64_t end = kWindows * window;
    std::atomic<int> over_bound{0}, not_ok{0}, ready{0};
    std::vector<std::vector<Logged>> logs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      logs[t].reserve(1 << 18);
      threads.emplace_back([&, t] {
        // Start together, or the first thread could finish before the last starts.
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        for (int i = 0; clock->NowNs() < end; ++i) {
          double amount = 1 + (i * 7 + t * 3) % 5;  // 1..5, a fixed sequence per thread
          CounterRead r = store.Read(id, "tenant");
          if (r.status != CounterStatus::kOk) ++not_ok;
          if (r.value + amount <= kCap) {
            ChargeReceipt c = store.Charge(id, "tenant", amount);
            if (c.status != CounterStatus::kOk) ++not_ok;
            if (logs[t].size() < logs[t].capacity()) logs[t].push_back({c.at_ns, amount});
            if (store.Read(id, "tenant").value > kCap + kThreads * kMaxCharge) ++over_bound;
          }
          if (i % 4 == 3) clock->Advance(step);
        }
      });
    }
    for (std::thread& th : threads) th.join();

    std::vector<Logged> all;
    double total = 0;
    for (const auto& l : logs)
      for (const Logged& x : l) {
        all.push_back(x);
        total += x.amount;
      }
    CHECK(not_ok.load() == 0);
    CHECK(over_bound.load() == 0);
    CHECK(MaxWindowSum(all, window) <= kCap + kThreads * kMaxCharge);
    // Rollover works: the budget refilled window after window. The store
    // keeps a charge for at most W + w <= 2W, so at least cap per 2W passes.
    CHECK(total >= kCap * kWindows / 2);
    CHECK(store.Stats().charges_refused == 0);
  }
}

TEST_CASE("stress: concurrent charges on shared keys are all counted exactly") {
  // No rollover here: every charge must land, none twice, while threads
  // contend on the same few keys and insert new ones alongside.
  constexpr int kThreads = 4;
  constexpr int kHot = 3;
  constexpr int kIterations = 120'000;
  constexpr int kNewEvery = 400;
  auto clock = std::make_shared<ManualClock>(0);
  LocalCounterStore store({.capacity = 2048, .clock = clock});
  CounterId id = store.Declare({"requests", 1'000'000'000}).id;
  std::vector<std::thread> threads;
  std::atomic<int> not_ok{0}, ready{0};
  const std::string hot[kHot] = {"a", "b", "c"};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kIterations; ++i) {
        if (store.Charge(id, hot[i % kHot], 0.5).status != CounterStatus::kOk) ++not_ok;
        if (i % kNewEvery == 0) {
          std::string key = std::to_string(t) + "/" + std::to_string(i);
          if (store.Charge(id, key, 0.25).status != CounterStatus::kOk) ++not_ok;
          (void)store.Read(id, hot[(i + 1) % kHot]);
        }
      }
    });
  for (std::thread& th : threads) th.join();
  CHECK(not_ok.load() == 0);
  for (const std::string& key : hot) {
    CAPTURE(key);
    CHECK(store.Read(id, key).value == 0.5 * kThreads * (kIterations / kHot));
  }
  int wrong = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kIterations; i += kNewEvery)
      if (store.Read(id, std::to_string(t) + "/" + std::to_string(i)).value != 0.25) ++wrong;
  CHECK(wrong == 0);
  CHECK(store.Stats().keys_live == kHot + kThreads * (kIterations / kNewEvery));
}

}  // namespace
}  // namespace mixtral
