// DecisionV1: what a policy decided for one request (contract §1).
//
// Both engines fill this struct; the runtime writes it as JSON
// (lang/decision.schema.json). "Decision fields" are compared by replay and
// the differential test; "identity fields" say which inputs made it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mixtral {

enum class Outcome : uint8_t { kRouted, kDegraded, kRejected };
const char* OutcomeName(Outcome o);

struct Mirror {
  std::string target;
  int32_t rate_bp = 0;
  bool operator==(const Mirror&) const = default;
};

// A scalar as it appears in JSON output: annotations, `when.value`.
using Scalar = std::variant<std::string, int64_t, double, bool>;

struct EscalationWhen {
  // One comparison `response.F op literal` is written {field, op, value};
  // anything else is {expr, id}.
  bool simple = false;
  std::string field;
  std::string op;
  Scalar value;
  std::string expr;
  int32_t id = 0;
  bool operator==(const EscalationWhen&) const = default;
};

struct Escalation {
  std::string target;
  EscalationWhen when;
  bool operator==(const Escalation&) const = default;
};

struct Ensemble {
  std::vector<std::string> members;
  std::string combiner;
  bool operator==(const Ensemble&) const = default;
};

struct Reject {
  int32_t status = 0;
  std::string reason;
  bool operator==(const Reject&) const = default;
};

struct Dropped {
  std::string target;
  std::string role;  // fallback | mirror | escalation | ensemble | degrade | safe_default
  std::string rule;
  bool operator==(const Dropped&) const = default;
};

// A score: a number, or missing (ranked last). NaN is a number here.
struct Score {
  std::string target;
  std::optional<double> value;
  bool operator==(const Score& o) const;  // NaN equals NaN, -0 differs from +0
};

// A verdict that came out missing, and the inputs that made it so.
struct Fault {
  std::string target;  // empty for a route-level condition
  std::string rule;
  std::vector<std::string> fields;  // e.g. "telemetry.p95_ms", "division by zero"
  bool operator==(const Fault&) const = default;
};

struct Explain {
  std::vector<std::pair<std::string, std::vector<std::string>>> removed;  // target order
  std::vector<Dropped> dropped;
  std::vector<Score> scores;  // survivors, in rank order
  std::vector<Fault> faults;
  std::vector<std::string> assertions;  // violated assertions
  bool operator==(const Explain&) const = default;
};

struct Charge {
  std::string counter;
  std::string key;
  double amount = 0;
};

struct Decision {
  // Decision fields.
  std::string route;
  Outcome outcome = Outcome::kRejected;
  std::optional<std::string> target;
  std::vector<std::string> fallbacks;
  std::vector<Mirror> mirrors;
  std::optional<std::string> variant;
  std::vector<Escalation> escalation;
  std::optional<Ensemble> ensemble;
  std::optional<Reject> reject;
  std::optional<std::string> degraded_reason;
  std::vector<std::pair<std::string, Scalar>> annotations;  // sorted by key
  std::optional<Explain> explain;

  // Identity fields.
  std::string decision_id;
  std::string policy;
  std::string policy_version;
  std::string policy_hash;
  std::string snapshot_sha256;
  std::optional<Scalar> snapshot_version;
  std::optional<int64_t> snapshot_taken_at_ms;
  int64_t now_ms = 0;
  std::optional<int64_t> eval_ns;
  std::optional<std::string> route_override;

  // Budget charges this decision makes (audit only, not a decision field).
  std::vector<Charge> charges;

  // Compares the decision fields (contract §1), explain included when both have it.
  bool SameDecision(const Decision& o) const;
};

}  // namespace mixtral
