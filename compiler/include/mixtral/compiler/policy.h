// Policy: a parsed, checked policy, immutable once built.
//
// Build one with Compile() (compiler.h). A Policy is never modified after it
// is returned, so any number of threads may evaluate it concurrently through
// a shared_ptr<const Policy>.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mixtral/compiler/schema.h"
#include "mixtral/stdlib/value.h"

namespace mixtral {

namespace internal {
struct PolicyIR;
}

struct Policy {
  std::string name;
  std::string version;
  std::string hash;  // "sha256:<hex>" over the policy and its imports (contract §12)

  TypeTable types;
  Schema request;
  Schema attributes;  // per-target static attributes
  Schema telemetry;   // per-target telemetry
  Schema response;    // cascade response
  std::optional<int64_t> stale_after_ms;

  std::vector<std::string> static_targets;            // declaration order
  std::vector<std::vector<Value>> static_attributes;  // per static target
  std::vector<std::string> routes;                    // declaration order
  std::vector<std::string> counters;                  // declaration order
  std::vector<int64_t> counter_windows_ms;            // by counter, its `window`

  std::shared_ptr<const internal::PolicyIR> ir;
};

}  // namespace mixtral
