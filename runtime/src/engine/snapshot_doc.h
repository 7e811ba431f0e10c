// Internal: the writer's copy of the telemetry snapshot, as a document that
// full publishes, per-target updates and inventory changes edit, and that
// is bound to each policy version it is published with. Only the engine's
// serialised writer touches it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::engine {

class SnapshotDoc {
 public:
  bool empty() const { return doc_.is_null(); }

  // Each edit is checked by binding the result to `policy`; an edit that
  // does not bind leaves the document as it was.
  std::optional<InputError> Replace(const Policy& policy, std::string_view snapshot,
                                    std::optional<std::string_view> inventory);
  std::optional<InputError> MergeTargets(const Policy& policy, std::string_view update);
  std::optional<InputError> ReplaceInventory(const Policy& policy, std::string_view inventory);

  // Breaker state (lang/SPEC.md §5.6): trips the breakers of `policy` at the
  // snapshot's taken_at (else `received_ms`), keeps the later of each
  // target's new and carried cool-down end, and writes it into the target's
  // entry as `ejected_until`, so that replay sees what the decision saw.
  void ApplyBreakers(const Policy& policy, int64_t received_ms);

  // Binds the current document; fills sha256 and the dropped-entry counts.
  std::optional<InputError> Bind(const Policy& policy, BoundSnapshot* out) const;
  std::string Canonical() const;

 private:
  std::optional<InputError> Check(const Policy& policy, const nlohmann::json& candidate) const;
  nlohmann::json doc_;                            // canonical snapshot, inventory included
  std::map<std::string, int64_t> ejected_until_;  // carried across publishes
};

}  // namespace mixtral::engine
