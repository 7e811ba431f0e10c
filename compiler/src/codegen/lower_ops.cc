// Operators and built-in calls: contract §4 (missing, NaN) and §5
// (saturating ints, IEEE floats exactly as written, no contraction).
#include "codegen/lower.h"
#include "mixtral/stdlib/builtins.h"

namespace mixtral::codegen {

namespace {
constexpr uint64_t kMin = 0x8000000000000000ULL;
constexpr uint64_t kMax = 0x7fffffffffffffffULL;
}  // namespace

LV Lowerer::LowerUnary(ast::ExprId, const ast::Unary& u) {
  LV v = Lower(u.operand);
  if (u.op == ast::UnOp::kNot) return Bool(v.present, b_.CreateNot(v.value));
  if (v.rep == Rep::kFloat) return LV{v.present, b_.CreateFNeg(v.value), v.rep};
  llvm::Value* is_min = b_.CreateICmpEQ(v.value, b_.getInt64(kMin));
  return LV{v.present, b_.CreateSelect(is_min, b_.getInt64(kMax), b_.CreateNeg(v.value)), v.rep};
}

LV Lowerer::LowerTernary(ast::ExprId id, const ast::Ternary& t) {
  LV c = Lower(t.cond), a = Lower(t.then_expr), e = Lower(t.else_expr);
  if (ir_.type[id] == policy_.types.Float()) {
    a = ToFloat(a);
    e = ToFloat(e);
  }
  if (a.rep != e.rep) {
    // A list literal of enums (a bitmask) against a boxed list.
    a = AsBoxed(t.then_expr, a);
    e = AsBoxed(t.else_expr, e);
  }
  llvm::Value* present = b_.CreateAnd(c.present, b_.CreateSelect(c.value, a.present, e.present));
  return LV{present, b_.CreateSelect(c.value, a.value, e.value), a.rep};
}

LV Lowerer::LowerBinary(ast::ExprId id, const ast::Binary& n) {
  using ast::BinOp;
  if (std::optional<LV> s = LowerStringCompare(id, n)) return *s;
  LV a = Lower(n.lhs), bv = Lower(n.rhs);
  if (a.rep == Rep::kBoxed || bv.rep == Rep::kBoxed) return LowerBoxedBinary(id, n.op, a, bv);
  llvm::Value* both = b_.CreateAnd(a.present, bv.present);
  switch (n.op) {
    case BinOp::kAnd: {
      // Kleene: a present false decides, whatever the other side is.
      llvm::Value* a_false = b_.CreateAnd(a.present, b_.CreateNot(a.value));
      llvm::Value* b_false = b_.CreateAnd(bv.present, b_.CreateNot(bv.value));
      llvm::Value* any_false = b_.CreateOr(a_false, b_false);
      return Bool(b_.CreateOr(both, any_false), b_.CreateNot(any_false));
    }
    case BinOp::kOr: {
      llvm::Value* a_true = b_.CreateAnd(a.present, a.value);
      llvm::Value* b_true = b_.CreateAnd(bv.present, bv.value);
      llvm::Value* any_true = b_.CreateOr(a_true, b_true);
      return Bool(b_.CreateOr(both, any_true), any_true);
    }
    case BinOp::kEq:
    case BinOp::kNe:
    case BinOp::kLt:
    case BinOp::kLe:
    case BinOp::kGt:
    case BinOp::kGe: {
      llvm::Value* r;
      llvm::Value* present = both;
      if (a.rep == Rep::kFloat || bv.rep == Rep::kFloat) {
        LV x = ToFloat(a), y = ToFloat(bv);
        // An unordered (NaN) comparison is missing (contract §4).
        present = b_.CreateAnd(present, b_.CreateFCmpORD(x.value, y.value));
        switch (n.op) {
          case BinOp::kEq:
            r = b_.CreateFCmpOEQ(x.value, y.value);
            break;
          case BinOp::kNe:
            r = b_.CreateFCmpONE(x.value, y.value);
            break;
          case BinOp::kLt:
            r = b_.CreateFCmpOLT(x.value, y.value);
            break;
          case BinOp::kLe:
            r = b_.CreateFCmpOLE(x.value, y.value);
            break;
          case BinOp::kGt:
            r = b_.CreateFCmpOGT(x.value, y.value);
            break;
          default:
            r = b_.CreateFCmpOGE(x.value, y.value);
            break;
        }
      } else {
        switch (n.op) {
          case BinOp::kEq:
            r = b_.CreateICmpEQ(a.value, bv.value);
            break;
          case BinOp::kNe:
            r = b_.CreateICmpNE(a.value, bv.value);
            break;
          case BinOp::kLt:
            r = b_.CreateICmpSLT(a.value, bv.value);
            break;
          case BinOp::kLe:
            r = b_.CreateICmpSLE(a.value, bv.value);
            break;
          case BinOp::kGt:
            r = b_.CreateICmpSGT(a.value, bv.value);
            break;
          default:
            r = b_.CreateICmpSGE(a.value, bv.value);
            break;
        }
      }
      return Bool(present, r);
    }
    case BinOp::kIn:
    case BinOp::kNotIn: {
      if (a.rep != Rep::kEnum || bv.rep != Rep::kEnumSet)
        Unsupported(id, "`in` other than an enum in a set of enums");
      llvm::Value* bit = b_.CreateAnd(
          b_.CreateLShr(bv.value, b_.CreateAnd(a.value, b_.getInt64(63))), b_.getInt64(1));
      llvm::Value* found = b_.CreateICmpNE(bit, b_.getInt64(0));
      return Bool(both, n.op == BinOp::kIn ? found : b_.CreateNot(found));
    }
    default:
      break;
  }
  // Arithmetic.
  if (a.rep == Rep::kFloat || bv.rep == Rep::kFloat) {
    LV x = ToFloat(a), y = ToFloat(bv);
    llvm::Value* r;
    switch (n.op) {
      case BinOp::kAdd:
        r = b_.CreateFAdd(x.value, y.value);
        break;
      case BinOp::kSub:
        r = b_.CreateFSub(x.value, y.value);
        break;
      case BinOp::kMul:
        r = b_.CreateFMul(x.value, y.value);
        break;
      case BinOp::kDiv:
        r = b_.CreateFDiv(x.value, y.value);
        break;
      default:
        Unsupported(id, "`%` on floats");
    }
    return LV{both, r, Rep::kFloat};
  }
  if (a.rep != Rep::kInt || bv.rep != Rep::kInt) Unsupported(id, "this arithmetic");
  auto saturating = [&](llvm::Intrinsic::ID op) {
    llvm::Value* pair = b_.CreateBinaryIntrinsic(op, a.value, bv.value);
    llvm::Value* result = b_.CreateExtractValue(pair, 0);
    llvm::Value* overflow = b_.CreateExtractValue(pair, 1);
    // The true result's sign: for + and * it follows the operands; for - it is a's.
    llvm::Value* negative;
    if (op == llvm::Intrinsic::smul_with_overflow)
      negative = b_.CreateICmpSLT(b_.CreateXor(a.value, bv.value), b_.getInt64(0));
    else if (op == llvm::Intrinsic::sadd_with_overflow)
      negative = b_.CreateICmpSLT(bv.value, b_.getInt64(0));
    else
      negative = b_.CreateICmpSGE(bv.value, b_.getInt64(0));
    llvm::Value* limit = b_.CreateSelect(negative, b_.getInt64(kMin), b_.getInt64(kMax));
    return b_.CreateSelect(overflow, limit, result);
  };
  switch (n.op) {
    case BinOp::kAdd:
      return LV{both, saturating(llvm::Intrinsic::sadd_with_overflow), Rep::kInt};
    case BinOp::kSub:
      return LV{both, saturating(llvm::Intrinsic::ssub_with_overflow), Rep::kInt};
    case BinOp::kMul:
      return LV{both, saturating(llvm::Intrinsic::smul_with_overflow), Rep::kInt};
    case BinOp::kDiv:
    case BinOp::kMod: {
      llvm::Value* zero = b_.CreateICmpEQ(bv.value, b_.getInt64(0));
      llvm::Value* minus_one = b_.CreateICmpEQ(bv.value, b_.getInt64(~uint64_t{0}));
      // Never execute a trapping division: x / 0 is missing, x / -1 is negation.
      llvm::Value* safe = b_.CreateSelect(b_.CreateOr(zero, minus_one), b_.getInt64(1), bv.value);
      llvm::Value* r;
      if (n.op == BinOp::kDiv) {
        llvm::Value* neg = b_.CreateSelect(b_.CreateICmpEQ(a.value, b_.getInt64(kMin)),
                                           b_.getInt64(kMax), b_.CreateNeg(a.value));
        r = b_.CreateSelect(minus_one, neg, b_.CreateSDiv(a.value, safe));
      } else {
        r = b_.CreateSelect(minus_one, b_.getInt64(0), b_.CreateSRem(a.value, safe));
      }
      return LV{b_.CreateAnd(both, b_.CreateNot(zero)), r, Rep::kInt};
    }
    default:
      break;
  }
  Unsupported(id, "this operator");
}

LV Lowerer::LowerCall(ast::ExprId id, const ast::Call& call) {
  const internal::Ref& ref = ir_.ref[id];
  if (ref.kind == internal::RefKind::kHas) {
    LV v = Lower(call.args[0]);
    return Bool(True(), v.present);
  }
  auto fn = static_cast<BuiltinId>(ref.index);
  std::vector<LV> args;
  for (ast::ExprId a : call.args) args.push_back(Lower(a));
  llvm::Value* present = True();
  for (const LV& a : args) present = b_.CreateAnd(present, a.present);
  bool any_float = false;
  for (const LV& a : args) any_float |= a.rep == Rep::kFloat;
  switch (fn) {
    case BuiltinId::kMin:
    case BuiltinId::kMax: {
      if (any_float) {
        // IEEE 754-2019 minimum/maximum: NaN propagates, -0 < +0.
        auto op = fn == BuiltinId::kMin ? llvm::Intrinsic::minimum : llvm::Intrinsic::maximum;
        return LV{present,
                  b_.CreateBinaryIntrinsic(op, ToFloat(args[0]).value, ToFloat(args[1]).value),
                  Rep::kFloat};
      }
      auto op = fn == BuiltinId::kMin ? llvm::Intrinsic::smin : llvm::Intrinsic::smax;
      return LV{present, b_.CreateBinaryIntrinsic(op, args[0].value, args[1].value), Rep::kInt};
    }
    case BuiltinId::kClamp: {
      if (any_float) {
        llvm::Value* lo = b_.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, ToFloat(args[0]).value,
                                                   ToFloat(args[1]).value);
        return LV{present,
                  b_.CreateBinaryIntrinsic(llvm::Intrinsic::minimum, lo, ToFloat(args[2]).value),
                  Rep::kFloat};
      }
      llvm::Value* lo =
          b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, args[0].value, args[1].value);
      return LV{present, b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, lo, args[2].value),
                Rep::kInt};
    }
    case BuiltinId::kAbs: {
      if (args[0].rep == Rep::kFloat)
        return LV{present, b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, args[0].value),
                  Rep::kFloat};
      llvm::Value* v = args[0].value;
      llvm::Value* neg = b_.CreateSelect(b_.CreateICmpEQ(v, b_.getInt64(kMin)), b_.getInt64(kMax),
                                         b_.CreateNeg(v));
      return LV{present, b_.CreateSelect(b_.CreateICmpSLT(v, b_.getInt64(0)), neg, v), Rep::kInt};
    }
    case BuiltinId::kFloat:
      return LV{present, ToFloat(args[0]).value, Rep::kFloat};
    case BuiltinId::kInt: {
      if (args[0].rep != Rep::kFloat) return args[0];
      // Truncate toward zero, saturating; NaN is missing (contract §5).
      llvm::Value* d = args[0].value;
      llvm::Value* r =
          b_.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {b_.getInt64Ty(), b_.getDoubleTy()}, {d});
      return LV{b_.CreateAnd(present, b_.CreateNot(IsNaN(d))), r, Rep::kInt};
    }
    case BuiltinId::kLen:
      if (args[0].rep == Rep::kEnumSet &&
          KindOf(policy_.types, ir_.type[call.args[0]]) == SlotKind::kEnumSet)
        return LV{present, b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, args[0].value),
                  Rep::kInt};
      break;
    default:
      break;
  }
  // Strings, collections, time and hashing: the interpreter's own built-in.
  return LowerHelperCall(id, call, args);
}

}  // namespace mixtral::codegen
