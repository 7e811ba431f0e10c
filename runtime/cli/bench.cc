// `mixtral bench`: the contract §10 figures for any policy and workload.
// Timing protocol: bench/route16/WORKLOAD.md "Measurement protocol".
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "args.h"
#include "bench_compare.h"
#include "bench_compile.h"
#include "common.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The compact decision names the same route, outcome, target and fallbacks.
bool SameAsCompact(const Decision& d, const CompactDecision& c, const BoundSnapshot& s) {
  if (d.outcome != c.outcome) return false;
  if (c.outcome == Outcome::kRejected)
    return d.reject && c.reject_reason && d.reject->status == c.reject_status &&
           d.reject->reason == *c.reject_reason;
  if (!d.target || c.target < 0 || *d.target != s.targets[c.target].name) return false;
  if (d.fallbacks.size() != c.fallback_count) return false;
  for (size_t k = 0; k < c.fallback_count; ++k)
    if (d.fallbacks[k] != s.targets[c.fallbacks[k]].name) return false;
  return true;
}

constexpr const char* kUsageText =
    "usage: mixtral bench --policy P --requests R.jsonl --telemetry T [--inventory I] [--now T]\n"
    "                     [--engine jit|interp] [--expected E.jsonl] [--json]\n";

double Ns(Clock::duration d) { return std::chrono::duration<double, std::nano>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

long PeakRssKib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int BenchCommand(int argc, char** argv) {
  Args args(
      {"--policy", "--requests", "--telemetry", "--inventory", "--now", "--engine", "--expected"},
      {"--json", "--no-fallback"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral bench: " << *err << "\n" << kUsageText;
    return kUsage;
  }
  if (!args.Get("--policy") || !args.Get("--requests") || !args.Get("--telemetry") ||
      !args.positional().empty()) {
    std::cerr << kUsageText;
    return kUsage;
  }
  // Cold: reading, parsing and checking the policy, and for the JIT creating
  // LLJIT and compiling, all for the first time in this process. Cached: the
  // same source again, through the front-end cache and the session's object
  // cache.
  auto front_end = std::make_shared<CompileCache>();
  std::shared_ptr<JitSession> session;
  Engine engine;
  CompileFigures cold, cached;
  if (int rc = CompileForBench(*args.Get("--policy"), args.Get("--engine"),
                               args.Has("--no-fallback"), front_end, &session, &engine, &cold);
      rc != kOk)
    return rc;
  {
    Engine again;
    CompileForBench(*args.Get("--policy"), args.Get("--engine"), args.Has("--no-fallback"),
                    front_end, &session, &again, &cached);
  }
  const double compile_cold_ms = cold.total_ms, compile_cached_ms = cached.total_ms;
  std::shared_ptr<const Policy> policy = engine.policy;

  auto telemetry = ReadInput(*args.Get("--telemetry"), kMaxSnapshotBytes);
  std::optional<std::string> inventory;
  if (auto p = args.Get("--inventory")) inventory = ReadInput(*p, kMaxSnapshotBytes);
  auto requests_text = ReadInput(*args.Get("--requests"), kMaxBatchFileBytes);
  if (!telemetry || !requests_text || (args.Get("--inventory") && !inventory)) {
    std::cerr << "mixtral bench: cannot read an input file\n";
    return kUserError;
  }
  BoundSnapshot snapshot;
  std::optional<std::string_view> inv;
  if (inventory) inv = *inventory;
  if (auto err = BindSnapshotJson(*policy, *telemetry, inv, &snapshot)) {
    std::cerr << *args.Get("--telemetry") << ": error[" << err->code << "]: " << err->ToString()
              << "\n";
    return kUserError;
  }
  int64_t now = 0;
  if (auto n = args.Get("--now")) {
    auto ms = ParseTime(*n);
    if (!ms) {
      std::cerr << "mixtral bench: --now is neither RFC3339 nor epoch milliseconds\n";
      return kUserError;
    }
    now = *ms;
  } else if (snapshot.taken_at_ms) {
    now = *snapshot.taken_at_ms;
  } else {
    std::cerr << "mixtral bench: the snapshot has no taken_at; pass --now\n";
    return kUserError;
  }
  EngineSetSnapshot(engine, snapshot);

  std::vector<std::string> lines = Lines(*requests_text);
  std::vector<BoundRequest> requests(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto err = BindRequestJson(*policy, lines[i], RequestBindOptions{}, &requests[i])) {
      std::cerr << *args.Get("--requests") << ":" << i + 1 << ": error[" << err->code
                << "]: " << err->ToString() << "\n";
      return kUserError;
    }
  }
  if (requests.empty()) {
    std::cerr << "mixtral bench: no requests\n";
    return kUserError;
  }
  EvalOptions quiet;
  quiet.explain = false;
  EvalOptions explain;
  explain.explain = true;

  // Verification, with explanation on, before anything is timed.
  size_t mismatches = 0;
  if (auto path = args.Get("--expected")) {
    auto text = ReadInput(*path, kMaxBatchFileBytes);
    if (!text) {
      std::cerr << "mixtral bench: cannot read " << *path << "\n";
      return kUserError;
    }
    std::vector<std::string> expected = Lines(*text);
    for (size_t i = 0; i < requests.size(); ++i) {
      Decision d = EngineEvaluate(engine, requests[i], snapshot, now, explain);
      if (i >= expected.size() || !MatchesExpected(d, expected[i])) ++mismatches;
    }
  }

  const size_t n = requests.size();
  // The JIT's allocation-free path, where the policy allows it; it must give
  // the full pipeline's decision on every request, or it is not used.
  std::vector<JitRequest> bound;
  bool compact = engine.jit && JitCompactEligible(*engine.jit);
  if (compact) {
    bound.resize(n);
    for (size_t i = 0; i < n; ++i) {
      bound[i].Bind(*engine.jit, requests[i]);
      CompactDecision c;
      EvaluateJitCompact(*engine.jit, *engine.frame, bound[i], now, false, &c);
      Decision d = EngineEvaluate(engine, requests[i], snapshot, now, quiet);
      if (!SameAsCompact(d, c, snapshot)) ++mismatches;
    }
  }
  auto decide = [&](size_t i, const EvalOptions& o) {
    if (compact) {
      CompactDecision c;
      EvaluateJitCompact(*engine.jit, *engine.frame, bound[i], now, o.explain, &c);
      asm volatile("" : : "r"(&c) : "memory");
    } else {
      Decision d = EngineEvaluate(engine, requests[i], snapshot, now, o);
      asm volatile("" : : "r"(&d) : "memory");
    }
  };
  auto pass = [&](const EvalOptions& o) {
    for (size_t i = 0; i < n; ++i) decide(i, o);
  };
  // Warm-up: at least one pass and one second.
  auto start = Clock::now();
  do pass(quiet);
  while (Clock::now() - start < std::chrono::seconds(1));
  // Throughput: whole passes without per-call timers, at least two seconds.
  size_t decided = 0;
  start = Clock::now();
  do {
    pass(quiet);
    decided += n;
  } while (Clock::now() - start < std::chrono::seconds(2));
  double decisions_per_s = static_cast<double>(decided) / (Ns(Clock::now() - start) / 1e9);
  long rss = PeakRssKib();

  std::vector<double> per_call(n);
  for (size_t i = 0; i < n; ++i) {
    auto a = Clock::now();
    decide(i, quiet);
    per_call[i] = Ns(Clock::now() - a);
  }
  auto batches = [&](const EvalOptions& o) {
    std::vector<double> means;
    for (size_t b = 0; b + 100 <= n; b += 100) {
      auto a = Clock::now();
      for (size_t i = b; i < b + 100; ++i) decide(i, o);
      means.push_back(Ns(Clock::now() - a) / 100.0);
    }
    return means;
  };
  std::vector<double> batch = batches(quiet);
  std::vector<double> batch_explain = batches(explain);
  std::vector<double> json_ns(n);
  for (size_t i = 0; i < n; ++i) {
    auto a = Clock::now();
    BoundRequest r;
    BindRequestJson(*policy, lines[i], RequestBindOptions{}, &r);
    std::string out = DecisionToJson(EngineEvaluate(engine, r, snapshot, now, quiet));
    asm volatile("" : : "r"(out.data()) : "memory");
    json_ns[i] = Ns(Clock::now() - a);
  }
  // The same three steps timed apart, in a pass of their own so that the
  // extra clock reads stay out of json_median_ns.
  std::vector<double> bind_ns(n), decide_ns(n), write_ns(n);
  for (size_t i = 0; i < n; ++i) {
    auto a = Clock::now();
    BoundRequest r;
    BindRequestJson(*policy, lines[i], RequestBindOptions{}, &r);
    auto b = Clock::now();
    Decision d = EngineEvaluate(engine, r, snapshot, now, quiet);
    auto c = Clock::now();
    std::string out = DecisionToJson(d);
    asm volatile("" : : "r"(out.data()) : "memory");
    bind_ns[i] = Ns(b - a);
    decide_ns[i] = Ns(c - b);
    write_ns[i] = Ns(Clock::now() - c);
  }

  std::ostringstream js;
  js << std::fixed << std::setprecision(1) << "{\"engine\":\"" << (engine.jit ? "jit" : "interp")
     << "\",\"decisions\":" << n << ",\"mismatches\":" << mismatches
     << ",\"median_ns\":" << Percentile(per_call, 0.5)
     << ",\"p99_ns\":" << Percentile(per_call, 0.99)
     << ",\"batch100_median_ns\":" << Percentile(batch, 0.5)
     << ",\"explain_batch100_median_ns\":" << Percentile(batch_explain, 0.5)
     << ",\"json_median_ns\":" << Percentile(json_ns, 0.5)
     << ",\"decisions_per_s\":" << std::setprecision(0) << decisions_per_s << std::setprecision(3)
     << ",\"compile_cold_ms\":" << compile_cold_ms << ",\"compile_cached_ms\":" << compile_cached_ms
     << ",\"peak_rss_kib\":" << rss;
  // Keys beyond contract §10's: JSON to JSON by step, and per-stage compile times.
  js << ",\"json_bind_median_ns\":" << std::setprecision(1) << Percentile(bind_ns, 0.5)
     << ",\"json_decide_median_ns\":" << Percentile(decide_ns, 0.5)
     << ",\"json_write_median_ns\":" << Percentile(write_ns, 0.5) << std::setprecision(3);
  WriteCompileFigures(js, "cold_", cold);
  WriteCompileFigures(js, "cached_", cached);
  js << "}";
  if (args.Has("--json")) {
    std::cout << js.str() << "\n";
  } else {
    std::cout << "engine            " << (engine.jit ? "jit" : "interp")
              << (compact ? " (compact decisions)" : "") << "\n"
              << "decisions         " << n << " (mismatches: " << mismatches << ")\n"
              << std::setprecision(1) << "per call          median " << Percentile(per_call, 0.5)
              << " ns, p99 " << Percentile(per_call, 0.99) << " ns\n"
              << "batch of 100      " << Percentile(batch, 0.5)
              << " ns/decision (explained: " << Percentile(batch_explain, 0.5) << ")\n"
              << "JSON to JSON      " << Percentile(json_ns, 0.5) << " ns (bind "
              << Percentile(bind_ns, 0.5) << ", decide " << Percentile(decide_ns, 0.5) << ", write "
              << Percentile(write_ns, 0.5) << ")\n"
              << std::setprecision(0) << "throughput        " << decisions_per_s << " decisions/s\n"
              << std::setprecision(2) << "compile           " << compile_cold_ms << " ms cold, "
              << compile_cached_ms << " ms again in-process\n"
              << "  cold stages     parse " << cold.parse_ms << ", check " << cold.check_ms
              << ", LLJIT " << cold.session_ms << ", lower " << cold.lower_ms << ", optimize "
              << cold.optimize_ms << ", codegen " << cold.codegen_ms << ", link " << cold.link_ms
              << " ms\n"
              << "peak RSS          " << rss << " KiB\n";
  }
  return mismatches ? kUserError : kOk;
}

}  // namespace mixtral::cli
