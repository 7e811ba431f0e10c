// Policy unit tests: the `test "name" { ... }` blocks of a policy, and the
// checking of their `expect` items against a decision. `mixtral test` binds
// the inputs, evaluates, and uses CheckExpectations to judge.
//
//   for (size_t i = 0; i < ListTests(*policy).size(); ++i) {
//     ... evaluate ...
//     for (const ExpectResult& r : CheckExpectations(*policy, i, decision))
//       if (!r.pass) std::cerr << r.text << ": " << r.detail << "\n";
//   }
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

struct PolicyTestCase {
  std::string name;
  SourceRange range;
  // Inline JSON, or a fixture path relative to the policy file.
  std::optional<std::string> request_json, request_file;
  std::optional<std::string> telemetry_json, telemetry_file;
  std::optional<std::string> now;
  std::optional<std::string> route;
};

std::vector<PolicyTestCase> ListTests(const Policy& policy);

// Every (route, rule) of the policy, for coverage reports.
std::vector<std::pair<std::string, std::string>> RuleNames(const Policy& policy);

struct ExpectResult {
  bool pass = false;
  std::string text;    // the expectation as written (canonical form)
  std::string detail;  // on failure: what the decision had instead
  SourceRange range;
};

// Judges every `expect` item of test `index`. Expressions read the decision's
// fields: route, outcome, target, fallbacks, mirrors, variant, escalation,
// ensemble, reject_status, reject_reason, degraded_reason, annotations, and
// the explanation: removed, dropped, scores, faults, assertions; and
// charges (counter -> amount), which the audit record carries.
std::vector<ExpectResult> CheckExpectations(const Policy& policy, size_t index, const Decision& d);

}  // namespace mixtral
