// Types and schemas of a checked policy: what a request, a target's static
// attributes, its telemetry and a cascade response look like. The runtime
// binds JSON inputs against these; the checker types expressions with them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "mixtral/stdlib/value.h"

namespace mixtral {

enum class TypeKind : uint8_t {
  kError,  // the type of an expression that failed to check
  kBool,
  kInt,
  kFloat,
  kString,
  kDuration,  // milliseconds, int64
  kTime,      // epoch milliseconds, int64
  kEnum,
  kList,
  kSet,
  kMap,
};

using TypeId = uint32_t;

struct TypeInfo {
  TypeKind kind = TypeKind::kError;
  TypeId elem = 0;  // list/set element, map value
  TypeId key = 0;   // map key
  uint32_t enum_id = 0;
};

struct EnumInfo {
  std::string name;  // declared name, or "enum{a,b}" for an inline enum
  std::vector<std::string> members;
  // Ordinal of a member, or -1.
  int Find(std::string_view member) const;
};

// Interned types: equal types have equal ids, so type equality is id equality.
class TypeTable {
 public:
  TypeTable();
  TypeId Error() const { return 0; }
  TypeId Bool() const { return 1; }
  TypeId Int() const { return 2; }
  TypeId Float() const { return 3; }
  TypeId String() const { return 4; }
  TypeId Duration() const { return 5; }
  TypeId Time() const { return 6; }
  TypeId List(TypeId elem);
  TypeId Set(TypeId elem);
  TypeId Map(TypeId key, TypeId value);
  TypeId NewEnum(EnumInfo info);  // every enum declaration is a distinct type

  const TypeInfo& info(TypeId t) const { return types_[t]; }
  const EnumInfo& enum_info(TypeId t) const { return enums_[types_[t].enum_id]; }
  std::string Name(TypeId t) const;

 private:
  TypeId Intern(TypeInfo info);
  std::vector<TypeInfo> types_;
  std::vector<EnumInfo> enums_;
  std::map<std::tuple<uint8_t, TypeId, TypeId>, TypeId> index_;
};

struct FieldInfo {
  std::string name;
  TypeId type = 0;
  bool optional = false;  // declared `T?`: may be absent, reads as missing
  std::optional<Value> default_value;
  bool is_id = false;      // the decision id (request schema only)
  bool sensitive = false;  // masked in audit records
};

struct Schema {
  std::vector<FieldInfo> fields;
  bool closed = false;  // unknown fields are errors even in the library
  // Slot of a field, or -1.
  int Find(std::string_view name) const;
};

}  // namespace mixtral
