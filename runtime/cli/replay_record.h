// Replaying one `decision` audit record against a policy (SPEC §19.2): the
// record's request (masked fields replaced by their derived values), its
// stored snapshot, `now`, counter values read and route override.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::cli {

struct ReplayOutcome {
  enum Kind { kUnchanged, kChanged, kNotReplayable } kind = kNotReplayable;
  std::string why;          // not replayable: the reason
  std::string first_field;  // changed: the first differing decision field
  bool annotation_only = false;
  std::string old_value, new_value;  // changed: the first field's values, compact JSON
};

// Snapshots bound to the replay policy, by `<dir>/<sha>.json`, loaded once.
class SnapshotCache {
 public:
  explicit SnapshotCache(const Policy& policy) : policy_(policy) {}
  // Null with *error set when the file is missing or does not bind.
  const BoundSnapshot* Get(const std::string& path, std::string* error);

 private:
  const Policy& policy_;
  std::map<std::string, std::shared_ptr<BoundSnapshot>> bound_;
  std::map<std::string, std::string> errors_;
};

// `snapshots_dir`: the log's `<log>.snapshots` directory.
ReplayOutcome ReplayRecord(const Policy& policy, const nlohmann::json& record,
                           const std::string& snapshots_dir, SnapshotCache& cache);

}  // namespace mixtral::cli
