// LocalCounterStore's limits: capacity, reclaiming, long keys, declaring,
// the clocks, and keys idle long enough for the 16-bit tags to wrap.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "counters_fixture.h"
#include "mixtral/runtime/counters.h"

namespace mixtral {
namespace {

using testing::CounterFixture;
using S = CounterStatus;

TEST_CASE("a full store refuses new keys, reads them missing, and reclaims expired keys") {
  // W = 400, w = 100: a charge at 0 has left every window from 500 on.
  CounterFixture f(400, 4, /*capacity=*/2);
  REQUIRE(f.ChargeAt(0, 1.0, "a").status == S::kOk);
  REQUIRE(f.ChargeAt(0, 2.0, "b").status == S::kOk);
  CHECK(f.store.Read(f.id, "c").status == S::kOk);  // absent, and nothing was refused yet
  CHECK(f.ChargeAt(0, 4.0, "c").status == S::kFull);
  CounterStats st = f.store.Stats();
  CHECK(st.charges_refused == 1);
  CHECK(st.keys_live == 2);
  CHECK(st.capacity == 2);
  // c may have lost charges: it reads missing. a and b still read.
  CHECK(f.store.Read(f.id, "c").status == S::kFull);
  CHECK(f.store.Read(f.id, "never").status == S::kFull);
  CHECK(f.store.Stats().reads_missing == 2);
  CHECK(f.Value("a") == 1.0);
  // b stays active; a expires. At 500 only a's window is over.
  REQUIRE(f.ChargeAt(200, 8.0, "b").status == S::kOk);
  CHECK(f.ChargeAt(500, 4.0, "c").status == S::kOk);
  st = f.store.Stats();
  CHECK(st.reclaimed == 1);
  CHECK(st.keys_live == 2);
  CHECK(f.Value("c") == 4.0);
  CHECK(f.Value("b") == 8.0);  // 2.0 at 0 has expired, 8.0 at 200 has not
  CHECK(f.Value("a") == 0.0);  // reclaimed reads as never charged, and the store has room
  CHECK(f.ChargeAt(500, 1.0, "d").status == S::kFull);  // b and c are both live
}

TEST_CASE("Reclaim frees exactly the keys whose window has expired") {
  CounterFixture f(400, 4, /*capacity=*/8);
  for (int i = 0; i < 6; ++i)
    REQUIRE(f.ChargeAt(i * 100, 1.0, "k" + std::to_string(i)).status == S::kOk);
  // At 800: charges at epochs 0..3 are out (8 - e > 4), at 4 and 5 are in.
  f.clock->Set(800);
  CHECK(f.store.Reclaim() == 4);
  CHECK(f.store.Stats().keys_live == 2);
  CHECK(f.Value("k4") == 1.0);
  CHECK(f.Value("k5") == 1.0);
  CHECK(f.store.Reclaim() == 0);
}

TEST_CASE("keys churn through a small store as their windows expire") {
  CounterFixture f(400, 4, /*capacity=*/4);
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    // One new key every 200 ns: at most 3 keys are inside a window at once.
    if (f.ChargeAt(i * 200, 1.0, "key" + std::to_string(i)).status != S::kOk) ++refused;
    CHECK(f.Value("key" + std::to_string(i)) == 1.0);
  }
  CHECK(refused == 0);
  CHECK(f.store.Stats().reclaimed >= 196);
  CHECK(f.store.Stats().keys_live <= 4);
}

TEST_CASE("keys longer than kMaxCounterKeyBytes are refused") {
  CounterFixture f(400, 4);
  std::string longest(kMaxCounterKeyBytes, 'x');
  std::string too_long(kMaxCounterKeyBytes + 1, 'x');
  CHECK(f.store.Charge(f.id, longest, 1.0).status == S::kOk);
  CHECK(f.Value(longest) == 1.0);
  CHECK(f.store.Charge(f.id, too_long, 1.0).status == S::kKeyTooLong);
  CHECK(f.store.Read(f.id, too_long).status == S::kKeyTooLong);
  // Keys that differ only in their last byte, or by a trailing NUL, are distinct.
  std::string other = longest;
  other.back() = 'y';
  CHECK(f.Value(other) == 0.0);
  CHECK(f.store.Charge(f.id, std::string("ab\0", 3), 2.0).status == S::kOk);
  CHECK(f.Value("ab") == 0.0);
  CHECK(f.Value(std::string("ab\0", 3)) == 2.0);
  CounterStats st = f.store.Stats();
  CHECK(st.charges_refused == 1);
  CHECK(st.reads_missing == 1);
}

TEST_CASE("Declare") {
  auto clock = std::make_shared<ManualClock>();
  LocalCounterStore store({.max_counters = 2, .clock = clock});
  CounterDeclared a = store.Declare({"a", 1000});
  CHECK(a.status == S::kOk);
  CounterDeclared again = store.Declare({"a", 1000});
  CHECK(again.status == S::kOk);
  CHECK(again.id == a.id);
  CHECK(store.Declare({"a", 2000}).status == S::kConflict);
  CHECK(store.Declare({"a", 1000, 100}).status == S::kConflict);
  CHECK(store.Declare({"", 1000}).status == S::kBadSpec);
  CHECK(store.Declare({"b", 0}).status == S::kBadSpec);
  CHECK(store.Declare({"b", -5}).status == S::kBadSpec);
  CHECK(store.Declare({"b", 1000, 0}).status == S::kBadSpec);
  CounterDeclared b = store.Declare({"b", 1000});
  CHECK(b.status == S::kOk);
  CHECK(b.id != a.id);
  CHECK(store.Declare({"c", 1000}).status == S::kTooManyCounters);
  CHECK(store.Read(7, "k").status == S::kUnknownCounter);
  CHECK(store.Charge(7, "k", 1.0).status == S::kUnknownCounter);
}

TEST_CASE("status names are stable") {
  CHECK(std::string(CounterStatusName(S::kOk)) == "ok");
  CHECK(std::string(CounterStatusName(S::kFull)) == "full");
  CHECK(std::string(CounterStatusName(S::kExpired)) == "expired");
  CHECK(std::string(CounterStatusName(S::kKeyTooLong)) == "key_too_long");
}

TEST_CASE("clocks: a manual clock never goes back; the default is the steady clock") {
  ManualClock m(100);
  m.Set(50);
  CHECK(m.NowNs() == 100);
  m.Advance(-10);
  CHECK(m.NowNs() == 100);
  m.Advance(25);
  CHECK(m.NowNs() == 125);
  m.Set(1000);
  CHECK(m.NowNs() == 1000);

  SteadyClock s;
  int64_t t0 = s.NowNs();
  CHECK(s.NowNs() >= t0);

  LocalCounterStore store({});  // SteadyClock, one hour window
  CounterId id = store.Declare({"hour", 3'600'000'000'000}).id;
  ChargeReceipt r = store.Charge(id, "k", 2.5);
  CHECK(r.status == S::kOk);
  CHECK(r.at_ns >= t0);
  CHECK(store.Read(id, "k").value == 2.5);
}

TEST_CASE("a key idle until its generation tags wrap reads only new charges") {
  // B = 4: 5 words per ring, a generation is 5 epochs of 100 ns. Tags are
  // 16 bits, so 65536 generations later slot 0 carries the same tag again.
  constexpr int64_t kGeneration = 5 * 100;
  const int64_t gaps[] = {2,
                          7,
                          100,
                          (int64_t{1} << 14) - 1,
                          int64_t{1} << 14,
                          int64_t{1} << 15,
                          int64_t{1} << 16,
                          3 * (int64_t{1} << 16)};
  for (int64_t gap : gaps) {
    CAPTURE(gap);
    CounterFixture f(400, 4);
    for (int e = 0; e < 5; ++e) REQUIRE(f.ChargeAt(e * 100, 5.0).status == S::kOk);
    int64_t later = gap * kGeneration;
    f.clock->Set(later);
    CHECK(f.Value() == 0.0);
    REQUIRE(f.ChargeAt(later, 1.0).status == S::kOk);
    CHECK(f.Value() == 1.0);
    f.clock->Set(later + 100);
    REQUIRE(f.store.Charge(f.id, "k", 2.0).status == S::kOk);
    CHECK(f.Value() == 3.0);
  }
}

TEST_CASE("a key charged in one sub-bucket only keeps the others from aliasing") {
  // B = 4: charge epochs 1..4 once, then only epoch 5g (slot 0) for more
  // than 2^16 generations. Slots 1..4 are never charged again; were they not
  // refreshed, their tags would come round to current ones.
  CounterFixture f(400, 4);
  for (int e = 1; e < 5; ++e) REQUIRE(f.ChargeAt(e * 100, 100.0).status == S::kOk);
  int wrong = 0;
  for (int64_t g = 2; g <= (int64_t{1} << 16) + 8; ++g) {
    if (f.ChargeAt(g * 500, 1.0).status != S::kOk || f.Value() != 1.0) ++wrong;
  }
  CHECK(wrong == 0);
}

}  // namespace
}  // namespace mixtral
