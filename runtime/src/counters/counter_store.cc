// The interface's single-key helpers and status names.
#include "mixtral/runtime/counters.h"

namespace mixtral {

const char* CounterStatusName(CounterStatus status) noexcept {
  switch (status) {
    case CounterStatus::kOk:
      return "ok";
    case CounterStatus::kUnknownCounter:
      return "unknown_counter";
    case CounterStatus::kKeyTooLong:
      return "key_too_long";
    case CounterStatus::kFull:
      return "full";
    case CounterStatus::kBadAmount:
      return "bad_amount";
    case CounterStatus::kExpired:
      return "expired";
    case CounterStatus::kBadSpec:
      return "bad_spec";
    case CounterStatus::kConflict:
      return "conflict";
    case CounterStatus::kTooManyCounters:
      return "too_many_counters";
  }
  return "unknown";
}

CounterRead CounterStore::Read(CounterId counter, std::string_view key) const noexcept {
  CounterKey k{counter, key};
  CounterRead out;
  ReadMany({&k, 1}, {&out, 1});
  return out;
}

ChargeReceipt CounterStore::Charge(CounterId counter, std::string_view key,
                                   double amount) noexcept {
  CounterCharge c{counter, key, amount};
  ChargeReceipt out;
  ChargeMany({&c, 1}, {&out, 1});
  return out;
}

}  // namespace mixtral
