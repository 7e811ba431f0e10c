// The flat input layout that compiled kernels read: one 16-byte slot per
// field, unboxed where the type allows (bool, int, float, duration, time,
// enum, and sets of small enums as bitmasks). Boxed kinds (strings, lists,
// maps) hold a pointer to the bound Value. No LLVM types here: the engine
// builds frames, codegen only reads the layout.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "ir/policy_ir.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"
#include "mixtral/stdlib/builtins.h"

namespace mixtral::internal {
struct EvalCtx;
}

namespace mixtral::codegen {

struct Slot {
  uint64_t bits = 0;
  uint64_t present = 0;  // 0 or 1
};
static_assert(sizeof(Slot) == 16);

// How a schema field is stored in its slot.
enum class SlotKind : uint8_t { kBool, kInt, kFloat, kEnum, kEnumSet, kBoxed };

SlotKind KindOf(const TypeTable& types, TypeId t);

// What compiled code reads for boxed values (strings, lists, maps): the
// policy's constants, the literal arguments prepared when it compiled, a
// scratch store for values that helpers compute (cleared per decision), and
// the decision's interpreter context for counter reads. See helpers.cc.
struct BoxEnv {
  const Value* constants = nullptr;              // 0: Lowerer::Constants()
  const PreparedArg* const* prepared = nullptr;  // 1: Lowerer::Prepared()
  std::deque<Value>* scratch = nullptr;          // 2
  const internal::EvalCtx* eval = nullptr;       // 3: null where no counter is read
};

// Everything a kernel reads for one decision. Layout is ABI between C++ and
// the generated code: codegen/lower_*.cc index these fields by position.
struct KernelCtx {
  const Slot* request;    // 0
  const Slot* targets;    // 1: count * stride slots
  uint64_t stride;        // 2
  uint64_t count;         // 3
  int64_t now_ms;         // 4
  int64_t taken_at_ms;    // 5
  uint64_t has_taken_at;  // 6
  uint64_t variant;       // 7
  uint64_t has_variant;   // 8
  const BoxEnv* env;      // 9
};

// Per-target results of a route kernel.
struct KernelOut {
  uint8_t* selected;     // 0: passed the `candidates where` selectors
  uint64_t* failed;      // 1: bit r set when rule r failed
  uint64_t* missing;     // 2: bit r set when rule r's verdict was missing
  double* score;         // 3
  uint8_t* score_class;  // 4: 0 number, 1 NaN, 2 missing
  uint32_t* survivors;   // 5: selected targets that failed no rule, in index order;
                         //    the kernel returns how many
};

// Target slot order: attributes, telemetry, then these extras.
inline constexpr uint64_t kExtraAgeS = 0;
inline constexpr uint64_t kExtraEjectedUntil = 1;
inline constexpr uint64_t kExtraNameId = 2;  // the target's name, interned (InternStrings)
inline constexpr uint64_t kExtraName = 3;    // the target's name as a boxed string Value
inline constexpr uint64_t kExtras = 4;

inline uint64_t TargetStride(const Policy& p) {
  return p.attributes.fields.size() + p.telemetry.fields.size() + kExtras;
}

// Fills slots from bound values. Reuses the vectors' storage.
void BuildRequestSlots(const Policy& p, const BoundRequest& r, std::vector<Slot>* out);
// True when every slot in `assumed` is present. The kernels take the presence
// of the required fields they read for granted (the binder rejects a request
// without one, contract §8; Lowerer::AssumedPresent lists them); an engine
// must not run them on slots for which this is false. Fields the kernels do
// not read may be absent: the engine library leaves unread strings unboxed.
bool RequestSlotsComplete(const std::vector<Slot>& slots, const std::vector<uint32_t>& assumed);
void BuildTargetSlots(const Policy& p, const BoundSnapshot& s, std::vector<Slot>* out);

// The split bucket (contract §6: MixedBucket10k(salt, key)) of the string
// in a boxed request slot, or UINT64_MAX when the slot holds no string.
// Called by compiled split functions; the interpreter's SplitVariant calls
// the same stdlib helper.
extern "C" uint64_t mixtral_jit_split_bucket(const Slot* key, const char* salt, uint64_t salt_len);
inline constexpr const char* kSplitBucketSymbol = "mixtral_jit_split_bucket";
// `spread`'s pick (SPEC §8.4: Bucket(key, n)) for the string in a boxed
// slot, or UINT64_MAX when it holds none (or n is 0).
extern "C" uint64_t mixtral_jit_spread_bucket(const Slot* key, uint64_t n);
inline constexpr const char* kSpreadBucketSymbol = "mixtral_jit_spread_bucket";
// `affinity`'s rendezvous weight (SPEC §8.5) of a target name for the string
// in a boxed slot, into out[2] as (present, weight); not present when the
// slot holds no string.
extern "C" void mixtral_jit_rendezvous(const Slot* key, const char* name, uint64_t name_len,
                                       uint64_t* out);
inline constexpr const char* kRendezvousSymbol = "mixtral_jit_rendezvous";
// 1 when two boxed slots hold equal strings (ValueEquals), else 0: a missing
// value equals nothing. For a cascade `pin` over strings.
extern "C" uint64_t mixtral_jit_same_string(const Slot* a, const Slot* b);
inline constexpr const char* kSameStringSymbol = "mixtral_jit_same_string";

// Helpers that compiled code calls on boxed values: the interpreter's own
// operators and built-ins on Values (helpers.cc). An argument slot's
// `present` is a tag: 0 for missing, else 1 + its SlotKind (a kEnumSet is a
// set). A result is written as BuildRequestSlots would store the value
// for `result_kind` (boxed results go to env->scratch), present 0 or 1.
extern "C" void mixtral_jit_binary(const BoxEnv* env, uint64_t op, const Slot* a, const Slot* b,
                                   uint64_t result_kind, Slot* out);
extern "C" void mixtral_jit_index(const BoxEnv* env, const Slot* base, const Slot* key,
                                  uint64_t result_kind, Slot* out);
// `prepared` indexes env->prepared, or is UINT64_MAX for none.
extern "C" void mixtral_jit_call(const BoxEnv* env, uint64_t builtin, uint64_t prepared,
                                 const Slot* args, uint64_t n, uint64_t result_kind, Slot* out);
// A list (kind 0), set (1) or map (2: keys and values alternate) literal of
// `n` items that are not all constants.
extern "C" void mixtral_jit_collection(const BoxEnv* env, uint64_t kind, uint64_t to_float,
                                       const Slot* items, uint64_t n, Slot* out);
extern "C" void mixtral_jit_counter(const BoxEnv* env, uint64_t counter, const Slot* key,
                                    Slot* out);
inline constexpr const char* kBinarySymbol = "mixtral_jit_binary";
inline constexpr const char* kIndexSymbol = "mixtral_jit_index";
inline constexpr const char* kCallSymbol = "mixtral_jit_call";
inline constexpr const char* kCounterSymbol = "mixtral_jit_counter";
inline constexpr const char* kCollectionSymbol = "mixtral_jit_collection";

// Interned strings: string literals that compiled code compares with, sorted,
// each with its id (Lowerer::Strings). A string that is not one of them is 0,
// so comparing ids is exact whenever one side is a literal.
using StringIds = std::vector<std::pair<std::string, uint64_t>>;
StringIds SortStrings(const std::vector<std::string>& by_id);
// Appends one slot per request field after the fields: the field's interned
// id (0 unless it is a present string). Nothing when `ids` is empty.
void InternRequestStrings(const Policy& p, const StringIds& ids, const BoundRequest& r,
                          std::vector<Slot>* slots);
// Fills each target's kExtraNameId slot.
void InternTargetNames(const Policy& p, const StringIds& ids, const BoundSnapshot& s,
                       std::vector<Slot>* slots);

}  // namespace mixtral::codegen
