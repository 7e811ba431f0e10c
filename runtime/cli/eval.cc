// `mixtral eval`: decide one request (--request) or a JSONL batch (--requests).
#include <chrono>
#include <iostream>

#include "args.h"
#include "common.h"
#include "eval_audit.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {
namespace {

constexpr const char* kUsageText =
    "usage: mixtral eval --policy FILE (--request FILE|- | --requests FILE.jsonl)\n"
    "                    --telemetry FILE [--inventory FILE] [--route NAME] [--now T]\n"
    "                    [--no-explain] [--json] [--trace] [--timing] [--engine jit|interp] "
    "[--no-fallback]\n";

class StderrTrace : public TraceSink {
 public:
  void OnRule(const TraceEvent& e) override {
    std::cerr << "trace: route=" << e.route << " target=" << e.target << " rule=" << e.rule
              << " verdict=" << e.verdict;
    if (!e.missing.empty()) {
      std::cerr << " missing=";
      for (size_t i = 0; i < e.missing.size(); ++i) std::cerr << (i ? "," : "") << e.missing[i];
    }
    std::cerr << "\n";
  }
};

struct Setup {
  std::shared_ptr<const Policy> policy;
  Engine engine;
  BoundSnapshot snapshot;
  int64_t now_ms = 0;
  EvalOptions options;
};

// Everything before the first request: policy, snapshot, time, route.
int Prepare(const Args& args, Setup* s) {
  s->policy = CompileReporting(*args.Get("--policy"), false);
  if (!s->policy) return kUserError;
  auto telemetry = ReadInput(*args.Get("--telemetry"), kMaxSnapshotBytes);
  if (!telemetry) {
    std::cerr << "mixtral eval: cannot read telemetry file " << *args.Get("--telemetry") << "\n";
    return kUserError;
  }
  std::optional<std::string> inventory;
  if (auto path = args.Get("--inventory")) {
    inventory = ReadInput(*path, kMaxSnapshotBytes);
    if (!inventory) {
      std::cerr << "mixtral eval: cannot read inventory file " << *path << "\n";
      return kUserError;
    }
  }
  std::optional<std::string_view> inv_view;
  if (inventory) inv_view = *inventory;
  SnapshotBindOptions strict;
  strict.reject_unknown = true;
  if (auto err = BindSnapshotJson(*s->policy, *telemetry, inv_view, &s->snapshot, strict)) {
    // An error inside --inventory's entries is reported against that file.
    const std::string file = err->path.rfind("inventory", 0) == 0 && args.Get("--inventory")
                                 ? *args.Get("--inventory")
                                 : *args.Get("--telemetry");
    std::cerr << file << ": error[" << err->code << "]: " << err->ToString() << "\n";
    return kUserError;
  }
  if (auto now = args.Get("--now")) {
    auto ms = ParseTime(*now);
    if (!ms) {
      std::cerr << "mixtral eval: --now " << *now
                << " is neither RFC3339 (2026-11-27T10:00:00Z) nor epoch milliseconds\n";
      return kUsage;
    }
    s->now_ms = *ms;
  } else if (s->snapshot.taken_at_ms) {
    s->now_ms = *s->snapshot.taken_at_ms;
  } else {
    std::cerr << "mixtral eval: the snapshot has no taken_at, so there is no default time; pass "
                 "--now\n";
    return kUserError;
  }
  if (auto route = args.Get("--route")) {
    bool known = false;
    for (const std::string& r : s->policy->routes) known |= r == *route;
    if (!known) {
      std::cerr << "mixtral eval: the policy has no route `" << *route << "`; its routes are:";
      for (const std::string& r : s->policy->routes) std::cerr << " " << r;
      std::cerr << "\n";
      return kUsage;
    }
    s->options.route = *route;
  }
  s->options.explain = !args.Has("--no-explain");
  if (int rc =
          PrepareEngine(args.Get("--engine"), args.Has("--no-fallback"), s->policy, &s->engine);
      rc != kOk)
    return rc;
  EngineSetSnapshot(s->engine, s->snapshot);
  return kOk;
}

}  // namespace

int EvalCommand(int argc, char** argv) {
  Args args({"--policy", "--request", "--requests", "--telemetry", "--inventory", "--route",
             "--now", "--engine", "--audit"},
            {"--no-explain", "--json", "--trace", "--no-fallback", "--timing"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral eval: " << *err << "\n" << kUsageText;
    return kUsage;
  }
  if (!args.positional().empty()) {
    std::cerr << "mixtral eval: unexpected argument " << args.positional()[0] << "\n" << kUsageText;
    return kUsage;
  }
  if (!args.Get("--policy") || !args.Get("--telemetry") ||
      args.Has("--request") == args.Has("--requests")) {
    std::cerr << "mixtral eval: needs --policy, --telemetry and exactly one of --request, "
                 "--requests\n"
              << kUsageText;
    return kUsage;
  }
  if (args.Has("--audit") && args.Has("--trace")) {
    std::cerr << "mixtral eval: --trace and --audit exclude each other (the engine library, which "
                 "writes the audit log, does not trace)\n"
              << kUsageText;
    return kUsage;
  }
  Setup setup;
  if (int rc = Prepare(args, &setup); rc != kOk) return rc;
  StderrTrace trace;
  if (args.Has("--trace")) setup.options.trace = &trace;
  // With --audit, decisions go through the engine library and its audit
  // writer; the CLI's own binder still validates each request first.
  std::unique_ptr<AuditedEval> audited;
  if (auto log = args.Get("--audit")) {
    AuditedEvalOptions ao;
    ao.log = *log;
    ao.policy_path = *args.Get("--policy");
    ao.telemetry = *ReadInput(*args.Get("--telemetry"), kMaxSnapshotBytes);
    if (auto inv = args.Get("--inventory")) ao.inventory = ReadInput(*inv, kMaxSnapshotBytes);
    ao.engine = args.Get("--engine");
    ao.no_fallback = args.Has("--no-fallback");
    ao.now_ms = setup.now_ms;
    ao.route = setup.options.route;
    ao.explain = setup.options.explain;
    ao.timing = args.Has("--timing");
    audited = std::make_unique<AuditedEval>();
    if (int rc = audited->Open(ao); rc != kOk) return rc;
  }

  uint64_t seq = 0;
  const bool timing = args.Has("--timing");
  auto decide = [&](std::string_view text, Decision* out, InputError* error) -> bool {
    BoundRequest request;
    RequestBindInfo info;
    RequestBindOptions bind;
    bind.reject_unknown = true;
    if (auto err = BindRequestJson(*setup.policy, text, bind, &request, &info)) {
      *error = *err;
      // The engine decides it too, as rejected 400, so the log has a record
      // of every request; its sequence number is spent either way.
      ++seq;
      Decision rejected;
      if (audited) audited->Decide(text, seq, &rejected);
      return false;
    }
    ++seq;
    if (audited) {
      if (!audited->Decide(text, seq, out)) {
        *error = InputError{"E1000", "request", "the engine refused the request", std::nullopt};
        return false;
      }
      return true;
    }
    // Timing is opt-in: two clock reads cost as much as half a decision (contract §1).
    auto started =
        timing ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    Decision d = EngineEvaluate(setup.engine, request, setup.snapshot, setup.now_ms, setup.options);
    if (timing)
      d.eval_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    d.decision_id = info.decision_id ? *info.decision_id : "cli-" + std::to_string(seq);
    *out = std::move(d);
    return true;
  };

  if (auto path = args.Get("--request")) {
    auto text = ReadInput(*path, kMaxRequestBytes);
    if (!text) {
      std::cerr << "mixtral eval: cannot read request file " << *path << "\n";
      return kUserError;
    }
    Decision d;
    InputError error;
    if (!decide(*text, &d, &error)) {
      std::cerr << (*path == "-" ? "<stdin>" : *path) << ": error[" << error.code
                << "]: " << error.ToString() << "\n";
      if (audited) audited->Close();  // the rejection's record, written out
      return kUserError;
    }
    std::cout << DecisionToJson(d, /*pretty=*/!args.Has("--json")) << "\n";
    return audited ? audited->Close() : kOk;
  }

  auto text = ReadInput(*args.Get("--requests"), kMaxBatchFileBytes);
  if (!text) {
    std::cerr << "mixtral eval: cannot read requests file " << *args.Get("--requests") << "\n";
    return kUserError;
  }
  bool any_error = false;
  size_t line_no = 0;
  std::string_view all = *text;
  std::string out;
  while (!all.empty()) {
    size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Decision d;
    InputError error;
    if (decide(line, &d, &error)) {
      out += DecisionToJson(d, /*pretty=*/false);
    } else {
      any_error = true;
      out += BatchErrorJson(line_no, error);
    }
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out << std::flush;
  const int closed = audited ? audited->Close() : kOk;
  return any_error ? kUserError : closed;
}

}  // namespace mixtral::cli
