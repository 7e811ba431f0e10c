// LocalCounterStore on a ManualClock: window edges, sub-bucket rollover,
// keys and counters, fixed-point amounts, adjustments, capacity. Expected
// values are worked out by hand from the rule in counters.h: with B
// sub-buckets of width w, a charge at t is counted at `now` iff
// floor(now / w) - floor(t / w) <= B.
#include "mixtral/runtime/counters.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "counters_fixture.h"

namespace mixtral {
namespace {

using testing::CounterFixture;
using S = CounterStatus;

// B = 4 sub-buckets of w = 100 ns: a 400 ns window.
constexpr int64_t kW = 400;
constexpr uint32_t kB = 4;

TEST_CASE("a charge counts while its sub-bucket overlaps [now - W, now]") {
  struct Case {
    const char* why;
    int64_t t, now;
    double expected;
  };
  const Case cases[] = {
      {"same instant", 1000, 1000, 1},
      {"age W, charge at a sub-bucket start", 1000, 1400, 1},
      {"age W + w - 1, charge at a sub-bucket start", 1000, 1499, 1},
      {"age W + w, charge at a sub-bucket start", 1000, 1500, 0},
      {"age W exactly, charge at a sub-bucket end: inclusive", 1099, 1499, 1},
      {"age W + 1, charge at a sub-bucket end: gone", 1099, 1500, 0},
      {"mid sub-bucket, age W", 1050, 1450, 1},
      {"mid sub-bucket, age W + w/2 - 1", 1050, 1499, 1},
      {"mid sub-bucket, age W + w/2", 1050, 1500, 0},
      {"long after", 1000, 100000, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.why);
    CounterFixture f(kW, kB);
    REQUIRE(f.ok);
    REQUIRE(f.ChargeAt(c.t, 1.0).status == S::kOk);
    f.clock->Set(c.now);
    CHECK(f.Value() == c.expected);
  }
}

TEST_CASE("sub-buckets leave the window one at a time") {
  CounterFixture f(kW, kB);
  const double amounts[] = {1, 2, 4, 8, 16};
  for (int i = 0; i < 5; ++i) REQUIRE(f.ChargeAt(i * 100, amounts[i]).status == S::kOk);
  struct Step {
    int64_t now;
    double expected;
  };
  // At 400 the window [0, 400] holds all five; each 100 ns drops the oldest.
  const Step steps[] = {{400, 31}, {450, 31}, {499, 31}, {500, 30}, {600, 28},
                        {700, 24}, {800, 16}, {899, 16}, {900, 0},  {5000, 0}};
  for (const Step& s : steps) {
    CAPTURE(s.now);
    f.clock->Set(s.now);
    CHECK(f.Value() == s.expected);
  }
  // The ring is reused after it emptied.
  REQUIRE(f.ChargeAt(5000, 32).status == S::kOk);
  REQUIRE(f.ChargeAt(5150, 64).status == S::kOk);
  CHECK(f.Value() == 96);
  f.clock->Set(5500);
  CHECK(f.Value() == 64);
}

TEST_CASE("sub-bucket width rounds up when B does not divide the window") {
  // W = 1000, B = 3: w = 334, so the window never ends before 1000 ns and
  // a charge at 0 (epoch 0) counts while floor(now / 334) <= 3.
  struct Case {
    int64_t t, now;
    double expected;
  };
  const Case cases[] = {{0, 999, 1},    {0, 1000, 1},   {0, 1335, 1},
                        {0, 1336, 0},   {333, 1335, 1}, {333, 1336, 0},
                        {334, 1336, 1}, {334, 1669, 1}, {334, 1670, 0}};
  for (const Case& c : cases) {
    CAPTURE(c.t);
    CAPTURE(c.now);
    CounterFixture f(1000, 3);
    REQUIRE(f.ChargeAt(c.t, 1.0).status == S::kOk);
    f.clock->Set(c.now);
    CHECK(f.Value() == c.expected);
  }
}

TEST_CASE("64 sub-buckets of a one second window are exact: w = 15.625 ms") {
  CounterFixture f(1'000'000'000, 64);
  REQUIRE(f.ChargeAt(0, 1.0).status == S::kOk);
  const int64_t w = 15'625'000;
  struct Case {
    int64_t now;
    double expected;
  };
  const Case cases[] = {{1'000'000'000, 1}, {1'000'000'000 + w - 1, 1}, {1'000'000'000 + w, 0}};
  for (const Case& c : cases) {
    CAPTURE(c.now);
    f.clock->Set(c.now);
    CHECK(f.Value() == c.expected);
  }
}

TEST_CASE("counters and keys are independent") {
  auto clock = std::make_shared<ManualClock>(0);
  LocalCounterStore store({.capacity = 16, .sub_buckets = 4, .clock = clock});
  CounterId fast = store.Declare({"fast", 400}).id;
  CounterId slow = store.Declare({"slow", 4000}).id;
  REQUIRE(fast != slow);
  const CounterCharge charges[] = {{fast, "acme", 1}, {fast, "beta", 2},  {slow, "acme", 4},
                                   {slow, "acme", 8}, {fast, "acme", 16}, {slow, "", 32}};
  ChargeReceipt receipts[6];
  store.ChargeMany(charges, receipts);
  for (const ChargeReceipt& r : receipts) CHECK(r.status == S::kOk);
  clock->Set(100);
  const CounterKey keys[] = {{fast, "acme"}, {fast, "beta"},  {slow, "acme"},
                             {slow, ""},     {fast, "gamma"}, {slow, "beta"}};
  CounterRead reads[6];
  store.ReadMany(keys, reads);
  const double expected[] = {17, 2, 12, 32, 0, 0};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(reads[i].status == S::kOk);
    CHECK(reads[i].value == expected[i]);
  }
  // The fast window has passed (floor(500 / 100) - 0 > 4); the slow one has not.
  clock->Set(500);
  CHECK(store.Read(fast, "acme").value == 0);
  CHECK(store.Read(slow, "acme").value == 12);
  CHECK(store.Stats().keys_live == 4);
}

TEST_CASE("amounts are fixed-point, rounded half away from zero") {
  auto clock = std::make_shared<ManualClock>(0);
  LocalCounterStore store({.capacity = 16, .sub_buckets = 4, .clock = clock});
  CounterId micro = store.Declare({"micro", 400}).id;
  CounterId whole = store.Declare({"whole", 400, 1}).id;
  struct Case {
    CounterId counter;
    std::vector<double> amounts;
    double expected;
  };
  const Case cases[] = {
      {micro, {0.1, 0.2}, 0.3},   // exact in micro-units, unlike 0.1 + 0.2 in binary64
      {micro, {0.0000004}, 0.0},  // below half a unit
      {micro, {0.0000006}, 0.000001},
      {micro, {-0.0000006}, -0.000001},
      {micro, {1.25, -0.5}, 0.75},  // refunds
      {whole, {2.5}, 3},
      {whole, {-2.5}, -3},
      {whole, {0.4, 0.4, 0.4}, 0},  // each rounded on its own
  };
  int k = 0;
  for (const Case& c : cases) {
    std::string key = "case" + std::to_string(k++);
    CAPTURE(key);
    for (double a : c.amounts) REQUIRE(store.Charge(c.counter, key, a).status == S::kOk);
    CHECK(store.Read(c.counter, key).value == c.expected);
  }
  CHECK(0.1 + 0.2 != 0.3);  // what the fixed point buys
}

TEST_CASE("bad amounts are refused and counted; a sub-bucket saturates") {
  CounterFixture f(kW, kB);
  const double bad[] = {std::nan(""), std::numeric_limits<double>::infinity(),
                        -std::numeric_limits<double>::infinity(), 1.5e8, -1.5e8};
  for (double a : bad) {
    CAPTURE(a);
    CHECK(f.store.Charge(f.id, "k", a).status == S::kBadAmount);
  }
  CHECK(f.store.Stats().charges_refused == 5);
  CHECK(f.Value() == 0);
  // 2^47 - 1 micro-units is the most one sub-bucket holds.
  const double max = 140737488.355327;
  REQUIRE(f.store.Charge(f.id, "k", 1.4e8).status == S::kOk);
  REQUIRE(f.store.Charge(f.id, "k", 1.4e8).status == S::kOk);
  CHECK(f.Value() == max);
  f.clock->Set(100);  // the next sub-bucket starts from zero
  REQUIRE(f.store.Charge(f.id, "k", 1.0).status == S::kOk);
  CHECK(f.Value() == 140737489.355327);
}

TEST_CASE("adjust corrects the sub-bucket the charge landed in") {
  struct Case {
    const char* why;
    int64_t adjust_at;
    double delta;
    CounterStatus status;
    int64_t read_at;
    double expected;
  };
  // The charge is 1.0 at t = 1000 (epoch 10); it leaves the window at 1500.
  const Case cases[] = {
      {"at once", 1000, 0.5, S::kOk, 1000, 1.5},
      {"to zero", 1200, -1.0, S::kOk, 1200, 0},
      {"last instant in the window", 1499, 2.0, S::kOk, 1499, 3},
      {"expires with the charge, not a window after the adjust", 1300, 2.0, S::kOk, 1500, 0},
      {"just after the window", 1500, 2.0, S::kExpired, 1500, 0},
      {"long after", 90000, 2.0, S::kExpired, 90000, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.why);
    CounterFixture f(kW, kB);
    ChargeReceipt r = f.ChargeAt(1000, 1.0);
    REQUIRE(r.status == S::kOk);
    CHECK(r.at_ns == 1000);
    f.clock->Set(c.adjust_at);
    CHECK(f.store.Adjust({f.id, "k", r.at_ns, c.delta}) == c.status);
    f.clock->Set(c.read_at);
    CHECK(f.Value() == c.expected);
    CHECK(f.store.Stats().adjust_expired == (c.status == S::kExpired ? 1u : 0u));
  }
}

TEST_CASE("adjust of a key never charged, or a bad delta, changes nothing") {
  CounterFixture f(kW, kB);
  REQUIRE(f.ChargeAt(1000, 1.0).status == S::kOk);
  CHECK(f.store.Adjust({f.id, "other", 1000, 1.0}) == S::kExpired);
  CHECK(f.store.Adjust({f.id, "k", 1000, std::nan("")}) == S::kBadAmount);
  CHECK(f.store.Adjust({f.id + 1, "k", 1000, 1.0}) == S::kUnknownCounter);
  CHECK(f.Value() == 1.0);
  CHECK(f.Value("other") == 0.0);
}

}  // namespace
}  // namespace mixtral
