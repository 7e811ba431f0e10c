// The native engine: a checked policy compiled with LLVM ORC into decision
// kernels that agree with the reference interpreter on every input.
//
//   std::string error;
//   auto session = mixtral::NewJitSession({}, &error);      // one per process or engine
//   mixtral::JitCompileResult jr = mixtral::CompileJit(session, policy, {});
//   mixtral::JitFrame frame;                                 // one per thread
//   frame.SetSnapshot(*jr.policy, snapshot);                 // once per snapshot
//   mixtral::Decision d = mixtral::EvaluateJit(*jr.policy, frame, request, now_ms, {});
//
// What is compiled: each route's selectors, rules, objectives and weights, as
// one native loop over the targets; each route's `when`; the route's binding
// rules as a function of one target, which the shared pipeline calls for the
// targets it names (named fallbacks, `degrade`, safe defaults, mirrors...);
// safe defaults' `when`; each assertion as a function of one target; and
// annotations of type bool, int, float or enum, with and without a target.
// Strings are compiled where a string request field or `target.name` is
// compared (==, !=, in, not in) with literals: the engine interns them to
// the literals' ids when it lays out a request or snapshot.
// A `split` or `mirror` keyed by a string request field compiles to a call
// of the shared hash helper, which the interpreter also uses. The other
// clauses (other splits and mirrors, spread, affinity, cascade, ensemble,
// string annotations, charges) run on the shared pipeline that the
// interpreter also uses; `no_fallback` makes a policy that needs any
// interpreted expression a compile error instead, naming the constructs.
//
// Compiled code is cached per session: compiling a policy whose compiled
// parts are identical to one compiled before (the same source again, or one
// that differs only in comments, layout or interpreted clauses) links the
// cached object instead of running LLVM. The key is a SHA-256 over the
// lowered module, the LLVM version, target triple, CPU and features, the
// optimisation pipeline and the kernels' helper ABI, so a cached object is
// only ever used for code it was compiled from.
//
// A session may compile from any number of threads at once. A compiled
// policy is immutable and may be shared by any number of threads; a JitFrame
// belongs to one thread at a time. Destroying the last reference
// to a JitPolicy frees its machine code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral {

class JitSession;
class JitPolicy;

// False when this build has no JIT (MIXTRAL_ENABLE_JIT=OFF).
bool JitAvailable();

struct JitSessionOptions {
  // Compiled objects kept in memory; the least recently used goes first.
  // 0 keeps none.
  size_t cache_entries = 64;
  // When set, compiled objects are also written to this directory (through a
  // temporary file and a rename) and read back by later sessions and
  // processes. A file whose header or checksum does not match is ignored and
  // recompiled. Loading an object runs its code: use a directory that only
  // this user can write (one that the session creates is mode 0700).
  std::string cache_dir;
};

std::shared_ptr<JitSession> NewJitSession(const JitSessionOptions& options, std::string* error);
std::shared_ptr<JitSession> NewJitSession(std::string* error);  // default options

// Counters of a session's object cache, for tests and diagnostics.
struct JitCacheStats {
  uint64_t memory_hits = 0;
  uint64_t disk_hits = 0;
  uint64_t misses = 0;         // compiled by LLVM
  uint64_t evictions = 0;      // dropped from memory by the entry bound
  uint64_t disk_writes = 0;    // objects written through to the directory
  uint64_t disk_rejected = 0;  // files ignored: bad header, key, size or checksum
  size_t entries = 0;          // objects in memory now
};
JitCacheStats GetJitCacheStats(const JitSession& session);

// Where a compile's machine code came from.
enum class JitCacheSource : uint8_t { kCompiled, kMemory, kDisk };

struct JitCompileOptions {
  bool no_fallback = false;
};

struct JitCompileResult {
  std::shared_ptr<const JitPolicy> policy;  // null on failure
  std::string error;                        // when policy is null
  // Constructs left to the shared pipeline's interpreter, with locations.
  std::vector<std::pair<SourceRange, std::string>> not_lowered;
  JitCacheSource cache = JitCacheSource::kCompiled;
  std::string cache_key;  // hex; equal keys share machine code
  // Stage times. Optimisation and codegen are 0 on a cache hit.
  double lower_ms = 0;     // IR generation and the cache key
  double optimize_ms = 0;  // LLVM's optimisation pipeline
  double codegen_ms = 0;   // machine code
  double link_ms = 0;      // loading the object and resolving the kernels
};

JitCompileResult CompileJit(const std::shared_ptr<JitSession>& session,
                            std::shared_ptr<const Policy> policy, const JitCompileOptions& options);

// Reusable per-thread buffers: the flat input slots and the kernel outputs.
class JitFrame {
 public:
  JitFrame();
  ~JitFrame();
  JitFrame(const JitFrame&) = delete;
  JitFrame& operator=(const JitFrame&) = delete;
  // Lays out the snapshot's targets; keep the snapshot alive while deciding.
  void SetSnapshot(const JitPolicy& policy, const BoundSnapshot& snapshot);

  struct Impl;
  std::unique_ptr<Impl> impl;
};

Decision EvaluateJit(const JitPolicy& policy, JitFrame& frame, const BoundRequest& request,
                     int64_t now_ms, const EvalOptions& options = {});

// A request laid out for the kernels once, so that deciding it reads no Values.
// Requests come from BindRequestJson, which guarantees every required field;
// EvaluateJitCompact rejects one without (status 400) instead of deciding it.
class JitRequest {
 public:
  JitRequest();
  ~JitRequest();
  JitRequest(JitRequest&&) noexcept;
  JitRequest& operator=(JitRequest&&) noexcept;
  void Bind(const JitPolicy& policy, const BoundRequest& request);

  struct Impl;
  std::unique_ptr<Impl> impl;
};

// The hot path: a decision as indices, with no allocation once the frame has
// decided one request. Target indices are snapshot order (static targets,
// then inventory). With `explain`, `failed` and `scores` point at per-target
// rule bitmasks and scores in the frame, valid until its next decision.
struct CompactDecision {
  uint32_t route = 0;
  Outcome outcome = Outcome::kRejected;
  int32_t target = -1;
  uint32_t fallbacks[8] = {};
  uint32_t fallback_count = 0;
  int32_t reject_status = 0;
  const std::string* reject_reason = nullptr;  // owned by the policy
  const uint64_t* failed = nullptr;
  const double* scores = nullptr;
};

// True when every clause of every route compiles (rules, selectors,
// objectives, `fallback N` up to 8, `otherwise reject`, routes' `when`):
// then EvaluateJitCompact decides exactly as EvaluateJit does.
bool JitCompactEligible(const JitPolicy& policy);
void EvaluateJitCompact(const JitPolicy& policy, JitFrame& frame, const JitRequest& request,
                        int64_t now_ms, bool explain, CompactDecision* out);

const Policy& JitSource(const JitPolicy& policy);

}  // namespace mixtral
