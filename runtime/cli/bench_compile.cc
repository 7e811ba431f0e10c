#include "bench_compile.h"

#include <chrono>
#include <iostream>

namespace mixtral::cli {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

const char* SourceName(JitCacheSource s) {
  switch (s) {
    case JitCacheSource::kMemory:
      return "memory";
    case JitCacheSource::kDisk:
      return "disk";
    case JitCacheSource::kCompiled:
      break;
  }
  return "compiled";
}

}  // namespace

int CompileForBench(const std::string& path, const std::optional<std::string>& engine_flag,
                    bool no_fallback, const std::shared_ptr<CompileCache>& front_end,
                    std::shared_ptr<JitSession>* session, Engine* engine, CompileFigures* out) {
  auto start = Clock::now();
  CompileOptions options;
  options.cache = front_end;
  CompileResult cr = CompileFile(path, options);
  for (const Diagnostic& d : cr.diagnostics.Sorted()) std::cerr << RenderDiagnostic(d, cr.sources);
  if (!cr.policy) return kUserError;
  out->parse_ms = cr.timings.parse_ms;
  out->check_ms = cr.timings.check_ms;
  out->front_end_cached = cr.from_cache;
  const bool jit = engine_flag.value_or(JitAvailable() ? "jit" : "interp") == "jit";
  if (!jit || !JitAvailable()) {
    // The interpreter, or a flag error that PrepareEngine reports.
    int rc = PrepareEngine(engine_flag, no_fallback, cr.policy, engine);
    out->total_ms = MsSince(start);
    return rc;
  }
  if (!*session) {
    auto t = Clock::now();
    std::string error;
    *session = NewJitSession(JitSessionOptions{}, &error);
    if (!*session) {
      std::cerr << "mixtral: cannot start the JIT: " << error << "\n";
      return kInternal;
    }
    out->session_ms = MsSince(t);
  }
  JitCompileOptions jo;
  jo.no_fallback = no_fallback;
  JitCompileResult jr = CompileJit(*session, cr.policy, jo);
  if (!jr.policy) {
    std::cerr << "mixtral: " << jr.error << "\n";
    return no_fallback ? kUserError : kInternal;
  }
  engine->policy = cr.policy;
  engine->jit = jr.policy;
  engine->frame = std::make_unique<JitFrame>();
  out->total_ms = MsSince(start);
  out->lower_ms = jr.lower_ms;
  out->optimize_ms = jr.optimize_ms;
  out->codegen_ms = jr.codegen_ms;
  out->link_ms = jr.link_ms;
  out->jit = true;
  out->object = jr.cache;
  return kOk;
}

void WriteCompileFigures(std::ostream& os, const std::string& prefix, const CompileFigures& f) {
  os << ",\"" << prefix << "parse_ms\":" << f.parse_ms << ",\"" << prefix
     << "check_ms\":" << f.check_ms << ",\"" << prefix << "jit_session_ms\":" << f.session_ms
     << ",\"" << prefix << "lower_ms\":" << f.lower_ms << ",\"" << prefix
     << "optimize_ms\":" << f.optimize_ms << ",\"" << prefix << "codegen_ms\":" << f.codegen_ms
     << ",\"" << prefix << "link_ms\":" << f.link_ms << ",\"" << prefix << "front_end\":\""
     << (f.front_end_cached ? "cached" : "compiled") << "\",\"" << prefix << "object\":\""
     << (f.jit ? SourceName(f.object) : "none") << "\"";
}

}  // namespace mixtral::cli
