// DecisionV1 as JSON (contract §1). Keys are written in code-point order by
// hand, so the compact form is canonical (§12) without building a tree; the
// maps keyed by target name are sorted here.
#include "io/decision_json.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "io/json_text.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral {

void io::WriteScalar(JsonWriter* w, const Scalar& s) {
  std::visit(
      [w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          w->String(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w->Int(v);
        } else if constexpr (std::is_same_v<T, double>) {
          w->Double(v);
        } else {
          w->Bool(v);
        }
      },
      s);
}

namespace {

using io::JsonWriter;
using io::WriteScalar;

void WriteOptString(JsonWriter* w, const std::optional<std::string>& s) {
  if (s) {
    w->String(*s);
  } else {
    w->Null();
  }
}

void WriteStrings(JsonWriter* w, const std::vector<std::string>& items) {
  w->BeginArray();
  for (const auto& s : items) {
    w->String(s);
  }
  w->EndArray();
}

// The indices of `items` ordered by key(item); stable, so that duplicates
// (which a correct engine never produces) still print deterministically.
template <typename T, typename KeyFn>
std::vector<size_t> SortedBy(const std::vector<T>& items, KeyFn key) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key(items[a]) < key(items[b]); });
  return order;
}

void WriteWhen(JsonWriter* w, const EscalationWhen& when) {
  w->BeginObject();
  if (when.simple) {
    w->Key("field");
    w->String(when.field);
    w->Key("op");
    w->String(when.op);
    w->Key("value");
    WriteScalar(w, when.value);
  } else {
    w->Key("expr");
    w->String(when.expr);
    w->Key("id");
    w->Int(when.id);
  }
  w->EndObject();
}

void WriteExplain(JsonWriter* w, const Explain& e) {
  w->BeginObject();
  w->Key("assertions");
  WriteStrings(w, e.assertions);

  w->Key("dropped");
  w->BeginArray();
  for (const Dropped& d : e.dropped) {
    w->BeginObject();
    w->Key("role");
    w->String(d.role);
    w->Key("rule");
    w->String(d.rule);
    w->Key("target");
    w->String(d.target);
    w->EndObject();
  }
  w->EndArray();

  w->Key("faults");
  io::WriteFaults(w, e.faults);

  w->Key("removed");
  w->BeginObject();
  for (size_t i :
       SortedBy(e.removed, [](const auto& r) -> const std::string& { return r.first; })) {
    w->Key(e.removed[i].first);
    WriteStrings(w, e.removed[i].second);
  }
  w->EndObject();

  w->Key("scores");
  w->BeginObject();
  for (size_t i :
       SortedBy(e.scores, [](const Score& s) -> const std::string& { return s.target; })) {
    w->Key(e.scores[i].target);
    // Missing ranks last (contract §4) and has no number; NaN is a number
    // and is written "NaN" like any non-finite float.
    if (e.scores[i].value) {
      w->Double(*e.scores[i].value);
    } else {
      w->Null();
    }
  }
  w->EndObject();
  w->EndObject();
}

// `identity`: with the identity fields; without them (and with explain only
// when `explain`), the audit record's `decision` member.
void WriteDecision(JsonWriter* w, const Decision& d, bool identity = true, bool explain = true) {
  w->BeginObject();

  w->Key("annotations");
  w->BeginObject();
  for (size_t i :
       SortedBy(d.annotations, [](const auto& a) -> const std::string& { return a.first; })) {
    w->Key(d.annotations[i].first);
    WriteScalar(w, d.annotations[i].second);
  }
  w->EndObject();

  if (identity) {
    w->Key("decision_id");
    w->String(d.decision_id);
  }
  w->Key("degraded_reason");
  WriteOptString(w, d.degraded_reason);

  w->Key("ensemble");
  if (d.ensemble) {
    w->BeginObject();
    w->Key("combiner");
    w->String(d.ensemble->combiner);
    w->Key("members");
    WriteStrings(w, d.ensemble->members);
    w->EndObject();
  } else {
    w->Null();
  }

  w->Key("escalation");
  w->BeginArray();
  for (const Escalation& e : d.escalation) {
    w->BeginObject();
    w->Key("target");
    w->String(e.target);
    w->Key("when");
    WriteWhen(w, e.when);
    w->EndObject();
  }
  w->EndArray();

  if (identity) {
    w->Key("eval_ns");
    if (d.eval_ns) {
      w->Int(*d.eval_ns);
    } else {
      w->Null();
    }
  }

  if (identity || explain) {
    w->Key("explain");
    if (d.explain) {
      WriteExplain(w, *d.explain);
    } else {
      w->Null();
    }
  }

  w->Key("fallbacks");
  WriteStrings(w, d.fallbacks);

  w->Key("mirrors");
  w->BeginArray();
  for (const Mirror& m : d.mirrors) {
    w->BeginObject();
    w->Key("rate_bp");
    w->Int(m.rate_bp);
    w->Key("target");
    w->String(m.target);
    w->EndObject();
  }
  w->EndArray();

  if (identity) {
    w->Key("now");
    w->String(FormatTime(d.now_ms));
  }
  w->Key("outcome");
  w->String(OutcomeName(d.outcome));
  if (identity) {
    w->Key("policy");
    w->String(d.policy);
    w->Key("policy_hash");
    w->String(d.policy_hash);
    w->Key("policy_version");
    w->String(d.policy_version);
  }

  w->Key("reject");
  if (d.reject) {
    w->BeginObject();
    w->Key("reason");
    w->String(d.reject->reason);
    w->Key("status");
    w->Int(d.reject->status);
    w->EndObject();
  } else {
    w->Null();
  }

  w->Key("route");
  w->String(d.route);
  if (identity && d.route_override) {
    w->Key("route_override");
    w->String(*d.route_override);
  }

  if (identity) {
    w->Key("snapshot_sha256");
    w->String(d.snapshot_sha256);
    w->Key("snapshot_taken_at");
    if (d.snapshot_taken_at_ms) {
      w->String(FormatTime(*d.snapshot_taken_at_ms));
    } else {
      w->Null();
    }
    w->Key("snapshot_version");
    if (d.snapshot_version) {
      WriteScalar(w, *d.snapshot_version);
    } else {
      w->Null();
    }
  }

  w->Key("target");
  WriteOptString(w, d.target);
  w->Key("variant");
  WriteOptString(w, d.variant);

  w->EndObject();
}

}  // namespace

std::string DecisionFieldsToJson(const Decision& d, bool with_explain) {
  try {
    std::string out;
    out.reserve(384);
    JsonWriter w(&out, false);
    WriteDecision(&w, d, /*identity=*/false, with_explain);
    return out;
  } catch (...) {
    return std::string();
  }
}

std::string DecisionToJson(const Decision& d, bool pretty) {
  try {
    std::string out;
    out.reserve(pretty ? 1024 : 512);
    JsonWriter w(&out, pretty);
    WriteDecision(&w, d);
    return out;
  } catch (...) {
    // Only allocation can fail here, and nothing may escape (inputs.h).
    return std::string();
  }
}

std::string BatchErrorJson(size_t line, const InputError& error) {
  std::string out;
  io::JsonWriter w(&out, false);
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String(error.code);
  w.Key("message");
  w.String(error.message);
  w.Key("path");
  w.String(error.path);
  w.EndObject();
  w.Key("line");
  w.Int(static_cast<int64_t>(line));
  w.EndObject();
  return out;
}

void io::WriteFaults(JsonWriter* w, const std::vector<Fault>& faults) {
  w->BeginArray();
  for (const Fault& f : faults) {
    w->BeginObject();
    w->Key("fields");
    WriteStrings(w, f.fields);
    w->Key("rule");
    w->String(f.rule);
    // A route-level condition has no target.
    w->Key("target");
    if (f.target.empty()) {
      w->Null();
    } else {
      w->String(f.target);
    }
    w->EndObject();
  }
  w->EndArray();
}

}  // namespace mixtral
