// mixtral_difftest: random policies x random inputs, decided by the reference
// interpreter and by the JIT, with and without explanations; any difference
// in the decision fields (contract §1) is a failure.
//
//   mixtral_difftest --policies 200 --inputs 100 --seed 1 [--jit-only] [--no-fallback]
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "generator.h"
#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/inputs.h"

namespace {

struct Args {
  int policies = 200;
  int inputs = 100;
  uint64_t seed = 1;
  bool jit_only = false;
  bool no_fallback = false;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (s == "--policies") {
      const char* v = next();
      if (!v) return false;
      a->policies = std::atoi(v);
    } else if (s == "--inputs") {
      const char* v = next();
      if (!v) return false;
      a->inputs = std::atoi(v);
    } else if (s == "--seed") {
      const char* v = next();
      if (!v) return false;
      a->seed = std::strtoull(v, nullptr, 10);
    } else if (s == "--jit-only") {
      a->jit_only = true;
    } else if (s == "--no-fallback") {
      a->no_fallback = true;
      a->jit_only = true;
    } else {
      return false;
    }
  }
  return a->policies > 0 && a->inputs > 0;
}

void Report(const mixtral::difftest::GeneratedCase& c, size_t input, const std::string& what,
            const mixtral::Decision& interp, const mixtral::Decision& jit) {
  std::cerr << "MISMATCH (" << what << ") on input " << input << "\n--- policy\n"
            << c.policy << "--- request\n"
            << c.requests[input] << "\n--- snapshot\n"
            << c.snapshots[input] << "\n--- now_ms " << c.now_ms[input] << "\n--- interpreter\n"
            << mixtral::DecisionToJson(interp) << "\n--- jit\n"
            << mixtral::DecisionToJson(jit) << "\n";
}

// The compact path (EvaluateJitCompact) names the same outcome, target,
// fallbacks and rejection as the full decision.
// SameDecision and the charges, except that a NaN annotation equals a NaN annotation:
// Scalar's operator== has NaN unequal to itself, which would make a decision
// differ from its own copy. The sign and payload of a NaN are not part of a
// decision (it is written "NaN"), and IEEE leaves them to the operation.
bool Same(const mixtral::Decision& a, const mixtral::Decision& b) {
  if (a.explain.has_value() != b.explain.has_value()) return false;
  if (a.annotations.size() != b.annotations.size()) return false;
  mixtral::Decision x = a, y = b;
  for (size_t i = 0; i < x.annotations.size(); ++i) {
    auto* p = std::get_if<double>(&x.annotations[i].second);
    auto* q = std::get_if<double>(&y.annotations[i].second);
    if (p && q && std::isnan(*p) && std::isnan(*q)) {
      *p = 0.0;
      *q = 0.0;
    }
  }
  // SameDecision leaves charges out; a NaN amount equals a NaN amount here.
  if (x.charges.size() != y.charges.size()) return false;
  for (size_t i = 0; i < x.charges.size(); ++i) {
    const mixtral::Charge& p = x.charges[i];
    const mixtral::Charge& q = y.charges[i];
    const bool same_amount = p.amount == q.amount || (std::isnan(p.amount) && std::isnan(q.amount));
    if (p.counter != q.counter || p.key != q.key || !same_amount) return false;
  }
  return x.SameDecision(y);
}

bool SameAsCompact(const mixtral::Decision& d, const mixtral::CompactDecision& c,
                   const mixtral::BoundSnapshot& s) {
  if (d.outcome != c.outcome) return false;
  if (c.outcome == mixtral::Outcome::kRejected)
    return d.reject && c.reject_reason && d.reject->status == c.reject_status &&
           d.reject->reason == *c.reject_reason;
  if (!d.target || c.target < 0 || *d.target != s.targets[c.target].name) return false;
  if (d.fallbacks.size() != c.fallback_count) return false;
  for (size_t k = 0; k < c.fallback_count; ++k)
    if (d.fallbacks[k] != s.targets[c.fallbacks[k]].name) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::cerr << "usage: mixtral_difftest [--policies N] [--inputs N] [--seed S] [--jit-only] "
                 "[--no-fallback]\n";
    return 2;
  }
  if (!mixtral::JitAvailable()) {
    std::cout << "no JIT in this build: nothing to compare\n";
    return 0;
  }
  std::string error;
  auto session = mixtral::NewJitSession(&error);
  if (!session) {
    std::cerr << "cannot start the JIT: " << error << "\n";
    return 3;
  }
  mixtral::difftest::Generator gen(args.seed);
  mixtral::difftest::GeneratorOptions gopts;
  gopts.jit_only = args.jit_only;
  gopts.inputs = args.inputs;
  uint64_t pairs = 0, mismatches = 0, bad_inputs = 0;
  for (int p = 0; p < args.policies; ++p) {
    mixtral::difftest::GeneratedCase c = gen.Next(gopts);
    mixtral::CompileResult cr = mixtral::CompileSource("gen.mxl", c.policy);
    if (!cr.policy) {
      std::cerr << "generator bug: policy " << p << " does not compile:\n" << c.policy;
      for (const auto& d : cr.diagnostics.Sorted())
        std::cerr << mixtral::RenderDiagnostic(d, cr.sources);
      return 3;
    }
    mixtral::JitCompileOptions jopts;
    jopts.no_fallback = args.no_fallback;
    mixtral::JitCompileResult jr = mixtral::CompileJit(session, cr.policy, jopts);
    if (!jr.policy) {
      std::cerr << "policy " << p << ": the JIT refused it: " << jr.error << "\n" << c.policy;
      for (const auto& [range, what] : jr.not_lowered)
        std::cerr << "  " << range.begin.line << ": " << what << "\n";
      return 1;
    }
    mixtral::JitFrame frame;
    for (size_t i = 0; i < c.requests.size(); ++i) {
      mixtral::BoundRequest request;
      mixtral::BoundSnapshot snapshot;
      if (mixtral::BindRequestJson(*cr.policy, c.requests[i], {}, &request) ||
          mixtral::BindSnapshotJson(*cr.policy, c.snapshots[i], std::nullopt, &snapshot)) {
        ++bad_inputs;
        continue;
      }
      frame.SetSnapshot(*jr.policy, snapshot);
      for (bool explain : {true, false}) {
        mixtral::EvalOptions o;
        o.explain = explain;
        mixtral::Decision a = mixtral::Evaluate(*cr.policy, request, snapshot, c.now_ms[i], o);
        mixtral::Decision b = mixtral::EvaluateJit(*jr.policy, frame, request, c.now_ms[i], o);
        ++pairs;
        if (!Same(a, b)) {
          if (++mismatches <= 3) Report(c, i, explain ? "explain on" : "explain off", a, b);
        }
      }
      if (!mixtral::JitCompactEligible(*jr.policy)) continue;
      mixtral::Decision want = mixtral::Evaluate(*cr.policy, request, snapshot, c.now_ms[i], {});
      mixtral::JitRequest bound;
      bound.Bind(*jr.policy, request);
      for (bool explain : {true, false}) {
        mixtral::CompactDecision got;
        mixtral::EvaluateJitCompact(*jr.policy, frame, bound, c.now_ms[i], explain, &got);
        ++pairs;
        if (!SameAsCompact(want, got, snapshot) && ++mismatches <= 3)
          std::cerr << "policy/input " << i << ": the compact path (explain "
                    << (explain ? "on" : "off") << ") differs from\n"
                    << mixtral::DecisionToJson(want) << "\n"
                    << c.policy << "\n";
      }
    }
  }
  std::cout << "differential: " << args.policies << " policies x " << args.inputs
            << " inputs, seed " << args.seed << (args.no_fallback ? ", --no-fallback" : "") << ": "
            << pairs << " comparisons, " << mismatches << " mismatches, " << bad_inputs
            << " unbindable inputs\n";
  std::cout << "construct histogram (policies using it):\n";
  bool rare = false;
  for (const auto& [construct, count] : gen.histogram()) {
    double pct = 100.0 * count / args.policies;
    std::cout << "  " << construct << ": " << count << " (" << pct << "%)\n";
    if (pct < 1.0) rare = true;
  }
  if (bad_inputs) std::cerr << "generator bug: " << bad_inputs << " inputs did not bind\n";
  if (rare && args.policies >= 100) std::cerr << "a construct appeared in under 1% of policies\n";
  return mismatches || bad_inputs || (rare && args.policies >= 100) ? 1 : 0;
}
