#include <algorithm>

#include "check/checker.h"

namespace mixtral::check {
namespace {

using internal::Ref;
using internal::RefKind;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

bool IsComparison(ast::BinOp op) {
  return op == ast::BinOp::kLt || op == ast::BinOp::kLe || op == ast::BinOp::kGt ||
         op == ast::BinOp::kGe;
}

}  // namespace

void Checker::Unknown(const std::string& code, SourceRange r, const std::string& what,
                      const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = 3;
  for (const std::string& k : known) {
    size_t d = EditDistance(name, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  std::string msg = "unknown " + what + " `" + name + "`";
  if (!best.empty()) msg += "; did you mean `" + best + "`?";
  diags_.Error(code, r, msg);
}

TypeId Checker::Record(ast::ExprId id, TypeId t, Ref ref) {
  ir_.type[id] = t;
  ir_.ref[id] = ref;
  return t;
}

bool Checker::IsNumeric(TypeId t) const { return t == types_.Int() || t == types_.Float(); }

bool Checker::Assignable(TypeId from, TypeId to) const {
  if (from == to || from == types_.Error() || to == types_.Error()) return true;
  if (from == types_.Int() && to == types_.Float()) return true;
  const TypeInfo& f = types_.info(from);
  const TypeInfo& t = types_.info(to);
  if (f.kind == t.kind && (f.kind == TypeKind::kList || f.kind == TypeKind::kSet))
    return Assignable(f.elem, t.elem);
  if (f.kind == TypeKind::kMap && t.kind == TypeKind::kMap)
    return f.key == t.key && Assignable(f.elem, t.elem);
  return false;
}

TypeId Checker::Unify(TypeId a, TypeId b, SourceRange where, const char* what) {
  if (a == types_.Error() || b == types_.Error()) return types_.Error();
  if (a == b) return a;
  if (IsNumeric(a) && IsNumeric(b)) return types_.Float();
  if (Assignable(a, b)) return b;
  if (Assignable(b, a)) return a;
  diags_.Error("E0201", where,
               std::string(what) + " mix " + types_.Name(a) + " and " + types_.Name(b));
  return types_.Error();
}

bool Checker::IsBareIdent(ast::ExprId id) const {
  const auto* n = std::get_if<ast::Ident>(&p_.at(id).node);
  if (!n) return false;
  static const char* kNames[] = {"now",      "variant", "request",  "target", "telemetry",
                                 "response", "counter", "snapshot", "policy"};
  for (const char* k : kNames)
    if (n->name == k) return false;
  return !let_index_.count(n->name);
}

TypeId Checker::ExpectBool(ast::ExprId id, const Scope& s) {
  TypeId t = CheckExpr(id, s, types_.Bool());
  if (t != types_.Bool() && t != types_.Error()) {
    diags_.Error("E0203", p_.at(id).range,
                 "a condition must be bool, but this is " + types_.Name(t));
    return types_.Error();
  }
  return t;
}

TypeId Checker::CheckExpr(ast::ExprId id, const Scope& s, TypeId hint) {
  const ast::Expr& e = p_.at(id);
  SourceRange r = e.range;
  return std::visit(
      [&](const auto& n) -> TypeId {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::IntLit>) {
          return Record(id, types_.Int());
        } else if constexpr (std::is_same_v<N, ast::FloatLit>) {
          return Record(id, types_.Float());
        } else if constexpr (std::is_same_v<N, ast::StringLit>) {
          return Record(id, types_.String());
        } else if constexpr (std::is_same_v<N, ast::BoolLit>) {
          return Record(id, types_.Bool());
        } else if constexpr (std::is_same_v<N, ast::DurationLit>) {
          return Record(id, types_.Duration());
        } else if constexpr (std::is_same_v<N, ast::Ident>) {
          return CheckIdent(id, n, s, hint);
        } else if constexpr (std::is_same_v<N, ast::Member>) {
          return CheckMember(id, n, s);
        } else if constexpr (std::is_same_v<N, ast::Index>) {
          TypeId base = CheckExpr(n.base, s);
          if (base == types_.Error()) return Record(id, base);
          const TypeInfo& bi = types_.info(base);
          if (bi.kind == TypeKind::kMap) {
            TypeId k = CheckExpr(n.index, s, bi.key);
            if (k != types_.Error() && k != bi.key) {
              diags_.Error(
                  "E0201", p_.at(n.index).range,
                  "this map's keys are " + types_.Name(bi.key) + ", not " + types_.Name(k));
              return Record(id, types_.Error());
            }
            return Record(id, bi.elem);
          }
          if (bi.kind == TypeKind::kList) {
            TypeId k = CheckExpr(n.index, s, types_.Int());
            if (k != types_.Int() && k != types_.Error())
              diags_.Error("E0201", p_.at(n.index).range, "a list index must be int");
            return Record(id, bi.elem);
          }
          diags_.Error("E0202", r, "only maps and lists can be indexed, not " + types_.Name(base));
          return Record(id, types_.Error());
        } else if constexpr (std::is_same_v<N, ast::Call>) {
          return CheckCall(id, n, s);
        } else if constexpr (std::is_same_v<N, ast::Unary>) {
          if (n.op == ast::UnOp::kNot) {
            TypeId t = ExpectBool(n.operand, s);
            return Record(id, t == types_.Error() ? t : types_.Bool());
          }
          TypeId t = CheckExpr(n.operand, s);
          if (t != types_.Error() && !IsNumeric(t) && t != types_.Duration()) {
            diags_.Error("E0202", r, "cannot negate " + types_.Name(t));
            return Record(id, types_.Error());
          }
          return Record(id, t);
        } else if constexpr (std::is_same_v<N, ast::Binary>) {
          return CheckBinary(id, n, s);
        } else if constexpr (std::is_same_v<N, ast::Ternary>) {
          ExpectBool(n.cond, s);
          TypeId a = CheckExpr(n.then_expr, s, hint);
          TypeId b = CheckExpr(n.else_expr, s, hint ? hint : a);
          return Record(id, Unify(a, b, r, "the branches of `? :`"));
        } else if constexpr (std::is_same_v<N, ast::ListLit>) {
          return CheckCollection(id, n.items, false, s, hint);
        } else if constexpr (std::is_same_v<N, ast::SetLit>) {
          return CheckCollection(id, n.items, true, s, hint);
        } else if constexpr (std::is_same_v<N, ast::MapLit>) {
          TypeId kh = 0, vh = 0;
          if (hint && types_.info(hint).kind == TypeKind::kMap) {
            kh = types_.info(hint).key;
            vh = types_.info(hint).elem;
          }
          TypeId k = kh, v = vh;
          bool first = true;
          for (const auto& [ke, ve] : n.entries) {
            TypeId kt = CheckExpr(ke, s, kh);
            TypeId vt = CheckExpr(ve, s, vh ? vh : (first ? 0 : v));
            k = first && !kh ? kt : Unify(k, kt, p_.at(ke).range, "map keys");
            v = first && !vh ? vt : Unify(v, vt, p_.at(ve).range, "map values");
            first = false;
          }
          if (k == types_.Error() || v == types_.Error()) return Record(id, types_.Error());
          return Record(id, types_.Map(k, v));
        }
      },
      e.node);
}

TypeId Checker::CheckCollection(ast::ExprId id, const std::vector<ast::ExprId>& items, bool is_set,
                                const Scope& s, TypeId hint) {
  TypeId elem_hint = 0;
  if (hint) {
    const TypeInfo& hi = types_.info(hint);
    if (hi.kind == TypeKind::kList || hi.kind == TypeKind::kSet) elem_hint = hi.elem;
  }
  if (items.empty()) {
    if (!elem_hint) {
      diags_.Error("E0201", p_.at(id).range,
                   "cannot tell the element type of an empty literal here");
      return Record(id, types_.Error());
    }
    return Record(id, is_set ? types_.Set(elem_hint) : types_.List(elem_hint));
  }
  TypeId elem = 0;
  for (ast::ExprId item : items) {
    TypeId t = CheckExpr(item, s, elem_hint ? elem_hint : elem);
    elem = elem ? Unify(elem, t, p_.at(item).range, "the elements of this literal") : t;
  }
  if (elem == types_.Error()) return Record(id, elem);
  if (types_.info(elem).kind == TypeKind::kList || types_.info(elem).kind == TypeKind::kMap ||
      types_.info(elem).kind == TypeKind::kSet) {
    if (is_set) {
      diags_.Error("E0201", p_.at(id).range, "set elements must be scalars");
      return Record(id, types_.Error());
    }
  }
  return Record(id, is_set ? types_.Set(elem) : types_.List(elem));
}

TypeId Checker::CheckIdent(ast::ExprId id, const ast::Ident& n, const Scope& s, TypeId hint) {
  SourceRange r = p_.at(id).range;
  // An enum member named by the expected type wins over everything else, so
  // that `request.tier == premium` works even if a let is called `premium`.
  if (hint && types_.info(hint).kind == TypeKind::kEnum) {
    int ord = types_.enum_info(hint).Find(n.name);
    if (ord >= 0) return Record(id, hint, Ref{RefKind::kEnumMember, static_cast<uint32_t>(ord)});
  }
  if (auto it = let_index_.find(n.name); it != let_index_.end()) {
    if (it->second >= s.lets_visible) {
      diags_.Error("E0102", r, "`" + n.name + "` is used before its declaration");
      return Record(id, types_.Error());
    }
    return Record(id, ir_.let_types[it->second],
                  Ref{RefKind::kLet, static_cast<uint32_t>(it->second)});
  }
  auto not_constant = [&](const char* what) {
    diags_.Error("E0209", r,
                 std::string(what) + " is not a constant; " + s.where +
                     " must be known when the policy compiles");
    return Record(id, types_.Error());
  };
  if (n.name == "now") {
    if (s.constant) return not_constant("`now`");
    return Record(id, types_.Time(), Ref{RefKind::kNow, 0});
  }
  if (n.name == "variant") {
    if (s.constant) return not_constant("`variant`");
    if (!s.variant) {
      diags_.Error("E0206", r, "`variant` is only available in a route with a `split`, after it");
      return Record(id, types_.Error());
    }
    return Record(id, ir_.routes[s.route].variant_type, Ref{RefKind::kVariant, 0});
  }
  for (const char* ns :
       {"request", "target", "telemetry", "response", "counter", "snapshot", "policy"}) {
    if (n.name == ns) {
      diags_.Error(
          "E0202", r,
          "`" + n.name + "` is a namespace; name one of its fields, as in `" + n.name + ".FIELD`");
      return Record(id, types_.Error());
    }
  }
  auto members = enum_members_.find(n.name);
  if (members != enum_members_.end()) {
    if (members->second.size() == 1) {
      TypeId t = members->second[0];
      return Record(
          id, t,
          Ref{RefKind::kEnumMember, static_cast<uint32_t>(types_.enum_info(t).Find(n.name))});
    }
    std::string which;
    for (TypeId t : members->second) which += (which.empty() ? "" : ", ") + types_.Name(t);
    diags_.Error("E0201", r,
                 "`" + n.name + "` is a member of several enums (" + which +
                     "); compare it with a typed value so the enum is known");
    return Record(id, types_.Error());
  }
  std::vector<std::string> known = {"now", "variant", "request", "target", "telemetry"};
  for (const auto& [name, _] : let_index_) known.push_back(name);
  for (const auto& [name, _] : enum_members_) known.push_back(name);
  Unknown("E0102", r, "name", n.name, known);
  return Record(id, types_.Error());
}

TypeId Checker::CheckMember(ast::ExprId id, const ast::Member& n, const Scope& s) {
  SourceRange r = p_.at(id).range;
  const auto* base = std::get_if<ast::Ident>(&p_.at(n.base).node);
  std::string ns = base ? base->name : "";
  if (base && let_index_.count(ns)) ns = "";
  auto field_of = [&](const Schema& schema, RefKind kind, const std::string& prefix) -> TypeId {
    int slot = schema.Find(n.field);
    if (slot < 0) {
      std::vector<std::string> known;
      for (const FieldInfo& f : schema.fields) known.push_back(f.name);
      if (kind == RefKind::kAttribute) known.push_back("name");
      if (kind == RefKind::kTelemetry) {
        known.push_back("age");
        known.push_back("stale");
        known.push_back("ejected");
      }
      Unknown("E0103", r, "field", prefix + "." + n.field, [&] {
        std::vector<std::string> full;
        for (const std::string& k : known) full.push_back(prefix + "." + k);
        return full;
      }());
      return Record(id, types_.Error());
    }
    return Record(id, schema.fields[slot].type, Ref{kind, static_cast<uint32_t>(slot)});
  };
  auto forbidden = [&](const std::string& what) {
    if (s.constant) {
      diags_.Error(
          "E0209", r,
          what + " is not a constant; " + s.where + " must be known when the policy compiles");
    } else {
      diags_.Error("E0206", r, what + " cannot be used in " + s.where);
    }
    return Record(id, types_.Error());
  };
  if (ns == "request") {
    if (s.constant || !s.request) return forbidden("`request`");
    return field_of(policy_.request, RefKind::kRequestField, "request");
  }
  if (ns == "target") {
    if (s.constant || !s.target) return forbidden("`target`");
    if (n.field == "name") return Record(id, types_.String(), Ref{RefKind::kTargetName, 0});
    return field_of(policy_.attributes, RefKind::kAttribute, "target");
  }
  if (ns == "telemetry") {
    if (s.constant || !s.target) return forbidden("`telemetry`");
    if (n.field == "age") return Record(id, types_.Float(), Ref{RefKind::kTelemetryAge, 0});
    if (n.field == "ejected") return Record(id, types_.Bool(), Ref{RefKind::kTelemetryEjected, 0});
    if (n.field == "stale") {
      if (!has_stale_after_) {
        diags_.Error("E0206", r,
                     "`telemetry.stale` needs `stale after DURATION` on the telemetry declaration");
        return Record(id, types_.Error());
      }
      return Record(id, types_.Bool(), Ref{RefKind::kTelemetryStale, 0});
    }
    return field_of(policy_.telemetry, RefKind::kTelemetry, "telemetry");
  }
  if (ns == "response") {
    if (s.constant || !s.response) return forbidden("`response`");
    return field_of(policy_.response, RefKind::kResponseField, "response");
  }
  if (ns == "counter") {
    if (s.constant) return forbidden("`counter`");
    auto it = counter_index_.find(n.field);
    if (it == counter_index_.end()) {
      std::vector<std::string> known;
      for (const auto& [name, _] : counter_index_) known.push_back(name);
      Unknown("E0102", r, "counter", n.field, known);
      return Record(id, types_.Error());
    }
    if (ir_.counters[it->second].target_keyed && !s.target)
      return forbidden("counter `" + n.field + "` is keyed by target, so it");
    return Record(id, types_.Float(), Ref{RefKind::kCounter, static_cast<uint32_t>(it->second)});
  }
  if (ns == "snapshot") {
    if (s.constant) return forbidden("`snapshot`");
    if (n.field == "age") return Record(id, types_.Float(), Ref{RefKind::kSnapshotAge, 0});
    if (n.field == "stale") {
      if (!has_stale_after_) {
        diags_.Error("E0206", r,
                     "`snapshot.stale` needs `stale after DURATION` on the telemetry declaration");
        return Record(id, types_.Error());
      }
      return Record(id, types_.Bool(), Ref{RefKind::kSnapshotStale, 0});
    }
    Unknown("E0103", r, "field", "snapshot." + n.field, {"snapshot.age", "snapshot.stale"});
    return Record(id, types_.Error());
  }
  if (ns == "policy") {
    if (n.field == "name") return Record(id, types_.String(), Ref{RefKind::kPolicyName, 0});
    if (n.field == "version") return Record(id, types_.String(), Ref{RefKind::kPolicyVersion, 0});
    Unknown("E0103", r, "field", "policy." + n.field, {"policy.name", "policy.version"});
    return Record(id, types_.Error());
  }
  TypeId bt = CheckExpr(n.base, s);
  if (bt != types_.Error())
    diags_.Error("E0202", r, types_.Name(bt) + " has no field `" + n.field + "`");
  return Record(id, types_.Error());
}

namespace {

// One parameter or result of a built-in signature.
enum class Param : uint8_t { kBool, kInt, kFloat, kString, kDuration, kTime, kAny, kNum, kColl };

bool ParseParam(std::string_view s, Param* out) {
  static const std::pair<std::string_view, Param> kNames[] = {
      {"bool", Param::kBool},     {"int", Param::kInt},           {"float", Param::kFloat},
      {"string", Param::kString}, {"duration", Param::kDuration}, {"time", Param::kTime},
      {"any", Param::kAny},       {"num", Param::kNum},           {"coll", Param::kColl}};
  for (const auto& [name, p] : kNames) {
    if (s == name) {
      *out = p;
      return true;
    }
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "(string, int) -> int" into parameters and result.
bool ParseSignature(std::string_view sig, std::vector<Param>* params, Param* result) {
  size_t open = sig.find('('), close = sig.find(')'), arrow = sig.find("->");
  if (open == std::string_view::npos || close == std::string_view::npos ||
      arrow == std::string_view::npos)
    return false;
  std::string_view list = sig.substr(open + 1, close - open - 1);
  while (!Trim(list).empty()) {
    size_t comma = list.find(',');
    Param p;
    if (!ParseParam(Trim(list.substr(0, comma)), &p)) return false;
    params->push_back(p);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return ParseParam(Trim(sig.substr(arrow + 2)), result);
}

}  // namespace

TypeId Checker::CheckCall(ast::ExprId id, const ast::Call& n, const Scope& s) {
  SourceRange r = p_.at(id).range;
  if (n.fn == "has") {
    if (n.args.size() != 1 || !std::holds_alternative<ast::Member>(p_.at(n.args[0]).node)) {
      diags_.Error("E0204", r, "`has` takes one field, as in `has(request.session)`");
      return Record(id, types_.Error());
    }
    TypeId t = CheckExpr(n.args[0], s);
    RefKind k = ir_.ref[n.args[0]].kind;
    if (t != types_.Error() && k != RefKind::kRequestField && k != RefKind::kAttribute &&
        k != RefKind::kTelemetry && k != RefKind::kResponseField) {
      diags_.Error("E0204", r, "`has` tests a request, target, telemetry or response field");
      return Record(id, types_.Error());
    }
    return Record(id, types_.Bool(), Ref{RefKind::kHas, 0});
  }
  const BuiltinDecl* decl = FindBuiltin(n.fn);
  if (!decl) {
    std::vector<std::string> known = {"has"};
    for (const BuiltinDecl& b : Builtins()) known.emplace_back(b.name);
    Unknown("E0205", r, "function", n.fn, known);
    for (ast::ExprId a : n.args) CheckExpr(a, s);
    return Record(id, types_.Error());
  }
  std::vector<Param> params;
  Param result;
  if (!ParseSignature(decl->signature, &params, &result)) {
    diags_.Error("E0204", r, "internal: built-in `" + n.fn + "` has a malformed signature");
    return Record(id, types_.Error());
  }
  if (n.args.size() != params.size()) {
    diags_.Error("E0204", r,
                 "`" + n.fn + "` takes " + std::to_string(params.size()) + " argument" +
                     (params.size() == 1 ? "" : "s") + " " + std::string(decl->signature) +
                     ", not " + std::to_string(n.args.size()));
    for (ast::ExprId a : n.args) CheckExpr(a, s);
    return Record(id, types_.Error());
  }
  bool any_float = false, failed = false;
  for (size_t i = 0; i < n.args.size(); ++i) {
    TypeId t = CheckExpr(n.args[i], s);
    if (t == types_.Error()) {
      failed = true;
      continue;
    }
    TypeKind k = types_.info(t).kind;
    bool ok = false;
    switch (params[i]) {
      case Param::kBool:
        ok = k == TypeKind::kBool;
        break;
      case Param::kInt:
        ok = k == TypeKind::kInt;
        break;
      case Param::kFloat:
        ok = k == TypeKind::kFloat || k == TypeKind::kInt;
        break;
      case Param::kString:
        ok = k == TypeKind::kString;
        break;
      case Param::kDuration:
        ok = k == TypeKind::kDuration;
        break;
      case Param::kTime:
        ok = k == TypeKind::kTime;
        break;
      case Param::kAny:
        ok = true;
        break;
      case Param::kNum:
        ok = k == TypeKind::kInt || k == TypeKind::kFloat;
        break;
      case Param::kColl:
        ok = k == TypeKind::kString || k == TypeKind::kList || k == TypeKind::kSet ||
             k == TypeKind::kMap;
        break;
    }
    if (params[i] == Param::kNum && k == TypeKind::kFloat) any_float = true;
    if (!ok) {
      diags_.Error("E0204", p_.at(n.args[i]).range,
                   "argument " + std::to_string(i + 1) + " of `" + n.fn + "` " +
                       std::string(decl->signature) + " cannot be " + types_.Name(t));
      failed = true;
    }
  }
  if (decl->literal_arg >= 0 && static_cast<size_t>(decl->literal_arg) < n.args.size()) {
    ast::ExprId lit = n.args[decl->literal_arg];
    const auto* str = std::get_if<ast::StringLit>(&p_.at(lit).node);
    if (!str) {
      diags_.Error("E0207", p_.at(lit).range,
                   "argument " + std::to_string(decl->literal_arg + 1) + " of `" + n.fn +
                       "` must be a string literal, so that it is compiled once with the policy");
      failed = true;
    } else {
      std::string error;
      auto prepared = PrepareLiteral(decl->id, Value::Str(str->value), &error);
      if (!prepared) {
        diags_.Error("E0208", p_.at(lit).range, error);
        failed = true;
      } else {
        ir_.prepared[id] = std::move(prepared);
      }
    }
  }
  if (failed) return Record(id, types_.Error());
  TypeId rt = types_.Error();
  switch (result) {
    case Param::kBool:
      rt = types_.Bool();
      break;
    case Param::kInt:
      rt = types_.Int();
      break;
    case Param::kFloat:
      rt = types_.Float();
      break;
    case Param::kString:
      rt = types_.String();
      break;
    case Param::kDuration:
      rt = types_.Duration();
      break;
    case Param::kTime:
      rt = types_.Time();
      break;
    case Param::kNum:
      rt = any_float ? types_.Float() : types_.Int();
      break;
    default:
      break;
  }
  return Record(id, rt, Ref{RefKind::kBuiltin, static_cast<uint32_t>(decl->id)});
}

TypeId Checker::CheckBinary(ast::ExprId id, const ast::Binary& n, const Scope& s) {
  SourceRange r = p_.at(id).range;
  using ast::BinOp;
  const TypeId err = types_.Error();
  if (n.op == BinOp::kAnd || n.op == BinOp::kOr) {
    TypeId a = ExpectBool(n.lhs, s), b = ExpectBool(n.rhs, s);
    return Record(id, a == err || b == err ? err : types_.Bool());
  }
  if (n.op == BinOp::kEq || n.op == BinOp::kNe || IsComparison(n.op)) {
    TypeId a, b;
    if (IsBareIdent(n.lhs) && !IsBareIdent(n.rhs)) {
      b = CheckExpr(n.rhs, s);
      a = CheckExpr(n.lhs, s, b);
    } else {
      a = CheckExpr(n.lhs, s);
      b = CheckExpr(n.rhs, s, a);
    }
    if (a == err || b == err) return Record(id, err);
    bool ok;
    if (IsComparison(n.op)) {
      ok = (IsNumeric(a) && IsNumeric(b)) ||
           (a == b && (a == types_.Duration() || a == types_.Time() || a == types_.String()));
    } else {
      ok = (IsNumeric(a) && IsNumeric(b)) || a == b;
    }
    if (!ok) {
      diags_.Error(a == b ? "E0202" : "E0201", r,
                   std::string("cannot compare ") + types_.Name(a) + " " + ast::BinOpText(n.op) +
                       " " + types_.Name(b));
      return Record(id, err);
    }
    return Record(id, types_.Bool());
  }
  if (n.op == BinOp::kIn || n.op == BinOp::kNotIn) {
    TypeId a = 0, b;
    if (IsBareIdent(n.lhs)) {
      b = CheckExpr(n.rhs, s);
    } else {
      a = CheckExpr(n.lhs, s);
      b = CheckExpr(n.rhs, s, a && a != err ? types_.Set(a) : 0);
    }
    if (b == err) return Record(id, err);
    const TypeInfo& bi = types_.info(b);
    TypeId want = bi.kind == TypeKind::kMap                                 ? bi.key
                  : bi.kind == TypeKind::kList || bi.kind == TypeKind::kSet ? bi.elem
                                                                            : 0;
    if (!want) {
      diags_.Error("E0202", p_.at(n.rhs).range,
                   "`in` needs a list, set or map on the right, not " + types_.Name(b) +
                       (b == types_.String() ? " (use contains() for substrings)" : ""));
      return Record(id, err);
    }
    if (!a) a = CheckExpr(n.lhs, s, want);
    if (a == err) return Record(id, err);
    if (a != want && !(IsNumeric(a) && IsNumeric(want))) {
      diags_.Error("E0201", r, "cannot look for " + types_.Name(a) + " in " + types_.Name(b));
      return Record(id, err);
    }
    return Record(id, types_.Bool());
  }
  // Arithmetic.
  TypeId a = CheckExpr(n.lhs, s), b = CheckExpr(n.rhs, s);
  if (a == err || b == err) return Record(id, err);
  if (n.op == BinOp::kDiv || n.op == BinOp::kMod) {
    const ast::ExprNode& rhs = p_.at(n.rhs).node;
    bool zero =
        (std::holds_alternative<ast::IntLit>(rhs) && std::get<ast::IntLit>(rhs).value == 0) ||
        (std::holds_alternative<ast::FloatLit>(rhs) && std::get<ast::FloatLit>(rhs).value == 0);
    if (zero) diags_.Error("E0305", p_.at(n.rhs).range, "division by a literal zero");
  }
  const TypeId D = types_.Duration(), T = types_.Time(), I = types_.Int();
  TypeId out = err;
  switch (n.op) {
    case BinOp::kAdd:
      if (IsNumeric(a) && IsNumeric(b))
        out = a == I && b == I ? I : types_.Float();
      else if (a == types_.String() && b == types_.String())
        out = a;
      else if (a == D && b == D)
        out = D;
      else if ((a == T && b == D) || (a == D && b == T))
        out = T;
      break;
    case BinOp::kSub:
      if (IsNumeric(a) && IsNumeric(b))
        out = a == I && b == I ? I : types_.Float();
      else if (a == D && b == D)
        out = D;
      else if (a == T && b == D)
        out = T;
      else if (a == T && b == T)
        out = D;
      break;
    case BinOp::kMul:
      if (IsNumeric(a) && IsNumeric(b))
        out = a == I && b == I ? I : types_.Float();
      else if ((a == D && b == I) || (a == I && b == D))
        out = D;
      break;
    case BinOp::kDiv:
      if (IsNumeric(a) && IsNumeric(b))
        out = a == I && b == I ? I : types_.Float();
      else if (a == D && b == I)
        out = D;
      break;
    case BinOp::kMod:
      if (a == I && b == I) out = I;
      break;
    default:
      break;
  }
  if (out == err)
    diags_.Error("E0202", r,
                 std::string("`") + ast::BinOpText(n.op) + "` does not apply to " + types_.Name(a) +
                     " and " + types_.Name(b));
  return Record(id, out);
}

}  // namespace mixtral::check
