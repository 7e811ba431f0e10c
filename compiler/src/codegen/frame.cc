#include "codegen/frame.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "interp/eval.h"
#include "mixtral/stdlib/hash.h"

namespace mixtral::codegen {
namespace {

uint64_t DoubleBits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

Slot ToSlot(SlotKind kind, const Value& v) {
  if (v.is_missing()) return Slot{};
  switch (kind) {
    case SlotKind::kBool:
      return Slot{v.as_bool() ? 1u : 0u, 1};
    case SlotKind::kInt:
      return Slot{static_cast<uint64_t>(v.as_int()), 1};
    case SlotKind::kFloat:
      return Slot{DoubleBits(v.kind() == Value::Kind::kInt ? static_cast<double>(v.as_int())
                                                           : v.as_float()),
                  1};
    case SlotKind::kEnum:
      return Slot{v.as_enum(), 1};
    case SlotKind::kEnumSet: {
      uint64_t mask = 0;
      for (const Value& e : v.as_list()) mask |= uint64_t{1} << e.as_enum();
      return Slot{mask, 1};
    }
    case SlotKind::kBoxed:
      return Slot{reinterpret_cast<uint64_t>(&v), 1};
  }
  return Slot{};
}

void FillSchema(const Policy& p, const Schema& schema, const std::vector<Value>& values,
                Slot* out) {
  for (size_t i = 0; i < schema.fields.size(); ++i)
    out[i] = i < values.size() ? ToSlot(KindOf(p.types, schema.fields[i].type), values[i]) : Slot{};
}

}  // namespace

SlotKind KindOf(const TypeTable& types, TypeId t) {
  const TypeInfo& info = types.info(t);
  switch (info.kind) {
    case TypeKind::kBool:
      return SlotKind::kBool;
    case TypeKind::kInt:
    case TypeKind::kDuration:
    case TypeKind::kTime:
      return SlotKind::kInt;
    case TypeKind::kFloat:
      return SlotKind::kFloat;
    case TypeKind::kEnum:
      return SlotKind::kEnum;
    case TypeKind::kSet:
      if (types.info(info.elem).kind == TypeKind::kEnum &&
          types.enum_info(info.elem).members.size() <= 64)
        return SlotKind::kEnumSet;
      return SlotKind::kBoxed;
    default:
      return SlotKind::kBoxed;
  }
}

void BuildRequestSlots(const Policy& p, const BoundRequest& r, std::vector<Slot>* out) {
  out->resize(p.request.fields.size());
  FillSchema(p, p.request, r.fields, out->data());
}

bool RequestSlotsComplete(const std::vector<Slot>& slots, const std::vector<uint32_t>& assumed) {
  for (uint32_t i : assumed)
    if (!slots[i].present) return false;
  return true;
}

void BuildTargetSlots(const Policy& p, const BoundSnapshot& s, std::vector<Slot>* out) {
  const uint64_t stride = TargetStride(p);
  const size_t attrs = p.attributes.fields.size();
  out->assign(s.targets.size() * stride, Slot{});
  for (size_t t = 0; t < s.targets.size(); ++t) {
    Slot* base = out->data() + t * stride;
    const BoundTarget& bt = s.targets[t];
    FillSchema(p, p.attributes, bt.attributes, base);
    FillSchema(p, p.telemetry, bt.telemetry, base + attrs);
    Slot* extra = base + attrs + p.telemetry.fields.size();
    std::optional<double> age = internal::EntryAgeS(p, *p.ir, bt);
    if (age) extra[kExtraAgeS] = Slot{DoubleBits(*age), 1};
    if (bt.ejected_until_ms)
      extra[kExtraEjectedUntil] = Slot{static_cast<uint64_t>(*bt.ejected_until_ms), 1};
  }
}

namespace {

uint64_t Lookup(const StringIds& ids, std::string_view s) {
  // Exact comparison, no hashing: the ids decide results.
  auto it = std::lower_bound(ids.begin(), ids.end(), s,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  return it != ids.end() && it->first == s ? it->second : 0;
}

// The string a boxed key slot holds, or null.
const std::string_view* KeyString(const Slot* key, std::string_view* out) {
  if (!key->present) return nullptr;
  const Value& v = *reinterpret_cast<const Value*>(key->bits);
  if (v.kind() != Value::Kind::kString) return nullptr;
  *out = v.as_string();
  return out;
}

}  // namespace

extern "C" uint64_t mixtral_jit_split_bucket(const Slot* key, const char* salt, uint64_t salt_len) {
  std::string_view k;
  if (!KeyString(key, &k)) return UINT64_MAX;
  return MixedBucket10k(std::string_view(salt, salt_len), k);
}

extern "C" uint64_t mixtral_jit_spread_bucket(const Slot* key, uint64_t n) {
  std::string_view k;
  if (n == 0 || !KeyString(key, &k)) return UINT64_MAX;
  return Bucket(k, n);
}

extern "C" void mixtral_jit_rendezvous(const Slot* key, const char* name, uint64_t name_len,
                                       uint64_t* out) {
  std::string_view k;
  out[0] = KeyString(key, &k) ? 1 : 0;
  out[1] = out[0] ? RendezvousWeight(k, std::string_view(name, name_len)) : 0;
}

extern "C" uint64_t mixtral_jit_same_string(const Slot* a, const Slot* b) {
  std::string_view x, y;
  return KeyString(a, &x) && KeyString(b, &y) && x == y ? 1 : 0;
}

StringIds SortStrings(const std::vector<std::string>& by_id) {
  StringIds out;
  for (size_t i = 0; i < by_id.size(); ++i) out.emplace_back(by_id[i], i + 1);
  std::sort(out.begin(), out.end());
  return out;
}

void InternRequestStrings(const Policy& p, const StringIds& ids, const BoundRequest& r,
                          std::vector<Slot>* slots) {
  if (ids.empty()) return;
  const size_t n = p.request.fields.size();
  slots->resize(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const bool str = i < r.fields.size() && r.fields[i].kind() == Value::Kind::kString;
    (*slots)[n + i] = Slot{str ? Lookup(ids, r.fields[i].as_string()) : 0, str ? 1u : 0u};
  }
}

void InternTargetNames(const Policy& p, const StringIds& ids, const BoundSnapshot& s,
                       std::vector<Slot>* slots) {
  if (ids.empty()) return;
  const uint64_t stride = TargetStride(p);
  const size_t extras = p.attributes.fields.size() + p.telemetry.fields.size();
  for (size_t t = 0; t < s.targets.size(); ++t)
    (*slots)[t * stride + extras + kExtraNameId] = Slot{Lookup(ids, s.targets[t].name), 1};
}

}  // namespace mixtral::codegen
