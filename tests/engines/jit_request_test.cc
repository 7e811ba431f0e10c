// The JIT's kernels take the required request fields they read to be
// present, as the binder guarantees (contract §8). A hand-made BoundRequest
// without one must still be decided correctly by EvaluateJit (through the
// interpreter) and be rejected, not mis-decided, by EvaluateJitCompact. A
// required field that no kernel reads may be absent (the engine library
// leaves unread strings unboxed): that changes nothing.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/inputs.h"

namespace {

// `budget` is required and `bonus` optional; both feed a rule and a `when`.
// `tenant` is required and never read.
constexpr const char* kPolicy = R"(policy req version "1"
request {
  budget: int
  bonus: int?
  tenant: string
}
target t { }
route big when request.budget < 10 {
  require generous: request.budget + 1 > 5
}
route small default {
  require present: not has(request.bonus)
}
)";

constexpr const char* kSnapshot = R"({"taken_at": 0, "targets": []})";

struct Case {
  const char* what;
  const char* request;  // JSON
  int drop;             // a field to unbind afterwards, or -1
  bool compact_decides;
};

const Case kCases[] = {
    {"every field", R"({"budget": 20, "bonus": 1, "tenant": "a"})", -1, true},
    {"the optional field absent", R"({"budget": 3, "tenant": "a"})", -1, true},
    {"a read required field that no binder would leave out", R"({"budget": 3, "tenant": "a"})", 0,
     false},
    {"an unread required field left unbound", R"({"budget": 20, "tenant": "a"})", 2, true},
};

}  // namespace

TEST_CASE("the JIT decides requests without a required field as the interpreter does") {
  if (!mixtral::JitAvailable()) return;
  mixtral::CompileResult cr = mixtral::CompileSource("req.mxl", kPolicy);
  REQUIRE(cr.policy);
  std::string error;
  auto session = mixtral::NewJitSession({}, &error);
  REQUIRE_MESSAGE(session, error);
  mixtral::JitCompileOptions jo;
  jo.no_fallback = true;
  mixtral::JitCompileResult jr = mixtral::CompileJit(session, cr.policy, jo);
  REQUIRE_MESSAGE(jr.policy, jr.error);
  REQUIRE(mixtral::JitCompactEligible(*jr.policy));
  mixtral::BoundSnapshot snapshot;
  REQUIRE_FALSE(mixtral::BindSnapshotJson(*cr.policy, kSnapshot, std::nullopt, &snapshot));
  mixtral::JitFrame frame;
  frame.SetSnapshot(*jr.policy, snapshot);
  for (const Case& c : kCases) {
    CAPTURE(c.what);
    mixtral::BoundRequest request;
    REQUIRE_FALSE(mixtral::BindRequestJson(*cr.policy, c.request, {}, &request));
    if (c.drop >= 0) request.fields[c.drop] = mixtral::Value();
    for (bool explain : {false, true}) {
      mixtral::EvalOptions o;
      o.explain = explain;
      const std::string want =
          mixtral::DecisionToJson(mixtral::Evaluate(*cr.policy, request, snapshot, 0, o));
      CHECK(mixtral::DecisionToJson(mixtral::EvaluateJit(*jr.policy, frame, request, 0, o)) ==
            want);
    }
    mixtral::JitRequest bound;
    bound.Bind(*jr.policy, request);
    mixtral::CompactDecision d;
    mixtral::EvaluateJitCompact(*jr.policy, frame, bound, 0, false, &d);
    if (c.compact_decides) {
      mixtral::Decision full = mixtral::EvaluateJit(*jr.policy, frame, request, 0, {});
      CHECK(d.outcome == full.outcome);
      CHECK(d.reject_status == (full.reject ? full.reject->status : 0));
      CHECK(cr.policy->routes[d.route] == full.route);
    } else {
      CHECK(d.outcome == mixtral::Outcome::kRejected);
      CHECK(d.reject_status == 400);
    }
  }
}
