// Budget and quota counters for `counter` declarations and `charge` clauses
// (lang/SPEC.md §6.9, §8.14): per key, the sum of the amounts charged over a
// sliding time window, kept in memory by this process.
//
//   auto clock = std::make_shared<mixtral::ManualClock>();   // or SteadyClock
//   mixtral::LocalCounterStore store({.capacity = 4096, .clock = clock});
//   mixtral::CounterDeclared spend = store.Declare({"tenant_spend", 3'600'000'000'000});
//   // per decision: read what the policy reads, then charge what it charges
//   mixtral::CounterRead r = store.Read(spend.id, "acme");          // r.value == 0.0
//   if (r.status == mixtral::CounterStatus::kOk && r.value + 0.25 <= 100.0) {
//     mixtral::ChargeReceipt c = store.Charge(spend.id, "acme", 0.25);
//     // later, when the real cost is known (an audit `charge_adjust` record):
//     store.Adjust({spend.id, "acme", c.at_ns, 0.31 - 0.25});
//   }
//
// The caller records what it read (`counters_read`) and charged (`charges`)
// in the audit record; the store returns the values and keeps no log.
//
// Windows. Time is a monotonic clock in nanoseconds (MonotonicClock), never
// the decision's `now`, so a wall-clock step neither expires nor revives
// charges. A counter with window W is split into B sub-buckets (Options::
// sub_buckets, 64 by default) of width w = ceil(W / B); 64 divides every whole
// number of milliseconds in ns, so w is exact for such windows. A charge at
// time t lands in the sub-bucket [k·w, (k+1)·w) holding t. A read at `now`
// sums the sub-buckets that overlap [now - B·w, now]. Hence a charge is
// counted by every read with now - t <= B·w (>= W: the window never ends
// early, it is closed at the old end) and by none with now - t >= (B+1)·w;
// in between it depends on where t fell in its sub-bucket. The store thus
// over-counts by at most one sub-bucket (1/64 of the window by default),
// which errs towards refusing, as a budget should.
//
// Amounts. Each counter keeps fixed-point integers: an amount is rounded to
// the nearest 1/scale (CounterSpec::scale, 10^6 by default: micro-units),
// half away from zero; sums are exact in those units and a read returns
// units / scale, the double nearest the decimal sum. One sub-bucket holds
// at most ±(2^47 - 1) units (±1.4e8 at the default scale) and saturates
// there; a single amount beyond that, NaN or infinite is refused
// (kBadAmount). Negative amounts are allowed (refunds).
//
// Capacity. The store holds at most Options::capacity keys (all counters
// together), about 0.9 KiB each with 64 sub-buckets; memory is allocated
// once, at construction. A new key takes the slow path (a mutex); when no
// room is left it first reclaims keys whose whole window has expired (they
// read 0.0 anyway). If still full, the charge is refused (kFull) and counted
// in Stats, and until a reclaim frees room every absent key reads kFull
// (missing to the policy, §6.7), since its charges may have been refused.
// Keys longer than kMaxCounterKeyBytes are refused the same way
// (kKeyTooLong). Nothing here throws or aborts.
//
// Threading. Every method may be called from any number of threads at once.
// Reading and charging an existing key take no lock and allocate nothing:
// reads are seqlock-validated atomic loads, charges one compare-and-swap on
// the sub-bucket word, with a pin count that keeps the key from being
// reclaimed under them. Only a new key, a reclaim, Declare, and a key idle
// for 2^14 windows (re-inserted so its 16-bit sub-bucket tags cannot alias)
// take the store's mutex. A ChargeMany is not a transaction: each charge is
// atomic on its own, and a read may see some charges of a concurrent
// ChargeMany but not others.
//
// Per process. Each process (each sidecar) has its own counters and knows
// nothing of the others': with N replicas behind a balancer, a tenant can
// spend up to N times the cap. Either give each replica its share of the
// cap (cap / N in the policy), or implement CounterStore over a shared store
// (docs/COUNTERS.md). The engine sees only the CounterStore interface.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace mixtral {

// Nanoseconds since an arbitrary origin; never decreases.
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual int64_t NowNs() const noexcept = 0;
};

// std::chrono::steady_clock.
class SteadyClock final : public MonotonicClock {
 public:
  int64_t NowNs() const noexcept override;
};

// Time that moves only when told to: tests and replays drive it explicitly.
class ManualClock final : public MonotonicClock {
 public:
  explicit ManualClock(int64_t start_ns = 0) noexcept : now_(start_ns) {}
  int64_t NowNs() const noexcept override { return now_.load(std::memory_order_acquire); }
  // A monotonic clock never goes back: Set to an earlier time is ignored.
  void Set(int64_t ns) noexcept;
  void Advance(int64_t ns) noexcept;

 private:
  std::atomic<int64_t> now_;
};

inline constexpr size_t kMaxCounterKeyBytes = 128;

using CounterId = uint32_t;

struct CounterSpec {
  std::string name;
  int64_t window_ns = 0;      // > 0
  int64_t scale = 1'000'000;  // fixed-point units per 1.0, in [1, 10^12]
};

enum class CounterStatus : uint8_t {
  kOk,
  kUnknownCounter,   // the id was not returned by this store's Declare
  kKeyTooLong,       // key longer than kMaxCounterKeyBytes
  kFull,             // no room for a new key (reads: the key may have lost charges)
  kBadAmount,        // NaN, infinite, or beyond one sub-bucket's range
  kExpired,          // Adjust: the original sub-bucket has left the window
  kBadSpec,          // Declare: empty name, window <= 0 or scale out of range
  kConflict,         // Declare: the name exists with another window or scale
  kTooManyCounters,  // Declare: Options::max_counters reached
};

// "ok", "unknown_counter", "key_too_long", "full", ... (stable, for metrics).
const char* CounterStatusName(CounterStatus status) noexcept;

struct CounterDeclared {
  CounterStatus status = CounterStatus::kOk;
  CounterId id = 0;
};

struct CounterKey {
  CounterId counter = 0;
  std::string_view key;
};

struct CounterRead {
  CounterStatus status = CounterStatus::kOk;
  double value = 0.0;  // meaningful when status is kOk; a key never charged reads 0.0
};

struct CounterCharge {
  CounterId counter = 0;
  std::string_view key;
  double amount = 0.0;
};

struct ChargeReceipt {
  CounterStatus status = CounterStatus::kOk;
  int64_t at_ns = 0;  // the monotonic time the charge was made at; Adjust takes it back
};

// A correction to an earlier charge: `delta` is added to the sub-bucket the
// charge made at `charged_at_ns` landed in, if that sub-bucket is still in
// the window. Otherwise the charge no longer counts, so neither would the
// correction: nothing changes and Adjust returns kExpired (the audit log's
// `charge_adjust` record is still the ledger of it).
struct CounterAdjust {
  CounterId counter = 0;
  std::string_view key;
  int64_t charged_at_ns = 0;
  double delta = 0.0;
};

// Monotonic totals since construction, for metrics. In normal operation
// every field but keys_live, capacity, reclaimed and adjust_expired reads 0.
struct CounterStats {
  uint64_t keys_live = 0;
  uint64_t capacity = 0;
  uint64_t reclaimed = 0;        // keys freed because their window had expired
  uint64_t charges_refused = 0;  // kFull, kKeyTooLong or kBadAmount charges
  uint64_t reads_missing = 0;    // reads answered kFull or kKeyTooLong
  uint64_t adjust_expired = 0;   // Adjust calls answered kExpired
};

// The counters the engine reads and charges. LocalCounterStore keeps them in
// this process; a fleet-wide store can implement the same interface.
class CounterStore {
 public:
  virtual ~CounterStore() = default;

  // Cold path, at policy load. Declaring an existing name with the same
  // window and scale returns the same id, so counters survive a policy
  // reload that keeps them.
  virtual CounterDeclared Declare(const CounterSpec& spec) noexcept = 0;

  // out.size() must equal keys.size() (extra outputs are left alone). All
  // keys are read at one instant.
  virtual void ReadMany(std::span<const CounterKey> keys,
                        std::span<CounterRead> out) const noexcept = 0;
  // Charges at one instant, in order; out.size() must equal charges.size().
  virtual void ChargeMany(std::span<const CounterCharge> charges,
                          std::span<ChargeReceipt> out) noexcept = 0;
  virtual CounterStatus Adjust(const CounterAdjust& adjust) noexcept = 0;
  virtual CounterStats Stats() const noexcept = 0;

  CounterRead Read(CounterId counter, std::string_view key) const noexcept;
  ChargeReceipt Charge(CounterId counter, std::string_view key, double amount) noexcept;
};

class LocalCounterStore final : public CounterStore {
 public:
  struct Options {
    size_t capacity = 8192;                       // keys, all counters together; at least 1
    uint32_t sub_buckets = 64;                    // per window, in [1, 4096]
    size_t max_counters = 256;                    // declared counters
    std::shared_ptr<const MonotonicClock> clock;  // null: a SteadyClock
  };

  explicit LocalCounterStore(Options options);
  ~LocalCounterStore() override;
  LocalCounterStore(const LocalCounterStore&) = delete;
  LocalCounterStore& operator=(const LocalCounterStore&) = delete;

  CounterDeclared Declare(const CounterSpec& spec) noexcept override;
  void ReadMany(std::span<const CounterKey> keys,
                std::span<CounterRead> out) const noexcept override;
  void ChargeMany(std::span<const CounterCharge> charges,
                  std::span<ChargeReceipt> out) noexcept override;
  CounterStatus Adjust(const CounterAdjust& adjust) noexcept override;
  CounterStats Stats() const noexcept override;

  // Frees every key whose window has fully expired; returns how many. The
  // store does this by itself when full; a caller may also run it on a timer
  // to keep memory of idle keys low. Takes the store's mutex.
  size_t Reclaim() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixtral
