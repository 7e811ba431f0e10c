// Expression evaluation shared by the interpreter's passes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "ir/policy_ir.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::internal {

// Everything an expression can read. Unset pointers read as missing.
struct EvalCtx {
  const Policy* policy = nullptr;
  const PolicyIR* ir = nullptr;
  const BoundRequest* request = nullptr;
  const BoundSnapshot* snapshot = nullptr;
  const BoundTarget* target = nullptr;
  const std::vector<Value>* response = nullptr;
  int64_t now_ms = 0;
  std::optional<uint32_t> variant;
  // When set, names of the inputs that read as missing, for explain.faults.
  std::vector<std::string>* missing = nullptr;
  // The options' audit hooks (counters, record, masked, derived); null: none.
  const EvalOptions* hooks = nullptr;
  // Inside an expression whose value is being recorded as derived: its
  // sub-expressions are not recorded again.
  bool deriving = false;
};

// Attaches the options' audit hooks to a decision's context (when any is set).
inline void AttachHooks(EvalCtx& ctx, const EvalOptions& options) {
  if (options.counters || options.record || options.masked || options.derived) ctx.hooks = &options;
}

// Whether request field `index` is masked (EvalOptions::masked); records a
// masked read when it is.
inline bool MaskedRead(const EvalCtx& ctx, uint32_t index) {
  if (!ctx.hooks || !ctx.hooks->masked || index >= ctx.hooks->masked->size() ||
      !(*ctx.hooks->masked)[index])
    return false;
  if (ctx.hooks->record) ctx.hooks->record->masked_read = true;
  return true;
}

// The replay's recorded derived value under `key` (EvalOptions::derived),
// or null when not replaying or nothing was recorded under it.
inline const std::optional<Scalar>* RecordedDerived(const EvalCtx& ctx, std::string_view key) {
  if (!ctx.hooks || !ctx.hooks->derived) return nullptr;
  for (const DerivedValue& d : *ctx.hooks->derived)
    if (d.first == key) return &d.second;
  return nullptr;
}

// Records a derived value for the audit record; the first value of a key
// stands (every later one is the same value, computed again).
inline void RecordDerived(EvalRecord* record, std::string_view key, std::optional<Scalar> value) {
  for (const DerivedValue& d : record->derived)
    if (d.first == key) return;
  record->derived.emplace_back(std::string(key), std::move(value));
}

// An expression's value. With audit hooks, an expression over masked
// fields only (PolicyIR::derived_exprs) is recorded, or in replay taken
// from the record, as a whole: see EvalDerived.
Value Eval(const EvalCtx& ctx, ast::ExprId id);
// The same without that check (expr_eval.cc).
Value EvalNode(const EvalCtx& ctx, ast::ExprId id);
// derived_eval.cc: `id`, whose derived_slot is set, under the audit hooks.
Value EvalDerived(const EvalCtx& ctx, ast::ExprId id);

// `a OP b` on evaluated operands, for every operator but `and` and `or`
// (which decide on one operand): the interpreter's operators, which the
// JIT's helpers (codegen/helpers.cc) call too, so the engines cannot drift.
Value BinaryValue(const EvalCtx& ctx, ast::BinOp op, const Value& a, const Value& b);
// A list or set literal's value from its evaluated elements; with
// `to_float` (a list<float> or set<float>), int elements become floats.
Value CollectionValue(bool is_set, bool to_float, Value::List items);
// `base[key]`, or missing when there is no such element (§6.6.8).
Value IndexValue(const Value& base, const Value& key);
// `counter.NAME` (index in program.counters) under an evaluated key.
Value CounterRead(const EvalCtx& ctx, uint32_t index, const Value& key);

// The context of one decision: a request against a snapshot at `now_ms`.
inline EvalCtx DecisionCtx(const Policy& policy, const BoundRequest& request,
                           const BoundSnapshot& snapshot, int64_t now_ms) {
  EvalCtx ctx;
  ctx.policy = &policy;
  ctx.ir = policy.ir.get();
  ctx.request = &request;
  ctx.snapshot = &snapshot;
  ctx.now_ms = now_ms;
  return ctx;
}

// Kleene truth of a value: true, false or missing (nullopt).
inline std::optional<bool> Truth(const Value& v) {
  if (v.kind() != Value::Kind::kBool) return std::nullopt;
  return v.as_bool();
}

// The age_s a target's age starts from (lang/SPEC.md §5.5), or missing.
std::optional<double> EntryAgeS(const Policy& policy, const PolicyIR& ir, const BoundTarget& t);

// Telemetry age of a target in seconds (contract §3), or missing.
std::optional<double> TargetAge(const EvalCtx& ctx, const BoundTarget& t);
bool TargetStale(const EvalCtx& ctx, const BoundTarget& t);

// A value as a JSON scalar (annotations, `when.value`); nullopt for missing.
std::optional<Scalar> ToScalar(const Policy& policy, TypeId type, const Value& v);

}  // namespace mixtral::internal
