// Expression semantics: contract §4 (missing, Kleene logic, NaN) and §5
// (saturating ints, IEEE floats in written order).
#include <cmath>
#include <limits>

#include "interp/const_eval.h"
#include "interp/eval.h"
#include "mixtral/stdlib/builtins.h"

namespace mixtral::internal {
namespace {

using K = Value::Kind;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

void Miss(const EvalCtx& ctx, std::string what) {
  if (!ctx.missing) return;
  for (const std::string& m : *ctx.missing)
    if (m == what) return;
  ctx.missing->push_back(std::move(what));
}

Value Read(const EvalCtx& ctx, const std::vector<Value>* slots, uint32_t slot, const char* ns,
           const Schema& schema) {
  if (slots && slot < slots->size() && !(*slots)[slot].is_missing()) return (*slots)[slot];
  Miss(ctx, std::string(ns) + "." + schema.fields[slot].name);
  return Value::Missing();
}

// The stored value an input reference names, when it is present; null
// otherwise (the caller then evaluates it, which records the miss).
[[gnu::always_inline]] inline const Value* Stored(const EvalCtx& ctx, ast::ExprId id) {
  const Ref& ref = ctx.ir->ref[id];
  const std::vector<Value>* slots = nullptr;
  switch (ref.kind) {
    case RefKind::kRequestField:
      if (!ctx.request) return nullptr;
      MaskedRead(ctx, ref.index);
      slots = &ctx.request->fields;
      break;
    case RefKind::kAttribute:
      if (ctx.target) slots = &ctx.target->attributes;
      break;
    case RefKind::kTelemetry:
      if (ctx.target) slots = &ctx.target->telemetry;
      break;
    default:
      return nullptr;
  }
  if (!slots || ref.index >= slots->size() || (*slots)[ref.index].is_missing()) return nullptr;
  return &(*slots)[ref.index];
}

// An operand of an operator: the stored input itself when the operand reads
// one, so that reading a string or a set does not copy it (and touch its
// reference count), else the evaluated value.
class Operand {
 public:
  Operand(const EvalCtx& ctx, ast::ExprId id) : p_(Stored(ctx, id)) {
    if (!p_) {
      own_ = Eval(ctx, id);
      p_ = &own_;
    }
  }
  Operand(const Operand&) = delete;
  Operand& operator=(const Operand&) = delete;
  const Value& operator*() const { return *p_; }

 private:
  Value own_;
  const Value* p_;
};

bool IsNum(const Value& v) { return v.kind() == K::kInt || v.kind() == K::kFloat; }
double AsDouble(const Value& v) {
  return v.kind() == K::kInt ? static_cast<double>(v.as_int()) : v.as_float();
}

int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? kMax : kMin) : r;
}
int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? kMax : kMin) : r;
}
int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? (((a < 0) != (b < 0)) ? kMin : kMax) : r;
}

Value Arith(const EvalCtx& ctx, ast::BinOp op, const Value& a, const Value& b) {
  if (a.is_missing() || b.is_missing()) return Value::Missing();
  if (a.kind() == K::kString && b.kind() == K::kString)
    return Value::Str(std::string(a.as_string()) + std::string(b.as_string()));
  if (a.kind() == K::kInt && b.kind() == K::kInt) {
    int64_t x = a.as_int(), y = b.as_int();
    switch (op) {
      case ast::BinOp::kAdd:
        return Value::Int(SatAdd(x, y));
      case ast::BinOp::kSub:
        return Value::Int(SatSub(x, y));
      case ast::BinOp::kMul:
        return Value::Int(SatMul(x, y));
      case ast::BinOp::kDiv:
        if (y == 0) {
          Miss(ctx, "division by zero");
          return Value::Missing();
        }
        return Value::Int(x == kMin && y == -1 ? kMax : x / y);
      case ast::BinOp::kMod:
        if (y == 0) {
          Miss(ctx, "division by zero");
          return Value::Missing();
        }
        return Value::Int(y == -1 ? 0 : x % y);
      default:
        return Value::Missing();
    }
  }
  if (!IsNum(a) || !IsNum(b)) return Value::Missing();
  double x = AsDouble(a), y = AsDouble(b);
  switch (op) {
    case ast::BinOp::kAdd:
      return Value::Float(x + y);
    case ast::BinOp::kSub:
      return Value::Float(x - y);
    case ast::BinOp::kMul:
      return Value::Float(x * y);
    case ast::BinOp::kDiv:
      return Value::Float(x / y);
    default:
      return Value::Missing();
  }
}

// <0, 0, >0, or nullopt when unordered (NaN) or not comparable.
[[gnu::always_inline]] inline std::optional<int> Compare(const Value& a, const Value& b) {
  if (a.kind() == K::kInt && b.kind() == K::kInt)
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  if (IsNum(a) && IsNum(b)) {
    double x = AsDouble(a), y = AsDouble(b);
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind() == K::kString && b.kind() == K::kString) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool HasNaN(const Value& v) { return v.kind() == K::kFloat && std::isnan(v.as_float()); }

// ValueEquals, with enums (the commonest comparison in routing rules) and
// bools decided inline.
[[gnu::always_inline]] inline bool Equal(const Value& a, const Value& b) {
  if (a.kind() == b.kind()) {
    if (a.kind() == K::kEnum) return a.as_enum() == b.as_enum();
    if (a.kind() == K::kBool) return a.as_bool() == b.as_bool();
  }
  return ValueEquals(a, b);
}

Value Equality(const EvalCtx& ctx, const Value& a, const Value& b, bool negate) {
  if (a.is_missing() || b.is_missing()) return Value::Missing();
  if (HasNaN(a) || HasNaN(b)) {
    Miss(ctx, "NaN");
    return Value::Missing();
  }
  bool eq = Equal(a, b);
  return Value::Bool(negate ? !eq : eq);
}

Value Membership(const EvalCtx& ctx, const Value& elem, const Value& coll, bool negate) {
  if (elem.is_missing() || coll.is_missing()) return Value::Missing();
  if (HasNaN(elem)) {
    Miss(ctx, "NaN");
    return Value::Missing();
  }
  bool found = false;
  if (coll.kind() == K::kMap) {
    for (const auto& [k, v] : coll.as_map()) {
      if (ValueEquals(k, elem)) {
        found = true;
        break;
      }
    }
  } else if (coll.kind() == K::kList || coll.kind() == K::kSet) {
    for (const Value& v : coll.as_list()) {
      if (Equal(v, elem)) {
        found = true;
        break;
      }
    }
  } else {
    return Value::Missing();
  }
  return Value::Bool(negate ? !found : found);
}

Value Logic(const EvalCtx& ctx, const ast::Binary& n) {
  // Kleene: a decisive operand decides, whatever the other one is.
  bool is_and = n.op == ast::BinOp::kAnd;
  std::optional<bool> a = Truth(Eval(ctx, n.lhs));
  if (a && *a != is_and) return Value::Bool(*a);
  std::optional<bool> b = Truth(Eval(ctx, n.rhs));
  if (b && *b != is_and) return Value::Bool(*b);
  if (a && b) return Value::Bool(is_and);
  return Value::Missing();
}

}  // namespace

Value CounterRead(const EvalCtx& ctx, uint32_t index, const Value& key) {
  const ast::CounterDecl& decl = ctx.ir->program.counters[index];
  if (key.kind() != K::kString || !ctx.snapshot) {
    Miss(ctx, "counter." + decl.name);
    return Value::Missing();
  }
  EvalRecord* record = ctx.hooks ? ctx.hooks->record : nullptr;
  if (record) {
    // One value per (counter, key) per decision: the one recorded first.
    for (const CounterValue& r : record->counters_read)
      if (r.counter == decl.name && r.key == key.as_string()) return Value::Float(r.value);
  }
  std::optional<double> value = 0.0;
  if (ctx.hooks && ctx.hooks->counters) {
    value = ctx.hooks->counters->Read(index, key.as_string());
  } else if (auto c = ctx.snapshot->counters.find(decl.name); c != ctx.snapshot->counters.end()) {
    auto v = c->second.find(std::string(key.as_string()));
    if (v != c->second.end()) value = v->second;
  }
  if (!value) {
    Miss(ctx, "counter." + decl.name);
    return Value::Missing();
  }
  if (record) record->counters_read.push_back({decl.name, std::string(key.as_string()), *value});
  return Value::Float(*value);
}

namespace {

Value Counter(const EvalCtx& ctx, uint32_t index) {
  return CounterRead(ctx, index, Eval(ctx, ctx.ir->program.counters[index].key));
}

Value Ejected(const EvalCtx& ctx) {
  const BoundTarget& t = *ctx.target;
  if (t.ejected_until_ms && *t.ejected_until_ms > ctx.now_ms) return Value::Bool(true);
  // A breaker ejects on evidence: a condition that cannot be evaluated has
  // not crossed its bound (lang/SPEC.md, breakers).
  for (const ast::BreakerDecl& b : ctx.ir->program.breakers) {
    std::optional<bool> v = Truth(Eval(ctx, b.cond));
    if (v && *v) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Value Reference(const EvalCtx& ctx, ast::ExprId id, const Ref& ref) {
  const Policy& p = *ctx.policy;
  switch (ref.kind) {
    case RefKind::kRequestField:
      MaskedRead(ctx, ref.index);
      return Read(ctx, ctx.request ? &ctx.request->fields : nullptr, ref.index, "request",
                  p.request);
    case RefKind::kAttribute:
      return Read(ctx, ctx.target ? &ctx.target->attributes : nullptr, ref.index, "target",
                  p.attributes);
    case RefKind::kTelemetry:
      return Read(ctx, ctx.target ? &ctx.target->telemetry : nullptr, ref.index, "telemetry",
                  p.telemetry);
    case RefKind::kResponseField:
      return Read(ctx, ctx.response, ref.index, "response", p.response);
    case RefKind::kTargetName:
      if (!ctx.target) return Value::Missing();
      return Value::Str(ctx.target->name);
    case RefKind::kTelemetryAge: {
      auto age = ctx.target ? TargetAge(ctx, *ctx.target) : std::nullopt;
      if (!age) {
        Miss(ctx, "telemetry.age");
        return Value::Missing();
      }
      return Value::Float(*age);
    }
    case RefKind::kTelemetryStale:
      if (!ctx.target) return Value::Missing();
      return Value::Bool(TargetStale(ctx, *ctx.target));
    case RefKind::kTelemetryEjected:
      if (!ctx.target) return Value::Missing();
      return Ejected(ctx);
    case RefKind::kCounter:
      return Counter(ctx, ref.index);
    case RefKind::kSnapshotAge:
    case RefKind::kSnapshotStale: {
      if (!ctx.snapshot || !ctx.snapshot->taken_at_ms) {
        Miss(ctx, "snapshot.age");
        // An unknown age counts as stale, as for targets (contract §3).
        return ref.kind == RefKind::kSnapshotStale ? Value::Bool(true) : Value::Missing();
      }
      // Saturating: exact whenever the gap fits in int64, and defined when not.
      double age = static_cast<double>(SatSub(ctx.now_ms, *ctx.snapshot->taken_at_ms)) / 1000.0;
      if (ref.kind == RefKind::kSnapshotAge) return Value::Float(age);
      return Value::Bool(age >= static_cast<double>(p.stale_after_ms.value_or(0)) / 1000.0);
    }
    case RefKind::kNow:
      return Value::Int(ctx.now_ms);
    case RefKind::kVariant:
      if (!ctx.variant) {
        Miss(ctx, "variant");
        return Value::Missing();
      }
      return Value::Enum(*ctx.variant);
    case RefKind::kPolicyName:
      return Value::Str(p.name);
    case RefKind::kPolicyVersion:
      return Value::Str(p.version);
    case RefKind::kLet:
      return ctx.ir->let_values[ref.index];
    case RefKind::kEnumMember:
      return Value::Enum(ref.index);
    default:
      break;
  }
  (void)id;
  return Value::Missing();
}

}  // namespace

namespace {

// BinaryValue's body, inlined into the interpreter's node dispatch; the
// JIT's helpers call it through BinaryValue.
[[gnu::always_inline]] inline Value Binary(const EvalCtx& ctx, ast::BinOp op, const Value& a,
                                           const Value& b) {
  switch (op) {
    case ast::BinOp::kEq:
    case ast::BinOp::kNe:
      return Equality(ctx, a, b, op == ast::BinOp::kNe);
    case ast::BinOp::kIn:
    case ast::BinOp::kNotIn:
      return Membership(ctx, a, b, op == ast::BinOp::kNotIn);
    case ast::BinOp::kLt:
    case ast::BinOp::kLe:
    case ast::BinOp::kGt:
    case ast::BinOp::kGe: {
      if (a.is_missing() || b.is_missing()) return Value::Missing();
      std::optional<int> c = Compare(a, b);
      if (!c) {
        Miss(ctx, "NaN");
        return Value::Missing();
      }
      bool r = op == ast::BinOp::kLt   ? *c < 0
               : op == ast::BinOp::kLe ? *c <= 0
               : op == ast::BinOp::kGt ? *c > 0
                                       : *c >= 0;
      return Value::Bool(r);
    }
    default:
      return Arith(ctx, op, a, b);
  }
}

}  // namespace

Value BinaryValue(const EvalCtx& ctx, ast::BinOp op, const Value& a, const Value& b) {
  return Binary(ctx, op, a, b);
}

Value CollectionValue(bool is_set, bool to_float, Value::List items) {
  if (to_float)
    for (Value& v : items)
      if (v.kind() == K::kInt) v = Value::Float(static_cast<double>(v.as_int()));
  return is_set ? Value::SetOf(std::move(items)) : Value::ListOf(std::move(items));
}

Value IndexValue(const Value& base, const Value& key) {
  if (base.is_missing() || key.is_missing()) return Value::Missing();
  if (base.kind() == K::kMap) {
    for (const auto& [k, v] : base.as_map())
      if (ValueEquals(k, key)) return v;
  } else if (base.kind() == K::kList && key.kind() == K::kInt) {
    int64_t i = key.as_int();
    if (i >= 0 && static_cast<uint64_t>(i) < base.as_list().size()) return base.as_list()[i];
  }
  return Value::Missing();
}

std::optional<double> EntryAgeS(const Policy& policy, const PolicyIR& ir, const BoundTarget& t) {
  // lang/SPEC.md §5.5: no entry, no age; an entry without age_s counts 0.0
  // when the schema does not declare age_s, or the declared default.
  if (!t.has_telemetry) return std::nullopt;
  if (t.age_s) return t.age_s;
  if (ir.age_s_slot < 0) return 0.0;
  const FieldInfo& f = policy.telemetry.fields[ir.age_s_slot];
  if (f.default_value && IsNum(*f.default_value)) return AsDouble(*f.default_value);
  return std::nullopt;
}

std::optional<double> TargetAge(const EvalCtx& ctx, const BoundTarget& t) {
  std::optional<double> age_s = EntryAgeS(*ctx.policy, *ctx.ir, t);
  if (!age_s || !ctx.snapshot || !ctx.snapshot->taken_at_ms) return std::nullopt;
  double age =
      *age_s + static_cast<double>(SatSub(ctx.now_ms, *ctx.snapshot->taken_at_ms)) / 1000.0;
  if (std::isnan(age)) return std::nullopt;
  return age < 0 ? 0.0 : age;
}

bool TargetStale(const EvalCtx& ctx, const BoundTarget& t) {
  std::optional<double> age = TargetAge(ctx, t);
  if (!age) return true;
  return *age >= static_cast<double>(ctx.policy->stale_after_ms.value_or(0)) / 1000.0;
}

namespace {

// One node's semantics; inlined into Eval, where almost every call lands.
[[gnu::always_inline]] inline Value EvalNodeInline(const EvalCtx& ctx, ast::ExprId id) {
  const ast::Expr& e = ctx.ir->program.at(id);
  const Ref& ref = ctx.ir->ref[id];
  return std::visit(
      [&](const auto& n) -> Value {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::IntLit>) {
          return Value::Int(n.value);
        } else if constexpr (std::is_same_v<N, ast::FloatLit>) {
          return Value::Float(n.value);
        } else if constexpr (std::is_same_v<N, ast::StringLit>) {
          return Value::Str(n.value);
        } else if constexpr (std::is_same_v<N, ast::BoolLit>) {
          return Value::Bool(n.value);
        } else if constexpr (std::is_same_v<N, ast::DurationLit>) {
          return Value::Int(n.ms);
        } else if constexpr (std::is_same_v<N, ast::Ident> || std::is_same_v<N, ast::Member>) {
          return Reference(ctx, id, ref);
        } else if constexpr (std::is_same_v<N, ast::Index>) {
          Value base = Eval(ctx, n.base);
          Value key = Eval(ctx, n.index);
          if (base.is_missing() || key.is_missing()) return Value::Missing();
          Value v = IndexValue(base, key);
          if (v.is_missing()) Miss(ctx, ast::PrintExpr(ctx.ir->program, id));
          return v;
        } else if constexpr (std::is_same_v<N, ast::Call>) {
          if (ref.kind == RefKind::kHas) {
            EvalCtx quiet = ctx;
            quiet.missing = nullptr;
            return Value::Bool(!Eval(quiet, n.args[0]).is_missing());
          }
          Value args[4];
          size_t count = std::min<size_t>(n.args.size(), 4);
          bool missing = false;
          for (size_t i = 0; i < count; ++i) {
            args[i] = Eval(ctx, n.args[i]);
            missing |= args[i].is_missing();
          }
          if (missing) return Value::Missing();
          auto prep = ctx.ir->prepared.find(id);
          Value r =
              CallBuiltin(static_cast<BuiltinId>(ref.index), std::span<const Value>(args, count),
                          prep == ctx.ir->prepared.end() ? nullptr : prep->second.get());
          if (r.is_missing()) Miss(ctx, n.fn + "()");
          return r;
        } else if constexpr (std::is_same_v<N, ast::Unary>) {
          Value v = Eval(ctx, n.operand);
          if (v.is_missing()) return v;
          if (n.op == ast::UnOp::kNot)
            return v.kind() == K::kBool ? Value::Bool(!v.as_bool()) : Value::Missing();
          if (v.kind() == K::kInt) return Value::Int(v.as_int() == kMin ? kMax : -v.as_int());
          if (v.kind() == K::kFloat) return Value::Float(-v.as_float());
          return Value::Missing();
        } else if constexpr (std::is_same_v<N, ast::Binary>) {
          switch (n.op) {
            case ast::BinOp::kAnd:
            case ast::BinOp::kOr:
              return Logic(ctx, n);
            default: {
              // Left before right: explain.faults lists fields in source order.
              Operand lhs(ctx, n.lhs);
              Operand rhs(ctx, n.rhs);
              return Binary(ctx, n.op, *lhs, *rhs);
            }
          }
        } else if constexpr (std::is_same_v<N, ast::Ternary>) {
          std::optional<bool> c = Truth(Eval(ctx, n.cond));
          if (!c) return Value::Missing();
          Value v = Eval(ctx, *c ? n.then_expr : n.else_expr);
          // `c ? 1 : 2.5` is float: convert the int branch as the checker typed it.
          if (v.kind() == K::kInt && ctx.ir->type[id] == ctx.policy->types.Float())
            return Value::Float(static_cast<double>(v.as_int()));
          return v;
        } else if constexpr (std::is_same_v<N, ast::ListLit> || std::is_same_v<N, ast::SetLit>) {
          Value::List items;
          items.reserve(n.items.size());
          for (ast::ExprId item : n.items) items.push_back(Eval(ctx, item));
          TypeId elem = ctx.policy->types.info(ctx.ir->type[id]).elem;
          return CollectionValue(std::is_same_v<N, ast::SetLit>, elem == ctx.policy->types.Float(),
                                 std::move(items));
        } else if constexpr (std::is_same_v<N, ast::MapLit>) {
          Value::Map entries;
          for (const auto& [k, v] : n.entries) entries.emplace_back(Eval(ctx, k), Eval(ctx, v));
          return Value::MapOf(std::move(entries));
        }
      },
      e.node);
}

}  // namespace

Value Eval(const EvalCtx& ctx, ast::ExprId id) {
  if (ctx.hooks && ctx.hooks->masked && !ctx.deriving && id < ctx.ir->derived_slot.size() &&
      ctx.ir->derived_slot[id])
    return EvalDerived(ctx, id);
  // Most nodes a rule evaluates are input reads: skip the dispatch for them.
  if (const Value* stored = Stored(ctx, id)) return *stored;
  return EvalNodeInline(ctx, id);
}

Value EvalNode(const EvalCtx& ctx, ast::ExprId id) { return EvalNodeInline(ctx, id); }

std::optional<Scalar> ToScalar(const Policy& policy, TypeId type, const Value& v) {
  switch (v.kind()) {
    case K::kBool:
      return Scalar{v.as_bool()};
    case K::kInt:
      if (type == policy.types.Float()) return Scalar{static_cast<double>(v.as_int())};
      return Scalar{v.as_int()};
    case K::kFloat:
      return Scalar{v.as_float()};
    case K::kString:
      return Scalar{std::string(v.as_string())};
    case K::kEnum: {
      const TypeInfo& info = policy.types.info(type);
      if (info.kind != TypeKind::kEnum) return std::nullopt;
      const EnumInfo& e = policy.types.enum_info(type);
      if (v.as_enum() >= e.members.size()) return std::nullopt;
      return Scalar{e.members[v.as_enum()]};
    }
    default:
      return std::nullopt;
  }
}

Value EvalConst(const Policy& policy, const PolicyIR& ir, ast::ExprId id) {
  EvalCtx ctx;
  ctx.policy = &policy;
  ctx.ir = &ir;
  return Eval(ctx, id);
}

}  // namespace mixtral::internal
