#include <cstdlib>
#include <iostream>

#include "common.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::cli {

Engine::~Engine() = default;

int PrepareEngine(const std::optional<std::string>& engine_flag, bool no_fallback,
                  std::shared_ptr<const Policy> policy, Engine* out) {
  out->policy = policy;
  std::string engine = engine_flag.value_or(JitAvailable() ? "jit" : "interp");
  if (engine == "interp") return kOk;
  if (engine != "jit") {
    std::cerr << "mixtral: --engine must be jit or interp, not `" << engine << "`\n";
    return kUsage;
  }
  if (!JitAvailable()) {
    std::cerr << "mixtral: --engine jit: this build has no JIT (configured with "
                 "MIXTRAL_ENABLE_JIT=OFF)\n";
    return kUsage;
  }
  std::string error;
  JitSessionOptions session_options;
  // Compiled objects persist across runs when this names a directory.
  if (const char* dir = std::getenv("MIXTRAL_JIT_CACHE_DIR")) session_options.cache_dir = dir;
  auto session = NewJitSession(session_options, &error);
  if (!session) {
    std::cerr << "mixtral: cannot start the JIT: " << error << "\n";
    return kInternal;
  }
  JitCompileOptions options;
  options.no_fallback = no_fallback;
  JitCompileResult r = CompileJit(session, policy, options);
  if (!r.policy) {
    std::cerr << "mixtral: " << r.error << "\n";
    if (no_fallback) {
      for (const auto& [range, what] : r.not_lowered)
        std::cerr << "  " << range.begin.line << ":" << range.begin.col << ": " << what << "\n";
      return kUserError;
    }
    return kInternal;
  }
  out->jit = r.policy;
  out->frame = std::make_unique<JitFrame>();
  return kOk;
}

void EngineSetSnapshot(Engine& e, const BoundSnapshot& snapshot) {
  if (e.jit) e.frame->SetSnapshot(*e.jit, snapshot);
}

Decision EngineEvaluate(Engine& e, const BoundRequest& r, const BoundSnapshot& s, int64_t now_ms,
                        const EvalOptions& options) {
  if (e.jit) return EvaluateJit(*e.jit, *e.frame, r, now_ms, options);
  return Evaluate(*e.policy, r, s, now_ms, options);
}

}  // namespace mixtral::cli
