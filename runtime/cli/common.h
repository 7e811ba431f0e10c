// What the CLI's commands share: exit codes (contract §9), reading files and
// compiling with diagnostics on stderr.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/jit.h"

namespace mixtral::cli {

enum Exit : int { kOk = 0, kUserError = 1, kUsage = 2, kInternal = 3 };

// Reads a file, or stdin for "-", stopping one byte past `max_bytes` so that
// the caller's size check reports the limit without reading /dev/zero to
// exhaustion. nullopt when it cannot be read.
std::optional<std::string> ReadInput(const std::string& path, size_t max_bytes);

// A generous bound for the files that hold many requests; single inputs are
// read up to their own limits (contract §8).
inline constexpr size_t kMaxBatchFileBytes = size_t{1} << 30;

// Compiles and prints every diagnostic to stderr. *ok is false when there
// were errors (or warnings under `werror`). The result keeps the sources, so
// later diagnostics can still be rendered against them.
CompileResult CompileAndReport(const std::string& path, bool werror, bool* ok);

// CompileAndReport's policy, or nullptr when *ok would be false.
std::shared_ptr<const Policy> CompileReporting(const std::string& path, bool werror);

// The engine a command decides with: the JIT where built, else the interpreter.
struct Engine {
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const JitPolicy> jit;  // null: interpreter
  std::unique_ptr<JitFrame> frame;
  ~Engine();
};

// Parses --engine (default: jit when available) and --no-fallback; compiles
// for it. Returns an exit code (kOk on success) after printing any error.
int PrepareEngine(const std::optional<std::string>& engine_flag, bool no_fallback,
                  std::shared_ptr<const Policy> policy, Engine* out);
void EngineSetSnapshot(Engine& e, const BoundSnapshot& snapshot);
Decision EngineEvaluate(Engine& e, const BoundRequest& r, const BoundSnapshot& s, int64_t now_ms,
                        const EvalOptions& options);

int AuditCommand(int argc, char** argv);
int BenchCommand(int argc, char** argv);
int CheckCommand(int argc, char** argv);
int EvalCommand(int argc, char** argv);
int FmtCommand(int argc, char** argv);
int ReplayCommand(int argc, char** argv);
int TestCommand(int argc, char** argv);

}  // namespace mixtral::cli
