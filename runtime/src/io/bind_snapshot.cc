// Contract §8, snapshots:
//   {"version"?, "taken_at"?, "inventory"?: [...], "targets": [{"name", ...telemetry}],
//    "counters"?: {name: {key: number}}}
// The shape is strict (a misspelt "targets" must not read as "no telemetry"),
// but the values inside a telemetry entry or an inventory entry are lenient:
// a wrong-typed one becomes missing and is counted (contract §4), because one
// bad exporter must not take routing down.
#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "io/bind_value.h"
#include "io/errors.h"
#include "io/json_doc.h"

namespace mixtral {
namespace {

using io::Err;
using io::JsonValue;
using io::MakeError;
using io::PathNode;

constexpr std::string_view kRoot = "snapshot";

// Numbers, plus the strings that stand for NaN and the infinities (§12).
std::optional<double> FloatFromJson(const JsonValue& json) {
  if (auto d = json.as_number()) {
    return d;
  }
  if (auto* s = json.as_string()) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    if (*s == "NaN") {
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (*s == "Infinity") {
      return kInf;
    }
    if (*s == "-Infinity") {
      return -kInf;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> TimeFromJson(const JsonValue& json) {
  if (auto* i = json.as_int()) {
    return *i;
  }
  if (auto* s = json.as_string()) {
    return ParseTime(*s);
  }
  return std::nullopt;
}

bool Absent(const JsonValue* v) { return v == nullptr || v->is_null(); }

class SnapshotBinder {
 public:
  SnapshotBinder(const Policy& policy, const SnapshotBindOptions& options)
      : policy_(policy), options_(options) {}

  std::optional<InputError> Bind(std::string_view snapshot_json,
                                 std::optional<std::string_view> inventory_json,
                                 BoundSnapshot* out) {
    JsonValue doc;
    if (auto err = io::ParseJson(snapshot_json, kMaxSnapshotBytes, kRoot, &doc)) {
      return err;
    }
    if (doc.as_object() == nullptr) {
      return Shape(PathNode::Root(kRoot), "an object", doc);
    }
    const PathNode root = PathNode::Root(kRoot);
    if (options_.reject_unknown) {
      for (const auto& member : *doc.as_object()) {
        static const char* kKnown[] = {"version", "taken_at", "inventory", "targets", "counters"};
        if (std::none_of(std::begin(kKnown), std::end(kKnown),
                         [&](const char* k) { return member.first == k; }))
          return MakeError(Err::kUnknownField, root.Member(member.first).Render(), "unknown field");
      }
    }

    // With --inventory the file's entries are reported as `inventory[i]`,
    // which is where the user has to look for them.
    PathNode inventory_path = root.Member("inventory");
    if (inventory_json) {
      JsonValue inventory;
      if (auto err = io::ParseJson(*inventory_json, kMaxSnapshotBytes, "inventory", &inventory)) {
        return err;
      }
      if (inventory.as_array() == nullptr) {
        return Shape(PathNode::Root("inventory"), "an array", inventory);
      }
      doc.Set("inventory", std::move(inventory));
      inventory_path = PathNode::Root("inventory");
    }

    if (auto err = BindHeader(doc, root)) {
      return err;
    }
    if (auto err = AddStaticTargets()) {
      return err;
    }
    if (auto err = AddInventory(doc.Find("inventory"), inventory_path)) {
      return err;
    }
    if (auto err = BindTelemetry(doc.Find("targets"), root.Member("targets"))) {
      return err;
    }
    if (auto err = BindCounters(doc.Find("counters"), root.Member("counters"))) {
      return err;
    }

    std::string canonical;
    io::WriteCanonical(doc, &canonical);
    snap_.sha256 = Sha256Hex(canonical);
    *out = std::move(snap_);
    return std::nullopt;
  }

 private:
  static InputError Shape(const PathNode& path, std::string_view expected, const JsonValue& got) {
    return MakeError(Err::kSnapshotShape, path.Render(),
                     "expected " + std::string(expected) + ", got " + got.KindName());
  }

  std::optional<InputError> BindHeader(const JsonValue& doc, const PathNode& root) {
    if (const JsonValue* v = doc.Find("version"); !Absent(v)) {
      if (auto* i = v->as_int()) {
        snap_.version = Scalar(*i);
      } else if (auto d = v->as_number()) {
        snap_.version = Scalar(*d);
      } else if (auto* s = v->as_string()) {
        snap_.version = Scalar(*s);
      } else {
        return Shape(root.Member("version"), "a number or a string", *v);
      }
    }
    if (const JsonValue* v = doc.Find("taken_at"); !Absent(v)) {
      snap_.taken_at_ms = TimeFromJson(*v);
      if (!snap_.taken_at_ms) {
        return MakeError(Err::kInvalidTime, root.Member("taken_at").Render(),
                         "invalid time (expected RFC3339 or epoch milliseconds)");
      }
    }
    return std::nullopt;
  }

  std::optional<InputError> AddTarget(std::string name, std::vector<Value> attributes,
                                      const PathNode& path) {
    auto [it, inserted] = index_.emplace(name, snap_.targets.size());
    if (!inserted) {
      return MakeError(Err::kDuplicateTarget, path.Render(),
                       "duplicate target name " + io::Quote(name));
    }
    BoundTarget t;
    t.name = std::move(name);
    t.attributes = std::move(attributes);
    t.telemetry.resize(policy_.telemetry.fields.size());
    snap_.targets.push_back(std::move(t));
    return std::nullopt;
  }

  std::optional<InputError> AddStaticTargets() {
    const PathNode path = PathNode::Root("policy");
    for (size_t i = 0; i < policy_.static_targets.size(); ++i) {
      std::vector<Value> attributes = i < policy_.static_attributes.size()
                                          ? policy_.static_attributes[i]
                                          : std::vector<Value>();
      attributes.resize(policy_.attributes.fields.size());
      if (auto err = AddTarget(policy_.static_targets[i], std::move(attributes),
                               path.Member(policy_.static_targets[i]))) {
        return err;
      }
    }
    snap_.static_count = snap_.targets.size();
    return std::nullopt;
  }

  // The values of `schema` in `entry`, each wrong-typed one missing and counted.
  std::vector<Value> BindLenient(const Schema& schema, const JsonValue& entry,
                                 const PathNode& path) {
    std::vector<Value> values(schema.fields.size());
    for (size_t k = 0; k < schema.fields.size(); ++k) {
      const FieldInfo& field = schema.fields[k];
      const JsonValue* v = entry.Find(field.name);
      if (Absent(v)) {
        if (field.default_value) {
          values[k] = *field.default_value;
        }
        continue;
      }
      if (io::BindValue(policy_.types, field.type, *v, path.Member(field.name), {}, &values[k])) {
        ++snap_.wrong_type_fields;
      }
    }
    return values;
  }

  // The entry's "name", which every inventory and telemetry entry needs.
  std::optional<InputError> EntryName(const JsonValue& entry, const PathNode& path,
                                      const std::string** name, Err missing_code) {
    if (entry.as_object() == nullptr) {
      return Shape(path, "an object", entry);
    }
    const JsonValue* v = entry.Find("name");
    if (Absent(v)) {
      return MakeError(missing_code, path.Member("name").Render(), "missing target name");
    }
    *name = v->as_string();
    if (*name == nullptr) {
      return Shape(path.Member("name"), "a string", *v);
    }
    return std::nullopt;
  }

  std::optional<InputError> AddInventory(const JsonValue* inventory, const PathNode& path) {
    if (Absent(inventory)) {
      return std::nullopt;
    }
    const JsonValue::Array* entries = inventory->as_array();
    if (entries == nullptr) {
      return Shape(path, "an array", *inventory);
    }
    snap_.targets.reserve(snap_.targets.size() + entries->size());
    for (size_t i = 0; i < entries->size(); ++i) {
      const PathNode at = path.Index(i);
      const std::string* name = nullptr;
      if (auto err = EntryName((*entries)[i], at, &name, Err::kMissingField)) {
        return err;
      }
      // Inventory entries are configuration: bound strictly, like requests
      // (lang/SPEC.md §15.5); unknown attributes are errors only in the CLI.
      std::vector<Value> attributes;
      uint64_t unknown = 0;
      if (auto err = io::BindObjectFields(policy_.types, policy_.attributes, (*entries)[i], at,
                                          io::BindLimits{}, options_.reject_unknown, "name",
                                          &unknown, &attributes)) {
        return err;
      }
      if (auto err = AddTarget(*name, std::move(attributes), at.Member("name"))) {
        return err;
      }
    }
    return std::nullopt;
  }

  std::optional<InputError> BindTelemetry(const JsonValue* targets, const PathNode& path) {
    if (Absent(targets)) {
      return MakeError(Err::kSnapshotShape, path.Render(), "missing required field \"targets\"");
    }
    const JsonValue::Array* entries = targets->as_array();
    if (entries == nullptr) {
      return Shape(path, "an array", *targets);
    }
    const Schema& schema = policy_.telemetry;
    const bool age_declared = schema.Find("age_s") >= 0;
    const bool ejected_declared = schema.Find("ejected_until") >= 0;
    std::unordered_set<std::string> unknown_seen;
    for (size_t j = 0; j < entries->size(); ++j) {
      const PathNode at = path.Index(j);
      const JsonValue& entry = (*entries)[j];
      const std::string* name = nullptr;
      if (auto err = EntryName(entry, at, &name, Err::kSnapshotShape)) {
        return err;
      }
      auto it = index_.find(*name);
      const bool duplicate = it == index_.end() ? !unknown_seen.insert(*name).second
                                                : snap_.targets[it->second].has_telemetry;
      if (duplicate) {
        return MakeError(Err::kDuplicateTarget, at.Member("name").Render(),
                         "duplicate target name " + io::Quote(*name));
      }
      if (it == index_.end()) {
        ++snap_.unknown_targets;
        continue;
      }
      BoundTarget& target = snap_.targets[it->second];
      target.has_telemetry = true;
      target.telemetry = BindLenient(schema, entry, at);
      // Staleness and breaker state are read whether or not the policy
      // declares them; a declared one was already counted if mistyped.
      if (const JsonValue* v = entry.Find("age_s"); !Absent(v)) {
        target.age_s = FloatFromJson(*v);
        if (!target.age_s && !age_declared) {
          ++snap_.wrong_type_fields;
        }
      }
      if (const JsonValue* v = entry.Find("ejected_until"); !Absent(v)) {
        target.ejected_until_ms = TimeFromJson(*v);
        if (!target.ejected_until_ms && !ejected_declared) {
          ++snap_.wrong_type_fields;
        }
      }
    }
    return std::nullopt;
  }

  std::optional<InputError> BindCounters(const JsonValue* counters, const PathNode& path) {
    if (Absent(counters)) {
      return std::nullopt;
    }
    const JsonValue::Object* names = counters->as_object();
    if (names == nullptr) {
      return Shape(path, "an object", *counters);
    }
    for (const auto& [name, keys] : *names) {
      const PathNode at = path.Member(name);
      const JsonValue::Object* members = keys.as_object();
      if (members == nullptr) {
        return Shape(at, "an object", keys);
      }
      auto& values = snap_.counters[name];
      for (const auto& [key, amount] : *members) {
        const std::optional<double> d = amount.as_number();
        if (!d) {
          return Shape(at.Member(key), "a number", amount);
        }
        values[key] = *d;
      }
    }
    return std::nullopt;
  }

  const Policy& policy_;
  const SnapshotBindOptions options_;
  BoundSnapshot snap_;
  std::unordered_map<std::string, size_t> index_;  // target name -> index in snap_.targets
};

}  // namespace

std::optional<InputError> BindSnapshotJson(const Policy& policy, std::string_view snapshot_json,
                                           std::optional<std::string_view> inventory_json,
                                           BoundSnapshot* out, const SnapshotBindOptions& options) {
  try {
    return SnapshotBinder(policy, options).Bind(snapshot_json, inventory_json, out);
  } catch (...) {
    return io::InternalError(kRoot);
  }
}

}  // namespace mixtral
