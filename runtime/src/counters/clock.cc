#include <chrono>

#include "mixtral/runtime/counters.h"

namespace mixtral {

int64_t SteadyClock::NowNs() const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ManualClock::Set(int64_t ns) noexcept {
  int64_t now = now_.load(std::memory_order_relaxed);
  while (now < ns && !now_.compare_exchange_weak(now, ns, std::memory_order_acq_rel)) {
  }
}

void ManualClock::Advance(int64_t ns) noexcept {
  if (ns > 0) now_.fetch_add(ns, std::memory_order_acq_rel);
}

}  // namespace mixtral
