// The native engine: a checked policy compiled with LLVM ORC into decision
// kernels that agree with the reference interpreter on every input.
//
//   std::string error;
//   auto session = mixtral::NewJitSession(&error);          // one per process or engine
//   mixtral::JitCompileResult jr = mixtral::CompileJit(session, policy, {});
//   mixtral::JitFrame frame;                                 // one per thread
//   frame.SetSnapshot(*jr.policy, snapshot);                 // once per snapshot
//   mixtral::Decision d = mixtral::EvaluateJit(*jr.policy, frame, request, now_ms, {});
//
// What is compiled: each route's selectors, rules, objectives and weights, as
// one native loop over the targets, and each route's `when`. The other clauses
// (split, mirrors, cascade, ensemble, annotations, charges, safe defaults,
// assertions) run on the shared pipeline that the interpreter also uses;
// `no_fallback` makes a policy that needs any interpreted expression a compile
// error instead, naming the constructs.
//
// A compiled policy is immutable and may be shared by any number of threads;
// a JitFrame belongs to one thread at a time. Destroying the last reference
// to a JitPolicy frees its machine code.
#pragma once

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

std::shared_ptr<JitSession> NewJitSession(std::string* error);

struct JitCompileOptions {
  bool no_fallback = false;
};

struct JitCompileResult {
  std::shared_ptr<const JitPolicy> policy;  // null on failure
  std::string error;                        // when policy is null
  // Constructs left to the shared pipeline's interpreter, with locations.
  std::vector<std::pair<SourceRange, std::string>> not_lowered;
  double lower_ms = 0;    // IR generation
  double codegen_ms = 0;  // optimisation and machine code
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
