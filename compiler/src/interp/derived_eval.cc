// Derived values of expressions over masked fields (lang/SPEC.md §19.1).
// Deciding, such an expression is evaluated as usual and its value recorded,
// so reading its masked fields does not make the decision unreplayable.
// Replaying, the recorded value stands in for the expression; an expression
// the record has no value for (the policy changed) is evaluated on the
// masked fields, which marks the decision not replayable unless a recorded
// sub-expression stands in for every read.
#include <limits>

#include "interp/eval.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral::internal {
namespace {

// The recorded scalar as a value of the expression's type, or nullopt when
// it cannot be one (a record made under another policy).
std::optional<Value> FromScalar(const EvalCtx& ctx, TypeId type, const Scalar& s) {
  const TypeInfo& info = ctx.policy->types.info(type);
  if (const bool* b = std::get_if<bool>(&s))
    return info.kind == TypeKind::kBool ? std::optional<Value>(Value::Bool(*b)) : std::nullopt;
  if (const int64_t* i = std::get_if<int64_t>(&s)) {
    if (info.kind == TypeKind::kFloat) return Value::Float(static_cast<double>(*i));
    if (info.kind == TypeKind::kInt || info.kind == TypeKind::kDuration ||
        info.kind == TypeKind::kTime)
      return Value::Int(*i);
    return std::nullopt;
  }
  if (const double* d = std::get_if<double>(&s))
    return info.kind == TypeKind::kFloat ? std::optional<Value>(Value::Float(*d)) : std::nullopt;
  const std::string& text = std::get<std::string>(s);
  if (info.kind == TypeKind::kFloat) {
    // The canonical form writes the non-finite floats as strings (§19.3).
    if (text == "NaN") return Value::Float(std::numeric_limits<double>::quiet_NaN());
    if (text == "Infinity") return Value::Float(std::numeric_limits<double>::infinity());
    if (text == "-Infinity") return Value::Float(-std::numeric_limits<double>::infinity());
  }
  if (info.kind != TypeKind::kEnum) return std::nullopt;
  int ord = ctx.policy->types.enum_info(type).Find(text);
  if (ord < 0) return std::nullopt;
  return Value::Enum(static_cast<uint32_t>(ord));
}

}  // namespace

Value EvalDerived(const EvalCtx& ctx, ast::ExprId id) {
  const DerivedExpr& d = ctx.ir->derived_exprs[ctx.ir->derived_slot[id] - 1];
  const std::vector<uint8_t>& masked = *ctx.hooks->masked;
  for (uint32_t f : d.fields)
    if (f >= masked.size() || !masked[f]) return EvalNode(ctx, id);
  if (ctx.hooks->derived) {
    const std::optional<Scalar>* recorded = RecordedDerived(ctx, d.key);
    if (recorded && !*recorded) return Value::Missing();
    if (recorded) {
      if (std::optional<Value> v = FromScalar(ctx, ctx.ir->type[id], **recorded)) return *v;
    }
    return EvalNode(ctx, id);
  }
  EvalRecord* record = ctx.hooks->record;
  const bool before = record && record->masked_read;
  EvalCtx inner = ctx;
  inner.deriving = true;
  Value v = EvalNode(inner, id);
  if (record) {
    RecordDerived(record, d.key, ToScalar(*ctx.policy, ctx.ir->type[id], v));
    record->masked_read = before;  // read through the value the record now carries
  }
  return v;
}

}  // namespace mixtral::internal

namespace mixtral {

bool DerivesFromMasked(const Policy& policy, const std::vector<uint8_t>& masked) {
  for (const internal::DerivedExpr& d : policy.ir->derived_exprs) {
    bool all = !d.fields.empty();
    for (uint32_t f : d.fields) all = all && f < masked.size() && masked[f];
    if (all) return true;
  }
  return false;
}

}  // namespace mixtral
