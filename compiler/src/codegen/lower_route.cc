// Route kernels: one native loop per route over every candidate target,
// evaluating selectors and rules (all of them when explaining, up to the
// first failure otherwise, as the interpreter does) and scoring survivors.
#include "codegen/lower.h"

namespace mixtral::codegen {

void Lowerer::EmitCondition(ast::ExprId cond, const std::string& name) {
  auto* fty = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), b_.getPtrTy()}, false);
  llvm::Function* fn = BeginRequestFunction(fty, name);
  LV v = Lower(cond);
  llvm::Value* out = fn->getArg(1);
  b_.CreateStore(b_.CreateZExt(v.present, b_.getInt64Ty()), out);
  b_.CreateStore(b_.CreateZExt(v.value, b_.getInt64Ty()),
                 b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), out, 1));
  b_.CreateRetVoid();
}

Lowerer::KernelFrame Lowerer::BeginKernel(size_t route_index, const std::string& name) {
  const ast::Route& route = ir_.program.routes[route_index];
  if (route.rules.size() > 64)
    throw NotLowered("the JIT lowers routes of up to 64 rules", route.range);
  request_cache_.clear();
  ctx_cache_.clear();
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  auto* fty = llvm::FunctionType::get(i64, {ptr, ptr, i64}, false);
  KernelFrame k;
  k.fn = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, module_);
  kctx_ = k.fn->getArg(0);
  llvm::Value* kout = k.fn->getArg(1);

  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", k.fn);
  auto* loop = llvm::BasicBlock::Create(ctx_, "loop", k.fn);
  auto* body = llvm::BasicBlock::Create(ctx_, "body", k.fn);
  k.latch = llvm::BasicBlock::Create(ctx_, "latch", k.fn);
  auto* exit = llvm::BasicBlock::Create(ctx_, "exit", k.fn);

  b_.SetInsertPoint(entry);
  llvm::Value* targets = CtxField(1, ptr);
  llvm::Value* stride = CtxField(2, i64);
  llvm::Value* count = CtxField(3, i64);
  auto out_ptr = [&](unsigned field) {
    return b_.CreateLoad(ptr, b_.CreateStructGEP(out_ty_, kout, field));
  };
  k.selected = out_ptr(0);
  k.failed = out_ptr(1);
  k.missing = out_ptr(2);
  k.score = out_ptr(3);
  k.score_class = out_ptr(4);
  k.survivors = out_ptr(5);
  k.survivor_count = b_.CreateAlloca(i64);  // promoted to a register by mem2reg
  b_.CreateStore(b_.getInt64(0), k.survivor_count);
  ctx_cache_.assign(9, nullptr);
  for (unsigned f = 4; f < 9; ++f)
    ctx_cache_[f] = b_.CreateLoad(i64, b_.CreateStructGEP(ctx_ty_, kctx_, f));
  request_cache_.assign(policy_.request.fields.size(), std::nullopt);
  for (size_t f = 0; f < policy_.request.fields.size(); ++f) {
    SlotKind kind = KindOf(policy_.types, policy_.request.fields[f].type);
    if (kind == SlotKind::kBoxed) continue;
    request_cache_[f] = LoadRequestField(f, RepOf(policy_.request.fields[f].type, route.range));
  }
  b_.CreateBr(loop);

  b_.SetInsertPoint(loop);
  k.i = b_.CreatePHI(i64, 2);
  k.i->addIncoming(b_.getInt64(0), entry);
  b_.CreateCondBr(b_.CreateICmpULT(k.i, count), body, exit);

  b_.SetInsertPoint(exit);
  b_.CreateRet(b_.CreateLoad(i64, k.survivor_count));

  b_.SetInsertPoint(k.latch);
  k.i->addIncoming(b_.CreateAdd(k.i, b_.getInt64(1)), k.latch);
  b_.CreateBr(loop);

  b_.SetInsertPoint(body);
  target_base_ = b_.CreateInBoundsGEP(slot_ty_, targets, b_.CreateMul(k.i, stride));
  k.sel = b_.getTrue();
  for (ast::ExprId s : route.selectors) {
    LV v = Lower(s);
    k.sel = b_.CreateAnd(k.sel, b_.CreateAnd(v.present, v.value));  // missing excludes
  }
  b_.CreateStore(b_.CreateZExt(k.sel, b_.getInt8Ty()),
                 b_.CreateInBoundsGEP(b_.getInt8Ty(), k.selected, k.i));
  return k;
}

void Lowerer::EndKernel() {
  target_base_ = nullptr;
  request_cache_.clear();
  ctx_cache_.clear();
}

void Lowerer::EmitScore(size_t route_index, const KernelFrame& k) {
  const ast::Route& route = ir_.program.routes[route_index];
  // Target i survived: append it to the list that ranking walks.
  llvm::Value* n = b_.CreateLoad(b_.getInt64Ty(), k.survivor_count);
  b_.CreateStore(b_.CreateTrunc(k.i, b_.getInt32Ty()),
                 b_.CreateInBoundsGEP(b_.getInt32Ty(), k.survivors, n));
  b_.CreateStore(b_.CreateAdd(n, b_.getInt64(1)), k.survivor_count);
  llvm::Value* score = llvm::ConstantFP::get(b_.getDoubleTy(), 0.0);
  llvm::Value* all_present = b_.getTrue();
  for (size_t n = 0; n < route.objectives.size(); ++n) {
    const ast::Objective& o = route.objectives[n];
    LV v = ToFloat(Lower(o.value));
    llvm::Value* term = v.value;
    llvm::Value* present = v.present;
    if (o.weight != ast::kNoExpr) {
      LV w = ToFloat(Lower(o.weight));
      term = b_.CreateFMul(term, w.value);
      present = b_.CreateAnd(present, w.present);
    }
    all_present = b_.CreateAnd(all_present, present);
    // No 0.0 seed: the first term is the score (contract §5).
    if (n == 0)
      score = o.maximize ? b_.CreateFNeg(term) : term;
    else
      score = o.maximize ? b_.CreateFSub(score, term) : b_.CreateFAdd(score, term);
  }
  llvm::Value* cls = b_.CreateSelect(
      all_present, b_.CreateSelect(IsNaN(score), b_.getInt8(1), b_.getInt8(0)), b_.getInt8(2));
  b_.CreateStore(score, b_.CreateInBoundsGEP(b_.getDoubleTy(), k.score, k.i));
  b_.CreateStore(cls, b_.CreateInBoundsGEP(b_.getInt8Ty(), k.score_class, k.i));
  b_.CreateBr(k.latch);
}

void Lowerer::EmitQuickKernel(size_t route_index, const std::string& name) {
  const ast::Route& route = ir_.program.routes[route_index];
  KernelFrame k = BeginKernel(route_index, name);
  llvm::Function* fn = k.fn;
  auto* i64 = b_.getInt64Ty();
  auto* rules = llvm::BasicBlock::Create(ctx_, "rules", fn);
  auto* fail = llvm::BasicBlock::Create(ctx_, "fail", fn);
  b_.CreateCondBr(k.sel, rules, k.latch);
  // Without an explanation only "did any rule fail" matters (contract §2):
  // each rule branches straight out on failure, and `missing` is not kept.
  b_.SetInsertPoint(rules);
  for (const ast::Rule& rule : route.rules) {
    LV v = Lower(rule.cond);
    llvm::Value* pass = b_.CreateAnd(v.present, rule.forbid ? b_.CreateNot(v.value) : v.value);
    auto* next = llvm::BasicBlock::Create(ctx_, "rule", fn);
    b_.CreateCondBr(pass, next, fail);
    b_.SetInsertPoint(next);
  }
  b_.CreateStore(b_.getInt64(0), b_.CreateInBoundsGEP(i64, k.failed, k.i));
  EmitScore(route_index, k);

  b_.SetInsertPoint(fail);
  b_.CreateStore(b_.getInt64(1), b_.CreateInBoundsGEP(i64, k.failed, k.i));
  b_.CreateBr(k.latch);
  EndKernel();
}

void Lowerer::EmitRouteKernel(size_t route_index, const std::string& name) {
  const ast::Route& route = ir_.program.routes[route_index];
  KernelFrame k = BeginKernel(route_index, name);
  auto* i64 = b_.getInt64Ty();
  auto* rules = llvm::BasicBlock::Create(ctx_, "rules", k.fn);
  b_.CreateCondBr(k.sel, rules, k.latch);
  // Explaining, every rule is evaluated (contract §2). Rules lower without
  // branches, so this is straight-line code: no per-rule exit to mispredict.
  b_.SetInsertPoint(rules);
  llvm::Value* failed = b_.getInt64(0);
  llvm::Value* missing = b_.getInt64(0);
  for (size_t r = 0; r < route.rules.size(); ++r) {
    const ast::Rule& rule = route.rules[r];
    LV v = Lower(rule.cond);
    llvm::Value* pass = b_.CreateAnd(v.present, rule.forbid ? b_.CreateNot(v.value) : v.value);
    llvm::Value* bit = b_.getInt64(uint64_t{1} << r);
    failed = b_.CreateOr(failed, b_.CreateSelect(pass, b_.getInt64(0), bit));
    missing = b_.CreateOr(missing, b_.CreateSelect(v.present, b_.getInt64(0), bit));
  }
  b_.CreateStore(failed, b_.CreateInBoundsGEP(i64, k.failed, k.i));
  b_.CreateStore(missing, b_.CreateInBoundsGEP(i64, k.missing, k.i));
  auto* score_bb = llvm::BasicBlock::Create(ctx_, "score", k.fn);
  b_.CreateCondBr(b_.CreateICmpEQ(failed, b_.getInt64(0)), score_bb, k.latch);

  b_.SetInsertPoint(score_bb);
  EmitScore(route_index, k);
  EndKernel();
}

}  // namespace mixtral::codegen
