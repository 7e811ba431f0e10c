// Bound inputs: a request and a snapshot laid out by the policy's schemas,
// ready for evaluation. The runtime builds these from JSON (or a proxy fills
// them by field index); the engines only read them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// Where `counter.NAME` reads come from when EvalOptions::counters is set
// (the library's live counters) instead of BoundSnapshot::counters (the
// CLI's offline mode).
class CounterSource {
 public:
  virtual ~CounterSource() = default;
  // Counter `counter_index` (declaration order) under `key`; nullopt reads
  // as missing (e.g. the store had no room for the key).
  virtual std::optional<double> Read(size_t counter_index, std::string_view key) = 0;
};

// One counter value a decision read (the audit record's `counters_read`).
struct CounterValue {
  std::string counter;
  std::string key;
  double value = 0;
};

// A value derived from masked request fields (SPEC §19.1), by key:
// "split:NAME" and "mirror:TARGET" hold the hash bucket of a key that read a
// masked field (an int in [0, 10000)); "expr:SOURCE" the value of an
// expression over masked fields only (bool, int, float, or an enum member's
// name). nullopt: the value was missing.
using DerivedValue = std::pair<std::string, std::optional<Scalar>>;

// What one evaluation read that the audit record needs, filled when
// EvalOptions::record points here. Clear it between decisions.
struct EvalRecord {
  // Every counter value read, first read first; a (counter, key) read twice
  // in one decision reads the value recorded the first time, so the record
  // and the decision agree even while other threads charge.
  std::vector<CounterValue> counters_read;
  // The values derived from masked fields that the decision used, first
  // used first, each key once.
  std::vector<DerivedValue> derived;
  // Whether a masked field (EvalOptions::masked) was read other than through
  // a derived value: replay cannot reproduce such a decision.
  bool masked_read = false;
  void Clear() {
    counters_read.clear();
    derived.clear();
    masked_read = false;
  }
};

struct EvalOptions {
  bool explain = true;
  std::optional<std::string> route;  // --route override
  // Called once per rule verdict when set (eval --trace).
  struct TraceSink* trace = nullptr;
  // The audit hooks; all optional. They cover both engines: counters, splits,
  // mirrors and charges always run on the shared interpreter pipeline.
  CounterSource* counters = nullptr;  // live counters (library mode)
  EvalRecord* record = nullptr;       // what to record for the audit log
  // Per request field, nonzero when masked: `sensitive` fields when deciding,
  // the fields the audit record masked when replaying.
  const std::vector<uint8_t>* masked = nullptr;
  // Replay: the recorded derived values (EvalRecord::derived), used in place
  // of the masked fields they were derived from.
  const std::vector<DerivedValue>* derived = nullptr;
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
