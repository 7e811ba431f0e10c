// Bound inputs: a request and a snapshot laid out by the policy's schemas,
// ready for evaluation. The runtime builds these from JSON (or a proxy fills
// them by field index); the engines only read them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mixtral/compiler/decision.h"
#include "mixtral/stdlib/value.h"

namespace mixtral {

// One value per request-schema field, in schema order. Absent optional
// fields without a default are missing; defaults are already applied.
struct BoundRequest {
  std::vector<Value> fields;
};

struct BoundTarget {
  std::string name;
  std::vector<Value> attributes;            // attribute-schema order
  std::vector<Value> telemetry;             // telemetry-schema order; all missing when absent
  bool has_telemetry = false;               // the snapshot had an entry for this target
  std::optional<double> age_s;              // the entry's age_s, if given
  std::optional<int64_t> ejected_until_ms;  // breaker state stored in the snapshot
};

// A telemetry snapshot bound to one policy: static targets first, in
// declaration order, then inventory targets in inventory order.
struct BoundSnapshot {
  std::optional<int64_t> taken_at_ms;
  std::optional<Scalar> version;
  std::vector<BoundTarget> targets;
  size_t static_count = 0;
  // counters[name][key] = value read (offline mode: the snapshot's `counters`).
  std::map<std::string, std::map<std::string, double>> counters;
  std::string sha256;  // of the canonical snapshot, hex
  // Inputs that were dropped to missing (contract §4), counted.
  uint64_t wrong_type_fields = 0;
  uint64_t unknown_targets = 0;
};

struct EvalOptions {
  bool explain = true;
  std::optional<std::string> route;  // --route override
  // Called once per rule verdict when set (eval --trace).
  struct TraceSink* trace = nullptr;
};

struct TraceEvent {
  std::string route;
  std::string target;
  std::string rule;
  std::string verdict;  // "pass" | "fail" | "missing"
  std::vector<std::string> missing;
};

struct TraceSink {
  virtual ~TraceSink() = default;
  virtual void OnRule(const TraceEvent& e) = 0;
};

}  // namespace mixtral
