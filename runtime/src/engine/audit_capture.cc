// The deciding thread's part of a `decision` audit record. The common one
// is copied straight into the worker's ring (audit_inline.cc); the others
// take an entry from the worker's pool, copy into it what the record needs
// (flat, into buffers it keeps) and go into the ring boxed. Nothing here
// renders or masks; in the steady state nothing allocates
// (tests/library/audit_alloc_test.cc).
#include <algorithm>

#include "engine/decision_entry.h"

namespace mixtral {

DecisionEntry* AuditEntryPool::Take() {
  if (own_.empty()) {
    std::lock_guard lock(mu_);
    own_.swap(returned_);
  }
  if (!own_.empty()) {
    DecisionEntry* entry = own_.back();
    own_.pop_back();
    // Two ahead: the next entry's buffers (its object was asked for by the
    // previous Take), and the object of the one after it.
    const size_t n = own_.size();
    if (n >= 1) own_[n - 1]->PrefetchBuffers();
    if (n >= 2) own_[n - 2]->PrefetchObject();
    return entry;
  }
  ++created_;
  return new DecisionEntry(this);
}

void AuditEntryPool::Put(DecisionEntry* entry) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    if (!orphaned_) {
      returned_.push_back(entry);
      return;
    }
    last = --outstanding_ == 0;
  }
  delete entry;
  if (last) delete this;
}

void AuditEntryPool::Orphan() {
  std::vector<DecisionEntry*> free;
  bool last = false;
  {
    std::lock_guard lock(mu_);
    orphaned_ = true;
    free.swap(returned_);
    free.insert(free.end(), own_.begin(), own_.end());
    // Inside the lock: once it is released, the writer's Put of the last
    // entry in flight may free this pool.
    own_.clear();
    outstanding_ = created_ - free.size();
    last = outstanding_ == 0;
  }
  for (DecisionEntry* entry : free) delete entry;
  if (last) delete this;
}

namespace {

constexpr size_t kLine = 64;

void PrefetchForWrite(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += kLine) __builtin_prefetch(c + off, 1);
}

}  // namespace

void DecisionEntry::PrefetchObject() const {
  // Up to the rare fields, which most captures do not touch.
  PrefetchForWrite(this, static_cast<size_t>(reinterpret_cast<const char*>(&rare_fields) -
                                             reinterpret_cast<const char*>(this)));
}

void DecisionEntry::PrefetchBuffers() const {
  constexpr size_t kMax = 4 * kLine;
  PrefetchForWrite(bytes.data(), std::min(bytes.capacity(), kMax));
  PrefetchForWrite(request.data(), std::min(request.capacity() * sizeof(Field), kMax));
  PrefetchForWrite(fallbacks.data(), std::min(fallbacks.capacity() * sizeof(Span), kMax));
}

void DecisionEntry::Recycle() {
  // Collections hold references; let them go here, on the writer's thread.
  if (!collections.empty()) collections.clear();
  pool_->Put(this);
}

void AuditPoolRef::Create() {
  if (!pool_) pool_ = new AuditEntryPool();
}

AuditPoolRef::~AuditPoolRef() {
  if (pool_) pool_->Orphan();
}

void EngineInternals::AuditDecision(Engine::Impl& e, const AuditCapture& c,
                                    const EngineDecision& out) {
  if (AuditInline(c, out, e.options.audit_explain)) return;
  // Until Append owns it, an exception hands the entry back to the pool.
  auto recycle = [](DecisionEntry* d) { d->Recycle(); };
  std::unique_ptr<DecisionEntry, decltype(recycle)> owned(c.pool->Take(), recycle);
  DecisionEntry& entry = *owned;
  using Field = DecisionEntry::Field;
  if (entry.audited != *c.audited) entry.audited = *c.audited;
  entry.bytes.clear();
  entry.decision_id = entry.Add(out.decision_id_);
  entry.route = entry.Add(out.route_);
  entry.outcome = out.outcome_;
  entry.has_target = out.has_target_;
  if (out.has_target_) entry.target = entry.Add(out.target_);
  entry.fallbacks.clear();
  for (size_t i = 0; i < out.fallback_count_; ++i)
    entry.fallbacks.push_back(entry.Add(out.fallbacks_[i]));
  entry.reject_status = out.reject_status_;
  entry.reject_reason = entry.Add(out.reject_reason_);
  entry.has_route_override = out.route_override_.has_value();
  if (out.route_override_) entry.route_override = entry.Add(*out.route_override_);
  entry.now_ms = out.now_ms_;
  entry.eval_ns = out.eval_ns_;
  entry.with_explain = e.options.audit_explain;
  // The less common decision fields go through a Decision, only when present.
  const Decision& full = out.full_;
  const bool explain = entry.with_explain && full.explain;
  entry.rare = !full.mirrors.empty() || full.variant || !full.escalation.empty() || full.ensemble ||
               full.degraded_reason || !full.annotations.empty() || explain;
  if (entry.rare) {
    Decision& r = entry.rare_fields;
    r.mirrors = full.mirrors;
    r.variant = full.variant;
    r.escalation = full.escalation;
    r.ensemble = full.ensemble;
    r.degraded_reason = full.degraded_reason;
    r.annotations = full.annotations;
    if (explain)
      r.explain = full.explain;
    else
      r.explain.reset();
  }
  entry.charges.clear();
  entry.charge_faults.clear();
  for (size_t k = 0; k < full.charges.size(); ++k) {
    const Charge& x = full.charges[k];
    // A charge the store refused was not made: the record has it as a fault.
    if (k < out.receipts_.size() && out.receipts_[k].status != CounterStatus::kOk)
      entry.charge_faults.push_back(RefusedChargeFault(out.target(), x, out.receipts_[k]));
    else
      entry.charges.push_back({entry.Add(x.counter), entry.Add(x.key), x.amount});
  }
  entry.counters_read.clear();
  for (const CounterValue& x : out.counters_read_)
    entry.counters_read.push_back({entry.Add(x.counter), entry.Add(x.key), x.value});
  entry.derived.resize(out.derived_.size());
  for (size_t k = 0; k < out.derived_.size(); ++k) entry.derived[k] = out.derived_[k];

  entry.invalid = c.invalid;
  entry.request.clear();
  if (!c.invalid) {
    const EngineRequest::Impl& r = *c.request->impl;
    const CompiledVersion& v = *entry.audited->bound.version;
    for (size_t i = 0; i < r.values.size(); ++i) {
      std::string_view text;
      std::optional<Field> f = RecordedField(r, i, v.sensitive[i], &text);
      if (!f) continue;
      if (f->how == Field::kBytes) {
        f->u.s = entry.Add(text);
      } else if (f->how == Field::kCollection) {
        f->u.position = static_cast<uint32_t>(entry.collections.size());
        entry.collections.push_back(r.values[i]);
      }
      entry.request.push_back(*f);
    }
  }
  AuditBoxed(*c.ring, owned.release());
}

}  // namespace mixtral
