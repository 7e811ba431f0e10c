// The generator's strings, collections and counters: string-valued fields,
// attributes and telemetry, string operators and built-ins, lists, sets and
// maps from requests and literals, indexing, and counter reads. Inputs
// include missing values, empty strings, non-ASCII UTF-8, NaN elements and
// empty collections.
#include "generator.h"

namespace mixtral::difftest {
namespace {

const char* kStrLits[] = {"\"\"",    "\"abc\"",      "\"héllo\"", "\"ÉCOLE\"",
                          "\"k1\"",  "\"10.1.2.3\"", "\"v1.10\"", "\"eu\"",
                          "\"AbC\"", "\"a\"",        "\"ab\"",    "\"zz\""};
constexpr int kStrLitCount = sizeof(kStrLits) / sizeof(kStrLits[0]);
// Request and telemetry string values (JSON).
const char* kStrVals[] = {
    "\"\"",        "\"abc\"", "\"héllo\"", "\"ÉCOLE\"", "\"k1\"", "\"10.1.2.3\"", "\"2001:db8::1\"",
    "\"v1.10.2\"", "\"1.9\"", "\"eu\"",    "\"AbC\"",   "\"a\"",  "\"日本\"",     "\"10.200.0.1\""};
constexpr int kStrValCount = sizeof(kStrVals) / sizeof(kStrVals[0]);

}  // namespace

std::string Generator::StrLiteral() { return kStrLits[Pick(kStrLitCount)]; }
std::string Generator::StrValue() { return kStrVals[Pick(kStrValCount)]; }

std::string Generator::StrExpr(int depth, bool per_target) {
  int choice = Pick(depth <= 0 ? 5 : 10);
  switch (choice) {
    case 0:
      Use("string literal");
      return StrLiteral();
    case 1:
      Use("string request field");
      return Pick(2) ? "request.s1" : "request.s2";
    case 2:
      if (per_target) {
        int k = Pick(3);
        if (k == 0) {
          Use("string attribute");
          return "target.region";
        }
        if (k == 1) {
          Use("string telemetry");
          return "telemetry.zone";
        }
        Use("target.name as string");
        return "target.name";
      }
      Use("policy.name");
      return Pick(2) ? "policy.name" : "policy.version";
    case 3:
      Use("list index");
      return "request.tags[" + NumExpr(0, per_target, true) + "]";
    case 4:
      Use("map index");
      return "labels[" + StrExpr(0, per_target) + "]";
    case 5:
      Use("builtin lower/upper");
      return std::string(Pick(2) ? "lower(" : "upper(") + StrExpr(depth - 1, per_target) + ")";
    case 6:
      Use("string concat");
      return "(" + StrExpr(depth - 1, per_target) + " + " + StrExpr(depth - 1, per_target) + ")";
    case 7:
      Use("string ternary");
      return "(" + BoolExpr(depth - 1, per_target) + " ? " + StrExpr(depth - 1, per_target) +
             " : " + StrExpr(depth - 1, per_target) + ")";
    case 8:
      Use("string let");
      return "home";
    default:
      return StrExpr(0, per_target);
  }
}

std::string Generator::StrBool(int depth, bool per_target) {
  int choice = Pick(11);
  switch (choice) {
    case 0: {
      Use("string compare");
      static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
      std::string op = kOps[Pick(6)];
      if (op != "==" && op != "!=") Use("string order");
      return StrExpr(depth - 1, per_target) + " " + op + " " + StrExpr(depth - 1, per_target);
    }
    case 1: {
      static const char* kFns[] = {"starts_with", "ends_with", "contains"};
      std::string fn = kFns[Pick(3)];
      Use("builtin " + fn);
      return fn + "(" + StrExpr(depth - 1, per_target) + ", " + StrExpr(depth - 1, per_target) +
             ")";
    }
    case 2: {
      Use("builtin matches");
      static const char* kRe[] = {"\"^a\"", "\"b.$\"", "\"[0-9]+\\\\.[0-9]+\"", "\"(?i)école\"",
                                  "\"^$\""};
      return "matches(" + StrExpr(depth - 1, per_target) + ", " + kRe[Pick(5)] + ")";
    }
    case 3: {
      Use("builtin cidr_contains/is_ip");
      if (Pick(2)) return "is_ip(" + StrExpr(depth - 1, per_target) + ")";
      static const char* kNets[] = {"\"10.0.0.0/8\"", "\"2001:db8::/32\"", "\"10.1.0.0/16\""};
      return std::string("cidr_contains(") + kNets[Pick(3)] + ", " +
             StrExpr(depth - 1, per_target) + ")";
    }
    case 4:
      Use("builtin version_at_least");
      return "version_at_least(" + StrExpr(depth - 1, per_target) + ", " +
             StrExpr(depth - 1, per_target) + ")";
    case 5:
      Use("in list field");
      return StrExpr(depth - 1, per_target) + (Pick(2) ? " in" : " not in") + " request.tags";
    case 6:
      if (Pick(2)) {
        // Elements that are not constants: built when the rule runs.
        Use("in computed collection literal");
        const bool set = Pick(2);
        return StrExpr(depth - 1, per_target) + (Pick(2) ? " in " : " not in ") +
               (set ? "{" : "[") + StrExpr(0, per_target) + ", " + StrLiteral() + (set ? "}" : "]");
      }
      Use("in string literal set");
      return StrExpr(depth - 1, per_target) + (Pick(2) ? " in" : " not in") + " {" + StrLiteral() +
             ", " + StrLiteral() + "}";
    case 7:
      if (Chance(30)) {
        Use("computed map literal");
        return StrExpr(depth - 1, per_target) + " in {" + StrExpr(0, per_target) +
               ": request.i1, " + StrLiteral() + ": 2}";
      }
      Use("in map");
      return StrExpr(depth - 1, per_target) + (Pick(2) ? " in" : " not in") +
             (Pick(2) ? " request.weights" : " labels");
    case 8: {
      Use("in number list");
      if (Chance(30)) {
        // int elements of a list<float> convert; request.f2 may be missing.
        Use("in computed collection literal");
        return NumExpr(0, per_target, false) + " in [request.f2, " + NumExpr(0, per_target, true) +
               "]";
      }
      if (Pick(2)) return NumExpr(0, per_target, true) + " in request.nums";
      return NumExpr(0, per_target, false) +
             (Pick(2) ? " in [0.5, 1.5, 30]" : " not in request.fs");
    }
    case 9:
      Use("builtin in_window");
      return std::string("in_window(now, ") +
             (Pick(2) ? "\"22:00\", \"06:00\")" : "\"00:00\", \"12:00\")");
    default:
      Use("len");
      return NumExpr(depth - 1, per_target, true) + " " + (Pick(2) ? "<" : "==") + " " +
             StrNum(depth - 1, per_target);
  }
}

std::string Generator::StrNum(int depth, bool per_target) {
  int choice = Pick(7);
  switch (choice) {
    case 0:
      Use("len");
      return "len(" + StrExpr(depth - 1, per_target) + ")";
    case 1:
      Use("len of collection");
      static const char* kColls[] = {"request.tags", "request.nums", "request.weights", "labels"};
      return std::string("len(") + kColls[Pick(4)] + ")";
    case 2:
      if (Pick(2)) {
        Use("len of enum list literal");
        return "len([request.tier, free, request.tier])";
      }
      if (per_target) {
        Use("len of enum set");
        return "len(target.caps)";
      }
      Use("builtin bucket");
      return "bucket(" + StrExpr(depth - 1, per_target) + ", 64)";
    case 3:
      Use("builtin sample_bucket");
      return "sample_bucket(\"salt\", " + StrExpr(depth - 1, per_target) + ")";
    case 4:
      Use("builtin hour_of_day/day_of_week");
      return Pick(2) ? "hour_of_day(now)" : "day_of_week(now - 1h)";
    case 5:
      Use("list index int");
      return "request.nums[" + NumExpr(0, per_target, true) + "]";
    default:
      Use("builtin bucket");
      return "bucket(" + StrExpr(depth - 1, per_target) + ", request.i1)";
  }
}

std::string Generator::FloatFromCollections(bool per_target) {
  int k = Pick(3);
  if (k == 0) {
    Use("map index float");
    return "request.weights[" + StrExpr(0, per_target) + "]";
  }
  if (k == 1 || !per_target) {
    Use("counter read");
    return "counter.spend";
  }
  Use("counter read per target");
  return "counter.load";
}

std::string Generator::RequestCollections() {
  std::string r;
  r += ",\"s1\":" + StrValue();
  if (Pick(3)) r += ",\"s2\":" + StrValue();
  if (Pick(4)) {
    int n = Pick(4);
    r += ",\"tags\":[";
    for (int i = 0; i < n; ++i) r += (i ? "," : "") + StrValue();
    r += "]";
  }
  if (Pick(4)) {
    static const char* kI[] = {"0", "1", "-1", "7", "9223372036854775807", "42"};
    int n = Pick(4);
    r += ",\"nums\":[";
    for (int i = 0; i < n; ++i) r += std::string(i ? "," : "") + kI[Pick(6)];
    r += "]";
  }
  if (Pick(4)) {
    static const char* kF[] = {"0.5", "\"NaN\"", "30", "-0.0", "1e308"};
    int n = Pick(3);
    r += ",\"fs\":[";
    for (int i = 0; i < n; ++i) r += std::string(i ? "," : "") + kF[Pick(5)];
    r += "]";
  }
  if (Pick(4)) {
    static const char* kF[] = {"0.5", "\"NaN\"", "30", "-2.5"};
    int n = Pick(4);
    r += ",\"weights\":{";
    for (int i = 0; i < n; ++i)
      r += std::string(i ? "," : "") + kStrVals[i * 3 % kStrValCount] + ":" + kF[Pick(4)];
    r += "}";
  }
  return r;
}

std::string Generator::SnapshotCounters() {
  std::string s = ",\"counters\":{\"spend\":{";
  static const char* kKeys[] = {"\"abc\"", "\"\"", "\"héllo\"", "\"k1\""};
  static const char* kV[] = {"0", "3.5", "12", "-1", "1e308"};
  int n = Pick(4);
  for (int i = 0; i < n; ++i) s += std::string(i ? "," : "") + kKeys[i] + ":" + kV[Pick(5)];
  s += "},\"load\":{";
  static const char* kNames[] = {"\"t0\"", "\"t1\"", "\"inv0\"", "\"t3\""};
  n = Pick(4);
  for (int i = 0; i < n; ++i) s += std::string(i ? "," : "") + kNames[i] + ":" + kV[Pick(5)];
  s += "}}";
  return s;
}

}  // namespace mixtral::difftest
