// Random well-typed policies and inputs for the interpreter-vs-JIT
// differential test. Deterministic for a seed, so a failure is reproducible
// with `--seed`.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace mixtral::difftest {

struct GeneratedCase {
  std::string policy;                  // source text
  std::vector<std::string> requests;   // request JSON texts
  std::vector<std::string> snapshots;  // snapshot JSON texts, one per request
  std::vector<int64_t> now_ms;         // one per request
};

struct GeneratorOptions {
  // Only constructs that the JIT compiles natively (for --no-fallback runs).
  bool jit_only = false;
  int inputs = 100;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}
  GeneratedCase Next(const GeneratorOptions& options);
  // How many generated policies used each construct or built-in.
  const std::map<std::string, int>& histogram() const { return histogram_; }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }
  // A clause that the compact path does not decide: never in a plain policy.
  bool Extra(int percent) { return !plain_ && Chance(percent); }
  void Use(const std::string& construct) { used_[construct] = 1; }

  std::string BoolExpr(int depth, bool per_target);
  std::string NumExpr(int depth, bool per_target, bool want_int);
  std::string KeyExpr();  // a split, mirror, spread or affinity key
  std::string IntLiteral();
  std::string FloatLiteral();
  std::string Request(int index);
  std::string Snapshot(int64_t* now);
  std::string TelemetryEntry(const std::string& name);
  // generator_strings.cc
  std::string StrLiteral();
  std::string StrValue();
  std::string StrExpr(int depth, bool per_target);
  std::string StrBool(int depth, bool per_target);
  std::string StrNum(int depth, bool per_target);
  std::string FloatFromCollections(bool per_target);
  std::string RequestCollections();
  std::string SnapshotCounters();

  std::mt19937_64 rng_;
  std::map<std::string, int> histogram_;
  std::map<std::string, int> used_;
  bool jit_only_ = false;
  bool plain_ = false;
  bool has_split_ = false;
  int static_targets_ = 0;
  int inventory_targets_ = 0;
};

}  // namespace mixtral::difftest
