#include "generator.h"

#include <limits>
#include <sstream>

namespace mixtral::difftest {
namespace {

const char* kKinds[] = {"edge", "k8s", "gpu", "fn"};
const char* kCaps[] = {"small", "large", "vision", "embed"};
const char* kTiers[] = {"free", "pro", "premium"};
const char* kCmp[] = {"==", "!=", "<", "<=", ">", ">="};

}  // namespace

std::string Generator::IntLiteral() {
  static const char* kInts[] = {
      "0", "1", "-1", "2", "7", "64", "100", "9223372036854775807", "-9223372036854775808",
      "3", "30"};
  return kInts[Pick(11)];
}

std::string Generator::FloatLiteral() {
  static const char* kFloats[] = {"0.0",   "-0.0",   "0.5", "1.5", "30.0",
                                  "1e308", "-1e308", "0.1", "2.5", "100.0"};
  return kFloats[Pick(10)];
}

std::string Generator::NumExpr(int depth, bool per_target, bool want_int) {
  if (depth > 0 && Chance(8))
    return want_int ? StrNum(depth, per_target) : FloatFromCollections(per_target);
  int choice = Pick(depth <= 0 ? 3 : 9);
  if (choice == 0) return want_int ? IntLiteral() : FloatLiteral();
  if (choice == 1 || choice == 2) {
    if (want_int) {
      const char* req[] = {"request.i1", "request.i2"};
      const char* tgt[] = {"telemetry.q", "target.weight"};
      if (per_target && Pick(2)) {
        Use("telemetry/attribute int");
        return tgt[Pick(2)];
      }
      return req[Pick(2)];
    }
    const char* req[] = {"request.f1", "request.f2"};
    const char* tgt[] = {"telemetry.p95", "telemetry.util", "target.cost", "telemetry.age"};
    if (per_target && Pick(2)) {
      std::string t = tgt[Pick(4)];
      if (t == "telemetry.age") Use("telemetry.age");
      return t;
    }
    return req[Pick(2)];
  }
  if (choice == 3) {
    static const char* kOps[] = {"+", "-", "*", "/", "%"};
    std::string op = kOps[Pick(want_int ? 5 : 4)];
    Use(std::string("arith ") + op);
    std::string lhs = NumExpr(depth - 1, per_target, want_int);
    std::string rhs = NumExpr(depth - 1, per_target, want_int);
    // A literal zero divisor is a compile error (E0305): divide by an input instead.
    if ((op == "/" || op == "%") && (rhs == "0" || rhs == "0.0" || rhs == "-0.0"))
      rhs = want_int ? "request.i1" : "request.f1";
    return "(" + lhs + " " + op + " " + rhs + ")";
  }
  if (choice == 4) {
    Use("ternary");
    return "(" + BoolExpr(depth - 1, per_target) + " ? " +
           NumExpr(depth - 1, per_target, want_int) + " : " +
           NumExpr(depth - 1, per_target, want_int) + ")";
  }
  if (choice == 5) {
    const char* fns[] = {"min", "max"};
    std::string fn = fns[Pick(2)];
    Use("builtin " + fn);
    return fn + "(" + NumExpr(depth - 1, per_target, want_int) + ", " +
           NumExpr(depth - 1, per_target, want_int) + ")";
  }
  if (choice == 6) {
    Use("builtin clamp");
    return "clamp(" + NumExpr(depth - 1, per_target, want_int) + ", " +
           NumExpr(depth - 1, per_target, want_int) + ", " +
           NumExpr(depth - 1, per_target, want_int) + ")";
  }
  if (choice == 7) {
    Use("builtin abs");
    return "abs(" + NumExpr(depth - 1, per_target, want_int) + ")";
  }
  if (want_int) {
    Use("builtin int");
    return "int(" + NumExpr(depth - 1, per_target, false) + ")";
  }
  Use("unary minus");
  return "-" + NumExpr(depth - 1, per_target, false);
}

std::string Generator::BoolExpr(int depth, bool per_target) {
  if (depth > 0 && Chance(15)) return StrBool(depth, per_target);
  int choice = Pick(depth <= 0 ? 4 : 9);
  switch (choice) {
    case 0: {
      bool as_int = Pick(2);
      Use(as_int ? "compare int" : "compare float");
      // Mixing an int and a float side exercises the int-to-double rule.
      return NumExpr(depth - 1, per_target, as_int) + " " + kCmp[Pick(6)] + " " +
             NumExpr(depth - 1, per_target, Pick(2));
    }
    case 1:
      if (per_target) {
        int k = Pick(8);
        if (k == 7) {
          Use("string compare");
          static const char* kNames[] = {"t0", "t1", "inv0", "inv1", "t9"};
          int form = Pick(3);
          if (form == 0) return std::string("target.name == \"") + kNames[Pick(5)] + "\"";
          if (form == 1) return std::string("\"") + kNames[Pick(5)] + "\" != target.name";
          return std::string("target.name ") + (Pick(2) ? "in" : "not in") + " {\"" +
                 kNames[Pick(5)] + "\", \"" + kNames[Pick(5)] + "\"}";
        }
        if (k == 0) return "telemetry.healthy";
        if (k == 1) {
          Use("telemetry.stale");
          return "not telemetry.stale";
        }
        if (k == 2) {
          Use("in set");
          return "request.family in target.caps";
        }
        if (k == 3) {
          Use("enum compare");
          return std::string("target.kind ") + (Pick(2) ? "==" : "!=") + " " + kKinds[Pick(4)];
        }
        if (k == 4) {
          Use("set literal");
          return std::string("target.kind in {") + kKinds[Pick(4)] + ", " + kKinds[Pick(4)] + "}";
        }
        if (k == 5) {
          Use("has");
          return Pick(2) ? "has(telemetry.p95)" : "has(telemetry.util)";
        }
        if (has_split_) {
          Use("variant");
          return Pick(2) ? "variant == canary" : "variant != stable";
        }
        Use("telemetry.ejected");
        return "not telemetry.ejected";
      } else {
        int k = Pick(5);
        if (k == 4) {
          // key is k0..k19 or absent; id is r<input index>.
          Use("string compare");
          int form = Pick(4);
          std::string lit = "\"k" + std::to_string(Pick(20)) + "\"";
          if (form == 0) return "request.key == " + lit;
          if (form == 1) return lit + " != request.key";
          if (form == 2)
            return std::string("request.key ") + (Pick(2) ? "in" : "not in") + " [" + lit +
                   ", \"k" + std::to_string(Pick(20)) + "\"]";
          return "request.id == \"r" + std::to_string(Pick(10)) + "\"";
        }
        if (k == 0) return "request.b1";
        if (k == 1) {
          Use("enum compare");
          return std::string("request.tier == ") + kTiers[Pick(3)];
        }
        if (k == 2) {
          Use("snapshot.stale");
          return "snapshot.stale";
        }
        Use("has");
        return "has(request.f2)";
      }
    case 2:
      Use("bool literal");
      return Pick(2) ? "true" : "false";
    case 3:
      Use("request enum");
      return std::string("request.family == ") + kCaps[Pick(4)];
    case 4:
      Use("and");
      return "(" + BoolExpr(depth - 1, per_target) + " and " + BoolExpr(depth - 1, per_target) +
             ")";
    case 5:
      Use("or");
      return "(" + BoolExpr(depth - 1, per_target) + " or " + BoolExpr(depth - 1, per_target) + ")";
    case 6:
      Use("not");
      return "not " + BoolExpr(depth - 1, per_target);
    case 7:
      Use("ternary");
      return "(" + BoolExpr(depth - 1, per_target) + " ? " + BoolExpr(depth - 1, per_target) +
             " : " + BoolExpr(depth - 1, per_target) + ")";
    default:
      Use("compare float");
      return NumExpr(depth - 1, per_target, false) + " " + kCmp[Pick(6)] + " " + FloatLiteral();
  }
}

std::string Generator::KeyExpr() {
  int k = Pick(10);
  if (k < 5) return "request.id";
  if (k < 8) return "request.key";  // optional: missing keys too
  // A computed key; a missing condition makes a missing key.
  Use("computed key");
  return "(" + BoolExpr(1, false) + " ? request.key : request.id)";
}

std::string Generator::Request(int index) {
  std::ostringstream r;
  static const char* kI[] = {
      "0", "1", "-1", "7", "100", "9223372036854775807", "-9223372036854775808", "42", "-5"};
  static const char* kF[] = {"0.0",          "-0.0",          "1.5", "1e308",  "-1e308", "\"NaN\"",
                             "\"Infinity\"", "\"-Infinity\"", "0.1", "29.999", "30"};
  r << "{\"id\":\"r" << index << "\",\"tier\":\"" << kTiers[Pick(3)] << "\",\"family\":\""
    << kCaps[Pick(4)] << "\",\"i1\":" << kI[Pick(9)] << ",\"f1\":" << kF[Pick(11)]
    << ",\"b1\":" << (Pick(2) ? "true" : "false");
  if (Pick(3)) r << ",\"i2\":" << kI[Pick(9)];
  int f2 = Pick(4);
  if (f2 == 1) r << ",\"f2\":null";
  if (f2 >= 2) r << ",\"f2\":" << kF[Pick(11)];
  if (Pick(2)) r << ",\"key\":\"k" << Pick(20) << "\"";
  r << RequestCollections() << "}";
  return r.str();
}

std::string Generator::TelemetryEntry(const std::string& name) {
  std::ostringstream e;
  e << "{\"name\":\"" << name << "\"";
  static const char* kF[] = {"0.0", "-0.0", "12.5", "300.0", "\"NaN\"", "0.95", "1e308", "64.0"};
  auto field = [&](const char* key, const std::string& value) {
    int r = Pick(100);
    if (r < 12) return;  // missing
    if (r < 15)
      e << ",\"" << key << "\":\"oops\"";  // wrong type: becomes missing
    else
      e << ",\"" << key << "\":" << value;
  };
  field("healthy", Pick(5) ? "true" : "false");
  field("p95", kF[Pick(8)]);
  field("q", std::to_string(Pick(130) - 2));
  field("util", kF[Pick(8)]);
  static const char* kAge[] = {"0", "5", "29.999", "30", "30.001", "-3"};
  field("age_s", kAge[Pick(6)]);
  field("zone", StrValue());
  if (Chance(5)) e << ",\"ejected_until\":" << (1767225600000LL + Pick(60000));
  e << "}";
  return e.str();
}

std::string Generator::Snapshot(int64_t* now) {
  const int64_t taken = 1767225600000LL;  // 2026-01-01T00:00:00Z
  static const int64_t kDelta[] = {0, 10000, 29999, 30000, 60000, -5000};
  *now = taken + kDelta[Pick(6)];
  std::ostringstream s;
  s << "{";
  if (!Chance(5)) s << "\"taken_at\":" << taken << ",";
  s << "\"inventory\":[";
  for (int i = 0; i < inventory_targets_; ++i) {
    s << (i ? "," : "") << "{\"name\":\"inv" << i << "\",\"kind\":\"" << kKinds[Pick(4)]
      << "\",\"caps\":[\"" << kCaps[Pick(4)] << "\",\"" << kCaps[Pick(4)]
      << "\"],\"cost\":" << (Pick(100) / 10.0) << ",\"weight\":" << Pick(10)
      << ",\"region\":" << StrValue() << "}";
  }
  s << "],\"targets\":[";
  bool first = true;
  auto entry = [&](const std::string& name) {
    if (Chance(8)) return;  // no entry at all
    s << (first ? "" : ",") << TelemetryEntry(name);
    first = false;
  };
  for (int i = 0; i < static_targets_; ++i) entry("t" + std::to_string(i));
  for (int i = 0; i < inventory_targets_; ++i) entry("inv" + std::to_string(i));
  s << "]" << SnapshotCounters() << "}";
  return s.str();
}

GeneratedCase Generator::Next(const GeneratorOptions& options) {
  used_.clear();
  jit_only_ = options.jit_only;
  // A quarter of the policies keep to the clauses that the JIT's compact path
  // decides, so that it is compared on every one of them.
  plain_ = Chance(25);
  GeneratedCase c;
  std::ostringstream p;
  p << "policy gen version \"1\"\n"
    << "type Kind = enum { edge, k8s, gpu, fn }\n"
    << "type Cap = enum { small, large, vision, embed }\n"
    << "type Tier = enum { free, pro, premium }\n"
    << "request {\n  id: string id\n  tier: Tier\n  family: Cap\n  i1: int\n  i2: int = 7\n  f1: "
       "float\n"
    << "  f2: float?\n  b1: bool\n  key: string?\n  s1: string\n  s2: string?\n"
    << "  tags: list<string>?\n  nums: list<int>?\n  fs: list<float>?\n"
    << "  weights: map<string, float>?\n}\n"
    << "target attributes { kind: Kind, caps: set<Cap>, cost: float, weight: int, region: string "
       "}\n"
    << "telemetry per target { healthy: bool, p95: float, q: int, util: float, age_s: float, "
       "zone: string } stale after 30s\n"
    << "response { confidence: float }\n"
    << "let home = \"eu\"\n"
    << "let labels = {\"abc\": \"x\", \"eu\": \"EU\", \"\": \"empty\", \"héllo\": \"h\"}\n"
    << "counter spend by request.s1 window 1h\n"
    << "counter load by target.name window 1s\n"
    // Charged only, keyed by a field that may be missing.
    << "counter quota by request.key window 1h\n";
  if (Chance(30)) {
    Use("breaker");
    p << "breaker hot: telemetry.util > 0.9 cooldown 30s\n";
  }
  static_targets_ = Pick(5);
  inventory_targets_ = static_targets_ == 0 ? 1 + Pick(5) : Pick(4);
  if (static_targets_) Use("static targets");
  if (inventory_targets_) Use("inventory targets");
  for (int i = 0; i < static_targets_; ++i)
    p << "target t" << i << " { kind: " << kKinds[Pick(4)] << ", caps: {" << kCaps[Pick(4)] << ", "
      << kCaps[Pick(4)] << "}, cost: " << Pick(100) / 10.0 << ", weight: " << Pick(10)
      << ", region: " << StrLiteral() << " }\n";
  int routes = Chance(25) ? 2 : 1;
  if (routes == 2) Use("routes by when");
  for (int r = 0; r < routes; ++r) {
    has_split_ = Extra(15);
    p << "route r" << r;
    if (routes == 2) p << (r == 0 ? " when " + BoolExpr(2, false) : " default");
    p << " {\n";
    if (has_split_) {
      Use("split");
      // request.key is optional: without it there is no arm.
      p << "  split exp by " << KeyExpr() << " { canary: " << Pick(60) << "%, stable: 40% }\n";
    }
    if (Chance(20)) {
      Use("candidates where");
      p << "  candidates where " << BoolExpr(2, true) << "\n";
    }
    int rules = 1 + Pick(6);
    for (int i = 0; i < rules; ++i) {
      bool forbid = Chance(30);
      bool binding = Chance(15);
      Use(forbid ? "forbid" : "require");
      if (binding) Use("binding");
      p << "  " << (binding ? "binding " : "") << (forbid ? "forbid" : "require") << " rule" << i
        << ": " << BoolExpr(3, true) << "\n";
    }
    if (has_split_ && Chance(40)) {
      // Without an arm `variant` is missing, and so is the rule.
      Use("variant");
      p << "  " << (Chance(50) ? "require" : "forbid") << " on_arm: variant "
        << (Chance(50) ? "==" : "!=") << " canary\n";
    }
    int objectives = Pick(4);
    for (int i = 0; i < objectives; ++i) {
      bool max = Chance(30);
      Use(max ? "maximize" : "minimize");
      p << "  " << (max ? "maximize" : "minimize") << " obj" << i << ": "
        << NumExpr(2, true, Pick(2));
      if (Chance(60)) {
        Use("weight");
        p << " weight " << NumExpr(1, true, Pick(2));
      }
      p << "\n";
    }
    bool named_fallback = static_targets_ > 1 && Extra(15);
    if (named_fallback) {
      Use("fallback named");
      // Inventory targets may be named too; binding rules hold for both.
      p << "  fallback [t1" << (inventory_targets_ && Chance(50) ? ", inv0" : "") << ", t0]\n";
    } else if (Chance(70)) {
      Use("fallback N");
      p << "  fallback " << Pick(4) << "\n";
    }
    if (Chance(25)) {
      Use("otherwise reject");
      p << "  otherwise reject 429 \"busy\"\n";
    } else if (static_targets_ && Extra(20)) {
      Use("otherwise degrade");
      p << "  otherwise degrade t" << Pick(static_targets_) << " \"degraded\"\n";
    }
    if (static_targets_ && Extra(15)) {
      Use("safe default");
      const bool stale = Chance(50);
      if (stale) Use("snapshot.stale");
      p << "  safe default t" << Pick(static_targets_) << " when "
        << (stale ? std::string("snapshot.stale") : BoolExpr(2, false)) << " \"stale\"\n";
    }
    if (static_targets_ && Extra(20)) {
      // Keyed by the `id` field or by the optional key; binding rules apply.
      Use("mirror");
      p << "  mirror t" << Pick(static_targets_) << " sample " << Pick(101) << "%"
        << (Chance(40) ? " by " + KeyExpr() : "") << (Chance(50) ? " when request.b1" : "") << "\n";
    }
    if (Chance(15)) {
      Use("spread");
      p << "  spread top " << 1 + Pick(3) << " by " << KeyExpr() << "\n";
    } else if (Chance(15)) {
      Use("affinity");
      p << "  affinity by " << KeyExpr() << "\n";
    }
    if (static_targets_ && Extra(15)) {
      Use("ensemble");
      if (Chance(50))
        p << "  ensemble " << 1 + Pick(3) << " combine vote\n";
      else  // binding rules hold for named members; inv0 may not exist
        p << "  ensemble [t0" << (Chance(50) ? ", inv0" : "") << ", t" << Pick(static_targets_)
          << "] combine vote\n";
    }
    if (static_targets_ && Extra(15)) {
      Use("cascade");
      static const char* kPins[] = {"target.kind",   "target.weight",     "target.cost",
                                    "telemetry.p95", "telemetry.healthy", "target.region"};
      p << "  cascade ";
      if (Chance(50)) {
        Use("cascade pin");
        p << "pin " << kPins[Pick(6)] << " ";
      }
      p << "{\n    escalate t" << Pick(static_targets_) << " when response.confidence < 0.7\n";
      if (Chance(50))
        p << "    escalate " << (inventory_targets_ && Chance(50) ? "inv0" : "t0")
          << " when (response.confidence < 0.3 or response.confidence > 0.99)\n";
      p << "  }\n";
    }
    if (Extra(15)) {
      Use("charge");
      // Counters keyed by a request field (possibly missing) and by the target.
      int which = 1 + Pick(3);  // quota, load or both
      if (which & 1) p << "  charge quota: " << NumExpr(2, true, Pick(2)) << "\n";
      if (which & 2)
        p << "  charge load: " << (Chance(50) ? "1" : NumExpr(1, false, false)) << "\n";
    }
    if (Extra(20)) {
      Use("annotate string");
      p << "  annotate \"x-region\": " << (Chance(50) ? "target.region" : StrExpr(2, true)) << "\n";
    }
    if (Extra(25)) {
      // Enum, int, bool and float values; target-dependent ones are omitted
      // when the decision has no target.
      Use("annotate");
      p << "  annotate \"x-kind\": target.kind\n  annotate \"x-i\": request.i1\n";
      if (Chance(50)) p << "  annotate \"x-b\": " << BoolExpr(2, true) << "\n";
      if (Chance(50)) p << "  annotate \"x-f\": " << NumExpr(2, true, false) << "\n";
      if (Chance(30)) p << "  annotate \"x-i\": " << NumExpr(1, false, true) << "\n";
    }
    p << "}\n";
  }
  has_split_ = false;  // `variant` belongs to a route; assertions cannot read it
  if (Extra(15)) {
    Use("assert");
    p << "assert a1: " << BoolExpr(2, true) << "\n";
  }
  c.policy = p.str();
  for (int i = 0; i < options.inputs; ++i) {
    c.requests.push_back(Request(i));
    int64_t now = 0;
    c.snapshots.push_back(Snapshot(&now));
    c.now_ms.push_back(now);
  }
  for (const auto& [k, _] : used_) ++histogram_[k];
  return c;
}

}  // namespace mixtral::difftest
