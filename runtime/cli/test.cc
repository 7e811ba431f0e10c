// `mixtral test FILE|DIR... [--min-coverage N] [--engine interp]`: runs the
// `test` blocks of policies and reports rule coverage.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "args.h"
#include "common.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/policy_test.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsageText =
    "usage: mixtral test FILE|DIR... [--min-coverage PERCENT] [--engine jit|interp] "
    "[--no-fallback]\n";

// A rule is covered once some case saw it pass and some case saw it fail.
struct RuleSeen {
  bool passed = false;
  bool failed = false;
};

class CoverageSink : public TraceSink {
 public:
  explicit CoverageSink(std::map<std::pair<std::string, std::string>, RuleSeen>* seen)
      : seen_(seen) {}
  void OnRule(const TraceEvent& e) override {
    auto it = seen_->find({e.route, e.rule});
    if (it == seen_->end()) return;
    (e.verdict == "pass" ? it->second.passed : it->second.failed) = true;
  }

 private:
  std::map<std::pair<std::string, std::string>, RuleSeen>* seen_;
};

// Files without a `policy` header are modules for import, not policies.
bool IsPolicyFile(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (text.compare(i, 1, "#") == 0 || text.compare(i, 2, "//") == 0) {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    break;
  }
  return text.compare(i, 7, "policy ") == 0;
}

std::vector<std::string> CollectFiles(const std::vector<std::string>& paths, bool* ok) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".mxl")
          found.push_back(it->path().string());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      std::cerr << "mixtral test: no such file or directory: " << p << "\n";
      *ok = false;
    }
  }
  return out;
}

std::string Where(const std::string& file, const SourceRange& r) {
  return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.col);
}

// The JSON of a test input: inline, or a fixture file beside the policy.
std::optional<std::string> Fixture(const std::string& policy_path,
                                   const std::optional<std::string>& json,
                                   const std::optional<std::string>& file, std::string* error) {
  if (json) return json;
  if (!file) return std::nullopt;
  fs::path full = fs::path(policy_path).parent_path() / *file;
  auto text = ReadInput(full.string(), kMaxSnapshotBytes);
  if (!text) *error = "cannot read fixture " + full.string();
  return text;
}

}  // namespace

int TestCommand(int argc, char** argv) {
  Args args({"--min-coverage", "--engine"}, {"--no-fallback"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral test: " << *err << "\n" << kUsageText;
    return kUsage;
  }
  if (args.positional().empty()) {
    std::cerr << kUsageText;
    return kUsage;
  }
  if (auto engine = args.Get("--engine"); engine && *engine != "interp" && *engine != "jit") {
    std::cerr << "mixtral test: --engine must be jit or interp, not `" << *engine << "`\n";
    return kUsage;
  }
  double min_coverage = 0;
  if (auto m = args.Get("--min-coverage")) {
    char* end = nullptr;
    min_coverage = std::strtod(m->c_str(), &end);
    if (end == m->c_str() || *end || min_coverage < 0 || min_coverage > 100) {
      std::cerr << "mixtral test: --min-coverage takes a percentage from 0 to 100\n";
      return kUsage;
    }
  }
  bool ok = true;
  std::vector<std::string> files = CollectFiles(args.positional(), &ok);
  size_t passed = 0, failed = 0;
  struct Uncovered {
    std::string file, route, rule, why;
  };
  std::vector<Uncovered> uncovered;
  size_t rules_total = 0;

  for (const std::string& path : files) {
    auto text = ReadInput(path, kMaxPolicyBytes);
    if (!text) {
      std::cerr << "mixtral test: cannot read " << path << "\n";
      ok = false;
      continue;
    }
    if (!IsPolicyFile(*text)) continue;
    auto policy = CompileReporting(path, false);
    if (!policy) {
      ++failed;
      std::cout << "FAIL " << path << ": the policy does not compile\n";
      continue;
    }
    Engine engine;
    if (int rc = PrepareEngine(args.Get("--engine"), args.Has("--no-fallback"), policy, &engine);
        rc != kOk) {
      if (rc == kUsage) return rc;
      ++failed;
      std::cout << "FAIL " << path << ": the policy does not compile for this engine\n";
      continue;
    }
    std::map<std::pair<std::string, std::string>, RuleSeen> seen;
    std::vector<PolicyTestCase> tests = ListTests(*policy);
    CoverageSink sink(&seen);
    for (const auto& [route, rule] : RuleNames(*policy)) seen[{route, rule}] = RuleSeen{};
    for (size_t i = 0; i < tests.size(); ++i) {
      const PolicyTestCase& t = tests[i];
      std::string error;
      std::vector<ExpectResult> results;
      auto request = Fixture(path, t.request_json, t.request_file, &error);
      auto snapshot = Fixture(path, t.telemetry_json, t.telemetry_file, &error);
      BoundRequest bound_request;
      BoundSnapshot bound_snapshot;
      std::optional<int64_t> now;
      if (error.empty() && !request) error = "the test gives no `request`";
      if (error.empty() && !snapshot) error = "the test gives no `telemetry`";
      if (error.empty()) {
        RequestBindOptions bind;
        bind.reject_unknown = true;
        if (auto e = BindRequestJson(*policy, *request, bind, &bound_request))
          error = "error[" + e->code + "]: " + e->ToString();
      }
      if (error.empty()) {
        SnapshotBindOptions strict;
        strict.reject_unknown = true;  // typos in fixtures should fail loudly
        if (auto e = BindSnapshotJson(*policy, *snapshot, std::nullopt, &bound_snapshot, strict))
          error = "telemetry: error[" + e->code + "]: " + e->ToString();
      }
      if (error.empty()) {
        now = t.now ? ParseTime(*t.now) : bound_snapshot.taken_at_ms;
        if (!now)
          error = t.now ? "`now` is not RFC3339 or epoch milliseconds"
                        : "the snapshot has no taken_at and the test gives no `now`";
      }
      if (error.empty() && t.route &&
          std::find(policy->routes.begin(), policy->routes.end(), *t.route) == policy->routes.end())
        error = "the policy has no route `" + *t.route + "`";
      if (error.empty()) {
        EvalOptions options;
        options.explain = true;
        options.route = t.route;
        options.trace = &sink;
        EngineSetSnapshot(engine, bound_snapshot);
        Decision d = EngineEvaluate(engine, bound_request, bound_snapshot, *now, options);
        results = CheckExpectations(*policy, i, d);
      }
      bool pass = error.empty() && std::all_of(results.begin(), results.end(),
                                               [](const ExpectResult& r) { return r.pass; });
      (pass ? passed : failed)++;
      std::cout << (pass ? "PASS " : "FAIL ") << path << ": " << t.name << "\n";
      if (!error.empty()) std::cout << "  " << Where(path, t.range) << ": " << error << "\n";
      for (const ExpectResult& r : results) {
        if (r.pass) continue;
        std::cout << "  " << Where(path, r.range) << ": expected " << r.text << "\n"
                  << "    but " << r.detail << "\n";
      }
    }
    for (const auto& [key, s] : seen) {
      ++rules_total;
      if (s.passed && s.failed) continue;
      std::string why = !s.passed && !s.failed ? "never evaluated"
                        : !s.passed            ? "never passed"
                                               : "never failed";
      uncovered.push_back(Uncovered{path, key.first, key.second, why});
    }
  }
  double coverage = rules_total
                        ? 100.0 * static_cast<double>(rules_total - uncovered.size()) / rules_total
                        : 100.0;
  std::cout << "rule coverage: " << (rules_total - uncovered.size()) << "/" << rules_total << " ("
            << std::fixed << std::setprecision(1) << coverage << "%)\n";
  for (const Uncovered& u : uncovered)
    std::cout << "  uncovered: " << u.file << " " << u.route << "." << u.rule << " (" << u.why
              << ")\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  if (coverage + 1e-9 < min_coverage) {
    std::cerr << "mixtral test: rule coverage " << std::fixed << std::setprecision(1) << coverage
              << "% is below --min-coverage " << min_coverage << "%\n";
    return kUserError;
  }
  return ok && failed == 0 ? kOk : kUserError;
}

}  // namespace mixtral::cli
