// The engine's `decision` audit record (contract §11, SPEC §19.1), rendered
// on the audit writer's thread from what the deciding thread captured
// (engine/decision_entry.h, audit_capture.cc): masking, canonical JSON.
#include <algorithm>
#include <numeric>

#include "engine/decision_entry.h"
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

Value ScalarValue(const DecisionEntry::Field& f) {
  switch (f.kind) {
    case Value::Kind::kBool:
      return Value::Bool(f.u.b);
    case Value::Kind::kInt:
      return Value::Int(f.u.i);
    case Value::Kind::kFloat:
      return Value::Float(f.u.f);
    case Value::Kind::kEnum:
      return Value::Enum(f.u.e);
    default:
      return Value();
  }
}

// [{counter, key, <number>}] with the keys in canonical (code-point) order:
// `amount` sorts before `counter`, `value` after `key`.
template <typename Entry, typename Number>
std::string CounterEntries(const std::vector<Entry>& entries, std::string_view number_key,
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

}  // namespace

Decision DecisionEntry::ToDecision() const {
  Decision d;
  if (rare) d = rare_fields;
  d.route = Text(route);
  d.outcome = outcome;
  if (has_target) d.target = std::string(Text(target));
  for (const Span& f : fallbacks) d.fallbacks.emplace_back(Text(f));
  if (outcome == Outcome::kRejected)
    d.reject = Reject{reject_status, std::string(Text(reject_reason))};
  d.decision_id = Text(decision_id);
  d.now_ms = now_ms;
  d.eval_ns = eval_ns;
  if (has_route_override) d.route_override = std::string(Text(route_override));
  for (const CounterSpan& c : charges)
    d.charges.push_back(Charge{std::string(Text(c.counter)), std::string(Text(c.key)), c.number});
  return d;
}

void DecisionEntry::Render(AuditMembers& out) const {
  const Policy& p = *audited->bound.version->policy;
  const BoundSnapshot& snapshot_bound = *audited->bound.snapshot;
  const Decision d = ToDecision();
  out.AddString("decision_id", d.decision_id);
  out.AddString("now", FormatTime(d.now_ms));
  out.AddString("policy", p.name);
  out.AddString("policy_version", p.version);
  out.AddString("policy_hash", p.hash);
  out.AddString("snapshot_sha256", snapshot_bound.sha256);
  if (snapshot_bound.version) {
    std::string v;
    io::JsonWriter w(&v, false);
    io::WriteScalar(&w, *snapshot_bound.version);
    out.AddRaw("snapshot_version", v);
  } else {
    out.AddRaw("snapshot_version", "null");
  }
  if (d.route_override) out.AddString("route_override", *d.route_override);
  RenderRequest(out, p);
  RenderAudit(out);
  out.AddRaw("charges",
             CounterEntries(d.charges, "amount", [](const Charge& c) { return c.amount; }));
  out.AddRaw("decision", DecisionFieldsToJson(d, with_explain));
  if (d.eval_ns)
    out.AddInt("eval_ns", *d.eval_ns);
  else
    out.AddRaw("eval_ns", "null");
}

void DecisionEntry::RenderRequest(AuditMembers& out, const Policy& p) const {
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
      return p.request.fields[request[a].index].name < p.request.fields[request[b].index].name;
    });
    std::string text;
    io::JsonWriter w(&text, false);
    w.BeginObject();
    for (size_t i : order) {
      const Field& field = request[i];
      const FieldInfo& f = p.request.fields[field.index];
      w.Key(f.name);
      switch (field.how) {
        case Field::kMasked:
          w.String("***");
          mw.String(f.name);
          break;
        case Field::kBytes:
          w.String(Text(field.u.s));
          break;
        case Field::kCollection:
          WriteValue(w, p.types, f.type, collections[field.u.position]);
          break;
        case Field::kScalar:
          WriteValue(w, p.types, f.type, ScalarValue(field));
          break;
      }
    }
    w.EndObject();
    out.AddRaw("request", text);
  }
  mw.EndArray();
  out.AddRaw("masked", masked);
}

void DecisionEntry::RenderAudit(AuditMembers& out) const {
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
  std::vector<CounterValue> read;
  for (const CounterSpan& c : counters_read)
    read.push_back(CounterValue{std::string(Text(c.counter)), std::string(Text(c.key)), c.number});
  out.AddRaw("counters_read",
             CounterEntries(read, "value", [](const CounterValue& c) { return c.value; }));
  if (!charge_faults.empty()) {
    std::string faults;
    io::JsonWriter w(&faults, false);
    io::WriteFaults(&w, charge_faults);
    out.AddRaw("faults", faults);
  }
}

}  // namespace mixtral
