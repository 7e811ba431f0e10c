#include "key_table.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace mixtral::counters_internal {
namespace {

constexpr size_t kMaxProbe = 64;

// FNV-1a 64 (the language's hash, SPEC §12.1) over the counter id and the
// key, then MurmurHash3's fmix64 so the low bits that pick the slot depend
// on every input byte.
uint64_t KeyHash(CounterId counter, std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 0x100000001b3ull;
  };
  for (int i = 0; i < 4; ++i) mix(static_cast<unsigned char>(counter >> (8 * i)));
  for (char c : key) mix(static_cast<unsigned char>(c));
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

bool Readable(uint64_t state) {
  Kind k = KindOf(state);
  return k == kLive || k == kReclaiming;
}

uint64_t WithKind(uint64_t state, Kind kind) { return (state & ~uint64_t{7}) | kind; }

}  // namespace

PackedKey PackKey(CounterId counter, std::string_view key) {
  PackedKey p;
  p.hash = KeyHash(counter, key);
  p.counter = counter;
  p.len = static_cast<uint32_t>(key.size());
  if (!key.empty()) std::memcpy(p.words, key.data(), key.size());
  return p;
}

KeyTable::KeyTable(size_t capacity, size_t ring_words)
    : capacity_(capacity), ring_words_(ring_words) {
  size_t slots = 16;
  while (slots < capacity * 2) slots *= 2;
  mask_ = slots - 1;
  max_probe_ = std::min(slots, kMaxProbe);
  entries_.reset(new (std::nothrow) Entry[slots]);
  rings_.reset(new (std::nothrow) std::atomic<uint64_t>[capacity * ring_words]());
  if (!entries_ || !rings_) return;
  try {
    free_rings_.reserve(capacity);
  } catch (...) {
    return;
  }
  // Hand out ring 0 first: popped from the back.
  for (size_t i = capacity; i-- > 0;) free_rings_.push_back(static_cast<uint32_t>(i));
  ok_ = true;
}

// The loads are acquire so that Valid's second look at the state cannot be
// ordered before them (the seqlock without fences, which TSan cannot model).
bool KeyTable::Matches(const Entry& e, const PackedKey& key) const noexcept {
  if (e.hash.load(std::memory_order_acquire) != key.hash ||
      e.counter.load(std::memory_order_acquire) != key.counter ||
      e.len.load(std::memory_order_acquire) != key.len)
    return false;
  for (size_t i = 0; i * 8 < key.len; ++i)
    if (e.words[i].load(std::memory_order_acquire) != key.words[i]) return false;
  return true;
}

std::optional<Found> KeyTable::Find(const PackedKey& key) const noexcept {
  if (!ok_) return std::nullopt;
  for (size_t i = 0; i < max_probe_; ++i) {
    Entry& e = entries_[(key.hash + i) & mask_];
    uint64_t state = e.state.load(std::memory_order_acquire);
    if (KindOf(state) == kEmpty) return std::nullopt;
    if (!Readable(state) || !Matches(e, key)) continue;
    Found f{&e, state, RingAt(e.ring.load(std::memory_order_acquire))};
    // A reclaim and re-insert in between would have changed the incarnation;
    // then this was not our key after all, and the probe goes on.
    if (Valid(f)) return f;
  }
  return std::nullopt;
}

bool KeyTable::Valid(const Found& f) noexcept {
  uint64_t now = f.entry->state.load(std::memory_order_acquire);
  return (now >> 3) == (f.state >> 3) && Readable(now);
}

bool KeyTable::Pin(const Found& f) noexcept {
  f.entry->pins.fetch_add(1, std::memory_order_seq_cst);
  uint64_t now = f.entry->state.load(std::memory_order_seq_cst);
  if (KindOf(now) == kLive && (now >> 3) == (f.state >> 3)) return true;
  f.entry->pins.fetch_sub(1, std::memory_order_release);
  return false;
}

void KeyTable::Unpin(const Found& f) noexcept {
  f.entry->pins.fetch_sub(1, std::memory_order_release);
}

std::optional<Found> KeyTable::Insert(const PackedKey& key, uint64_t fresh_word,
                                      int64_t last_epoch) noexcept {
  if (!ok_ || free_rings_.empty()) return std::nullopt;
  for (size_t i = 0; i < max_probe_; ++i) {
    Entry& e = entries_[(key.hash + i) & mask_];
    uint64_t state = e.state.load(std::memory_order_acquire);
    if (KindOf(state) != kEmpty && KindOf(state) != kTombstone) continue;
    uint32_t ring = free_rings_.back();
    free_rings_.pop_back();
    // Seqlock write: readers that see kInitializing, or a new incarnation at
    // their validation, drop what they read. Release stores keep the
    // kInitializing store ahead of each field (no fences: TSan cannot model
    // them); on x86 they are plain stores.
    uint64_t incarnation = (state >> 3) + 1;
    constexpr auto kRel = std::memory_order_release;
    e.state.store((incarnation << 3) | kInitializing, std::memory_order_relaxed);
    e.hash.store(key.hash, kRel);
    e.counter.store(key.counter, kRel);
    e.len.store(key.len, kRel);
    for (size_t w = 0; w < kKeyWords; ++w) e.words[w].store(key.words[w], kRel);
    e.ring.store(ring, kRel);
    e.last_epoch.store(last_epoch, kRel);
    std::atomic<uint64_t>* words = RingAt(ring);
    for (size_t w = 0; w < ring_words_; ++w) words[w].store(fresh_word, kRel);
    uint64_t live = (incarnation << 3) | kLive;
    e.state.store(live, std::memory_order_release);
    live_.fetch_add(1, std::memory_order_relaxed);
    return Found{&e, live, words};
  }
  return std::nullopt;
}

bool KeyTable::Retire(const Found& f, int64_t oldest) noexcept {
  Entry& e = *f.entry;
  auto expired = [&] { return e.last_epoch.load(std::memory_order_acquire) < oldest; };
  uint64_t state = f.state;
  if (KindOf(state) != kLive || !expired()) return false;
  if (!e.state.compare_exchange_strong(state, WithKind(state, kReclaiming),
                                       std::memory_order_seq_cst))
    return false;
  // A charger pinned before the mark is still at work; one that unpinned
  // since has made last_epoch current, which the second look sees.
  if (e.pins.load(std::memory_order_seq_cst) != 0 || !expired()) {
    e.state.store(f.state, std::memory_order_release);
    return false;
  }
  free_rings_.push_back(e.ring.load(std::memory_order_relaxed));  // within reserve()
  e.state.store(WithKind(f.state, kTombstone), std::memory_order_release);
  live_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

size_t KeyTable::Reclaim(std::span<const int64_t> oldest) noexcept {
  if (!ok_) return 0;
  size_t freed = 0;
  for (size_t i = 0; i <= mask_; ++i) {
    Entry& e = entries_[i];
    uint64_t state = e.state.load(std::memory_order_acquire);
    if (KindOf(state) != kLive) continue;
    uint32_t counter = e.counter.load(std::memory_order_relaxed);
    if (counter >= oldest.size()) continue;
    Found f{&e, state, nullptr};
    if (Retire(f, oldest[counter])) ++freed;
  }
  return freed;
}

}  // namespace mixtral::counters_internal
