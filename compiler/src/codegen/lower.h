// Lowering the checked IR to LLVM IR. Split by node family: lower_expr.cc
// (literals and references), lower_ops.cc (operators and calls),
// lower_string.cc (string comparisons on interned ids), lower_boxed.cc
// (strings, lists and maps through the shared helpers of helpers.cc),
// lower_clause.cc (hashed clauses and the cascade pin), lower_route.cc
// (route kernels and route-level conditions), lower_pipeline.cc
// (the per-target functions that the decision pipeline calls: binding rules,
// assertions).
//
// Every value is a pair (present, value): "missing" is present = false, and
// the operators implement contract §4's three-valued logic on those pairs
// without branches, so evaluation order cannot change a result.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "codegen/frame.h"
#include "codegen/llvm_shim.h"
#include "ir/policy_ir.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::codegen {

enum class Rep : uint8_t { kBool, kInt, kFloat, kEnum, kEnumSet, kBoxed };

struct LV {
  llvm::Value* present;  // i1
  // i1 (kBool), i64 (kInt, kEnum, kEnumSet; kBoxed: the address of a Value
  // that lives at least until the decision ends), double (kFloat)
  llvm::Value* value;
  Rep rep;
};

// Thrown (inside codegen only) for a construct this JIT does not lower yet;
// the caller falls back to the interpreter or, with --no-fallback, reports it.
struct NotLowered : std::runtime_error {
  NotLowered(const std::string& what, SourceRange where) : std::runtime_error(what), range(where) {}
  SourceRange range;
};

class Lowerer {
 public:
  Lowerer(const Policy& policy, llvm::LLVMContext& ctx, llvm::Module& module);

  // Emits `void NAME(const KernelCtx*, const KernelOut*, i64)` for a route:
  // every rule of every selected target, with failed and missing bitmasks
  // (the explanation). The third argument is kept for the ABI and ignored.
  void EmitRouteKernel(size_t route, const std::string& name);
  // The same signature for decisions without an explanation: stops at a
  // target's first failed rule, writes failed[i] as 0 or 1 and no missing.
  void EmitQuickKernel(size_t route, const std::string& name);
  // The required request fields whose presence the emitted code assumes:
  // those it reads. Deciding a request without one of them is the engine's
  // job (RequestSlotsComplete).
  std::vector<uint32_t> AssumedPresent() const;
  // Emits `void NAME(const KernelCtx*, uint64_t out[2])`: a route-level
  // boolean (present, value), for `when` conditions.
  void EmitCondition(ast::ExprId cond, const std::string& name);
  // Emits `i64 NAME(const KernelCtx*, i64 target)`: the route's binding rules
  // on one target, in order, for the targets a route names (fallbacks,
  // `degrade`, mirrors...; contract §7). Returns 0 when every one holds, else
  // 1 + the index in route.rules of the first that does not (missing fails).
  void EmitBindingKernel(size_t route, const std::string& name);
  // Emits `void NAME(const KernelCtx*, i64 target, uint64_t out[2])`: a
  // boolean (present, value) over one target, for assertions.
  void EmitTargetCondition(ast::ExprId cond, const std::string& name);
  // Emits an annotation's value (bool, int, float or enum; the bits of a
  // float) into out[2] as (present, bits): with `with_target`,
  // `void NAME(const KernelCtx*, i64 target, uint64_t out[2])`; without,
  // `void NAME(const KernelCtx*, uint64_t out[2])`, where every target
  // reference is missing, as the interpreter has it for a decision with no
  // target.
  void EmitValue(ast::ExprId value, const std::string& name, bool with_target);
  // Hashed clauses (lower_clause.cc). Their keys are KeySlot's.
  // Emits `i64 NAME(const KernelCtx*)`: the route's split arm for this
  // request (contract §6), or UINT64_MAX for none; the bucket comes from
  // mixtral_jit_split_bucket.
  void EmitSplit(size_t route, const std::string& name);
  // Emits `i64 NAME(const KernelCtx*)`: 1 when mirror clause k of the route
  // samples this request (its `when` holds and the bucket of its key, or of
  // the `id` field without `by`, is under the rate), else 0.
  void EmitMirror(size_t route, size_t k, const std::string& name);
  // Emits `i64 NAME(const KernelCtx*, i64 n)`: `spread`'s pick among the best
  // n, or UINT64_MAX when the key is missing.
  void EmitSpread(size_t route, const std::string& name);
  // Emits `void NAME(const KernelCtx*, const char* name, i64 len, uint64_t
  // out[2])`: `affinity`'s (present, rendezvous weight) of a target name.
  void EmitAffinity(size_t route, const std::string& name);
  // Emits `i64 NAME(const KernelCtx*, i64 primary, i64 stage)`: 1 when the
  // cascade's `pin` has equal, present values on both targets, else 0 (for a
  // string pin, a field compared by mixtral_jit_same_string).
  void EmitPin(size_t route, const std::string& name);
  // The string literals that compiled code compares with, in id order (id =
  // index + 1; 0 is every other string). The engine interns string request
  // fields and target names to these ids when it builds slots.
  const std::vector<std::string>& Strings() const { return strings_; }
  // The boxed constants (string and collection literals, lets, policy.name)
  // and prepared literal arguments that compiled code indexes (BoxEnv).
  const std::vector<Value>& Constants() const { return constants_; }
  const std::vector<const PreparedArg*>& Prepared() const { return prepared_; }
  // Whether compiled code reads target names as Values (kExtraName), calls
  // a helper (and so needs a BoxEnv with scratch), or reads a counter.
  bool UsesTargetNames() const { return uses_target_names_; }
  bool UsesHelpers() const { return uses_helpers_; }
  bool ReadsCounters() const { return reads_counters_; }

 private:
  friend class OpLowering;
  // The parts of a route kernel that both variants share: the loop over
  // targets, the request loads hoisted into the entry block, the selectors.
  struct KernelFrame {
    llvm::Function* fn = nullptr;
    llvm::Value* selected = nullptr;
    llvm::Value* failed = nullptr;
    llvm::Value* missing = nullptr;
    llvm::Value* score = nullptr;
    llvm::Value* score_class = nullptr;
    llvm::Value* survivors = nullptr;       // uint32_t*: indices of surviving targets
    llvm::Value* survivor_count = nullptr;  // i64 alloca; the kernel returns it
    llvm::PHINode* i = nullptr;             // the target index
    llvm::Value* sel = nullptr;             // i1: target i passed the selectors
    llvm::BasicBlock* latch = nullptr;      // continues with target i + 1
  };
  // Leaves the builder in the loop body after the selectors.
  KernelFrame BeginKernel(size_t route, const std::string& name);
  // Records target i as a survivor, scores it into score[i] and
  // score_class[i], then branches to the latch.
  void EmitScore(size_t route, const KernelFrame& k);
  void EndKernel();
  // Starts a function whose first argument is the KernelCtx and whose second
  // is a target index, and points target_base_ at that target's slots.
  llvm::Function* BeginTargetFunction(llvm::FunctionType* type, const std::string& name);
  // Starts a function whose first argument is the KernelCtx, with no target.
  llvm::Function* BeginRequestFunction(llvm::FunctionType* type, const std::string& name);
  // A pointer to the slot holding a hashed clause's string key: a string
  // request field, or a ternary between keys (the slot `NoKey` when its
  // condition is missing). Anything else is NotLowered at `clause`.
  llvm::Value* KeySlot(ast::ExprId key, SourceRange clause, const char* what);
  llvm::Value* NoKey();
  LV Lower(ast::ExprId id);
  LV LowerRef(ast::ExprId id);
  LV LowerLiteralCollection(ast::ExprId id, const std::vector<ast::ExprId>& items);
  LV LowerCall(ast::ExprId id, const ast::Call& call);
  LV LowerUnary(ast::ExprId id, const ast::Unary& u);
  LV LowerBinary(ast::ExprId id, const ast::Binary& b);
  LV LowerTernary(ast::ExprId id, const ast::Ternary& t);
  // `==`, `!=`, `in`, `not in` over strings (lower_string.cc), or nullopt
  // when the operands are not strings.
  std::optional<LV> LowerStringCompare(ast::ExprId id, const ast::Binary& n);
  // A string request field, or `target.name` where a target is bound or
  // absent: compared by interned id.
  bool Internable(ast::ExprId id) const;
  LV StringRef(ast::ExprId id);
  uint64_t StringId(const std::string& literal);
  LV Constant(const Value& v, TypeId type, SourceRange where);
  // lower_boxed.cc: a constant Value in the BoxEnv's table.
  LV BoxedConstant(const Value& v);
  // A literal, or a collection literal of literals, enum members and lets;
  // nullopt when it reads any input.
  std::optional<Value> ConstantValue(ast::ExprId id);
  LV LowerIndex(ast::ExprId id, const ast::Index& n);
  // `a OP b` through mixtral_jit_binary: any operand boxed.
  LV LowerBoxedBinary(ast::ExprId id, ast::BinOp op, const LV& a, const LV& b);
  // A built-in through mixtral_jit_call.
  LV LowerHelperCall(ast::ExprId id, const ast::Call& call, const std::vector<LV>& args);
  LV LowerCounter(ast::ExprId id, uint32_t counter);
  // A list literal of enums (lowered as a bitmask) as its boxed Value.
  LV AsBoxed(ast::ExprId id, const LV& v);
  // A list, set or map literal (keys and values alternating in `items`) as
  // a boxed Value: a constant, or built at run time by mixtral_jit_collection.
  LV LowerCollection(ast::ExprId id, const std::vector<ast::ExprId>& items);
  // The values, as tagged slots (HelperArg), in a stack array.
  llvm::Value* SlotArray(const std::vector<LV>& values, const std::vector<ast::ExprId>& ids);
  // Stores an operand as a tagged Slot (see mixtral_jit_binary) in a fresh
  // stack slot (HelperOut: an untagged one in the entry block).
  llvm::Value* HelperArg(const LV& v);
  llvm::Value* HelperOut();
  // Calls a helper of frame.h with `args` and a result slot, and reads the
  // result as `rep`.
  LV CallHelper(const char* symbol, std::vector<llvm::Value*> args, Rep rep);
  // The SlotKind, as an i64 constant, that a helper stores a `type` result as.
  llvm::Value* ResultKind(TypeId type);
  // The KernelCtx's BoxEnv; marks the policy as needing one.
  llvm::Value* Env();

  Rep RepOf(TypeId t, SourceRange where) const;
  LV LoadSlot(llvm::Value* slot_ptr, Rep rep);
  LV LoadRequestField(size_t index, Rep rep);
  llvm::Value* CtxField(unsigned index, llvm::Type* type);
  LV ToFloat(const LV& v);
  LV Bool(llvm::Value* present, llvm::Value* value) { return LV{present, value, Rep::kBool}; }
  llvm::Value* True() { return b_.getTrue(); }
  llvm::Value* IsNaN(llvm::Value* d) { return b_.CreateFCmpUNO(d, d); }
  LV TargetAge();
  [[noreturn]] void Unsupported(ast::ExprId id, const std::string& what);

  const Policy& policy_;
  const internal::PolicyIR& ir_;
  llvm::LLVMContext& ctx_;
  llvm::Module& module_;
  llvm::IRBuilder<> b_;
  llvm::StructType* slot_ty_;
  llvm::StructType* ctx_ty_;
  llvm::StructType* out_ty_;
  llvm::StructType* env_ty_;
  // Per function being emitted.
  llvm::Value* kctx_ = nullptr;         // const KernelCtx*
  llvm::Value* target_base_ = nullptr;  // const Slot* of the current target, or null
  // Request slots and context fields loaded once in a kernel's entry block:
  // the kernel's stores may alias them as far as LLVM knows, so it could not
  // hoist them out of the target loop itself.
  std::vector<std::optional<LV>> request_cache_;
  std::vector<llvm::Value*> ctx_cache_;
  std::vector<bool> assumed_;  // by request slot: see AssumedPresent
  // Set while emitting a function for a decision without a target: target
  // references lower to missing rather than being refused.
  bool target_absent_ = false;
  std::vector<std::string> strings_;  // see Strings()
  std::vector<Value> constants_;
  std::vector<const PreparedArg*> prepared_;
  bool uses_target_names_ = false;
  bool uses_helpers_ = false;
  bool reads_counters_ = false;
};

}  // namespace mixtral::codegen
