// Shared setup for the engine library's tests: the route16 data in the repo
// and an engine loaded with it.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/engine.h"
#include "test_files.h"

namespace mixtral::testing {

inline std::string SourcePath(const std::string& rel) {
  return std::string(MIXTRAL_SOURCE_DIR) + "/" + rel;
}

inline const std::string kRoute16Policy = "examples/route16/route16.mxl";
inline const std::string kRoute16Data = "bench/route16/data/";
// The workload's `now`: its snapshot's taken_at (2025), not the wall clock.
inline constexpr int64_t kRoute16Now = 1735689600000;  // 2025-01-01T00:00:00Z

inline std::vector<EngineKind> Engines() {
  std::vector<EngineKind> e{EngineKind::kInterp};
  if (JitAvailable()) e.push_back(EngineKind::kJit);
  return e;
}

// The engine a proxy would use: the JIT, or the interpreter in a build without it.
inline EngineKind FastestEngine() { return Engines().back(); }

inline std::unique_ptr<Engine> Route16Engine(EngineKind kind, EngineOptions options = {}) {
  options.engine = kind;
  if (!options.clock) options.clock = [] { return kRoute16Now; };
  auto e = Engine::Create(options);
  REQUIRE(e);
  LoadResult r = e->LoadPolicyFile(SourcePath(kRoute16Policy));
  INFO(r.rendered);
  REQUIRE(r.ok);
  auto err = e->PublishSnapshot(ReadFile(SourcePath(kRoute16Data + "telemetry.json")),
                                ReadFile(SourcePath(kRoute16Data + "targets.json")));
  REQUIRE_MESSAGE(!err, (err ? err->ToString() : ""));
  return e;
}

inline std::vector<nlohmann::json> JsonLines(const std::string& path, size_t limit = SIZE_MAX) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : SplitLines(ReadFile(path))) {
    if (out.size() == limit) break;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// Fills a request field by field from a route16 JSON line, the way a proxy would.
inline void FillRoute16(EngineRequest& r, const nlohmann::json& j) {
  r.Clear();
  for (auto it = j.begin(); it != j.end(); ++it) {
    int i = r.FieldIndex(it.key());
    REQUIRE(i >= 0);
    EngineError e;
    if (it->is_string())
      e = r.SetString(i, it->get<std::string>());  // enum fields take names too
    else if (it->is_number_integer())
      e = r.SetInt(i, it->get<int64_t>());
    else
      e = r.SetFloat(i, it->get<double>());
    REQUIRE_MESSAGE(e.code == ErrorCode::kOk, e.message);
  }
}

}  // namespace mixtral::testing
