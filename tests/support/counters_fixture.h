// A LocalCounterStore on a ManualClock, shared by the counter tests.
#pragma once

#include <limits>
#include <memory>
#include <string>

#include "mixtral/runtime/counters.h"

namespace mixtral::testing {

struct CounterFixture {
  // One counter, "c", with `window_ns` split into `sub_buckets`.
  CounterFixture(int64_t window_ns, uint32_t sub_buckets, size_t capacity = 64,
                 int64_t start_ns = 0)
      : clock(std::make_shared<ManualClock>(start_ns)),
        store({.capacity = capacity, .sub_buckets = sub_buckets, .clock = clock}) {
    CounterDeclared d = store.Declare({"c", window_ns});
    ok = d.status == CounterStatus::kOk;
    id = d.id;
  }

  // The value read at the clock's current time; NaN when not kOk.
  double Value(std::string_view key = "k") const {
    CounterRead r = store.Read(id, key);
    return r.status == CounterStatus::kOk ? r.value : std::numeric_limits<double>::quiet_NaN();
  }
  ChargeReceipt ChargeAt(int64_t t_ns, double amount, std::string_view key = "k") {
    clock->Set(t_ns);
    return store.Charge(id, key, amount);
  }

  std::shared_ptr<ManualClock> clock;
  LocalCounterStore store;
  CounterId id = 0;
  bool ok = false;
};

}  // namespace mixtral::testing
