// The runtime helpers that compiled code calls for boxed values (strings,
// lists, maps) and counters. Each rebuilds the operands as Values and calls
// the function the interpreter calls for the same construct (BinaryValue,
// IndexValue, CollectionValue, CallBuiltin, CounterRead), so the engines agree by
// construction rather than by a second implementation.
#include <bit>

#include "codegen/frame.h"
#include "interp/eval.h"

namespace mixtral::codegen {
namespace {

Value FromSlot(const Slot& s) {
  if (s.present == 0) return Value::Missing();
  switch (static_cast<SlotKind>(s.present - 1)) {
    case SlotKind::kBool:
      return Value::Bool(s.bits != 0);
    case SlotKind::kInt:
      return Value::Int(static_cast<int64_t>(s.bits));
    case SlotKind::kFloat:
      return Value::Float(std::bit_cast<double>(s.bits));
    case SlotKind::kEnum:
      return Value::Enum(static_cast<uint32_t>(s.bits));
    case SlotKind::kBoxed:
      return *reinterpret_cast<const Value*>(s.bits);
    case SlotKind::kEnumSet: {
      // A set of enums (AsBoxed turns list literals of enums into lists first).
      Value::List members;
      for (uint32_t e = 0; e < 64; ++e)
        if (s.bits >> e & 1) members.push_back(Value::Enum(e));
      return Value::SetOf(std::move(members));
    }
  }
  return Value::Missing();
}

// A Value of the kind the checker gave the expression, stored as its slot.
void ToOut(const BoxEnv* env, uint64_t kind, Value v, Slot* out) {
  if (v.is_missing()) {
    *out = Slot{};
    return;
  }
  switch (static_cast<SlotKind>(kind)) {
    case SlotKind::kBool:
      *out = Slot{v.kind() == Value::Kind::kBool && v.as_bool() ? 1u : 0u, 1};
      return;
    case SlotKind::kInt:
      *out = Slot{static_cast<uint64_t>(v.as_int()), 1};
      return;
    case SlotKind::kFloat:
      *out =
          Slot{std::bit_cast<uint64_t>(
                   v.kind() == Value::Kind::kInt ? static_cast<double>(v.as_int()) : v.as_float()),
               1};
      return;
    case SlotKind::kEnum:
      *out = Slot{v.as_enum(), 1};
      return;
    case SlotKind::kEnumSet: {
      uint64_t mask = 0;
      for (const Value& e : v.as_list()) mask |= uint64_t{1} << e.as_enum();
      *out = Slot{mask, 1};
      return;
    }
    case SlotKind::kBoxed:
      env->scratch->push_back(std::move(v));
      *out = Slot{reinterpret_cast<uint64_t>(&env->scratch->back()), 1};
      return;
  }
  *out = Slot{};
}

}  // namespace

extern "C" void mixtral_jit_binary(const BoxEnv* env, uint64_t op, const Slot* a, const Slot* b,
                                   uint64_t result_kind, Slot* out) {
  // No explanation is collected here: a kernel's missing verdict is
  // explained by the pipeline, as for every other compiled rule.
  internal::EvalCtx quiet;
  ToOut(env, result_kind,
        internal::BinaryValue(quiet, static_cast<ast::BinOp>(op), FromSlot(*a), FromSlot(*b)), out);
}

extern "C" void mixtral_jit_index(const BoxEnv* env, const Slot* base, const Slot* key,
                                  uint64_t result_kind, Slot* out) {
  ToOut(env, result_kind, internal::IndexValue(FromSlot(*base), FromSlot(*key)), out);
}

extern "C" void mixtral_jit_call(const BoxEnv* env, uint64_t builtin, uint64_t prepared,
                                 const Slot* args, uint64_t n, uint64_t result_kind, Slot* out) {
  Value values[4];
  for (uint64_t i = 0; i < n && i < 4; ++i) {
    // A missing argument makes the call missing: the function is not called.
    if (args[i].present == 0) {
      *out = Slot{};
      return;
    }
    values[i] = FromSlot(args[i]);
  }
  const PreparedArg* prep = prepared == UINT64_MAX ? nullptr : env->prepared[prepared];
  ToOut(env, result_kind,
        CallBuiltin(static_cast<BuiltinId>(builtin),
                    std::span<const Value>(values, std::min<uint64_t>(n, 4)), prep),
        out);
}

extern "C" void mixtral_jit_collection(const BoxEnv* env, uint64_t kind, uint64_t to_float,
                                       const Slot* items, uint64_t n, Slot* out) {
  Value v;
  if (kind == 2) {
    Value::Map entries;
    for (uint64_t i = 0; i + 1 < n; i += 2)
      entries.emplace_back(FromSlot(items[i]), FromSlot(items[i + 1]));
    v = Value::MapOf(std::move(entries));  // as the interpreter builds a map literal
  } else {
    Value::List values;
    values.reserve(n);
    for (uint64_t i = 0; i < n; ++i) values.push_back(FromSlot(items[i]));
    v = internal::CollectionValue(kind == 1, to_float != 0, std::move(values));
  }
  ToOut(env, static_cast<uint64_t>(SlotKind::kBoxed), std::move(v), out);
}

extern "C" void mixtral_jit_counter(const BoxEnv* env, uint64_t counter, const Slot* key,
                                    Slot* out) {
  if (!env->eval) {
    *out = Slot{};
    return;
  }
  internal::EvalCtx quiet = *env->eval;
  quiet.missing = nullptr;
  ToOut(env, static_cast<uint64_t>(SlotKind::kFloat),
        internal::CounterRead(quiet, static_cast<uint32_t>(counter), FromSlot(*key)), out);
}

}  // namespace mixtral::codegen
