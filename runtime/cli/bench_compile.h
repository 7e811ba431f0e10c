// The compile half of `mixtral bench`: compiles a policy for an engine as
// `mixtral eval` does, and times each stage (contract §10's compile_cold_ms
// and compile_cached_ms, plus the per-stage keys).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "common.h"

namespace mixtral::cli {

struct CompileFigures {
  double total_ms = 0;
  double parse_ms = 0;
  double check_ms = 0;
  double session_ms = 0;  // LLJIT creation, when this compile created the session
  double lower_ms = 0;
  double optimize_ms = 0;
  double codegen_ms = 0;
  double link_ms = 0;
  bool front_end_cached = false;
  bool jit = false;  // the object figures apply
  JitCacheSource object = JitCacheSource::kCompiled;
};

// Reuses `front_end` and *session (creating it when null) across calls, so a
// second call measures the in-process caches. Returns an exit code.
int CompileForBench(const std::string& path, const std::optional<std::string>& engine_flag,
                    bool no_fallback, const std::shared_ptr<CompileCache>& front_end,
                    std::shared_ptr<JitSession>* session, Engine* engine, CompileFigures* out);

// `"<prefix>parse_ms":…,"<prefix>check_ms":…,…` for the JSON line.
void WriteCompileFigures(std::ostream& os, const std::string& prefix, const CompileFigures& f);

}  // namespace mixtral::cli
