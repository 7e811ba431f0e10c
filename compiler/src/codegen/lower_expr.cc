#include <cstring>

#include "codegen/lower.h"

namespace mixtral::codegen {

using internal::RefKind;

Lowerer::Lowerer(const Policy& policy, llvm::LLVMContext& ctx, llvm::Module& module)
    : policy_(policy), ir_(*policy.ir), ctx_(ctx), module_(module), b_(ctx) {
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  slot_ty_ = llvm::StructType::get(ctx, {i64, i64});
  // Mirrors KernelCtx and KernelOut in frame.h, field for field.
  ctx_ty_ = llvm::StructType::get(ctx, {ptr, ptr, i64, i64, i64, i64, i64, i64, i64, ptr});
  out_ty_ = llvm::StructType::get(ctx, {ptr, ptr, ptr, ptr, ptr, ptr});
  env_ty_ = llvm::StructType::get(ctx, {ptr, ptr, ptr, ptr});  // BoxEnv
  assumed_.assign(policy.request.fields.size(), false);
}

void Lowerer::Unsupported(ast::ExprId id, const std::string& what) {
  throw NotLowered(
      "the JIT does not lower " + what + " yet: `" + ast::PrintExpr(ir_.program, id) + "`",
      ir_.program.at(id).range);
}

Rep Lowerer::RepOf(TypeId t, SourceRange where) const {
  switch (KindOf(policy_.types, t)) {
    case SlotKind::kBool:
      return Rep::kBool;
    case SlotKind::kInt:
      return Rep::kInt;
    case SlotKind::kFloat:
      return Rep::kFloat;
    case SlotKind::kEnum:
      return Rep::kEnum;
    case SlotKind::kEnumSet:
      return Rep::kEnumSet;
    case SlotKind::kBoxed:
      break;
  }
  (void)where;
  return Rep::kBoxed;
}

llvm::Value* Lowerer::CtxField(unsigned index, llvm::Type* type) {
  if (index < ctx_cache_.size() && ctx_cache_[index]) return ctx_cache_[index];
  return b_.CreateLoad(type, b_.CreateStructGEP(ctx_ty_, kctx_, index));
}

LV Lowerer::LoadSlot(llvm::Value* slot_ptr, Rep rep) {
  llvm::Value* bits = b_.CreateLoad(b_.getInt64Ty(), b_.CreateStructGEP(slot_ty_, slot_ptr, 0));
  llvm::Value* present = b_.CreateICmpNE(
      b_.CreateLoad(b_.getInt64Ty(), b_.CreateStructGEP(slot_ty_, slot_ptr, 1)), b_.getInt64(0));
  switch (rep) {
    case Rep::kBool:
      return LV{present, b_.CreateICmpNE(bits, b_.getInt64(0)), rep};
    case Rep::kFloat:
      return LV{present, b_.CreateBitCast(bits, b_.getDoubleTy()), rep};
    default:
      return LV{present, bits, rep};
  }
}

std::vector<uint32_t> Lowerer::AssumedPresent() const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < assumed_.size(); ++i)
    if (assumed_[i]) out.push_back(i);
  return out;
}

LV Lowerer::LoadRequestField(size_t index, Rep rep) {
  LV v = LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, CtxField(0, b_.getPtrTy()), index), rep);
  // A required field is always present in a bound request (contract §8), so
  // its presence is a constant and every test of it folds away. The engine
  // checks the promise for the fields that LowerRef marks in assumed_.
  if (!policy_.request.fields[index].optional) v.present = True();
  return v;
}

LV Lowerer::ToFloat(const LV& v) {
  if (v.rep == Rep::kFloat) return v;
  // sitofp rounds to nearest, ties to even: contract §5's int-to-float rule.
  return LV{v.present, b_.CreateSIToFP(v.value, b_.getDoubleTy()), Rep::kFloat};
}

LV Lowerer::Constant(const Value& v, TypeId type, SourceRange where) {
  Rep rep = RepOf(type, where);
  if (v.is_missing())
    return LV{b_.getFalse(),
              rep == Rep::kBool    ? b_.getFalse()
              : rep == Rep::kFloat ? llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)
                                   : b_.getInt64(0),
              rep};
  switch (rep) {
    case Rep::kBool:
      return LV{True(), b_.getInt1(v.as_bool()), rep};
    case Rep::kInt:
      return LV{True(), b_.getInt64(static_cast<uint64_t>(v.as_int())), rep};
    case Rep::kFloat: {
      double d = v.kind() == Value::Kind::kInt ? static_cast<double>(v.as_int()) : v.as_float();
      return LV{True(), llvm::ConstantFP::get(b_.getDoubleTy(), d), rep};
    }
    case Rep::kEnum:
      return LV{True(), b_.getInt64(v.as_enum()), rep};
    case Rep::kEnumSet: {
      uint64_t mask = 0;
      for (const Value& e : v.as_list()) mask |= uint64_t{1} << e.as_enum();
      return LV{True(), b_.getInt64(mask), rep};
    }
    case Rep::kBoxed:
      return BoxedConstant(v);
  }
  return LV{};
}

LV Lowerer::TargetAge() {
  // age = age_s + (now - taken_at) / 1000.0, negative clamped to 0 (contract §3).
  const uint64_t extras = policy_.attributes.fields.size() + policy_.telemetry.fields.size();
  LV age_s = LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, extras + kExtraAgeS),
                      Rep::kFloat);
  llvm::Value* now = CtxField(4, b_.getInt64Ty());
  llvm::Value* taken = CtxField(5, b_.getInt64Ty());
  llvm::Value* has_taken = b_.CreateICmpNE(CtxField(6, b_.getInt64Ty()), b_.getInt64(0));
  llvm::Value* gap = b_.CreateBinaryIntrinsic(llvm::Intrinsic::ssub_sat, now, taken);
  llvm::Value* delta = b_.CreateFDiv(b_.CreateSIToFP(gap, b_.getDoubleTy()),
                                     llvm::ConstantFP::get(b_.getDoubleTy(), 1000.0));
  llvm::Value* age = b_.CreateFAdd(age_s.value, delta);
  llvm::Value* zero = llvm::ConstantFP::get(b_.getDoubleTy(), 0.0);
  age = b_.CreateSelect(b_.CreateFCmpOLT(age, zero), zero, age);
  llvm::Value* present =
      b_.CreateAnd(b_.CreateAnd(age_s.present, has_taken), b_.CreateNot(IsNaN(age)));
  return LV{present, age, Rep::kFloat};
}

LV Lowerer::LowerRef(ast::ExprId id) {
  const internal::Ref& ref = ir_.ref[id];
  TypeId type = ir_.type[id];
  SourceRange where = ir_.program.at(id).range;
  const uint64_t attrs = policy_.attributes.fields.size();
  auto need_target = [&] {
    if (!target_base_) Unsupported(id, "a target field outside a per-target rule");
  };
  if (!target_base_ && target_absent_) {
    // No target: every target reference is missing (expr_eval.cc's Reference).
    auto absent = [&](Rep rep) {
      llvm::Value* zero = rep == Rep::kBool    ? static_cast<llvm::Value*>(b_.getFalse())
                          : rep == Rep::kFloat ? llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)
                                               : b_.getInt64(0);
      return LV{b_.getFalse(), zero, rep};
    };
    switch (ref.kind) {
      case RefKind::kAttribute:
      case RefKind::kTelemetry:
        return absent(RepOf(type, where));
      case RefKind::kTelemetryAge:
        return absent(Rep::kFloat);
      case RefKind::kTelemetryStale:
      case RefKind::kTelemetryEjected:
        return absent(Rep::kBool);
      case RefKind::kTargetName:
        return absent(Rep::kBoxed);
      default:
        break;
    }
  }
  switch (ref.kind) {
    case RefKind::kRequestField: {
      if (!policy_.request.fields[ref.index].optional) assumed_[ref.index] = true;
      if (ref.index < request_cache_.size() && request_cache_[ref.index])
        return *request_cache_[ref.index];
      return LoadRequestField(ref.index, RepOf(type, where));
    }
    case RefKind::kAttribute:
      need_target();
      return LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, ref.index),
                      RepOf(type, where));
    case RefKind::kTelemetry:
      need_target();
      return LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, attrs + ref.index),
                      RepOf(type, where));
    case RefKind::kTelemetryAge:
      need_target();
      return TargetAge();
    case RefKind::kTargetName: {
      need_target();
      uses_target_names_ = true;
      const uint64_t extras = attrs + policy_.telemetry.fields.size();
      LV name = LoadSlot(b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, extras + kExtraName),
                         Rep::kBoxed);
      return LV{True(), name.value, Rep::kBoxed};  // every target has a name
    }
    case RefKind::kPolicyName:
      return BoxedConstant(Value::Str(policy_.name));
    case RefKind::kPolicyVersion:
      return BoxedConstant(Value::Str(policy_.version));
    case RefKind::kCounter:
      return LowerCounter(id, ref.index);
    case RefKind::kTelemetryStale: {
      need_target();
      LV age = TargetAge();
      double bound = static_cast<double>(policy_.stale_after_ms.value_or(0)) / 1000.0;
      llvm::Value* stale =
          b_.CreateOr(b_.CreateNot(age.present),
                      b_.CreateFCmpOGE(age.value, llvm::ConstantFP::get(b_.getDoubleTy(), bound)));
      return Bool(True(), stale);
    }
    case RefKind::kTelemetryEjected: {
      need_target();
      const uint64_t extras = attrs + policy_.telemetry.fields.size();
      LV until = LoadSlot(
          b_.CreateConstInBoundsGEP1_64(slot_ty_, target_base_, extras + kExtraEjectedUntil),
          Rep::kInt);
      llvm::Value* ejected =
          b_.CreateAnd(until.present, b_.CreateICmpSGT(until.value, CtxField(4, b_.getInt64Ty())));
      for (const ast::BreakerDecl& br : ir_.program.breakers) {
        LV c = Lower(br.cond);
        ejected = b_.CreateOr(ejected, b_.CreateAnd(c.present, c.value));
      }
      return Bool(True(), ejected);
    }
    case RefKind::kSnapshotAge:
    case RefKind::kSnapshotStale: {
      llvm::Value* has_taken = b_.CreateICmpNE(CtxField(6, b_.getInt64Ty()), b_.getInt64(0));
      llvm::Value* age =
          b_.CreateFDiv(b_.CreateSIToFP(b_.CreateBinaryIntrinsic(llvm::Intrinsic::ssub_sat,
                                                                 CtxField(4, b_.getInt64Ty()),
                                                                 CtxField(5, b_.getInt64Ty())),
                                        b_.getDoubleTy()),
                        llvm::ConstantFP::get(b_.getDoubleTy(), 1000.0));
      if (ref.kind == RefKind::kSnapshotAge) return LV{has_taken, age, Rep::kFloat};
      double bound = static_cast<double>(policy_.stale_after_ms.value_or(0)) / 1000.0;
      llvm::Value* stale =
          b_.CreateOr(b_.CreateNot(has_taken),
                      b_.CreateFCmpOGE(age, llvm::ConstantFP::get(b_.getDoubleTy(), bound)));
      return Bool(True(), stale);
    }
    case RefKind::kNow:
      return LV{True(), CtxField(4, b_.getInt64Ty()), Rep::kInt};
    case RefKind::kVariant:
      return LV{b_.CreateICmpNE(CtxField(8, b_.getInt64Ty()), b_.getInt64(0)),
                CtxField(7, b_.getInt64Ty()), Rep::kEnum};
    case RefKind::kLet:
      return Constant(ir_.let_values[ref.index], ir_.let_types[ref.index], where);
    case RefKind::kEnumMember:
      return LV{True(), b_.getInt64(ref.index), Rep::kEnum};
    default:
      break;
  }
  Unsupported(id, "this reference");
}

LV Lowerer::Lower(ast::ExprId id) {
  const ast::Expr& e = ir_.program.at(id);
  return std::visit(
      [&](const auto& n) -> LV {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::IntLit>) {
          return LV{True(), b_.getInt64(static_cast<uint64_t>(n.value)), Rep::kInt};
        } else if constexpr (std::is_same_v<N, ast::DurationLit>) {
          return LV{True(), b_.getInt64(static_cast<uint64_t>(n.ms)), Rep::kInt};
        } else if constexpr (std::is_same_v<N, ast::FloatLit>) {
          return LV{True(), llvm::ConstantFP::get(b_.getDoubleTy(), n.value), Rep::kFloat};
        } else if constexpr (std::is_same_v<N, ast::BoolLit>) {
          return LV{True(), b_.getInt1(n.value), Rep::kBool};
        } else if constexpr (std::is_same_v<N, ast::Ident> || std::is_same_v<N, ast::Member>) {
          return LowerRef(id);
        } else if constexpr (std::is_same_v<N, ast::Call>) {
          return LowerCall(id, n);
        } else if constexpr (std::is_same_v<N, ast::Unary>) {
          return LowerUnary(id, n);
        } else if constexpr (std::is_same_v<N, ast::Binary>) {
          return LowerBinary(id, n);
        } else if constexpr (std::is_same_v<N, ast::Ternary>) {
          return LowerTernary(id, n);
        } else if constexpr (std::is_same_v<N, ast::ListLit> || std::is_same_v<N, ast::SetLit>) {
          return LowerLiteralCollection(id, n.items);
        } else if constexpr (std::is_same_v<N, ast::StringLit>) {
          return BoxedConstant(Value::Str(n.value));
        } else if constexpr (std::is_same_v<N, ast::Index>) {
          return LowerIndex(id, n);
        } else if constexpr (std::is_same_v<N, ast::MapLit>) {
          std::vector<ast::ExprId> items;  // keys and values alternate
          for (const auto& [k, v] : n.entries) {
            items.push_back(k);
            items.push_back(v);
          }
          return LowerCollection(id, items);
        } else {
          Unsupported(id, "this expression");
        }
      },
      e.node);
}

LV Lowerer::LowerLiteralCollection(ast::ExprId id, const std::vector<ast::ExprId>& items) {
  // Collections of small enums are bitmasks; membership is all a rule asks of them.
  const TypeInfo& info = policy_.types.info(ir_.type[id]);
  if (policy_.types.info(info.elem).kind != TypeKind::kEnum ||
      policy_.types.enum_info(info.elem).members.size() > 64)
    return LowerCollection(id, items);
  // A missing element is simply not a member, as in the interpreter.
  llvm::Value* mask = b_.getInt64(0);
  for (ast::ExprId item : items) {
    LV v = Lower(item);
    llvm::Value* bit = b_.CreateShl(b_.getInt64(1), b_.CreateAnd(v.value, b_.getInt64(63)));
    mask = b_.CreateOr(mask, b_.CreateSelect(v.present, bit, b_.getInt64(0)));
  }
  return LV{True(), mask, Rep::kEnumSet};
}

}  // namespace mixtral::codegen
