// The common decision record, copied by the deciding thread straight into
// its worker's ring (audit/record_ring.h) as one sequential stream, and
// turned back into a DecisionEntry by the writer's thread to be rendered.
// Records with rare fields, collections or derived values, or too large for
// the ring, take a pooled DecisionEntry instead, boxed in the same ring so
// that a worker's records keep their order.
//
// The record's version and snapshot are not in it: the ring's codec keeps a
// handle on each one the worker's records use (a pin, made only when the
// engine's state changes), and a record names its pin by number.
#include <cstddef>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "audit/entry_queue.h"
#include "audit/record_ring.h"
#include "audit/writer_access.h"
#include "engine/decision_entry.h"

namespace mixtral {

namespace {

constexpr uint32_t kDecisionRecord = audit::RecordRing::kCodec;
// The largest inline record; anything longer is boxed.
constexpr size_t kMaxInline = 2048;

enum Flags : uint8_t {
  kHasTarget = 1,
  kHasRouteOverride = 2,
  kInvalid = 4,
  kWithExplain = 8,
  kHasEvalNs = 16,
};

struct InlineHead {
  uint64_t pin;
  int64_t now_ms;
  int64_t eval_ns;
  int32_t reject_status;
  uint32_t request_count;
  uint16_t fallback_count;
  uint16_t counters_read_count;
  uint16_t charges_count;
  uint8_t outcome;
  uint8_t flags;
};
static_assert(sizeof(InlineHead) == 40, "bench/RESULTS.md describes the record's layout");

// A request field: then the 8 bytes of its scalar (DecisionEntry::Field's
// union), or a string, or nothing (masked).
struct InlineField {
  uint32_t index;
  uint8_t how;
  uint8_t kind;
  uint16_t unused;
};

// Bounds-checked: one that would pass the end marks the record as too large.
class Out {
 public:
  Out(std::byte* begin, size_t size) : p_(begin), begin_(begin), end_(begin + size) {}
  template <typename T>
  void Put(const T& value) {
    if (static_cast<size_t>(end_ - p_) < sizeof value) {
      overflow_ = true;
      return;
    }
    std::memcpy(p_, &value, sizeof value);
    p_ += sizeof value;
  }
  void Str(std::string_view s) {
    const auto n = static_cast<uint32_t>(s.size());
    if (static_cast<size_t>(end_ - p_) < sizeof n + n) {
      overflow_ = true;
      return;
    }
    std::memcpy(p_, &n, sizeof n);
    std::memcpy(p_ + sizeof n, s.data(), n);
    p_ += sizeof n + n;
  }
  bool overflow() const { return overflow_; }
  size_t used() const { return static_cast<size_t>(p_ - begin_); }

 private:
  std::byte* p_;
  std::byte* begin_;
  std::byte* end_;
  bool overflow_ = false;
};

class In {
 public:
  In(const std::byte* p, size_t size) : p_(p), end_(p + size) {}
  template <typename T>
  T Get() {
    T value;
    Need(sizeof value);
    std::memcpy(&value, p_, sizeof value);
    p_ += sizeof value;
    return value;
  }
  std::string_view Str() {
    const auto n = Get<uint32_t>();
    Need(n);
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

 private:
  void Need(size_t n) const {
    // Only this file writes records; a short one is a bug, not bad input.
    if (static_cast<size_t>(end_ - p_) < n) throw std::logic_error("audit ring: short record");
  }
  const std::byte* p_;
  const std::byte* end_;
};

}  // namespace

class DecisionCodec final : public audit::RecordRing::Codec {
 public:
  // The deciding thread: a handle for the writer on `audited`, by number.
  uint64_t Pin(const std::shared_ptr<const AuditedVersion>& audited) {
    std::lock_guard lock(mu_);
    pins_.push_back(audited);
    return first_ + pins_.size() - 1;
  }

  const AuditEntry& Decode(uint32_t type, const std::byte* payload, size_t size) override;

 private:
  std::mutex mu_;
  std::deque<std::shared_ptr<const AuditedVersion>> pins_;
  uint64_t first_ = 0;  // the number of pins_.front()
  // The writer's thread.
  uint64_t current_ = ~uint64_t{0};
  DecisionEntry entry_{nullptr};
};

const AuditEntry& DecisionCodec::Decode(uint32_t type, const std::byte* payload, size_t size) {
  if (type != kDecisionRecord) throw std::logic_error("audit ring: unknown record type");
  In in(payload, size);
  const auto head = in.Get<InlineHead>();
  DecisionEntry& e = entry_;
  if (head.pin != current_) {
    // Later records name this pin or a newer one: the older ones can go.
    std::lock_guard lock(mu_);
    while (first_ < head.pin && pins_.size() > 1) {
      pins_.pop_front();
      ++first_;
    }
    e.audited = pins_.front();
    current_ = head.pin;
  }
  e.bytes.clear();
  e.outcome = static_cast<Outcome>(head.outcome);
  e.has_target = head.flags & kHasTarget;
  e.has_route_override = head.flags & kHasRouteOverride;
  e.invalid = head.flags & kInvalid;
  e.with_explain = head.flags & kWithExplain;
  e.rare = false;
  e.reject_status = head.reject_status;
  e.now_ms = head.now_ms;
  e.eval_ns.reset();
  if (head.flags & kHasEvalNs) e.eval_ns = head.eval_ns;
  e.decision_id = e.Add(in.Str());
  e.route = e.Add(in.Str());
  if (e.has_target) e.target = e.Add(in.Str());
  e.reject_reason = e.Add(in.Str());
  if (e.has_route_override) e.route_override = e.Add(in.Str());
  e.fallbacks.clear();
  for (uint16_t i = 0; i < head.fallback_count; ++i) e.fallbacks.push_back(e.Add(in.Str()));
  e.request.clear();
  for (uint32_t i = 0; i < head.request_count; ++i) {
    const auto f = in.Get<InlineField>();
    DecisionEntry::Field field{};
    field.index = f.index;
    field.how = static_cast<DecisionEntry::Field::How>(f.how);
    field.kind = static_cast<Value::Kind>(f.kind);
    if (field.how == DecisionEntry::Field::kBytes) {
      field.u.s = e.Add(in.Str());
    } else if (field.how == DecisionEntry::Field::kScalar) {
      field.u = in.Get<decltype(field.u)>();
    }
    e.request.push_back(field);
  }
  auto counters = [&](uint16_t n, std::vector<DecisionEntry::CounterSpan>* list) {
    list->clear();
    for (uint16_t i = 0; i < n; ++i) {
      const DecisionEntry::Span counter = e.Add(in.Str());
      const DecisionEntry::Span key = e.Add(in.Str());
      list->push_back({counter, key, in.Get<double>()});
    }
  };
  counters(head.counters_read_count, &e.counters_read);
  counters(head.charges_count, &e.charges);
  e.derived.clear();
  e.charge_faults.clear();
  e.collections.clear();
  return e;
}

void AuditRingRef::Create(AuditWriter& writer) {
  auto codec = std::make_unique<DecisionCodec>();
  codec_ = codec.get();
  queue_ = &audit::WriterAccess::Queue(writer);
  ring_ = std::make_shared<audit::RecordRing>(audit::WriterAccess::WorkerBufferBytes(writer),
                                              std::move(codec));
  queue_->Attach(ring_);
}

AuditRingRef::~AuditRingRef() {
  if (ring_) ring_->Detach();
}

bool EngineInternals::AuditInline(const AuditCapture& c, const EngineDecision& out,
                                  bool with_explain) {
  const Decision& full = out.full_;
  if (!full.mirrors.empty() || full.variant || !full.escalation.empty() || full.ensemble ||
      full.degraded_reason || !full.annotations.empty() || (with_explain && full.explain) ||
      !out.derived_.empty() || out.fallback_count_ > UINT16_MAX ||
      out.counters_read_.size() > UINT16_MAX || full.charges.size() > UINT16_MAX)
    return false;
  for (const ChargeReceipt& r : out.receipts_)
    if (r.status != CounterStatus::kOk) return false;  // a charge_faults entry

  AuditRingRef& ring = *c.ring;
  audit::EntryQueue& queue = *ring.queue_;
  const std::shared_ptr<const AuditedVersion>& audited = *c.audited;
  if (audited.get() != ring.pinned_) {
    ring.pin_ = ring.codec_->Pin(audited);
    ring.pinned_ = audited.get();
  }
  const size_t max = std::min(kMaxInline, ring.ring_->max_payload());
  std::byte* room = queue.Reserve(*ring.ring_, max);
  if (!room) return true;  // dropped, and counted
  Out o(room, max);
  InlineHead head{};
  head.pin = ring.pin_;
  head.now_ms = out.now_ms_;
  head.eval_ns = out.eval_ns_.value_or(0);
  head.reject_status = out.reject_status_;
  head.fallback_count = static_cast<uint16_t>(out.fallback_count_);
  head.counters_read_count = static_cast<uint16_t>(out.counters_read_.size());
  head.charges_count = static_cast<uint16_t>(full.charges.size());
  head.outcome = static_cast<uint8_t>(out.outcome_);
  head.flags = (out.has_target_ ? kHasTarget : 0) |
               (out.route_override_.has_value() ? kHasRouteOverride : 0) |
               (c.invalid ? kInvalid : 0) | (with_explain ? kWithExplain : 0) |
               (out.eval_ns_ ? kHasEvalNs : 0);
  o.Put(head);
  o.Str(out.decision_id_);
  o.Str(out.route_);
  if (out.has_target_) o.Str(out.target_);
  o.Str(out.reject_reason_);
  if (out.route_override_) o.Str(*out.route_override_);
  for (size_t i = 0; i < out.fallback_count_; ++i) o.Str(out.fallbacks_[i]);
  uint32_t fields = 0;
  if (!c.invalid) {
    const EngineRequest::Impl& r = *c.request->impl;
    const auto& sensitive = audited->bound.version->sensitive;
    for (size_t i = 0; i < r.values.size(); ++i) {
      std::string_view text;
      const std::optional<DecisionEntry::Field> f = RecordedField(r, i, sensitive[i], &text);
      if (!f) continue;
      if (f->how == DecisionEntry::Field::kCollection) return false;  // the pooled entry keeps it
      o.Put(InlineField{f->index, f->how, static_cast<uint8_t>(f->kind), 0});
      if (f->how == DecisionEntry::Field::kBytes) o.Str(text);
      if (f->how == DecisionEntry::Field::kScalar) o.Put(f->u);  // its 8 bytes, as they are
      ++fields;
    }
  }
  for (const CounterValue& x : out.counters_read_) {
    o.Str(x.counter);
    o.Str(x.key);
    o.Put(x.value);
  }
  for (const Charge& x : full.charges) {
    o.Str(x.counter);
    o.Str(x.key);
    o.Put(x.amount);
  }
  if (o.overflow()) return false;  // the reservation is simply not committed
  std::memcpy(room + offsetof(InlineHead, request_count), &fields, sizeof fields);
  queue.Commit(*ring.ring_, kDecisionRecord, o.used());
  return true;
}

void EngineInternals::AuditBoxed(AuditRingRef& ring, AuditEntry* entry) {
  std::byte* room = ring.queue_->Reserve(*ring.ring_, sizeof entry);
  if (!room) {
    entry->Recycle();  // dropped, and counted
    return;
  }
  std::memcpy(room, &entry, sizeof entry);
  ring.queue_->Commit(*ring.ring_, audit::RecordRing::kBoxed, sizeof entry);
}

}  // namespace mixtral
