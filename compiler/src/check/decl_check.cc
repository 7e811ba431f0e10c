#include <set>

#include "check/checker.h"
#include "interp/const_eval.h"

namespace mixtral::check {

using internal::RefKind;

Value CoerceConst(const Value& v, TypeId declared, const TypeTable& types) {
  const TypeInfo& t = types.info(declared);
  if (t.kind == TypeKind::kFloat && v.kind() == Value::Kind::kInt)
    return Value::Float(static_cast<double>(v.as_int()));
  if ((t.kind == TypeKind::kList || t.kind == TypeKind::kSet) &&
      (v.kind() == Value::Kind::kList || v.kind() == Value::Kind::kSet)) {
    Value::List items;
    for (const Value& e : v.as_list()) items.push_back(CoerceConst(e, t.elem, types));
    return t.kind == TypeKind::kSet ? Value::SetOf(std::move(items))
                                    : Value::ListOf(std::move(items));
  }
  if (t.kind == TypeKind::kMap && v.kind() == Value::Kind::kMap) {
    Value::Map entries;
    for (const auto& [k, e] : v.as_map()) entries.emplace_back(k, CoerceConst(e, t.elem, types));
    return Value::MapOf(std::move(entries));
  }
  return v;
}

Value Checker::ConstValue(ast::ExprId id, TypeId declared) {
  return CoerceConst(internal::EvalConst(policy_, ir_, id), declared, types_);
}

void Checker::Run() {
  ir_.type.assign(p_.exprs.size(), types_.Error());
  ir_.ref.assign(p_.exprs.size(), internal::Ref{});
  ir_.routes.resize(p_.routes.size());
  policy_.name = p_.policy_name.value_or("");
  policy_.version = p_.policy_version.value_or("");
  DeclareTypes();
  DeclareSchemas();
  CheckLets();
  CheckCounters();
  for (const ast::BreakerDecl& b : p_.breakers) {
    Scope s;
    s.request = false;
    s.target = true;
    s.where = "a breaker condition (it is computed per snapshot, not per request)";
    ExpectBool(b.cond, s);
  }
  CheckTargets();
  CheckRoutes();
  CheckAsserts();
}

void Checker::CheckLets() {
  static const std::set<std::string> kReserved = {"request",  "target",  "telemetry",
                                                  "response", "counter", "snapshot",
                                                  "policy",   "now",     "variant"};
  for (size_t i = 0; i < p_.lets.size(); ++i) {
    if (kReserved.count(p_.lets[i].name)) {
      diags_.Error("E0101", p_.lets[i].range,
                   "`" + p_.lets[i].name + "` is a built-in name; a `let` cannot take it");
      continue;
    }
    if (let_index_.count(p_.lets[i].name) || named_types_.count(p_.lets[i].name)) {
      diags_.Error("E0101", p_.lets[i].range, "`" + p_.lets[i].name + "` is declared twice");
      continue;
    }
    let_index_[p_.lets[i].name] = i;
  }
  ir_.let_types.assign(p_.lets.size(), types_.Error());
  ir_.let_values.assign(p_.lets.size(), Value::Missing());
  for (size_t i = 0; i < p_.lets.size(); ++i) {
    Scope s;
    s.constant = true;
    s.lets_visible = i;
    s.where = "a `let`";
    TypeId t = CheckExpr(p_.lets[i].value, s);
    ir_.let_types[i] = t;
    if (t != types_.Error()) ir_.let_values[i] = ConstValue(p_.lets[i].value, t);
  }
}

void Checker::CheckCounters() {
  ir_.counters.resize(p_.counters.size());
  for (size_t i = 0; i < p_.counters.size(); ++i) {
    const ast::CounterDecl& c = p_.counters[i];
    if (counter_index_.count(c.name)) {
      diags_.Error("E0101", c.range, "counter `" + c.name + "` is declared twice");
      continue;
    }
    counter_index_[c.name] = i;
    policy_.counters.push_back(c.name);
    policy_.counter_windows_ms.push_back(c.window_ms);
    Scope s;
    s.target = true;
    s.where = "a counter key";
    TypeId t = CheckExpr(c.key, s);
    if (t != types_.Error() && t != types_.String())
      diags_.Error("E0201", p_.at(c.key).range,
                   "a counter key must be a string, not " + types_.Name(t));
    // A key that reads the target makes the counter per target.
    std::vector<ast::ExprId> stack = {c.key};
    while (!stack.empty()) {
      ast::ExprId e = stack.back();
      stack.pop_back();
      RefKind k = ir_.ref[e].kind;
      if (k == RefKind::kAttribute || k == RefKind::kTargetName || k == RefKind::kTelemetry)
        ir_.counters[i].target_keyed = true;
      ast::ForEachChild(p_.at(e), [&](ast::ExprId child) { stack.push_back(child); });
    }
  }
}

void Checker::CheckTargets() {
  for (const ast::TargetDecl& t : p_.targets) {
    if (ir_.static_index.count(t.name)) {
      diags_.Error("E0101", t.range, "target `" + t.name + "` is declared twice");
      continue;
    }
    ir_.static_index[t.name] = static_cast<int>(policy_.static_targets.size());
    policy_.static_targets.push_back(t.name);
    std::vector<Value> attrs(policy_.attributes.fields.size());
    std::vector<bool> given(attrs.size(), false);
    for (const ast::TargetAttr& a : t.attrs) {
      int slot = policy_.attributes.Find(a.name);
      if (slot < 0) {
        std::vector<std::string> known;
        for (const FieldInfo& f : policy_.attributes.fields) known.push_back(f.name);
        Unknown("E0103", a.range, "target attribute", a.name, known);
        continue;
      }
      if (given[slot]) {
        diags_.Error("E0101", a.range, "attribute `" + a.name + "` is given twice");
        continue;
      }
      given[slot] = true;
      const FieldInfo& f = policy_.attributes.fields[slot];
      Scope s;
      s.constant = true;
      s.where = "a target attribute";
      TypeId ty = CheckExpr(a.value, s, f.type);
      if (ty == types_.Error()) continue;
      if (!Assignable(ty, f.type)) {
        diags_.Error("E0201", p_.at(a.value).range,
                     "`" + a.name + "` is " + types_.Name(f.type) + ", not " + types_.Name(ty));
        continue;
      }
      attrs[slot] = ConstValue(a.value, f.type);
    }
    for (size_t i = 0; i < attrs.size(); ++i) {
      const FieldInfo& f = policy_.attributes.fields[i];
      if (given[i]) continue;
      if (f.default_value) {
        attrs[i] = *f.default_value;
      } else if (!f.optional) {
        diags_.Error("E0210", t.range,
                     "target `" + t.name + "` does not give attribute `" + f.name + "`");
      }
    }
    policy_.static_attributes.push_back(std::move(attrs));
  }
}

internal::ResolvedTarget Checker::ResolveTarget(const ast::TargetRef& ref) {
  auto it = ir_.static_index.find(ref.name);
  if (it != ir_.static_index.end()) return internal::ResolvedTarget{ref.name, it->second};
  // A quoted name says "this comes from the inventory"; a bare one that is
  // not declared is more likely a typo.
  if (!ref.quoted)
    diags_.Warning("W0306", ref.range,
                   "`" + ref.name +
                       "` is not a declared target; it must come from the inventory "
                       "(write it as a string, \"" +
                       ref.name + "\", to say so)");
  return internal::ResolvedTarget{ref.name, -1};
}

void Checker::CheckRoutes() {
  std::set<std::string> names;
  const ast::Route* first_default = nullptr;
  for (size_t i = 0; i < p_.routes.size(); ++i) {
    const ast::Route& r = p_.routes[i];
    policy_.routes.push_back(r.name);
    if (!names.insert(r.name).second)
      diags_.Error("E0101", r.range, "route `" + r.name + "` is declared twice");
    if (r.is_default) {
      if (first_default) {
        Diagnostic d{Severity::kError, "E0302", r.range, "only one route can be `default`", {}};
        d.notes.emplace_back(first_default->range, "the first default route is here");
        diags_.Add(std::move(d));
      } else {
        first_default = &r;
      }
    }
    CheckRoute(i);
  }
  if (p_.routes.size() > 1 && !first_default) {
    for (const ast::Route& r : p_.routes) {
      if (r.when == ast::kNoExpr) {
        diags_.Error("E0301", r.range,
                     "route `" + r.name +
                         "` has no `when`; with several routes, each needs `when` "
                         "or is the one `default`");
      }
    }
    diags_.Error("E0301", p_.routes.back().range,
                 "a request could match no route; mark one route `default`");
  } else if (p_.routes.size() > 1) {
    for (const ast::Route& r : p_.routes)
      if (r.when == ast::kNoExpr && !r.is_default)
        diags_.Error("E0301", r.range, "route `" + r.name + "` needs `when COND` or `default`");
  }
  if (p_.routes.empty() && p_.policy_name)
    diags_.Error("E0301", p_.header_range, "the policy declares no route");
}

void Checker::CheckRoute(size_t index) {
  const ast::Route& r = p_.routes[index];
  internal::RouteInfo& info = ir_.routes[index];
  for (const auto& [what, range] : r.duplicate_clauses)
    diags_.Error("E0303", range, "a route can have only one `" + what + "` clause");
  if (r.spread && r.affinity)
    diags_.Error("E0303", r.affinity->range,
                 "`spread` and `affinity` both choose the primary; use one");

  Scope route_scope;
  route_scope.route = static_cast<int>(index);
  route_scope.where = "a route-level condition (it runs once per request, before targets)";
  if (r.when != ast::kNoExpr) ExpectBool(r.when, route_scope);
  for (const ast::SafeDefault& sd : r.safe_defaults) {
    ExpectBool(sd.when, route_scope);
    ResolveTarget(sd.target);
  }
  if (r.split) {
    TypeId k = CheckExpr(r.split->key, route_scope);
    if (k != types_.Error() && k != types_.String())
      diags_.Error("E0201", p_.at(r.split->key).range,
                   "a split key must be a string, not " + types_.Name(k));
    EnumInfo arms;
    arms.name = r.split->name;
    int64_t sum = 0;
    for (const ast::SplitArm& a : r.split->arms) {
      if (arms.Find(a.name) >= 0)
        diags_.Error("E0101", a.range, "arm `" + a.name + "` is listed twice");
      else
        arms.members.push_back(a.name);
      sum += a.bp;
    }
    if (sum > 10000)
      diags_.Error("E0304", r.split->range,
                   "split weights add up to " + std::to_string(sum) + "bp, over 10000bp (100%)");
    // Arm names are not global enum members: `variant == canary` resolves
    // `canary` from the type of `variant`.
    info.variant_type = types_.NewEnum(std::move(arms));
  }
  Scope after_split = route_scope;
  after_split.variant = r.split.has_value();
  Scope target_scope = after_split;
  target_scope.target = true;
  target_scope.where = "a per-target rule";

  for (ast::ExprId sel : r.selectors) ExpectBool(sel, target_scope);
  std::set<std::string> rule_names;
  for (const ast::Rule& rule : r.rules) {
    if (!rule_names.insert(rule.name).second)
      diags_.Error("E0101", rule.range, "rule `" + rule.name + "` is declared twice in this route");
    ExpectBool(rule.cond, target_scope);
  }
  for (const ast::Objective& o : r.objectives) {
    TypeId t = CheckExpr(o.value, target_scope);
    if (t != types_.Error() && !IsNumeric(t))
      diags_.Error("E0201", p_.at(o.value).range,
                   "an objective must be a number, not " + types_.Name(t));
    if (o.weight != ast::kNoExpr) {
      TypeId w = CheckExpr(o.weight, target_scope);
      if (w != types_.Error() && !IsNumeric(w))
        diags_.Error("E0201", p_.at(o.weight).range,
                     "a weight must be a number, not " + types_.Name(w));
    }
  }
  auto string_key = [&](ast::ExprId key, const char* what) {
    TypeId t = CheckExpr(key, after_split);
    if (t != types_.Error() && t != types_.String())
      diags_.Error("E0201", p_.at(key).range,
                   std::string(what) + " must be a string, not " + types_.Name(t));
  };
  if (r.spread) {
    if (r.spread->top < 1) diags_.Error("E0008", r.spread->range, "`spread top K` needs K >= 1");
    string_key(r.spread->key, "a spread key");
  }
  if (r.affinity) string_key(r.affinity->key, "an affinity key");
  if (r.fallback) {
    if (r.fallback->is_named) {
      for (const ast::TargetRef& t : r.fallback->named) ResolveTarget(t);
    }
  }
  if (r.otherwise.kind == ast::Otherwise::Kind::kDegrade) ResolveTarget(r.otherwise.target);
  for (const ast::MirrorClause& m : r.mirrors) {
    ResolveTarget(m.target);
    if (m.key != ast::kNoExpr)
      string_key(m.key, "a mirror key");
    else if (ir_.id_field < 0)
      diags_.Error("E0307", m.range,
                   "this mirror needs `by KEY`: the request schema has no field marked `id`");
    if (m.when != ast::kNoExpr) ExpectBool(m.when, after_split);
  }
  if (r.cascade) {
    if (r.cascade->pin != ast::kNoExpr) {
      Scope pin_scope = target_scope;
      pin_scope.where = "a cascade pin";
      CheckExpr(r.cascade->pin, pin_scope);
    }
    Scope resp = after_split;
    resp.response = true;
    resp.where = "an escalation condition";
    for (const ast::Escalate& st : r.cascade->stages) {
      ResolveTarget(st.target);
      ExpectBool(st.when, resp);
      info.cascade_cond_ids.push_back(static_cast<int>(ir_.cascade_sources.size()));
      ir_.cascade_sources.push_back(st.source);
    }
  }
  if (r.ensemble) {
    if (!r.ensemble->is_named && r.ensemble->count < 1)
      diags_.Error("E0008", r.ensemble->range, "`ensemble N` needs N >= 1");
    for (const ast::TargetRef& t : r.ensemble->named) ResolveTarget(t);
  }
  Scope primary_scope = target_scope;
  primary_scope.where = "an annotation";
  for (const ast::Annotate& a : r.annotations) {
    TypeId t = CheckExpr(a.value, primary_scope);
    TypeKind k = types_.info(t).kind;
    if (t != types_.Error() && (k == TypeKind::kList || k == TypeKind::kSet || k == TypeKind::kMap))
      diags_.Error("E0201", p_.at(a.value).range,
                   "an annotation must be a scalar, not " + types_.Name(t));
  }
  for (const ast::ChargeClause& c : r.charges) {
    if (!counter_index_.count(c.counter)) {
      std::vector<std::string> known;
      for (const auto& [name, _] : counter_index_) known.push_back(name);
      Unknown("E0102", c.range, "counter", c.counter, known);
    }
    TypeId t = CheckExpr(c.amount, primary_scope);
    if (t != types_.Error() && !IsNumeric(t))
      diags_.Error("E0201", p_.at(c.amount).range,
                   "a charge must be a number, not " + types_.Name(t));
  }
}

void Checker::CheckAsserts() {
  std::set<std::string> names;
  for (const ast::AssertDecl& a : p_.asserts) {
    if (!names.insert(a.name).second)
      diags_.Error("E0101", a.range, "assertion `" + a.name + "` is declared twice");
    Scope s;
    s.target = true;
    s.where = "an assertion";
    ExpectBool(a.cond, s);
  }
}

}  // namespace mixtral::check
