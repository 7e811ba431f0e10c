#include "engine/snapshot_doc.h"

#include "io/errors.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral::engine {
namespace {

using nlohmann::json;

// Canonical text is already validated (UTF-8, limits, duplicates), so
// nlohmann can take it without meeting anything it would throw on.
std::optional<InputError> ParseCanonical(std::string_view text, std::string_view root, json* out) {
  std::string canonical;
  if (auto err = CanonicalizeJson(text, &canonical)) {
    if (err->path.empty() || err->path == "json") err->path = std::string(root);
    return err;
  }
  *out = json::parse(canonical);
  return std::nullopt;
}

std::string Dump(const json& j) {
  std::string text = j.dump(-1, ' ', false, json::error_handler_t::strict);
  std::string canonical;
  CanonicalizeJson(text, &canonical);
  return canonical;
}

}  // namespace

std::optional<InputError> SnapshotDoc::Check(const Policy& policy, const json& candidate) const {
  BoundSnapshot bound;
  return BindSnapshotJson(policy, Dump(candidate), std::nullopt, &bound);
}

std::optional<InputError> SnapshotDoc::Replace(const Policy& policy, std::string_view snapshot,
                                               std::optional<std::string_view> inventory) {
  try {
    // Bind the text as given first, so errors carry the caller's paths.
    BoundSnapshot bound;
    if (auto err = BindSnapshotJson(policy, snapshot, inventory, &bound)) return err;
    json next;
    if (auto err = ParseCanonical(snapshot, "snapshot", &next)) return err;
    if (inventory) {
      json inv;
      if (auto err = ParseCanonical(*inventory, "inventory", &inv)) return err;
      next["inventory"] = std::move(inv);
    }
    doc_ = std::move(next);
    return std::nullopt;
  } catch (...) {
    return io::InternalError("snapshot");
  }
}

std::optional<InputError> SnapshotDoc::MergeTargets(const Policy& policy, std::string_view update) {
  try {
    if (doc_.is_null())
      return io::MakeError(io::Err::kSnapshotShape, "update",
                           "no snapshot to update: publish a full snapshot first");
    json u;
    if (auto err = ParseCanonical(update, "update", &u)) return err;
    if (!u.is_object() || !u.contains("targets") || !u["targets"].is_array())
      return io::MakeError(io::Err::kSnapshotShape, "update.targets",
                           "expected {\"targets\": [{\"name\": …}, …]}");
    json next = doc_;
    if (!next.contains("targets") || !next["targets"].is_array()) next["targets"] = json::array();
    json& targets = next["targets"];
    for (size_t i = 0; i < u["targets"].size(); ++i) {
      const json& entry = u["targets"][i];
      std::string path = "update.targets[" + std::to_string(i) + "]";
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
        return io::MakeError(io::Err::kSnapshotShape, path + ".name",
                             "expected an object with a string name");
      json* existing = nullptr;
      for (json& t : targets)
        if (t.is_object() && t.value("name", json()) == entry["name"]) existing = &t;
      if (!existing) {
        targets.push_back(entry);
        continue;
      }
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        if (it.value().is_null())
          existing->erase(it.key());  // null reads as missing (contract §4)
        else
          (*existing)[it.key()] = it.value();
      }
    }
    for (const char* key : {"version", "taken_at"})
      if (u.contains(key)) next[key] = u[key];
    if (auto err = Check(policy, next)) return err;
    doc_ = std::move(next);
    return std::nullopt;
  } catch (...) {
    return io::InternalError("update");
  }
}

std::optional<InputError> SnapshotDoc::ReplaceInventory(const Policy& policy,
                                                        std::string_view inventory) {
  try {
    if (doc_.is_null())
      return io::MakeError(io::Err::kSnapshotShape, "inventory",
                           "no snapshot to update: publish a full snapshot first");
    json inv;
    if (auto err = ParseCanonical(inventory, "inventory", &inv)) return err;
    json next = doc_;
    next["inventory"] = std::move(inv);
    if (auto err = Check(policy, next)) return err;
    doc_ = std::move(next);
    return std::nullopt;
  } catch (...) {
    return io::InternalError("inventory");
  }
}

void SnapshotDoc::ApplyBreakers(const Policy& policy, int64_t received_ms) {
  if (doc_.is_null() || !doc_.contains("targets")) return;
  BoundSnapshot bound;
  if (Bind(policy, &bound)) return;
  const int64_t at = bound.taken_at_ms.value_or(received_ms);
  std::vector<std::optional<int64_t>> trips = TripBreakers(policy, bound, at);
  for (size_t i = 0; i < trips.size(); ++i) {
    const BoundTarget& t = bound.targets[i];
    int64_t until = std::max(trips[i].value_or(INT64_MIN), t.ejected_until_ms.value_or(INT64_MIN));
    auto carried = ejected_until_.find(t.name);
    if (carried != ejected_until_.end()) until = std::max(until, carried->second);
    if (until > at)
      ejected_until_[t.name] = until;
    else if (carried != ejected_until_.end())
      ejected_until_.erase(carried);
  }
  // Only targets with a telemetry entry carry the state: adding an entry
  // would turn "no telemetry" into "telemetry, all missing".
  for (json& entry : doc_["targets"]) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
    auto it = ejected_until_.find(entry["name"].get<std::string>());
    if (it != ejected_until_.end()) entry["ejected_until"] = it->second;
  }
}

std::optional<InputError> SnapshotDoc::Bind(const Policy& policy, BoundSnapshot* out) const {
  try {
    return BindSnapshotJson(policy, Canonical(), std::nullopt, out);
  } catch (...) {
    return io::InternalError("snapshot");
  }
}

std::string SnapshotDoc::Canonical() const { return doc_.is_null() ? "" : Dump(doc_); }

}  // namespace mixtral::engine
