// Contract §4 (missing, Kleene logic, NaN) and §5 (numbers) as a table: each
// row is a rule condition and its verdict, checked on both engines. The
// expected verdicts are worked out from the contract, not from a run.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/inputs.h"

namespace {

enum class Verdict { kTrue, kFalse, kMissing };

struct Case {
  const char* expr;  // over request.{i, big, small, zero, f, nan, inf, nz, b, absent_i, absent_f}
  Verdict want;
};

// i = 7, big = INT64_MAX, small = INT64_MIN, zero = 0, f = 2.5, nan = NaN,
// inf = +Infinity, nz = -0.0, b = true; absent_i, absent_f and absent_s are
// missing; s = "abc", s2 = "abd", e = "", u = "héllo", tags = ["a", "b"],
// none = [], m = {"a": 1.5, "n": NaN}. The target is `t`.
constexpr const char* kPolicy = R"(policy sem version "1"
request {
  i: int
  big: int
  small: int
  zero: int
  f: float
  nan: float
  inf: float
  nz: float
  b: bool
  absent_i: int?
  absent_f: float?
  s: string
  s2: string
  e: string
  u: string
  absent_s: string?
  tags: list<string>
  none: list<string>
  m: map<string, float>
}
target t { }
route r {
  require under_test: %s
}
)";

constexpr const char* kRequest =
    R"({"i": 7, "big": 9223372036854775807, "small": -9223372036854775808, "zero": 0, "f": 2.5,
        "nan": "NaN", "inf": "Infinity", "nz": -0.0, "b": true, "s": "abc", "s2": "abd", "e": "",
        "u": "h\u00e9llo", "tags": ["a", "b"], "none": [], "m": {"a": 1.5, "n": "NaN"}})";

constexpr const char* kSnapshot = R"({"taken_at": 0, "targets": []})";

const Case kCases[] = {
    // Kleene logic: a decisive operand decides, in either order.
    {"request.absent_i > 0 or true", Verdict::kTrue},
    {"true or request.absent_i > 0", Verdict::kTrue},
    {"request.absent_i > 0 and false", Verdict::kFalse},
    {"false and request.absent_i > 0", Verdict::kFalse},
    {"request.absent_i > 0 or false", Verdict::kMissing},
    {"request.absent_i > 0 and true", Verdict::kMissing},
    {"not (request.absent_i > 0)", Verdict::kMissing},
    {"(request.absent_i > 0 ? true : true)", Verdict::kMissing},
    {"has(request.absent_i)", Verdict::kFalse},
    {"has(request.i)", Verdict::kTrue},
    // Saturating int arithmetic.
    {"request.big + 1 == request.big", Verdict::kTrue},
    {"request.small - 1 == request.small", Verdict::kTrue},
    {"request.big * 2 == request.big", Verdict::kTrue},
    {"request.big * -2 == request.small", Verdict::kTrue},
    {"-request.small == request.big", Verdict::kTrue},
    {"abs(request.small) == request.big", Verdict::kTrue},
    {"request.small / -1 == request.big", Verdict::kTrue},
    {"request.small % -1 == 0", Verdict::kTrue},
    {"-7 / 2 == -3", Verdict::kTrue},
    {"-7 % 2 == -1", Verdict::kTrue},
    // Integer division by zero is missing: fail closed.
    {"request.i / request.zero == 0", Verdict::kMissing},
    {"request.i % request.zero == 0", Verdict::kMissing},
    {"request.i / request.zero == 0 or true", Verdict::kTrue},
    // Floats: IEEE, NaN comparisons are missing, division by zero is IEEE.
    {"request.nan == request.nan", Verdict::kMissing},
    {"request.nan != 1.0", Verdict::kMissing},
    {"request.nan < 1.0", Verdict::kMissing},
    {"request.f / 0.5 == 5.0", Verdict::kTrue},
    {"request.f / request.zero == request.inf", Verdict::kTrue},
    {"request.nz == 0.0", Verdict::kTrue},
    {"0.1 + 0.2 == 0.3", Verdict::kFalse},
    {"0.1 + 0.2 > 0.3", Verdict::kTrue},
    // int op float converts the int first (nearest, ties to even).
    {"request.i + 0.5 == 7.5", Verdict::kTrue},
    {"request.big + 0.0 == 9223372036854775808.0", Verdict::kTrue},
    {"request.i == 7.0", Verdict::kTrue},
    // float -> int truncates toward zero and saturates; NaN is missing.
    {"int(-2.9) == -2", Verdict::kTrue},
    {"int(request.inf) == request.big", Verdict::kTrue},
    {"int(request.nan) == 0", Verdict::kMissing},
    // min/max/clamp: IEEE 754-2019, NaN propagates.
    {"min(request.nan, 1.0) < 2.0", Verdict::kMissing},
    {"max(1, 2) == 2", Verdict::kTrue},
    {"clamp(request.i, 0, 5) == 5", Verdict::kTrue},
    {"clamp(request.f, 3.0, 4.0) == 3.0", Verdict::kTrue},
    // Ternaries pick one branch; a missing condition is missing.
    {"(request.b ? 1 : request.absent_i) == 1", Verdict::kTrue},
    {"(request.absent_i > 0 ? 1 : 2) == 1", Verdict::kMissing},
    // Strings compare by bytes; a missing string makes the comparison missing.
    {"request.s < request.s2", Verdict::kTrue},
    {"request.s == request.s2", Verdict::kFalse},
    {"request.e < request.s", Verdict::kTrue},
    {"request.absent_s == request.s", Verdict::kMissing},
    {"request.absent_s != request.s or true", Verdict::kTrue},
    {"request.s + request.e == request.s", Verdict::kTrue},
    {"target.name + \"x\" == \"tx\"", Verdict::kTrue},
    {"target.name < request.s", Verdict::kFalse},
    {"policy.name == \"sem\"", Verdict::kTrue},
    // String built-ins: code points, ASCII-only case mapping, RE2 over UTF-8.
    {"len(request.u) == 5", Verdict::kTrue},
    {"upper(request.u) == \"H\u00e9LLO\"", Verdict::kTrue},
    {"starts_with(request.s, request.e)", Verdict::kTrue},
    {"contains(request.u, \"\u00e9\")", Verdict::kTrue},
    {"matches(request.u, \"^h.llo$\")", Verdict::kTrue},
    {"cidr_contains(\"10.0.0.0/8\", request.s)", Verdict::kMissing},
    {"len(request.absent_s) == 0", Verdict::kMissing},
    // Lists and maps: membership, indexing, empty collections, NaN.
    {"request.s in request.tags", Verdict::kFalse},
    {"\"a\" in request.tags", Verdict::kTrue},
    {"len(request.none) == 0", Verdict::kTrue},
    {"request.s not in request.none", Verdict::kTrue},
    {"request.tags[1] == \"b\"", Verdict::kTrue},
    {"request.tags[2] == \"b\"", Verdict::kMissing},
    {"request.m[\"a\"] > 1.0", Verdict::kTrue},
    {"request.m[\"n\"] == request.m[\"n\"]", Verdict::kMissing},
    {"\"zz\" in request.m", Verdict::kFalse},
    {"request.f in [2.5, 3.0]", Verdict::kTrue},
    {"request.nan in [2.5, 3.0]", Verdict::kMissing},
    {"request.i in [1, 7]", Verdict::kTrue},
    // Collection literals of inputs: a list keeps duplicates, a set does not,
    // and int elements of a list<float> convert.
    {"request.s in [request.s2, \"abc\"]", Verdict::kTrue},
    {"len([request.s, request.s]) == 2", Verdict::kTrue},
    {"len({request.s, request.s}) == 1", Verdict::kTrue},
    {"request.f * 2.0 in [request.absent_f, 5]", Verdict::kTrue},
    {"request.s in {request.s2: 1, request.e: 2}", Verdict::kFalse},
    {"request.e in {request.s2: 1, request.e: 2}", Verdict::kTrue},
};

Verdict Judge(const mixtral::Decision& d) {
  if (d.outcome != mixtral::Outcome::kRejected) return Verdict::kTrue;
  // The rule failed: missing when the explanation names a fault.
  return d.explain && !d.explain->faults.empty() ? Verdict::kMissing : Verdict::kFalse;
}

const char* Name(Verdict v) {
  return v == Verdict::kTrue ? "true" : v == Verdict::kFalse ? "false" : "missing";
}

}  // namespace

TEST_CASE("expression semantics agree with the contract on both engines") {
  std::string error;
  auto session = mixtral::JitAvailable() ? mixtral::NewJitSession(&error) : nullptr;
  for (const Case& c : kCases) {
    CAPTURE(c.expr);
    char source[2048];
    std::snprintf(source, sizeof source, kPolicy, c.expr);
    mixtral::CompileResult cr = mixtral::CompileSource("sem.mxl", source);
    REQUIRE_MESSAGE(cr.policy, "the case does not compile");
    mixtral::BoundRequest request;
    mixtral::BoundSnapshot snapshot;
    REQUIRE_FALSE(mixtral::BindRequestJson(*cr.policy, kRequest, {}, &request));
    REQUIRE_FALSE(mixtral::BindSnapshotJson(*cr.policy, kSnapshot, std::nullopt, &snapshot));
    mixtral::EvalOptions o;
    Verdict interp = Judge(mixtral::Evaluate(*cr.policy, request, snapshot, 0, o));
    CHECK_MESSAGE(interp == c.want, "interpreter: ", Name(interp), ", want ", Name(c.want));
    if (!session) continue;
    mixtral::JitCompileOptions jo;
    jo.no_fallback = true;
    mixtral::JitCompileResult jr = mixtral::CompileJit(session, cr.policy, jo);
    REQUIRE_MESSAGE(jr.policy, jr.error);
    mixtral::JitFrame frame;
    frame.SetSnapshot(*jr.policy, snapshot);
    Verdict jit = Judge(mixtral::EvaluateJit(*jr.policy, frame, request, 0, o));
    CHECK_MESSAGE(jit == c.want, "JIT: ", Name(jit), ", want ", Name(c.want));
  }
}
