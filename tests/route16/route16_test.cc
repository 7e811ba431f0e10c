// route16 end to end through the library: examples/route16/route16.mxl with
// the shared workload's data (bench/route16/data), all 20,000 requests,
// against bench/route16/data/expected.jsonl.
//
// For every request and every engine (the interpreter, and the JIT when the
// build has it), with explanation on:
//   - outcome, target and fallbacks equal the reference;
//   - explain.removed has exactly the keys of `first_reason`, and each
//     target's first failed rule is its `first_reason` (the policy declares
//     its rules in the workload's reason order);
// with explanation off, the decision fields equal those with it on; and the
// JIT's decision, explanation included, equals the interpreter's.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/inputs.h"
#include "test_files.h"

namespace mixtral {
namespace {

constexpr size_t kRequests = 20000;
constexpr size_t kMaxReported = 10;

struct Expected {
  std::string id;
  std::string outcome;
  std::optional<std::string> target;
  std::vector<std::string> fallbacks;
  std::map<std::string, std::string> first_reason;
};

struct Workload {
  std::shared_ptr<const Policy> policy;
  BoundSnapshot snapshot;
  std::vector<BoundRequest> requests;
  std::vector<Expected> expected;
};

// Loads everything once; REQUIREs that the inputs are what this test expects.
const Workload& Load() {
  static const Workload w = [] {
    Workload out;
    std::string diagnostics;
    out.policy = testing::CompilePolicyFile(MIXTRAL_ROUTE16_POLICY, &diagnostics);
    INFO(diagnostics);
    REQUIRE(out.policy);

    const std::string data = MIXTRAL_ROUTE16_DATA;
    auto err = BindSnapshotJson(*out.policy, testing::ReadFile(data + "/telemetry.json"),
                                testing::ReadFile(data + "/targets.json"), &out.snapshot);
    INFO((err ? err->ToString() : ""));
    REQUIRE(!err);
    REQUIRE(out.snapshot.taken_at_ms.has_value());
    REQUIRE(out.snapshot.targets.size() == 16);

    std::vector<std::string> lines =
        testing::SplitLines(testing::ReadFile(data + "/requests.jsonl"));
    REQUIRE(lines.size() == kRequests);
    out.requests.resize(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      RequestBindOptions cli;
      cli.reject_unknown = true;
      auto rerr = BindRequestJson(*out.policy, lines[i], cli, &out.requests[i]);
      INFO("requests.jsonl line " << i + 1 << ": " << (rerr ? rerr->ToString() : ""));
      REQUIRE(!rerr);
    }

    lines = testing::SplitLines(testing::ReadFile(data + "/expected.jsonl"));
    REQUIRE(lines.size() == kRequests);
    for (const std::string& line : lines) {
      auto j = nlohmann::json::parse(line);
      Expected e;
      e.id = j.at("id").get<std::string>();
      e.outcome = j.at("outcome").get<std::string>();
      if (!j.at("target").is_null()) e.target = j.at("target").get<std::string>();
      e.fallbacks = j.at("fallbacks").get<std::vector<std::string>>();
      for (const auto& [t, rule] : j.at("first_reason").items()) e.first_reason[t] = rule;
      out.expected.push_back(std::move(e));
    }
    return out;
  }();
  return w;
}

std::string Show(const std::optional<std::string>& s) { return s ? *s : "null"; }

std::string Show(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

// Every way `d` differs from the reference, as text; empty when it matches.
std::string Compare(const Decision& d, const Expected& e) {
  std::ostringstream out;
  if (OutcomeName(d.outcome) != e.outcome)
    out << " outcome " << OutcomeName(d.outcome) << " != " << e.outcome << ";";
  if (d.target != e.target) out << " target " << Show(d.target) << " != " << Show(e.target) << ";";
  if (d.fallbacks != e.fallbacks)
    out << " fallbacks " << Show(d.fallbacks) << " != " << Show(e.fallbacks) << ";";
  if (!d.explain) return out.str() + " no explanation;";
  std::map<std::string, std::string> first;
  for (const auto& [target, rules] : d.explain->removed) {
    if (rules.empty())
      out << " removed[" << target << "] is empty;";
    else
      first[target] = rules.front();
  }
  for (const auto& [target, rule] : e.first_reason) {
    auto it = first.find(target);
    if (it == first.end())
      out << " " << target << " not removed (expected " << rule << ");";
    else if (it->second != rule)
      out << " " << target << " first rule " << it->second << " != " << rule << ";";
  }
  for (const auto& [target, rule] : first)
    if (!e.first_reason.count(target))
      out << " " << target << " removed by " << rule << " (expected to pass);";
  return out.str();
}

// Decides every request with one engine, explanation on and off.
using Decide = std::function<Decision(const BoundRequest&, const EvalOptions&)>;

void CheckEngine(const char* engine, const Decide& decide, std::vector<Decision>* explained) {
  const Workload& w = Load();
  size_t mismatches = 0, differ_off = 0;
  std::ostringstream report;
  explained->clear();
  for (size_t i = 0; i < w.requests.size(); ++i) {
    EvalOptions on;
    on.explain = true;
    EvalOptions off;
    off.explain = false;
    Decision d_on = decide(w.requests[i], on);
    Decision d_off = decide(w.requests[i], off);
    std::string diff = Compare(d_on, w.expected[i]);
    if (!diff.empty() && ++mismatches <= kMaxReported)
      report << "  " << w.expected[i].id << ":" << diff << "\n";
    if (d_off.explain || !d_on.SameDecision(d_off)) {
      if (++differ_off <= kMaxReported)
        report << "  " << w.expected[i].id << ": the decision with explanation off differs\n";
    }
    explained->push_back(std::move(d_on));
  }
  INFO("engine " << std::string(engine) << ":\n" << report.str());
  CHECK(mismatches == 0);
  CHECK(differ_off == 0);
}

TEST_CASE("route16: 20,000 decisions match expected.jsonl") {
  const Workload& w = Load();
  const int64_t now = *w.snapshot.taken_at_ms;

  std::vector<Decision> interp;
  CheckEngine(
      "interp",
      [&](const BoundRequest& r, const EvalOptions& o) {
        return Evaluate(*w.policy, r, w.snapshot, now, o);
      },
      &interp);

  if (!JitAvailable()) {
    MESSAGE("this build has no JIT; only the interpreter was checked");
    return;
  }
  std::string error;
  auto session = NewJitSession(&error);
  INFO(error);
  REQUIRE(session);
  JitCompileResult jr = CompileJit(session, w.policy, {});
  INFO(jr.error);
  REQUIRE(jr.policy);
  JitFrame frame;
  frame.SetSnapshot(*jr.policy, w.snapshot);
  std::vector<Decision> jit;
  CheckEngine(
      "jit",
      [&](const BoundRequest& r, const EvalOptions& o) {
        return EvaluateJit(*jr.policy, frame, r, now, o);
      },
      &jit);

  size_t differ = 0;
  std::ostringstream report;
  for (size_t i = 0; i < jit.size(); ++i) {
    if (!jit[i].SameDecision(interp[i]) && ++differ <= kMaxReported)
      report << "  " << w.expected[i].id << ": the JIT's decision or explanation differs\n";
  }
  INFO(report.str());
  CHECK(differ == 0);
}

TEST_CASE("route16: the workload's published totals") {
  // WORKLOAD.md: 2,282 of the 20,000 requests are rejected; of the rest,
  // 4,090 have 1 pick, 2,963 have 2 and 10,665 have 3.
  const Workload& w = Load();
  const int64_t now = *w.snapshot.taken_at_ms;
  size_t rejected = 0, picks[4] = {0, 0, 0, 0};
  EvalOptions off;
  off.explain = false;
  for (const BoundRequest& r : w.requests) {
    Decision d = Evaluate(*w.policy, r, w.snapshot, now, off);
    if (d.outcome == Outcome::kRejected)
      ++rejected;
    else if (d.fallbacks.size() < 3)
      ++picks[1 + d.fallbacks.size()];
  }
  CHECK(rejected == 2282);
  CHECK(picks[1] == 4090);
  CHECK(picks[2] == 2963);
  CHECK(picks[3] == 10665);
}

}  // namespace
}  // namespace mixtral
