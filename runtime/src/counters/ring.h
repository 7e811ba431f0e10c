// One key's sub-buckets: a ring of B + 1 words, one per sub-bucket epoch
// modulo B + 1. A word packs a 16-bit generation tag (the epoch divided by
// B + 1, modulo 2^16) above a 48-bit two's-complement fixed-point amount, so
// that "is this sub-bucket still the one for epoch e" and "add to it" are
// decided together by one compare-and-swap: no lock, no lost update at a
// rollover, no 128-bit atomics.
#pragma once

#include <atomic>
#include <cstdint>

namespace mixtral::counters_internal {

inline constexpr int kAmountBits = 48;
inline constexpr int64_t kMaxUnits = (int64_t{1} << (kAmountBits - 1)) - 1;
inline constexpr uint64_t kAmountMask = (uint64_t{1} << kAmountBits) - 1;
// Every word of a key in use is within a few generations of the key's
// latest epoch: ClearSkipped refreshes the slots a charge skips over, and a
// key idle for kReviveGenerations is re-inserted rather than charged in
// place. So tags compare as signed 16-bit distances without aliasing.
inline constexpr int64_t kReviveGenerations = int64_t{1} << 14;

inline uint64_t Pack(uint16_t tag, int64_t units) {
  return (uint64_t{tag} << kAmountBits) | (static_cast<uint64_t>(units) & kAmountMask);
}
inline uint16_t Tag(uint64_t word) { return static_cast<uint16_t>(word >> kAmountBits); }
inline int64_t Units(uint64_t word) {
  return static_cast<int64_t>(word << (64 - kAmountBits)) >> (64 - kAmountBits);
}
inline uint16_t TagOf(int64_t generation) { return static_cast<uint16_t>(generation); }
// 0: same generation; > 0: the word is newer; < 0: it is older (stale).
inline int16_t TagDelta(uint16_t word_tag, uint16_t expected) {
  return static_cast<int16_t>(static_cast<uint16_t>(word_tag - expected));
}

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The geometry of one counter's ring: B sub-buckets of width_ns, B + 1 words.
struct RingShape {
  int64_t width_ns;
  int64_t words;  // B + 1

  int64_t Epoch(int64_t t_ns) const { return FloorDiv(t_ns, width_ns); }
  int64_t Generation(int64_t epoch) const { return FloorDiv(epoch, words); }
  int64_t Slot(int64_t epoch) const { return epoch - Generation(epoch) * words; }
  // The oldest epoch a read at `epoch` counts.
  int64_t Oldest(int64_t epoch) const { return epoch - (words - 1); }
  // A key whose latest epoch is at or before this is re-inserted when charged.
  int64_t ReviveBefore(int64_t epoch) const { return epoch - kReviveGenerations * words; }
};

// Sum of the units counted by a read at `epoch` (see counters.h, Windows).
int64_t SumWindow(const std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch);

// Adds `units` to the sub-bucket of `epoch`, resetting it first if it holds
// an older generation. A sub-bucket already holding a newer generation (this
// thread's clock read is stale) takes the amount as it is: it then counts a
// little longer, never shorter.
void AddCharge(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch, int64_t units);

// Adds `units` to the sub-bucket of `epoch` only if it still holds that
// epoch's generation. False if it has moved on (the charge has expired).
bool AddIfCurrent(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t epoch,
                  int64_t units);

// Called by the one thread that moved the key's latest epoch from `from` to
// `to`: resets the sub-buckets of the skipped epochs that still hold older
// generations, so that no word's tag falls 2^15 generations behind and
// aliases a current one.
void ClearSkipped(std::atomic<uint64_t>* ring, const RingShape& shape, int64_t from, int64_t to);

// The word a new key's ring starts with: amount 0, two generations behind
// `epoch`, so every slot reads as stale.
inline uint64_t FreshWord(const RingShape& shape, int64_t epoch) {
  return Pack(TagOf(shape.Generation(epoch) - 2), 0);
}

}  // namespace mixtral::counters_internal
