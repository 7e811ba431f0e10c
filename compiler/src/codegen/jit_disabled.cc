// The JIT API in a build without LLVM (MIXTRAL_ENABLE_JIT=OFF): every entry
// point reports that the engine is absent; nothing pretends to compile.
#include "mixtral/compiler/jit.h"

namespace mixtral {

class JitSession {};
class JitPolicy {
 public:
  std::shared_ptr<const Policy> policy;
};
struct JitFrame::Impl {};

bool JitAvailable() { return false; }

std::shared_ptr<JitSession> NewJitSession(const JitSessionOptions&, std::string* error) {
  *error = "this build has no JIT (configured with MIXTRAL_ENABLE_JIT=OFF)";
  return nullptr;
}

std::shared_ptr<JitSession> NewJitSession(std::string* error) {
  return NewJitSession(JitSessionOptions{}, error);
}

JitCacheStats GetJitCacheStats(const JitSession&) { return {}; }

JitCompileResult CompileJit(const std::shared_ptr<JitSession>&, std::shared_ptr<const Policy>,
                            const JitCompileOptions&) {
  JitCompileResult r;
  r.error = "this build has no JIT (configured with MIXTRAL_ENABLE_JIT=OFF)";
  return r;
}

JitFrame::JitFrame() : impl(std::make_unique<Impl>()) {}
JitFrame::~JitFrame() = default;
void JitFrame::SetSnapshot(const JitPolicy&, const BoundSnapshot&) {}

Decision EvaluateJit(const JitPolicy&, JitFrame&, const BoundRequest&, int64_t,
                     const EvalOptions&) {
  Decision d;
  d.reject = Reject{500, "no JIT in this build"};
  return d;
}

const Policy& JitSource(const JitPolicy& policy) { return *policy.policy; }

struct JitRequest::Impl {};
JitRequest::JitRequest() : impl(std::make_unique<Impl>()) {}
JitRequest::~JitRequest() = default;
JitRequest::JitRequest(JitRequest&&) noexcept = default;
JitRequest& JitRequest::operator=(JitRequest&&) noexcept = default;
void JitRequest::Bind(const JitPolicy&, const BoundRequest&) {}
bool JitCompactEligible(const JitPolicy&) { return false; }
void EvaluateJitCompact(const JitPolicy&, JitFrame&, const JitRequest&, int64_t, bool,
                        CompactDecision* out) {
  *out = CompactDecision{};
}

}  // namespace mixtral
