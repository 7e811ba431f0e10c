// The counter store's hot paths on an existing key: one read (a 65-word
// window sum) and one charge (one compare-and-swap), on 1 and 2 threads.
// With 2 threads both hit the same key (the worst case: one cache line
// bounces) or a key each.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "mixtral/runtime/counters.h"

namespace {

struct Shared {
  Shared() : store({.capacity = 1024, .clock = nullptr}) {
    id = store.Declare({"tenant_spend", 3'600'000'000'000}).id;
    for (int t = 0; t < 8; ++t) store.Charge(id, Key(t), 1.0);
  }
  static std::string Key(int t) { return "tenant-" + std::to_string(t) + "/model-large"; }
  mixtral::LocalCounterStore store;  // SteadyClock: the clock read is part of the cost
  mixtral::CounterId id = 0;
};

Shared& Store() {
  static Shared* shared = new Shared;  // never destroyed: threads may outlive main's statics
  return *shared;
}

// Arg 0: every thread uses the same key; 1: a key per thread.
std::string KeyFor(const benchmark::State& state) {
  return Shared::Key(state.range(0) == 0 ? 0 : state.thread_index());
}

void BM_Read(benchmark::State& state) {
  Shared& s = Store();
  std::string key = KeyFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(s.store.Read(s.id, key));
}

void BM_Charge(benchmark::State& state) {
  Shared& s = Store();
  std::string key = KeyFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(s.store.Charge(s.id, key, 0.001));
}

void BM_ReadThenCharge(benchmark::State& state) {
  Shared& s = Store();
  std::string key = KeyFor(state);
  for (auto _ : state) {
    mixtral::CounterRead r = s.store.Read(s.id, key);
    if (r.value < 1e12) benchmark::DoNotOptimize(s.store.Charge(s.id, key, 0.001));
  }
}

void BM_ClockRead(benchmark::State& state) {
  mixtral::SteadyClock clock;
  for (auto _ : state) benchmark::DoNotOptimize(clock.NowNs());
}

BENCHMARK(BM_Read)->ArgName("own_key")->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_Read)->ArgName("own_key")->Arg(1)->Threads(2);
BENCHMARK(BM_Charge)->ArgName("own_key")->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_Charge)->ArgName("own_key")->Arg(1)->Threads(2);
BENCHMARK(BM_ReadThenCharge)->ArgName("own_key")->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_ClockRead);

}  // namespace

BENCHMARK_MAIN();
