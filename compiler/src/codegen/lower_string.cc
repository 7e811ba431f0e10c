// String comparisons on interned ids: `==` and `!=` between a string request
// field or `target.name` and a literal, and `in`/`not in` a literal
// collection of strings. Compiled code never sees string bytes: every literal
// compared with gets an id (StringId), and the engine interns the field or
// name to the same ids when it builds slots (frame.h's InternRequestStrings,
// InternTargetNames), with 0 for any other string. With a literal on one
// side, equal ids mean equal strings exactly. Every other string operation
// (two fields, built-ins, computed strings) goes through the shared helpers
// (lower_boxed.cc), as interned ids would not be exact there. Hashed clauses
// (`split`, `mirror`, `spread`, `affinity`) are in lower_clause.cc.
#include "codegen/lower.h"

namespace mixtral::codegen {

using internal::RefKind;

uint64_t Lowerer::StringId(const std::string& literal) {
  for (size_t i = 0; i < strings_.size(); ++i)
    if (strings_[i] == literal) return i + 1;
  strings_.push_back(literal);
  return strings_.size();
}

bool Lowerer::Internable(ast::ExprId id) const {
  const ast::ExprNode& node = ir_.program.at(id).node;
  if (!std::holds_alternative<ast::Ident>(node) && !std::holds_alternative<ast::Member>(node))
    return false;
  const internal::Ref& ref = ir_.ref[id];
  if (ref.kind == RefKind::kRequestField) return ir_.type[id] == policy_.types.String();
  return ref.kind == RefKind::kTargetName && (target_base_ || target_absent_);
}

LV Lowerer::StringRef(ast::ExprId id) {
  const internal::Ref& ref = ir_.ref[id];
  const size_t fields = policy_.request.fields.size();
  if (ref.kind == RefKind::kRequestField) {
    // The field's own slot says whether it is present; the one after the
    // fields holds its id.
    llvm::Value* request = CtxField(0, b_.getPtrTy());
    LV field = LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, request, ref.index), Rep::kInt);
    if (!policy_.request.fields[ref.index].optional) {
      assumed_[ref.index] = true;
      field.present = True();
    }
    LV interned =
        LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, request, fields + ref.index), Rep::kInt);
    return LV{field.present, interned.value, Rep::kInt};
  }
  // target.name (Internable)
  if (!target_base_) return LV{b_.getFalse(), b_.getInt64(0), Rep::kInt};
  const uint64_t extras = policy_.attributes.fields.size() + policy_.telemetry.fields.size();
  LV name = LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, extras + kExtraNameId),
                     Rep::kInt);
  return LV{True(), name.value, Rep::kInt};
}

std::optional<LV> Lowerer::LowerStringCompare(ast::ExprId, const ast::Binary& n) {
  using ast::BinOp;
  const TypeId str = policy_.types.String();
  auto literal = [&](ast::ExprId e) -> const ast::StringLit* {
    return std::get_if<ast::StringLit>(&ir_.program.at(e).node);
  };
  if (n.op == BinOp::kEq || n.op == BinOp::kNe) {
    if (ir_.type[n.lhs] != str && ir_.type[n.rhs] != str) return std::nullopt;
    const ast::StringLit* lit = literal(n.rhs);
    ast::ExprId other = n.lhs;
    if (!lit) {
      lit = literal(n.lhs);
      other = n.rhs;
    }
    if (!lit || !Internable(other)) return std::nullopt;
    LV v = StringRef(other);
    llvm::Value* eq = b_.CreateICmpEQ(v.value, b_.getInt64(StringId(lit->value)));
    return Bool(v.present, n.op == BinOp::kEq ? eq : b_.CreateNot(eq));
  }
  if (n.op != BinOp::kIn && n.op != BinOp::kNotIn) return std::nullopt;
  if (ir_.type[n.lhs] != str || !Internable(n.lhs)) return std::nullopt;
  const ast::ExprNode& coll = ir_.program.at(n.rhs).node;
  const std::vector<ast::ExprId>* items = nullptr;
  if (const auto* set = std::get_if<ast::SetLit>(&coll)) items = &set->items;
  if (const auto* list = std::get_if<ast::ListLit>(&coll)) items = &list->items;
  if (!items) return std::nullopt;
  for (ast::ExprId item : *items)
    if (!literal(item)) return std::nullopt;
  LV v = StringRef(n.lhs);
  llvm::Value* found = b_.getFalse();
  for (ast::ExprId item : *items)
    found =
        b_.CreateOr(found, b_.CreateICmpEQ(v.value, b_.getInt64(StringId(literal(item)->value))));
  return Bool(v.present, n.op == BinOp::kIn ? found : b_.CreateNot(found));
}

}  // namespace mixtral::codegen
