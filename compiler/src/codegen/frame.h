// The flat input layout that compiled kernels read: one 16-byte slot per
// field, unboxed where the type allows (bool, int, float, duration, time,
// enum, and sets of small enums as bitmasks). Boxed kinds (strings, lists,
// maps) hold a pointer to the bound Value. No LLVM types here: the engine
// builds frames, codegen only reads the layout.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/policy_ir.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::codegen {

struct Slot {
  uint64_t bits = 0;
  uint64_t present = 0;  // 0 or 1
};
static_assert(sizeof(Slot) == 16);

// How a schema field is stored in its slot.
enum class SlotKind : uint8_t { kBool, kInt, kFloat, kEnum, kEnumSet, kBoxed };

SlotKind KindOf(const TypeTable& types, TypeId t);

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
inline constexpr uint64_t kExtras = 3;

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
