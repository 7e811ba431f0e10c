// Route clauses that the pipeline runs after ranking, lowered to functions
// it calls: the hashed clauses (`split`, `mirror`, `spread`, `affinity`) and
// the cascade's `pin`.
//
// A hashed clause's key is a string. Compiled code never sees string bytes:
// it selects the slot that holds the key (KeySlot) and hands it to a shared
// hash helper (frame.h: mixtral_jit_split_bucket, _spread_bucket,
// _rendezvous), which calls the same stdlib function the interpreter does,
// so the buckets cannot drift. Session::Load registers the helpers in every
// policy's JITDylib.
#include "codegen/lower.h"

namespace mixtral::codegen {

using internal::RefKind;

llvm::Value* Lowerer::KeySlot(ast::ExprId key, SourceRange clause, const char* what) {
  const ast::ExprNode& node = ir_.program.at(key).node;
  const internal::Ref& ref = ir_.ref[key];
  if ((std::holds_alternative<ast::Ident>(node) || std::holds_alternative<ast::Member>(node)) &&
      ref.kind == RefKind::kRequestField && ir_.type[key] == policy_.types.String())
    return b_.CreateConstInBoundsGEP1_64(slot_ty_, CtxField(0, b_.getPtrTy()), ref.index);
  if (const auto* t = std::get_if<ast::Ternary>(&node)) {
    // Both arms are keys; a missing condition makes a missing key (§4), which
    // the helpers see as a slot holding nothing.
    LV c = Lower(t->cond);
    llvm::Value* then_slot = KeySlot(t->then_expr, clause, what);
    llvm::Value* else_slot = KeySlot(t->else_expr, clause, what);
    return b_.CreateSelect(c.present, b_.CreateSelect(c.value, then_slot, else_slot), NoKey());
  }
  throw NotLowered(std::string("the JIT lowers ") + what +
                       " keyed by a string request field, or a ternary between such keys, only",
                   clause);
}

llvm::Value* Lowerer::NoKey() {
  if (llvm::GlobalVariable* g = module_.getNamedGlobal("nokey")) return g;
  return new llvm::GlobalVariable(module_, slot_ty_, true, llvm::GlobalValue::PrivateLinkage,
                                  llvm::Constant::getNullValue(slot_ty_), "nokey");
}

llvm::Function* Lowerer::BeginRequestFunction(llvm::FunctionType* type, const std::string& name) {
  // Nothing cached for another function may leak in, even after a kernel
  // whose lowering stopped half-way.
  request_cache_.clear();
  ctx_cache_.clear();
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn));
  kctx_ = fn->getArg(0);
  target_base_ = nullptr;
  return fn;
}

void Lowerer::EmitSplit(size_t route_index, const std::string& name) {
  const ast::Split& split = *ir_.program.routes[route_index].split;
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  BeginRequestFunction(llvm::FunctionType::get(i64, {ptr}, false), name);
  llvm::Value* slot = KeySlot(split.key, split.range, "`split`");
  llvm::FunctionCallee helper = module_.getOrInsertFunction(
      kSplitBucketSymbol, llvm::FunctionType::get(i64, {ptr, ptr, i64}, false));
  llvm::Value* salt = b_.CreateGlobalString(split.salt, "salt");
  llvm::Value* bucket = b_.CreateCall(helper, {slot, salt, b_.getInt64(split.salt.size())});
  // The first arm whose cumulative share exceeds the bucket, as SplitVariant
  // walks them; a missing key (UINT64_MAX) exceeds every share.
  llvm::Value* arm = b_.getInt64(UINT64_MAX);
  uint64_t cum = 0;
  std::vector<uint64_t> bounds;
  for (const ast::SplitArm& a : split.arms) bounds.push_back(cum += static_cast<uint32_t>(a.bp));
  for (size_t i = bounds.size(); i-- > 0;)
    arm = b_.CreateSelect(b_.CreateICmpULT(bucket, b_.getInt64(bounds[i])), b_.getInt64(i), arm);
  b_.CreateRet(arm);
  EndKernel();
}

void Lowerer::EmitMirror(size_t route_index, size_t k, const std::string& name) {
  const ast::MirrorClause& m = ir_.program.routes[route_index].mirrors[k];
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  BeginRequestFunction(llvm::FunctionType::get(i64, {ptr}, false), name);
  llvm::Value* take = True();
  if (m.when != ast::kNoExpr) {
    LV w = Lower(m.when);
    take = b_.CreateAnd(w.present, w.value);  // missing does not sample
  }
  llvm::Value* slot = nullptr;
  if (m.key != ast::kNoExpr)
    slot = KeySlot(m.key, m.range, "`mirror`");
  else if (ir_.id_field >= 0)
    slot = b_.CreateConstInBoundsGEP1_64(slot_ty_, CtxField(0, ptr),
                                         static_cast<uint64_t>(ir_.id_field));
  if (!slot) {
    take = b_.getFalse();  // no key, no sample (route_eval.cc's Mirrors)
  } else {
    llvm::FunctionCallee helper = module_.getOrInsertFunction(
        kSplitBucketSymbol, llvm::FunctionType::get(i64, {ptr, ptr, i64}, false));
    // The target's name salts the bucket (MixedBucket10k(target, key)).
    llvm::Value* salt = b_.CreateGlobalString(m.target.name, "mirror");
    llvm::Value* bucket = b_.CreateCall(helper, {slot, salt, b_.getInt64(m.target.name.size())});
    // UINT64_MAX (no string key) is never under a rate of at most 10000.
    take = b_.CreateAnd(
        take, b_.CreateICmpULT(
                  bucket, b_.getInt64(static_cast<uint64_t>(std::max<int32_t>(m.rate_bp, 0)))));
  }
  b_.CreateRet(b_.CreateZExt(take, i64));
  EndKernel();
}

void Lowerer::EmitSpread(size_t route_index, const std::string& name) {
  const ast::Spread& spread = *ir_.program.routes[route_index].spread;
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  llvm::Function* fn = BeginRequestFunction(llvm::FunctionType::get(i64, {ptr, i64}, false), name);
  llvm::Value* slot = KeySlot(spread.key, spread.range, "`spread`");
  llvm::FunctionCallee helper = module_.getOrInsertFunction(
      kSpreadBucketSymbol, llvm::FunctionType::get(i64, {ptr, i64}, false));
  b_.CreateRet(b_.CreateCall(helper, {slot, fn->getArg(1)}));
  EndKernel();
}

void Lowerer::EmitAffinity(size_t route_index, const std::string& name) {
  const ast::Affinity& affinity = *ir_.program.routes[route_index].affinity;
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  auto* void_ty = b_.getVoidTy();
  llvm::Function* fn =
      BeginRequestFunction(llvm::FunctionType::get(void_ty, {ptr, ptr, i64, ptr}, false), name);
  llvm::Value* slot = KeySlot(affinity.key, affinity.range, "`affinity`");
  llvm::FunctionCallee helper = module_.getOrInsertFunction(
      kRendezvousSymbol, llvm::FunctionType::get(void_ty, {ptr, ptr, i64, ptr}, false));
  b_.CreateCall(helper, {slot, fn->getArg(1), fn->getArg(2), fn->getArg(3)});
  b_.CreateRetVoid();
  EndKernel();
}

void Lowerer::EmitPin(size_t route_index, const std::string& name) {
  const ast::ExprId pin = ir_.program.routes[route_index].cascade->pin;
  const SourceRange where = ir_.program.at(pin).range;
  const bool string = ir_.type[pin] == policy_.types.String();
  const ast::ExprNode& node = ir_.program.at(pin).node;
  const internal::Ref& ref = ir_.ref[pin];
  if (string) {
    // A string field of the target (or the request) is a boxed slot, which
    // mixtral_jit_same_string compares as ValueEquals does.
    const bool field =
        std::holds_alternative<ast::Ident>(node) || std::holds_alternative<ast::Member>(node);
    if (!field || (ref.kind != RefKind::kAttribute && ref.kind != RefKind::kTelemetry &&
                   ref.kind != RefKind::kRequestField))
      throw NotLowered(
          "the JIT lowers a string `pin` that is a target attribute, telemetry or request field "
          "only",
          where);
  } else if (RepOf(ir_.type[pin], where) == Rep::kEnumSet) {
    // Equal enum sets are not always equal lists (ValueEquals compares in order).
    throw NotLowered("the JIT does not lower a cascade `pin` of type " +
                         policy_.types.Name(ir_.type[pin]) + " yet",
                     where);
  }
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  llvm::Function* fn =
      BeginRequestFunction(llvm::FunctionType::get(i64, {ptr, i64, i64}, false), name);
  llvm::Value* targets = CtxField(1, ptr);
  llvm::Value* stride = CtxField(2, i64);
  auto base = [&](llvm::Value* index) {
    return b_.CreateInBoundsGEP(slot_ty_, targets, b_.CreateMul(index, stride));
  };
  if (string) {
    const uint64_t attrs = policy_.attributes.fields.size();
    auto slot = [&](llvm::Value* index) -> llvm::Value* {
      if (ref.kind == RefKind::kRequestField)
        return b_.CreateConstInBoundsGEP1_64(slot_ty_, CtxField(0, ptr), ref.index);
      const uint64_t at = ref.kind == RefKind::kAttribute ? ref.index : attrs + ref.index;
      return b_.CreateConstInBoundsGEP1_64(slot_ty_, base(index), at);
    };
    llvm::FunctionCallee helper = module_.getOrInsertFunction(
        kSameStringSymbol, llvm::FunctionType::get(i64, {ptr, ptr}, false));
    b_.CreateRet(b_.CreateCall(helper, {slot(fn->getArg(1)), slot(fn->getArg(2))}));
    EndKernel();
    return;
  }
  auto at = [&](llvm::Value* index) {
    target_base_ = base(index);
    LV v = Lower(pin);
    return ir_.type[pin] == policy_.types.Float() ? ToFloat(v) : v;
  };
  LV primary = at(fn->getArg(1));
  LV stage = at(fn->getArg(2));
  // ValueEquals: missing equals nothing; floats compare as IEEE numbers (NaN
  // unequal, -0.0 == 0.0).
  llvm::Value* eq = primary.rep == Rep::kFloat ? b_.CreateFCmpOEQ(primary.value, stage.value)
                                               : b_.CreateICmpEQ(primary.value, stage.value);
  llvm::Value* keep = b_.CreateAnd(b_.CreateAnd(primary.present, stage.present), eq);
  b_.CreateRet(b_.CreateZExt(keep, i64));
  EndKernel();
}

}  // namespace mixtral::codegen
