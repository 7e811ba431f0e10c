// The keys of every counter in one fixed-capacity open-addressing table,
// indexed by a 64-bit hash of (counter id, key) with the key bytes stored and
// compared. Finding a key is lock-free; inserting and reclaiming are the slow
// path and run under the owner's mutex.
//
// An entry's `state` word is (incarnation << 3) | kind. Readers validate
// like a seqlock: they read the state, the fields (acquire loads), then the
// state again, and trust the fields only if the incarnation is unchanged.
// Every field is an atomic, so the protocol is also race-free in the C++
// (and TSan) sense, and it uses no standalone fences, which TSan cannot see.
// Chargers modify the ring, so they also pin the entry: the reclaimer marks
// an entry kReclaiming and frees it only if no pin is held (the pin and the
// mark are both seq_cst, so one side always sees the other).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mixtral/runtime/counters.h"

namespace mixtral::counters_internal {

inline constexpr size_t kKeyWords = kMaxCounterKeyBytes / 8;

// A key as the table stores it: the bytes in zero-padded words.
struct PackedKey {
  uint64_t hash = 0;
  uint32_t counter = 0;
  uint32_t len = 0;
  uint64_t words[kKeyWords] = {};
};
// The caller has checked key.size() <= kMaxCounterKeyBytes.
PackedKey PackKey(CounterId counter, std::string_view key);

enum Kind : uint64_t {
  kEmpty = 0,  // never used: a probe stops here
  kLive = 1,
  kInitializing = 2,
  kTombstone = 3,   // reclaimed: a probe goes on, an insert may reuse it
  kReclaiming = 4,  // fields intact and readable; chargers back off
};
inline Kind KindOf(uint64_t state) { return static_cast<Kind>(state & 7); }

struct alignas(64) Entry {
  std::atomic<uint64_t> state{kEmpty};
  std::atomic<uint32_t> pins{0};
  std::atomic<uint32_t> ring{0};  // index into the ring pool
  std::atomic<uint64_t> hash{0};
  std::atomic<int64_t> last_epoch{0};  // latest epoch charged; max only moves up
  std::atomic<uint32_t> counter{0};
  std::atomic<uint32_t> len{0};
  std::atomic<uint64_t> words[kKeyWords] = {};
};

struct Found {
  Entry* entry = nullptr;
  uint64_t state = 0;
  std::atomic<uint64_t>* ring = nullptr;
};

class KeyTable {
 public:
  // Allocates everything up front; ok() is false if that failed.
  KeyTable(size_t capacity, size_t ring_words);
  bool ok() const { return ok_; }
  size_t capacity() const { return capacity_; }
  size_t live() const { return live_.load(std::memory_order_relaxed); }

  // Lock-free. The result is a snapshot: a reader must end with Valid().
  std::optional<Found> Find(const PackedKey& key) const noexcept;
  static bool Valid(const Found& f) noexcept;

  // Lock-free: true if the entry is still `f` and now pinned against
  // reclaiming; false means look it up again.
  static bool Pin(const Found& f) noexcept;
  static void Unpin(const Found& f) noexcept;

  // Caller holds the owner's mutex. Inserts an absent key with its ring
  // filled with `fresh_word` and `last_epoch`; nullopt if there is no room.
  std::optional<Found> Insert(const PackedKey& key, uint64_t fresh_word,
                              int64_t last_epoch) noexcept;

  // Caller holds the owner's mutex. Frees every live entry whose
  // last_epoch < oldest[counter]; returns how many.
  size_t Reclaim(std::span<const int64_t> oldest) noexcept;
  // Caller holds the owner's mutex. Frees `f` if it is still live in the
  // same incarnation, unpinned, and its last_epoch < oldest.
  bool Retire(const Found& f, int64_t oldest) noexcept;

 private:
  std::atomic<uint64_t>* RingAt(uint32_t index) const {
    return rings_.get() + static_cast<size_t>(index) * ring_words_;
  }
  bool Matches(const Entry& e, const PackedKey& key) const noexcept;

  bool ok_ = false;
  size_t capacity_ = 0;
  size_t ring_words_ = 0;
  size_t mask_ = 0;
  size_t max_probe_ = 0;
  std::unique_ptr<Entry[]> entries_;
  std::unique_ptr<std::atomic<uint64_t>[]> rings_;
  std::vector<uint32_t> free_rings_;  // guarded by the owner's mutex
  std::atomic<size_t> live_{0};
};

}  // namespace mixtral::counters_internal
