// Functions that the shared decision pipeline calls on single targets, so that
// the clauses it runs after a route kernel read compiled code rather than the
// interpreter: binding rules on named targets, assertions on the decision's
// targets, and annotation values. Like the kernels, they lower without
// branches.
#include "codegen/lower.h"

namespace mixtral::codegen {

llvm::Function* Lowerer::BeginTargetFunction(llvm::FunctionType* type, const std::string& name) {
  llvm::Function* fn = BeginRequestFunction(type, name);
  llvm::Value* targets = CtxField(1, b_.getPtrTy());
  llvm::Value* stride = CtxField(2, b_.getInt64Ty());
  target_base_ = b_.CreateInBoundsGEP(slot_ty_, targets, b_.CreateMul(fn->getArg(1), stride));
  return fn;
}

void Lowerer::EmitBindingKernel(size_t route_index, const std::string& name) {
  const ast::Route& route = ir_.program.routes[route_index];
  auto* i64 = b_.getInt64Ty();
  BeginTargetFunction(llvm::FunctionType::get(i64, {b_.getPtrTy(), i64}, false), name);
  // Walk the rules backwards so that the first failing rule's index is the
  // last one selected: the interpreter stops at, and reports, the first.
  llvm::Value* result = b_.getInt64(0);
  for (size_t r = route.rules.size(); r-- > 0;) {
    const ast::Rule& rule = route.rules[r];
    if (!rule.binding) continue;
    LV v = Lower(rule.cond);
    llvm::Value* pass = b_.CreateAnd(v.present, rule.forbid ? b_.CreateNot(v.value) : v.value);
    result = b_.CreateSelect(pass, result, b_.getInt64(r + 1));
  }
  b_.CreateRet(result);
  EndKernel();
}

void Lowerer::EmitTargetCondition(ast::ExprId cond, const std::string& name) {
  auto* i64 = b_.getInt64Ty();
  llvm::Function* fn = BeginTargetFunction(
      llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), i64, b_.getPtrTy()}, false), name);
  LV v = Lower(cond);
  llvm::Value* out = fn->getArg(2);
  b_.CreateStore(b_.CreateZExt(v.present, i64), out);
  b_.CreateStore(b_.CreateZExt(v.value, i64), b_.CreateConstInBoundsGEP1_64(i64, out, 1));
  b_.CreateRetVoid();
  EndKernel();
}

void Lowerer::EmitValue(ast::ExprId value, const std::string& name, bool with_target) {
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  const TypeId type = ir_.type[value];
  const TypeTable& types = policy_.types;
  // The value types whose Scalar (ToScalar) the engine can rebuild from bits
  // (a string from the address of its Value).
  const TypeKind kind = types.info(type).kind;
  if (kind != TypeKind::kBool && kind != TypeKind::kInt && kind != TypeKind::kFloat &&
      kind != TypeKind::kEnum && kind != TypeKind::kString && kind != TypeKind::kDuration &&
      kind != TypeKind::kTime)
    throw NotLowered("the JIT does not lower annotations of type " + types.Name(type) + " yet",
                     ir_.program.at(value).range);
  llvm::Function* fn;
  if (with_target) {
    fn = BeginTargetFunction(llvm::FunctionType::get(b_.getVoidTy(), {ptr, i64, ptr}, false), name);
  } else {
    fn = BeginRequestFunction(llvm::FunctionType::get(b_.getVoidTy(), {ptr, ptr}, false), name);
    target_absent_ = true;
  }
  LV v;
  try {
    v = Lower(value);
  } catch (...) {
    target_absent_ = false;
    throw;
  }
  target_absent_ = false;
  if (type == types.Float()) v = ToFloat(v);
  llvm::Value* bits = v.rep == Rep::kBool    ? b_.CreateZExt(v.value, i64)
                      : v.rep == Rep::kFloat ? b_.CreateBitCast(v.value, i64)
                                             : v.value;
  llvm::Value* out = fn->getArg(with_target ? 2 : 1);
  b_.CreateStore(b_.CreateZExt(v.present, i64), out);
  b_.CreateStore(bits, b_.CreateConstInBoundsGEP1_64(i64, out, 1));
  b_.CreateRetVoid();
  EndKernel();
}

}  // namespace mixtral::codegen
