// Strings, lists and maps: values the frame keeps boxed (a pointer to the
// bound Value). Compiled code passes them, with any unboxed operand, to the
// helpers of helpers.cc, which call the interpreter's own operators and
// built-ins; constants (literals, lets, policy.name) sit in a per-policy table
// that the BoxEnv points at, so the lowered IR holds only indices and stays
// equal, and cacheable, across loads.
#include "codegen/lower.h"
#include "interp/const_eval.h"

namespace mixtral::codegen {

using internal::RefKind;

llvm::Value* Lowerer::Env() {
  uses_helpers_ = true;
  return b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(ctx_ty_, kctx_, 9));
}

LV Lowerer::BoxedConstant(const Value& v) {
  const uint64_t index = constants_.size();
  constants_.push_back(v);
  llvm::Value* table = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(env_ty_, Env(), 0));
  llvm::Value* addr = b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), table, index * sizeof(Value));
  return LV{True(), b_.CreatePtrToInt(addr, b_.getInt64Ty()), Rep::kBoxed};
}

std::optional<Value> Lowerer::ConstantValue(ast::ExprId id) {
  const ast::ExprNode& node = ir_.program.at(id).node;
  bool constant = std::visit(
      [&](const auto& n) -> bool {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::IntLit> || std::is_same_v<N, ast::FloatLit> ||
                      std::is_same_v<N, ast::StringLit> || std::is_same_v<N, ast::BoolLit> ||
                      std::is_same_v<N, ast::DurationLit>) {
          return true;
        } else if constexpr (std::is_same_v<N, ast::Ident> || std::is_same_v<N, ast::Member>) {
          RefKind k = ir_.ref[id].kind;
          return k == RefKind::kLet || k == RefKind::kEnumMember || k == RefKind::kPolicyName ||
                 k == RefKind::kPolicyVersion;
        } else if constexpr (std::is_same_v<N, ast::Unary>) {
          return n.op != ast::UnOp::kNot && ConstantValue(n.operand).has_value();
        } else if constexpr (std::is_same_v<N, ast::ListLit> || std::is_same_v<N, ast::SetLit>) {
          for (ast::ExprId item : n.items)
            if (!ConstantValue(item)) return false;
          return true;
        } else if constexpr (std::is_same_v<N, ast::MapLit>) {
          for (const auto& [k, v] : n.entries)
            if (!ConstantValue(k) || !ConstantValue(v)) return false;
          return true;
        } else {
          return false;
        }
      },
      node);
  if (!constant) return std::nullopt;
  // The interpreter's own evaluation, so a literal means what it means there
  // (ints in a list<float> become floats, sets sort, later map keys win).
  return internal::EvalConst(policy_, ir_, id);
}

LV Lowerer::AsBoxed(ast::ExprId id, const LV& v) {
  if (v.rep != Rep::kEnumSet || KindOf(policy_.types, ir_.type[id]) != SlotKind::kBoxed) return v;
  // A list literal of enums is a bitmask for membership; anything else needs
  // the list itself.
  const ast::ExprNode& node = ir_.program.at(id).node;
  if (const auto* list = std::get_if<ast::ListLit>(&node)) return LowerCollection(id, list->items);
  if (std::optional<Value> c = ConstantValue(id)) return BoxedConstant(*c);
  Unsupported(id, "a list of enums that is not a literal, other than for `in`");
}

llvm::Value* Lowerer::SlotArray(const std::vector<LV>& values,
                                const std::vector<ast::ExprId>& ids) {
  llvm::ArrayType* type = llvm::ArrayType::get(slot_ty_, std::max<size_t>(values.size(), 1));
  llvm::Value* array;
  {
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    array = entry.CreateAlloca(type);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    llvm::Value* slot = HelperArg(AsBoxed(ids[i], values[i]));
    b_.CreateStore(b_.CreateLoad(slot_ty_, slot), b_.CreateConstInBoundsGEP2_64(type, array, 0, i));
  }
  return array;
}

LV Lowerer::LowerCollection(ast::ExprId id, const std::vector<ast::ExprId>& items) {
  if (std::optional<Value> c = ConstantValue(id)) return BoxedConstant(*c);
  std::vector<LV> values;
  for (ast::ExprId item : items) values.push_back(Lower(item));
  llvm::Value* array = SlotArray(values, items);
  const TypeInfo& info = policy_.types.info(ir_.type[id]);
  const uint64_t kind = info.kind == TypeKind::kMap ? 2 : info.kind == TypeKind::kSet ? 1 : 0;
  return CallHelper(kCollectionSymbol,
                    {Env(), b_.getInt64(kind), b_.getInt64(info.elem == policy_.types.Float()),
                     array, b_.getInt64(items.size())},
                    Rep::kBoxed);
}

llvm::Value* Lowerer::HelperArg(const LV& v) {
  SlotKind kind = v.rep == Rep::kBool      ? SlotKind::kBool
                  : v.rep == Rep::kInt     ? SlotKind::kInt
                  : v.rep == Rep::kFloat   ? SlotKind::kFloat
                  : v.rep == Rep::kEnum    ? SlotKind::kEnum
                  : v.rep == Rep::kEnumSet ? SlotKind::kEnumSet
                                           : SlotKind::kBoxed;
  llvm::Value* bits = v.rep == Rep::kBool    ? b_.CreateZExt(v.value, b_.getInt64Ty())
                      : v.rep == Rep::kFloat ? b_.CreateBitCast(v.value, b_.getInt64Ty())
                                             : v.value;
  llvm::Value* tag =
      b_.CreateSelect(v.present, b_.getInt64(1 + static_cast<uint64_t>(kind)), b_.getInt64(0));
  llvm::Value* slot = HelperOut();
  b_.CreateStore(bits, b_.CreateStructGEP(slot_ty_, slot, 0));
  b_.CreateStore(tag, b_.CreateStructGEP(slot_ty_, slot, 1));
  return slot;
}

llvm::Value* Lowerer::HelperOut() {
  // In the entry block, so a call inside the target loop reuses one slot.
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  return entry.CreateAlloca(slot_ty_);
}

LV Lowerer::CallHelper(const char* symbol, std::vector<llvm::Value*> args, Rep rep) {
  // Every helper returns through a Slot passed last.
  llvm::Value* out = HelperOut();
  args.push_back(out);
  std::vector<llvm::Type*> params;
  for (llvm::Value* a : args) params.push_back(a->getType());
  b_.CreateCall(
      module_.getOrInsertFunction(symbol, llvm::FunctionType::get(b_.getVoidTy(), params, false)),
      args);
  return LoadSlot(out, rep);
}

llvm::Value* Lowerer::ResultKind(TypeId type) {
  return b_.getInt64(static_cast<uint64_t>(KindOf(policy_.types, type)));
}

LV Lowerer::LowerBoxedBinary(ast::ExprId id, ast::BinOp op, const LV& a, const LV& b) {
  const ast::Binary& n = std::get<ast::Binary>(ir_.program.at(id).node);
  llvm::Value* pa = HelperArg(AsBoxed(n.lhs, a));
  llvm::Value* pb = HelperArg(AsBoxed(n.rhs, b));
  const TypeId type = ir_.type[id];
  return CallHelper(kBinarySymbol,
                    {Env(), b_.getInt64(static_cast<uint64_t>(op)), pa, pb, ResultKind(type)},
                    RepOf(type, ir_.program.at(id).range));
}

LV Lowerer::LowerIndex(ast::ExprId id, const ast::Index& n) {
  llvm::Value* base = HelperArg(AsBoxed(n.base, Lower(n.base)));
  llvm::Value* key = HelperArg(Lower(n.index));
  const TypeId type = ir_.type[id];
  return CallHelper(kIndexSymbol, {Env(), base, key, ResultKind(type)},
                    RepOf(type, ir_.program.at(id).range));
}

LV Lowerer::LowerHelperCall(ast::ExprId id, const ast::Call& call, const std::vector<LV>& args) {
  if (args.size() > 4) Unsupported(id, "a built-in of more than four arguments");
  llvm::Value* array = SlotArray(args, call.args);
  uint64_t prepared = UINT64_MAX;
  if (auto p = ir_.prepared.find(id); p != ir_.prepared.end() && p->second) {
    prepared = prepared_.size();
    prepared_.push_back(p->second.get());
  }
  const TypeId type = ir_.type[id];
  return CallHelper(kCallSymbol,
                    {Env(), b_.getInt64(ir_.ref[id].index), b_.getInt64(prepared), array,
                     b_.getInt64(args.size()), ResultKind(type)},
                    RepOf(type, ir_.program.at(id).range));
}

LV Lowerer::LowerCounter(ast::ExprId, uint32_t counter) {
  const ast::ExprId key_expr = ir_.program.counters[counter].key;
  llvm::Value* key = HelperArg(Lower(key_expr));
  reads_counters_ = true;
  return CallHelper(kCounterSymbol, {Env(), b_.getInt64(counter), key}, Rep::kFloat);
}

}  // namespace mixtral::codegen
