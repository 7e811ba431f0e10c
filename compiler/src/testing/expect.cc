// Judging `expect` items: a small evaluator over the decision's fields. It is
// separate from the policy evaluator on purpose: expectations read decisions,
// not requests, and a typo in one must say so rather than pass silently.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "ast/ast.h"
#include "ir/policy_ir.h"
#include "mixtral/compiler/policy_test.h"

namespace mixtral {
namespace {

using K = Value::Kind;
using Fields = std::map<std::string, Value>;

Value StrList(const std::vector<std::string>& items) {
  Value::List out;
  for (const std::string& s : items) out.push_back(Value::Str(s));
  return Value::ListOf(std::move(out));
}

Value FromScalar(const Scalar& s) {
  return std::visit(
      [](const auto& v) -> Value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return Value::Str(v);
        else if constexpr (std::is_same_v<T, int64_t>)
          return Value::Int(v);
        else if constexpr (std::is_same_v<T, double>)
          return Value::Float(v);
        else
          return Value::Bool(v);
      },
      s);
}

Fields DecisionFields(const Decision& d) {
  Fields f;
  f["route"] = Value::Str(d.route);
  f["outcome"] = Value::Str(OutcomeName(d.outcome));
  if (d.target) f["target"] = Value::Str(*d.target);
  f["fallbacks"] = StrList(d.fallbacks);
  std::vector<std::string> names;
  for (const Mirror& m : d.mirrors) names.push_back(m.target);
  f["mirrors"] = StrList(names);
  names.clear();
  for (const Escalation& e : d.escalation) names.push_back(e.target);
  f["escalation"] = StrList(names);
  if (d.variant) f["variant"] = Value::Str(*d.variant);
  if (d.ensemble) f["ensemble"] = StrList(d.ensemble->members);
  if (d.reject) {
    f["reject_status"] = Value::Int(d.reject->status);
    f["reject_reason"] = Value::Str(d.reject->reason);
  }
  if (d.degraded_reason) f["degraded_reason"] = Value::Str(*d.degraded_reason);
  Value::Map charges;
  for (const Charge& c : d.charges)
    charges.emplace_back(Value::Str(c.counter), Value::Float(c.amount));
  f["charges"] = Value::MapOf(std::move(charges));
  Value::Map ann;
  for (const auto& [k, v] : d.annotations) ann.emplace_back(Value::Str(k), FromScalar(v));
  f["annotations"] = Value::MapOf(std::move(ann));
  if (d.explain) {
    Value::Map removed;
    for (const auto& [t, rules] : d.explain->removed)
      removed.emplace_back(Value::Str(t), StrList(rules));
    f["removed"] = Value::MapOf(std::move(removed));
    Value::Map scores;
    for (const Score& s : d.explain->scores)
      scores.emplace_back(Value::Str(s.target),
                          s.value ? Value::Float(*s.value) : Value::Missing());
    f["scores"] = Value::MapOf(std::move(scores));
    names.clear();
    for (const Dropped& x : d.explain->dropped) names.push_back(x.target);
    f["dropped"] = StrList(names);
    names.clear();
    for (const Fault& x : d.explain->faults) names.push_back(x.target);
    f["faults"] = StrList(names);
    f["assertions"] = StrList(d.explain->assertions);
  }
  return f;
}

std::string Render(const Value& v) {
  switch (v.kind()) {
    case K::kMissing:
      return "null";
    case K::kBool:
      return v.as_bool() ? "true" : "false";
    case K::kInt:
      return std::to_string(v.as_int());
    case K::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_float());
      return std::string(buf, r.ptr);
    }
    case K::kString:
      return "\"" + std::string(v.as_string()) + "\"";
    case K::kEnum:
      return "#" + std::to_string(v.as_enum());
    case K::kList:
    case K::kSet: {
      std::string s = "[";
      for (size_t i = 0; i < v.as_list().size(); ++i) s += (i ? ", " : "") + Render(v.as_list()[i]);
      return s + "]";
    }
    case K::kMap: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : v.as_map()) {
        s += (first ? "" : ", ") + Render(k) + ": " + Render(e);
        first = false;
      }
      return s + "}";
    }
  }
  return "?";
}

class ExpectEval {
 public:
  ExpectEval(const ast::Program& p, const Fields& f) : p_(p), f_(f) {}
  std::string error;
  std::string detail;

  Value Eval(ast::ExprId id) {
    return std::visit([&](const auto& n) { return Node(id, n); }, p_.at(id).node);
  }

 private:
  Value Node(ast::ExprId, const ast::IntLit& n) { return Value::Int(n.value); }
  Value Node(ast::ExprId, const ast::FloatLit& n) { return Value::Float(n.value); }
  Value Node(ast::ExprId, const ast::StringLit& n) { return Value::Str(n.value); }
  Value Node(ast::ExprId, const ast::BoolLit& n) { return Value::Bool(n.value); }
  Value Node(ast::ExprId, const ast::DurationLit& n) { return Value::Int(n.ms); }
  Value Node(ast::ExprId, const ast::Ident& n) {
    if (auto it = f_.find(n.name); it != f_.end()) return it->second;
    if (n.name == "routed" || n.name == "degraded" || n.name == "rejected")
      return Value::Str(n.name);
    static const char* kKnown[] = {
        "route",           "outcome",     "target",   "fallbacks",     "mirrors",
        "variant",         "escalation",  "ensemble", "reject_status", "reject_reason",
        "degraded_reason", "annotations", "removed",  "dropped",       "scores",
        "faults",          "assertions",  "charges"};
    for (const char* k : kKnown)
      if (n.name == k) return Value::Missing();  // a field the decision does not have
    if (error.empty()) error = "unknown decision field `" + n.name + "`";
    return Value::Missing();
  }
  Value Node(ast::ExprId, const ast::Member& n) {
    if (const auto* base = std::get_if<ast::Ident>(&p_.at(n.base).node);
        base && base->name == "explain")
      return Node(n.base, ast::Ident{n.field});
    return Lookup(Eval(n.base), Value::Str(n.field));
  }
  Value Node(ast::ExprId, const ast::Index& n) { return Lookup(Eval(n.base), Eval(n.index)); }
  Value Lookup(const Value& base, const Value& key) {
    if (base.kind() == K::kMap) {
      for (const auto& [k, v] : base.as_map())
        if (ValueEquals(k, key)) return v;
    } else if (base.kind() == K::kList && key.kind() == K::kInt && key.as_int() >= 0 &&
               static_cast<size_t>(key.as_int()) < base.as_list().size()) {
      return base.as_list()[key.as_int()];
    }
    return Value::Missing();
  }
  Value Node(ast::ExprId, const ast::Call& n) {
    if (n.args.size() == 1 && (n.fn == "len" || n.fn == "has")) {
      Value v = Eval(n.args[0]);
      if (n.fn == "has") return Value::Bool(!v.is_missing());
      if (v.kind() == K::kList || v.kind() == K::kSet)
        return Value::Int(static_cast<int64_t>(v.as_list().size()));
      if (v.kind() == K::kMap) return Value::Int(static_cast<int64_t>(v.as_map().size()));
      if (v.kind() == K::kString) return Value::Int(static_cast<int64_t>(v.as_string().size()));
      return Value::Missing();
    }
    if (error.empty()) error = "expectations can call only len() and has()";
    return Value::Missing();
  }
  Value Node(ast::ExprId, const ast::Unary& n) {
    Value v = Eval(n.operand);
    if (n.op == ast::UnOp::kNot)
      return v.kind() == K::kBool ? Value::Bool(!v.as_bool()) : Value::Missing();
    if (v.kind() == K::kInt) return Value::Int(-v.as_int());
    if (v.kind() == K::kFloat) return Value::Float(-v.as_float());
    return Value::Missing();
  }
  Value Node(ast::ExprId, const ast::Ternary& n) {
    Value c = Eval(n.cond);
    if (c.kind() != K::kBool) return Value::Missing();
    return Eval(c.as_bool() ? n.then_expr : n.else_expr);
  }
  Value Node(ast::ExprId, const ast::ListLit& n) { return Items(n.items); }
  Value Node(ast::ExprId, const ast::SetLit& n) { return Items(n.items); }
  Value Node(ast::ExprId, const ast::MapLit&) {
    if (error.empty()) error = "map literals are not supported in expectations";
    return Value::Missing();
  }
  Value Items(const std::vector<ast::ExprId>& items) {
    Value::List out;
    for (ast::ExprId i : items) out.push_back(Eval(i));
    return Value::ListOf(std::move(out));
  }
  static double Num(const Value& v) {
    return v.kind() == K::kInt ? static_cast<double>(v.as_int()) : v.as_float();
  }
  Value Node(ast::ExprId, const ast::Binary& n) {
    using ast::BinOp;
    Value a = Eval(n.lhs), b = Eval(n.rhs);
    auto note = [&] { detail = "left is " + Render(a) + ", right is " + Render(b); };
    switch (n.op) {
      case BinOp::kAnd:
      case BinOp::kOr: {
        if (a.kind() != K::kBool || b.kind() != K::kBool) return Value::Missing();
        return Value::Bool(n.op == BinOp::kAnd ? a.as_bool() && b.as_bool()
                                               : a.as_bool() || b.as_bool());
      }
      case BinOp::kEq:
      case BinOp::kNe: {
        note();
        bool eq = (a.is_missing() && b.is_missing()) ||
                  (!a.is_missing() && !b.is_missing() && ValueEquals(a, b));
        return Value::Bool(n.op == BinOp::kEq ? eq : !eq);
      }
      case BinOp::kIn:
      case BinOp::kNotIn: {
        note();
        bool found = false;
        if (b.kind() == K::kList || b.kind() == K::kSet) {
          for (const Value& v : b.as_list()) found |= ValueEquals(v, a);
        } else if (b.kind() == K::kMap) {
          for (const auto& [k, v] : b.as_map()) found |= ValueEquals(k, a);
        }
        return Value::Bool(n.op == BinOp::kIn ? found : !found);
      }
      case BinOp::kLt:
      case BinOp::kLe:
      case BinOp::kGt:
      case BinOp::kGe: {
        note();
        bool numeric = (a.kind() == K::kInt || a.kind() == K::kFloat) &&
                       (b.kind() == K::kInt || b.kind() == K::kFloat);
        if (!numeric) return Value::Bool(false);
        double x = Num(a), y = Num(b);
        bool r = n.op == BinOp::kLt   ? x < y
                 : n.op == BinOp::kLe ? x <= y
                 : n.op == BinOp::kGt ? x > y
                                      : x >= y;
        return Value::Bool(r);
      }
      default: {
        bool numeric = (a.kind() == K::kInt || a.kind() == K::kFloat) &&
                       (b.kind() == K::kInt || b.kind() == K::kFloat);
        if (!numeric) return Value::Missing();
        double x = Num(a), y = Num(b);
        switch (n.op) {
          case BinOp::kAdd:
            return Value::Float(x + y);
          case BinOp::kSub:
            return Value::Float(x - y);
          case BinOp::kMul:
            return Value::Float(x * y);
          case BinOp::kDiv:
            return Value::Float(x / y);
          default:
            return Value::Missing();
        }
      }
    }
  }

  const ast::Program& p_;
  const Fields& f_;
};

}  // namespace

std::vector<PolicyTestCase> ListTests(const Policy& policy) {
  std::vector<PolicyTestCase> out;
  for (const ast::TestDecl& t : policy.ir->program.tests)
    out.push_back(PolicyTestCase{t.name, t.range, t.request_json, t.request_file, t.telemetry_json,
                                 t.telemetry_file, t.now, t.route});
  return out;
}

std::vector<std::pair<std::string, std::string>> RuleNames(const Policy& policy) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ast::Route& r : policy.ir->program.routes)
    for (const ast::Rule& rule : r.rules) out.emplace_back(r.name, rule.name);
  return out;
}

std::vector<ExpectResult> CheckExpectations(const Policy& policy, size_t index, const Decision& d) {
  const ast::Program& p = policy.ir->program;
  const ast::TestDecl& t = p.tests.at(index);
  Fields fields = DecisionFields(d);
  std::vector<ExpectResult> out;
  for (const ast::TestDecl::Expect& e : t.expects) {
    ExpectResult r;
    r.range = e.range;
    if (e.removed_form) {
      r.text = "\"" + e.target + "\" removed by " + e.rule;
      if (!d.explain) {
        r.detail = "the decision has no explanation";
      } else {
        const std::vector<std::string>* rules = nullptr;
        for (const auto& [target, rs] : d.explain->removed)
          if (target == e.target) rules = &rs;
        r.pass = rules && std::find(rules->begin(), rules->end(), e.rule) != rules->end();
        if (!r.pass) {
          r.detail = rules ? "it was removed by " + Render(StrList(*rules)) : "it was not removed";
        }
      }
    } else {
      r.text = ast::PrintExpr(p, e.expr);
      ExpectEval ev(p, fields);
      Value v = ev.Eval(e.expr);
      r.pass = ev.error.empty() && v.kind() == K::kBool && v.as_bool();
      if (!ev.error.empty())
        r.detail = ev.error;
      else if (!r.pass)
        r.detail = ev.detail.empty() ? "it evaluated to " + Render(v) : ev.detail;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mixtral
