#include "replay_record.h"

#include <fstream>
#include <sstream>

#include "mixtral/compiler/interpreter.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {
namespace {

using nlohmann::json;

// Contract §1's decision fields, in the order `by_change` ranks them.
constexpr const char* kFields[] = {"route",   "outcome",         "target",     "fallbacks",
                                   "mirrors", "variant",         "escalation", "ensemble",
                                   "reject",  "degraded_reason", "annotations"};

ReplayOutcome NotReplayable(std::string why) {
  ReplayOutcome o;
  o.kind = ReplayOutcome::kNotReplayable;
  o.why = std::move(why);
  return o;
}

// A value of the field's type that binds. A masked field reads as missing
// during replay (and marks the record not replayable if the policy reads
// it), so the placeholder only has to get the request through the binder.
json Placeholder(const TypeTable& types, TypeId type) {
  const TypeInfo& info = types.info(type);
  switch (info.kind) {
    case TypeKind::kBool:
      return false;
    case TypeKind::kInt:
    case TypeKind::kDuration:
    case TypeKind::kTime:
      return 0;
    case TypeKind::kFloat:
      return 0.0;
    case TypeKind::kEnum: {
      const auto& members = types.enum_info(type).members;
      return members.empty() ? json() : json(members.front());
    }
    case TypeKind::kList:
    case TypeKind::kSet:
      return json::array();
    case TypeKind::kMap:
      return json::object();
    default:
      return "***";
  }
}

// A request that did not bind (`request: null`, SPEC §19.1): its text is not
// recorded, but the same policy binds the same text the same way, so under
// it the rejection is reproduced; under another policy it cannot be.
ReplayOutcome ReplayInvalid(const Policy& policy, const json& record) {
  const json* d = record.contains("decision") ? &record["decision"] : nullptr;
  const bool rejected_400 = d && d->is_object() && d->value("outcome", json()) == "rejected" &&
                            d->contains("reject") && (*d)["reject"].is_object() &&
                            (*d)["reject"].value("status", json()) == 400;
  if (!rejected_400) return NotReplayable("the record has no request");
  if (record.value("policy_hash", json()) != policy.hash)
    return NotReplayable(
        "the request did not bind when it was decided (rejected 400), and only the same policy "
        "binds its text, which is not recorded, the same way");
  ReplayOutcome out;
  out.kind = ReplayOutcome::kUnchanged;
  return out;
}

}  // namespace

const BoundSnapshot* SnapshotCache::Get(const std::string& path, std::string* error) {
  if (auto it = bound_.find(path); it != bound_.end()) return it->second.get();
  if (auto it = errors_.find(path); it != errors_.end()) {
    *error = it->second;
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = errors_[path] = "snapshot " + path + " is missing";
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto bound = std::make_shared<BoundSnapshot>();
  if (auto err = BindSnapshotJson(policy_, text.str(), std::nullopt, bound.get())) {
    *error = errors_[path] = path + ": does not fit the policy: " + err->ToString();
    return nullptr;
  }
  const std::string name = path.substr(path.find_last_of('/') + 1);
  if (name != bound->sha256 + ".json") {
    *error = errors_[path] = path + ": its SHA-256 is " + bound->sha256 + ", not its name";
    return nullptr;
  }
  return (bound_[path] = std::move(bound)).get();
}

ReplayOutcome ReplayRecord(const Policy& policy, const json& record,
                           const std::string& snapshots_dir, SnapshotCache& cache) {
  const json* request = record.contains("request") ? &record["request"] : nullptr;
  if (!request || !request->is_object()) return ReplayInvalid(policy, record);
  if (!record.contains("snapshot_sha256") || !record["snapshot_sha256"].is_string())
    return NotReplayable("the record has no snapshot_sha256");
  const std::string sha = record["snapshot_sha256"].get<std::string>();
  if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos)
    return NotReplayable("snapshot_sha256 is not a SHA-256");
  std::string error;
  const BoundSnapshot* stored = cache.Get(snapshots_dir + "/" + sha + ".json", &error);
  if (!stored) return NotReplayable(error);
  std::optional<int64_t> now;
  if (record.contains("now") && record["now"].is_string())
    now = ParseTime(record["now"].get<std::string>());
  if (!now) return NotReplayable("the record has no valid `now`");
  if (!record.contains("decision") || !record["decision"].is_object())
    return NotReplayable("the record has no `decision`");

  // The request, with each masked field replaced by a placeholder of its type.
  json req = *request;
  std::vector<uint8_t> masked(policy.request.fields.size(), 0);
  if (record.contains("masked") && record["masked"].is_array()) {
    for (const json& m : record["masked"]) {
      if (!m.is_string()) continue;
      const std::string name = m.get<std::string>();
      size_t i = 0;
      while (i < policy.request.fields.size() && policy.request.fields[i].name != name) ++i;
      if (i == policy.request.fields.size()) {
        req.erase(name);  // a field the policy no longer has
        continue;
      }
      masked[i] = 1;
      req[name] = Placeholder(policy.types, policy.request.fields[i].type);
    }
  }
  BoundRequest bound;
  RequestBindOptions bind;
  bind.reject_unknown = false;  // the policy under replay may have dropped fields
  if (auto err = BindRequestJson(policy, req.dump(), bind, &bound))
    return NotReplayable("the request does not fit the policy: " + err->ToString());
  for (size_t i = 0; i < masked.size(); ++i)
    if (masked[i]) bound.fields[i] = Value();

  // The counter values the decision read, not whatever the snapshot holds.
  std::optional<BoundSnapshot> with_counters;
  const json* counters = record.contains("counters_read") ? &record["counters_read"] : nullptr;
  if (counters && counters->is_array() && !counters->empty()) {
    with_counters = *stored;
    for (const json& c : *counters) {
      if (!c.is_object() || !c.value("counter", json()).is_string() ||
          !c.value("key", json()).is_string() || !c.value("value", json()).is_number())
        return NotReplayable("counters_read holds a malformed entry");
      with_counters->counters[c["counter"].get<std::string>()][c["key"].get<std::string>()] =
          c["value"].get<double>();
    }
  }
  // Derived values as the scalars they were written from; the interpreter
  // takes each one as its expression's type, or not at all.
  std::vector<DerivedValue> derived;
  if (record.contains("derived") && record["derived"].is_object()) {
    for (auto it = record["derived"].begin(); it != record["derived"].end(); ++it) {
      const json& v = it.value();
      if (v.is_null())
        derived.emplace_back(it.key(), std::nullopt);
      else if (v.is_boolean())
        derived.emplace_back(it.key(), Scalar{v.get<bool>()});
      else if (v.is_number_integer())
        derived.emplace_back(it.key(), Scalar{v.get<int64_t>()});
      else if (v.is_number_float())
        derived.emplace_back(it.key(), Scalar{v.get<double>()});
      else if (v.is_string())
        derived.emplace_back(it.key(), Scalar{v.get<std::string>()});
    }
  }

  EvalRecord seen;
  EvalOptions eo;
  eo.explain = false;
  if (record.contains("route_override") && record["route_override"].is_string())
    eo.route = record["route_override"].get<std::string>();
  eo.record = &seen;
  eo.masked = &masked;
  eo.derived = &derived;
  Decision d = Evaluate(policy, bound, with_counters ? *with_counters : *stored, *now, eo);
  if (seen.masked_read)
    return NotReplayable("the policy reads a masked field that no derived value replaces");

  const json fresh = json::parse(DecisionFieldsToJson(d));
  const json& old = record["decision"];
  ReplayOutcome out;
  out.kind = ReplayOutcome::kUnchanged;
  bool other_than_annotations = false;
  for (const char* f : kFields) {
    const json a = old.contains(f) ? old[f] : json();
    const json b = fresh.contains(f) ? fresh[f] : json();
    if (a == b) continue;
    if (out.kind == ReplayOutcome::kUnchanged) {
      out.kind = ReplayOutcome::kChanged;
      out.first_field = f;
      out.old_value = a.dump();
      out.new_value = b.dump();
    }
    if (std::string_view(f) != "annotations") other_than_annotations = true;
  }
  out.annotation_only = out.kind == ReplayOutcome::kChanged && !other_than_annotations;
  return out;
}

}  // namespace mixtral::cli
