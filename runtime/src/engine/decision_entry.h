// Internal: the engine's `decision` audit record as the deciding thread
// captures it (audit_capture.cc) and the writer's thread renders it
// (audit_record.cc). The capture is a flat copy into buffers the entry keeps
// from one record to the next: every string back to back in `bytes`, the
// rest as small plain arrays, and one handle on the active version and
// snapshot. Entries come from, and go back to, their worker's pool, so that
// a warm pool captures without allocating. The writer's thread also fills
// one from each record copied inline into a worker's ring (audit_inline.cc),
// so that both kinds render through the same code.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal.h"

namespace mixtral {

class DecisionEntry final : public AuditEntry {
 public:
  // A string in `bytes`.
  struct Span {
    uint32_t begin;
    uint32_t size;
  };
  // One set request field: masked (rendered as "***"), a scalar, string
  // bytes, or a collection (in `collections`, which holds references).
  struct Field {
    enum How : uint8_t { kMasked, kScalar, kBytes, kCollection };
    uint32_t index;  // the request slot
    How how;
    Value::Kind kind;  // kScalar
    union {
      bool b;
      int64_t i;
      double f;
      uint32_t e;
      Span s;             // kBytes
      uint32_t position;  // kCollection
    } u;
  };
  struct CounterSpan {
    Span counter, key;
    double number;  // the value read, or the amount charged
  };

  explicit DecisionEntry(AuditEntryPool* pool) : pool_(pool) {}
  std::string_view kind() const override { return "decision"; }
  const AuditSnapshot* snapshot() const override {
    return audited->snapshot ? &*audited->snapshot : nullptr;
  }
  void Render(AuditMembers& out) const override;
  void Recycle() override;

  Span Add(std::string_view text) {
    const auto begin = static_cast<uint32_t>(bytes.size());
    bytes.append(text);
    return {begin, static_cast<uint32_t>(text.size())};
  }
  std::string_view Text(Span s) const { return std::string_view(bytes).substr(s.begin, s.size); }

  // An entry back from the writer's thread is cold on the deciding one; its
  // pool asks for the lines the next captures will write ahead of time.
  void PrefetchObject() const;
  void PrefetchBuffers() const;

  // Kept from one record to the next while the state stays the same, so that
  // a decision does not touch the handle's count (which the writer's thread
  // would otherwise share): an entry back in its pool keeps the version and
  // snapshot of its last record alive until it is used again.
  std::shared_ptr<const AuditedVersion> audited;

  std::string bytes;
  Span decision_id, route, target, reject_reason, route_override;
  Outcome outcome = Outcome::kRejected;
  bool has_target = false;
  bool has_route_override = false;
  bool invalid = false;  // decided as rejected 400: no request to record
  bool with_explain = false;
  bool rare = false;  // `rare_fields` holds this record's less common decision fields
  int32_t reject_status = 0;
  int64_t now_ms = 0;
  std::optional<int64_t> eval_ns;
  std::vector<Span> fallbacks;
  std::vector<Field> request;
  std::vector<CounterSpan> counters_read, charges;
  // Rare (policies that read masked fields through derived values): kept as
  // the decision has them, assigned element by element to reuse capacity.
  std::vector<DerivedValue> derived;
  std::vector<Fault> charge_faults;  // charges the store refused (not in `charges`)
  std::vector<Value> collections;
  // Mirrors, variant, escalation, ensemble, degraded reason, annotations and
  // explain: copied only when the decision has any.
  Decision rare_fields;

 private:
  // The decision fields, identity, charges and times as the contract's struct.
  Decision ToDecision() const;
  void RenderRequest(AuditMembers& out, const Policy& p) const;
  void RenderAudit(AuditMembers& out) const;

  AuditEntryPool* const pool_;
};

// Set request field `i` as a record keeps it, whichever way it is captured
// (audit_capture.cc, audit_inline.cc): how, kind and, for a scalar, its
// value; for bytes, *text is the string (the caller stores it); for a
// collection, the caller keeps the Value. nullopt: not set, or missing.
inline std::optional<DecisionEntry::Field> RecordedField(const EngineRequest::Impl& r, size_t i,
                                                         bool sensitive, std::string_view* text) {
  using Field = DecisionEntry::Field;
  if (r.state[i] == EngineRequest::Impl::kUnset) return std::nullopt;
  const Value& x = r.values[i];
  Field f{};
  f.index = static_cast<uint32_t>(i);
  f.kind = x.kind();
  if (sensitive) {
    f.how = Field::kMasked;
  } else if (r.state[i] == EngineRequest::Impl::kStringBuffer) {
    f.how = Field::kBytes;
    *text = r.strings[i];
  } else if (x.is_missing()) {
    return std::nullopt;
  } else {
    f.how = Field::kScalar;
    switch (x.kind()) {
      case Value::Kind::kString:
        f.how = Field::kBytes;
        *text = x.as_string();
        break;
      case Value::Kind::kBool:
        f.u.b = x.as_bool();
        break;
      case Value::Kind::kInt:
        f.u.i = x.as_int();
        break;
      case Value::Kind::kFloat:
        f.u.f = x.as_float();
        break;
      case Value::Kind::kEnum:
        f.u.e = x.as_enum();
        break;
      default:  // lists, sets, maps
        f.how = Field::kCollection;
        break;
    }
  }
  return f;
}

// One worker's entries. The worker takes them without a lock from a list of
// its own; the writer's thread puts them back under a short lock into a
// second list, which the worker takes over whole when its own runs out. The
// pool keeps as many entries as were ever in flight at once (at most the
// queue and one writer batch). It is freed by whichever of the worker and the
// last entry in flight goes last.
class AuditEntryPool {
 public:
  DecisionEntry* Take();           // the worker's thread
  void Put(DecisionEntry* entry);  // any thread
  void Orphan();                   // the worker is gone

 private:
  std::vector<DecisionEntry*> own_;  // the worker's thread only
  size_t created_ = 0;               // the worker's thread only
  std::mutex mu_;
  std::vector<DecisionEntry*> returned_;
  size_t outstanding_ = 0;  // once orphaned: entries still in flight
  bool orphaned_ = false;
};

}  // namespace mixtral
