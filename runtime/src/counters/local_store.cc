// LocalCounterStore: the hot paths (read, charge, adjust of an existing key)
// and the slow path (new keys, reclaim, declare) under one mutex.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

#include "key_table.h"
#include "mixtral/runtime/counters.h"
#include "ring.h"

namespace mixtral {

using counters_internal::Found;
using counters_internal::KeyTable;
using counters_internal::PackedKey;
using counters_internal::RingShape;

namespace {

struct CounterInfo {
  std::string name;
  int64_t window_ns = 0;
  int64_t scale = 0;
  RingShape shape{1, 1};
};

constexpr uint32_t kMaxSubBuckets = 4096;
constexpr size_t kMaxCapacity = size_t{1} << 26;
constexpr int64_t kMaxScale = 1'000'000'000'000;

std::optional<int64_t> ToUnits(double amount, int64_t scale) {
  if (!std::isfinite(amount)) return std::nullopt;
  double scaled = amount * static_cast<double>(scale);
  if (!(std::fabs(scaled) <= static_cast<double>(counters_internal::kMaxUnits)))
    return std::nullopt;
  return std::llround(scaled);  // half away from zero
}

}  // namespace

struct LocalCounterStore::Impl {
  explicit Impl(const Options& o)
      : sub_buckets(std::clamp<uint32_t>(o.sub_buckets, 1, kMaxSubBuckets)),
        max_counters(std::max<size_t>(o.max_counters, 1)),
        table(std::clamp<size_t>(o.capacity, 1, kMaxCapacity), sub_buckets + 1) {
    clock = o.clock;
    try {
      if (!clock) clock = std::make_shared<SteadyClock>();
      counters.reset(new CounterInfo[max_counters]);
      oldest.resize(max_counters);
      ok = table.ok();
    } catch (...) {
      ok = false;
    }
  }

  const CounterInfo* Info(CounterId id) const {
    return id < declared.load(std::memory_order_acquire) ? &counters[id] : nullptr;
  }

  // Caller holds mu.
  size_t ReclaimLocked(int64_t now) noexcept {
    uint32_t n = declared.load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < n; ++i) {
      const RingShape& s = counters[i].shape;
      oldest[i] = s.Oldest(s.Epoch(now));
    }
    size_t freed = table.Reclaim({oldest.data(), n});
    if (freed > 0) {
      reclaimed.fetch_add(freed, std::memory_order_relaxed);
      saturated.store(false, std::memory_order_relaxed);
    }
    return freed;
  }

  std::optional<Found> Insert(const RingShape& shape, const PackedKey& key, int64_t now) noexcept {
    std::unique_lock lock(mu, std::defer_lock);
    try {
      lock.lock();
    } catch (...) {
      return std::nullopt;
    }
    if (auto f = table.Find(key)) return f;
    // The key starts as charged at `now` with every sub-bucket stale, so it
    // reads 0.0 and cannot be reclaimed before its first charge lands.
    int64_t epoch = shape.Epoch(now);
    uint64_t fresh = counters_internal::FreshWord(shape, epoch);
    if (auto f = table.Insert(key, fresh, epoch)) return f;
    if (ReclaimLocked(now) > 0)
      if (auto f = table.Insert(key, fresh, epoch)) return f;
    saturated.store(true, std::memory_order_relaxed);
    return std::nullopt;
  }

  void Revive(const Found& f, int64_t oldest) noexcept {
    try {
      std::lock_guard lock(mu);
      if (table.Retire(f, oldest)) reclaimed.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
    }
  }

  CounterRead ReadOne(const CounterKey& k, int64_t now) const noexcept {
    const CounterInfo* info = Info(k.counter);
    if (!info) return {CounterStatus::kUnknownCounter, 0.0};
    if (k.key.size() > kMaxCounterKeyBytes) {
      reads_missing.fetch_add(1, std::memory_order_relaxed);
      return {CounterStatus::kKeyTooLong, 0.0};
    }
    PackedKey key = counters_internal::PackKey(k.counter, k.key);
    const RingShape& shape = info->shape;
    int64_t epoch = shape.Epoch(now);
    for (;;) {
      std::optional<Found> f = table.Find(key);
      if (!f) {
        if (!saturated.load(std::memory_order_relaxed)) return {CounterStatus::kOk, 0.0};
        reads_missing.fetch_add(1, std::memory_order_relaxed);
        return {CounterStatus::kFull, 0.0};
      }
      // A key idle for a whole window reads 0 without touching its ring.
      int64_t units = f->entry->last_epoch.load(std::memory_order_acquire) < shape.Oldest(epoch)
                          ? 0
                          : counters_internal::SumWindow(f->ring, shape, epoch);
      if (KeyTable::Valid(*f))
        return {CounterStatus::kOk, static_cast<double>(units) / static_cast<double>(info->scale)};
    }
  }

  ChargeReceipt ChargeOne(const CounterCharge& c, int64_t now) noexcept {
    auto refuse = [this](CounterStatus s) {
      charges_refused.fetch_add(1, std::memory_order_relaxed);
      return ChargeReceipt{s, 0};
    };
    const CounterInfo* info = Info(c.counter);
    if (!info) return refuse(CounterStatus::kUnknownCounter);
    std::optional<int64_t> units = ToUnits(c.amount, info->scale);
    if (!units) return refuse(CounterStatus::kBadAmount);
    if (c.key.size() > kMaxCounterKeyBytes) return refuse(CounterStatus::kKeyTooLong);
    PackedKey key = counters_internal::PackKey(c.counter, c.key);
    const RingShape& shape = info->shape;
    int64_t epoch = shape.Epoch(now);
    for (;;) {
      std::optional<Found> f = table.Find(key);
      if (!f && !(f = Insert(shape, key, now))) return refuse(CounterStatus::kFull);
      if (!KeyTable::Pin(*f)) continue;  // reclaimed under us: look again
      int64_t last = f->entry->last_epoch.load(std::memory_order_acquire);
      if (last <= shape.ReviveBefore(epoch)) {
        // Idle so long that its tags may alias current ones: start afresh.
        KeyTable::Unpin(*f);
        Revive(*f, shape.ReviveBefore(epoch) + 1);
        continue;
      }
      while (last < epoch) {
        if (f->entry->last_epoch.compare_exchange_weak(last, epoch, std::memory_order_acq_rel)) {
          counters_internal::ClearSkipped(f->ring, shape, last, epoch);
          break;
        }
      }
      counters_internal::AddCharge(f->ring, shape, epoch, *units);
      KeyTable::Unpin(*f);
      return {CounterStatus::kOk, now};
    }
  }

  CounterStatus AdjustOne(const CounterAdjust& a, int64_t now) noexcept {
    const CounterInfo* info = Info(a.counter);
    if (!info) return CounterStatus::kUnknownCounter;
    std::optional<int64_t> units = ToUnits(a.delta, info->scale);
    if (!units) return CounterStatus::kBadAmount;
    if (a.key.size() > kMaxCounterKeyBytes) return CounterStatus::kKeyTooLong;
    const RingShape& shape = info->shape;
    int64_t charged = shape.Epoch(a.charged_at_ns);
    auto expired = [this] {
      adjust_expired.fetch_add(1, std::memory_order_relaxed);
      return CounterStatus::kExpired;
    };
    if (charged < shape.Oldest(shape.Epoch(now))) return expired();
    PackedKey key = counters_internal::PackKey(a.counter, a.key);
    for (;;) {
      // An absent key was reclaimed, which happens only after its window.
      std::optional<Found> f = table.Find(key);
      if (!f) return expired();
      if (!KeyTable::Pin(*f)) continue;
      bool applied = counters_internal::AddIfCurrent(f->ring, shape, charged, *units);
      KeyTable::Unpin(*f);
      return applied ? CounterStatus::kOk : expired();
    }
  }

  bool ok = false;
  uint32_t sub_buckets;
  size_t max_counters;
  std::shared_ptr<const MonotonicClock> clock;
  KeyTable table;
  std::unique_ptr<CounterInfo[]> counters;  // [0, declared) are immutable
  std::atomic<uint32_t> declared{0};
  std::vector<int64_t> oldest;  // Reclaim's scratch, guarded by mu
  std::mutex mu;                // Declare, new keys, reclaim
  std::atomic<bool> saturated{false};
  std::atomic<uint64_t> reclaimed{0};
  std::atomic<uint64_t> charges_refused{0};
  mutable std::atomic<uint64_t> reads_missing{0};
  std::atomic<uint64_t> adjust_expired{0};
};

LocalCounterStore::LocalCounterStore(Options options) : impl_(new (std::nothrow) Impl(options)) {}

LocalCounterStore::~LocalCounterStore() = default;

CounterDeclared LocalCounterStore::Declare(const CounterSpec& spec) noexcept {
  if (!impl_ || !impl_->ok) return {CounterStatus::kFull, 0};
  Impl& m = *impl_;
  if (spec.name.empty() || spec.window_ns <= 0 || spec.scale < 1 || spec.scale > kMaxScale)
    return {CounterStatus::kBadSpec, 0};
  try {
    std::lock_guard lock(m.mu);
    uint32_t n = m.declared.load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < n; ++i) {
      const CounterInfo& c = m.counters[i];
      if (c.name != spec.name) continue;
      if (c.window_ns == spec.window_ns && c.scale == spec.scale) return {CounterStatus::kOk, i};
      return {CounterStatus::kConflict, i};
    }
    if (n >= m.max_counters) return {CounterStatus::kTooManyCounters, 0};
    CounterInfo& c = m.counters[n];
    c.name = spec.name;
    c.window_ns = spec.window_ns;
    c.scale = spec.scale;
    // ceil(W / B): B sub-buckets cover at least the whole window.
    int64_t b = m.sub_buckets;
    c.shape = RingShape{spec.window_ns / b + (spec.window_ns % b != 0), b + 1};
    m.declared.store(n + 1, std::memory_order_release);
    return {CounterStatus::kOk, n};
  } catch (...) {
    return {CounterStatus::kTooManyCounters, 0};
  }
}

void LocalCounterStore::ReadMany(std::span<const CounterKey> keys,
                                 std::span<CounterRead> out) const noexcept {
  size_t n = std::min(keys.size(), out.size());
  if (!impl_ || !impl_->ok) {
    for (size_t i = 0; i < n; ++i) out[i] = {CounterStatus::kFull, 0.0};
    return;
  }
  int64_t now = impl_->clock->NowNs();
  for (size_t i = 0; i < n; ++i) out[i] = impl_->ReadOne(keys[i], now);
}

void LocalCounterStore::ChargeMany(std::span<const CounterCharge> charges,
                                   std::span<ChargeReceipt> out) noexcept {
  size_t n = std::min(charges.size(), out.size());
  if (!impl_ || !impl_->ok) {
    for (size_t i = 0; i < n; ++i) out[i] = {CounterStatus::kFull, 0};
    return;
  }
  int64_t now = impl_->clock->NowNs();
  for (size_t i = 0; i < n; ++i) out[i] = impl_->ChargeOne(charges[i], now);
}

CounterStatus LocalCounterStore::Adjust(const CounterAdjust& adjust) noexcept {
  if (!impl_ || !impl_->ok) return CounterStatus::kFull;
  return impl_->AdjustOne(adjust, impl_->clock->NowNs());
}

CounterStats LocalCounterStore::Stats() const noexcept {
  CounterStats s;
  if (!impl_) return s;
  const Impl& m = *impl_;
  s.keys_live = m.table.live();
  s.capacity = m.ok ? m.table.capacity() : 0;
  s.reclaimed = m.reclaimed.load(std::memory_order_relaxed);
  s.charges_refused = m.charges_refused.load(std::memory_order_relaxed);
  s.reads_missing = m.reads_missing.load(std::memory_order_relaxed);
  s.adjust_expired = m.adjust_expired.load(std::memory_order_relaxed);
  return s;
}

size_t LocalCounterStore::Reclaim() noexcept {
  if (!impl_ || !impl_->ok) return 0;
  int64_t now = impl_->clock->NowNs();
  try {
    std::lock_guard lock(impl_->mu);
    return impl_->ReclaimLocked(now);
  } catch (...) {
    return 0;
  }
}

}  // namespace mixtral
