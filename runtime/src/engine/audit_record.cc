// The engine's `decision` audit record (contract §11, SPEC §19.1). The
// deciding thread only captures what the record needs: shared pointers to
// the policy version and snapshot, the request's values (shared, not
// copied), and copies of the few small decision strings. Rendering to
// canonical JSON happens on the audit writer's thread.
#include <algorithm>
#include <numeric>

#include "engine/internal.h"
#include "io/decision_json.h"
#include "io/json_text.h"

namespace mixtral {
namespace {

void WriteValue(io::JsonWriter& w, const TypeTable& types, TypeId type, const Value& v) {
  using K = Value::Kind;
  const TypeInfo& info = types.info(type);
  switch (v.kind()) {
    case K::kMissing:
      w.Null();
      return;
    case K::kBool:
      w.Bool(v.as_bool());
      return;
    case K::kInt:
      w.Int(v.as_int());
      return;
    case K::kFloat:
      w.Double(v.as_float());
      return;
    case K::kString:
      w.String(v.as_string());
      return;
    case K::kEnum: {
      const auto& members = types.enum_info(type).members;
      if (v.as_enum() < members.size())
        w.String(members[v.as_enum()]);
      else
        w.Null();
      return;
    }
    case K::kList:
    case K::kSet:
      w.BeginArray();
      for (const Value& x : v.as_list()) WriteValue(w, types, info.elem, x);
      w.EndArray();
      return;
    case K::kMap: {
      // Keys are strings or enum members (the binder accepts no others);
      // canonical order is by the key's text.
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [k, x] : v.as_map()) {
        std::string key;
        if (k.kind() == K::kString) {
          key = std::string(k.as_string());
        } else if (k.kind() == K::kEnum) {
          const auto& members = types.enum_info(info.key).members;
          if (k.as_enum() < members.size()) key = members[k.as_enum()];
        }
        entries.emplace_back(std::move(key), &x);
      }
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      w.BeginObject();
      for (const auto& [k, x] : entries) {
        w.Key(k);
        WriteValue(w, types, info.elem, *x);
      }
      w.EndObject();
      return;
    }
  }
}

class DecisionEntry final : public AuditEntry {
 public:
  std::string_view kind() const override { return "decision"; }
  const AuditSnapshot* snapshot() const override { return snap_ ? &*snap_ : nullptr; }

  void Render(AuditMembers& out) const override {
    const Policy& p = *version->policy;
    out.AddString("decision_id", decision.decision_id);
    out.AddString("now", FormatTime(decision.now_ms));
    out.AddString("policy", p.name);
    out.AddString("policy_version", p.version);
    out.AddString("policy_hash", p.hash);
    out.AddString("snapshot_sha256", snapshot_bound->sha256);
    if (snapshot_bound->version) {
      std::string v;
      io::JsonWriter w(&v, false);
      io::WriteScalar(&w, *snapshot_bound->version);
      out.AddRaw("snapshot_version", v);
    } else {
      out.AddRaw("snapshot_version", "null");
    }
    if (decision.route_override) out.AddString("route_override", *decision.route_override);
    RenderRequest(out, p);
    RenderAudit(out);
    out.AddRaw("decision", DecisionFieldsToJson(decision, with_explain));
    if (decision.eval_ns)
      out.AddInt("eval_ns", *decision.eval_ns);
    else
      out.AddRaw("eval_ns", "null");
  }

  std::shared_ptr<const CompiledVersion> version;
  std::shared_ptr<const BoundSnapshot> snapshot_bound;
  std::optional<AuditSnapshot> snap_;
  Decision decision;  // decision fields, identity fields, charges
  bool with_explain = false;
  bool invalid = false;
  std::vector<std::pair<uint32_t, Value>> request;  // set fields; masked ones missing
  std::vector<CounterValue> counters_read;
  std::vector<DerivedValue> derived;
  std::vector<Fault> charge_faults;  // charges the store refused (not in decision.charges)

 private:
  void RenderRequest(AuditMembers& out, const Policy& p) const {
    std::string masked;
    io::JsonWriter mw(&masked, false);
    mw.BeginArray();
    if (invalid) {
      // The request did not bind: there is no value to record, and its text
      // may hold sensitive fields (SPEC §19.1; replay counts it not replayable).
      out.AddRaw("request", "null");
    } else {
      std::vector<size_t> order(request.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return p.request.fields[request[a].first].name < p.request.fields[request[b].first].name;
      });
      std::string text;
      io::JsonWriter w(&text, false);
      w.BeginObject();
      for (size_t i : order) {
        const FieldInfo& f = p.request.fields[request[i].first];
        w.Key(f.name);
        if (f.sensitive) {
          w.String("***");
          mw.String(f.name);
        } else {
          WriteValue(w, p.types, f.type, request[i].second);
        }
      }
      w.EndObject();
      out.AddRaw("request", text);
    }
    mw.EndArray();
    out.AddRaw("masked", masked);
  }

  void RenderAudit(AuditMembers& out) const {
    std::string text;
    {
      io::JsonWriter w(&text, false);
      std::vector<const DerivedValue*> sorted;
      for (const DerivedValue& d : derived) sorted.push_back(&d);
      std::sort(sorted.begin(), sorted.end(),
                [](const DerivedValue* a, const DerivedValue* b) { return a->first < b->first; });
      w.BeginObject();
      for (const DerivedValue* d : sorted) {
        w.Key(d->first);
        if (d->second)
          io::WriteScalar(&w, *d->second);
        else
          w.Null();
      }
      w.EndObject();
    }
    out.AddRaw("derived", text);
    out.AddRaw("counters_read", CounterEntries(counters_read, "value",
                                               [](const CounterValue& c) { return c.value; }));
    out.AddRaw("charges", CounterEntries(decision.charges, "amount",
                                         [](const Charge& c) { return c.amount; }));
    if (!charge_faults.empty()) {
      std::string faults;
      io::JsonWriter w(&faults, false);
      io::WriteFaults(&w, charge_faults);
      out.AddRaw("faults", faults);
    }
  }

  // [{counter, key, <number>}] with the keys in canonical (code-point) order:
  // `amount` sorts before `counter`, `value` after `key`.
  template <typename Entry, typename Number>
  static std::string CounterEntries(const std::vector<Entry>& entries, std::string_view number_key,
                                    Number number) {
    std::string text;
    io::JsonWriter w(&text, false);
    w.BeginArray();
    for (const Entry& c : entries) {
      w.BeginObject();
      const bool first = number_key < "counter";
      if (first) {
        w.Key(number_key);
        w.Double(number(c));
      }
      w.Key("counter");
      w.String(c.counter);
      w.Key("key");
      w.String(c.key);
      if (!first) {
        w.Key(number_key);
        w.Double(number(c));
      }
      w.EndObject();
    }
    w.EndArray();
    return text;
  }
};

}  // namespace

void EngineInternals::AuditDecision(Engine::Impl& e, const AuditCapture& c,
                                    const EngineDecision& out) {
  auto entry = std::make_unique<DecisionEntry>();
  entry->version = *c.version;
  entry->snapshot_bound = c.bound->snapshot;
  if (c.bound->snapshot_text)
    entry->snap_ = AuditSnapshot{c.bound->snapshot->sha256, c.bound->snapshot_text};
  entry->decision = out.ToDecision();
  if (!e.options.audit_explain) entry->decision.explain.reset();
  entry->with_explain = e.options.audit_explain;
  entry->invalid = c.invalid;
  if (!c.invalid) {
    const EngineRequest::Impl& r = *c.request->impl;
    const CompiledVersion& v = **c.version;
    entry->request.reserve(r.values.size());
    for (size_t i = 0; i < r.values.size(); ++i) {
      const auto index = static_cast<uint32_t>(i);
      if (r.state[i] == EngineRequest::Impl::kUnset) continue;
      if (v.sensitive[i]) {
        entry->request.emplace_back(index, Value());  // rendered as "***"
      } else if (r.state[i] == EngineRequest::Impl::kStringBuffer) {
        entry->request.emplace_back(index, Value::Str(r.strings[i]));
      } else if (!r.values[i].is_missing()) {
        entry->request.emplace_back(index, r.values[i]);
      }
    }
  }
  entry->counters_read = out.counters_read_;
  entry->derived = out.derived_;
  // A charge the store refused was not made: the record has it as a fault.
  if (!out.receipts_.empty()) {
    std::vector<Charge>& made = entry->decision.charges;
    size_t kept = 0;
    for (size_t k = 0; k < made.size(); ++k) {
      if (k < out.receipts_.size() && out.receipts_[k].status != CounterStatus::kOk)
        entry->charge_faults.push_back(RefusedChargeFault(out.target(), made[k], out.receipts_[k]));
      else if (kept++ != k)
        made[kept - 1] = std::move(made[k]);
    }
    made.resize(kept);
  }
  e.options.audit->Append(std::move(entry));
}

}  // namespace mixtral
