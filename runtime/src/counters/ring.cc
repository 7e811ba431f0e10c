#include "ring.h"

#include <algorithm>

namespace mixtral::counters_internal {
namespace {

int64_t SaturatingAdd(int64_t a, int64_t b) {
  // Both within ±kMaxUnits, so the int64 sum cannot overflow.
  return std::clamp(a + b, -kMaxUnits, kMaxUnits);
}

}  // namespace

int64_t SumWindow(const std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch) {
  // The window's epochs are epoch - B .. epoch: slots up to `now_slot` hold
  // this generation, the slots after it the previous one.
  const int64_t now_slot = shape.Slot(epoch);
  const uint16_t current = TagOf(shape.Generation(epoch));
  const uint16_t previous = TagOf(shape.Generation(epoch) - 1);
  int64_t sum = 0;
  for (int64_t s = 0; s < shape.words; ++s) {
    uint64_t word = ring[s].load(std::memory_order_acquire);
    uint16_t expected = s <= now_slot ? current : previous;
    if (TagDelta(Tag(word), expected) >= 0) sum += Units(word);
  }
  return sum;
}

void AddCharge(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch, int64_t units) {
  std::atomic<uint64_t>& slot = ring[shape.Slot(epoch)];
  const uint16_t tag = TagOf(shape.Generation(epoch));
  uint64_t word = slot.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t next = TagDelta(Tag(word), tag) >= 0
                        ? Pack(Tag(word), SaturatingAdd(Units(word), units))
                        : Pack(tag, units);
    if (slot.compare_exchange_weak(word, next, std::memory_order_acq_rel,
                                   std::memory_order_relaxed))
      return;
  }
}

bool AddIfCurrent(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch,
                  int64_t units) {
  std::atomic<uint64_t>& slot = ring[shape.Slot(epoch)];
  const uint16_t tag = TagOf(shape.Generation(epoch));
  uint64_t word = slot.load(std::memory_order_relaxed);
  for (;;) {
    if (Tag(word) != tag) return false;
    uint64_t next = Pack(tag, SaturatingAdd(Units(word), units));
    if (slot.compare_exchange_weak(word, next, std::memory_order_acq_rel,
                                   std::memory_order_relaxed))
      return true;
  }
}

void ClearSkipped(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t from, int64_t to) {
  // `to` itself is charged right after; the epochs before the window need
  // no clearing since their slots are reused by the ones inside it.
  for (int64_t e = std::max(from + 1, shape.Oldest(to)); e < to; ++e) {
    std::atomic<uint64_t>& slot = ring[shape.Slot(e)];
    const uint16_t tag = TagOf(shape.Generation(e));
    uint64_t word = slot.load(std::memory_order_relaxed);
    while (TagDelta(Tag(word), tag) < 0 &&
           !slot.compare_exchange_weak(word, Pack(tag, 0), std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
    }
  }
}

}  // namespace mixtral::counters_internal
