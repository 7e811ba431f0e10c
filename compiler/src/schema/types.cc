#include <string>

#include "mixtral/compiler/schema.h"

namespace mixtral {

int EnumInfo::Find(std::string_view member) const {
  for (size_t i = 0; i < members.size(); ++i)
    if (members[i] == member) return static_cast<int>(i);
  return -1;
}

int Schema::Find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

TypeTable::TypeTable() {
  // The fixed ids of Error()..Time() depend on this order.
  for (TypeKind k : {TypeKind::kError, TypeKind::kBool, TypeKind::kInt, TypeKind::kFloat,
                     TypeKind::kString, TypeKind::kDuration, TypeKind::kTime})
    Intern(TypeInfo{k, 0, 0, 0});
}

TypeId TypeTable::Intern(TypeInfo info) {
  auto key = std::make_tuple(static_cast<uint8_t>(info.kind), info.elem,
                             info.kind == TypeKind::kEnum ? info.enum_id : info.key);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  TypeId id = static_cast<TypeId>(types_.size());
  types_.push_back(info);
  index_.emplace(key, id);
  return id;
}

TypeId TypeTable::List(TypeId elem) { return Intern(TypeInfo{TypeKind::kList, elem, 0, 0}); }
TypeId TypeTable::Set(TypeId elem) { return Intern(TypeInfo{TypeKind::kSet, elem, 0, 0}); }
TypeId TypeTable::Map(TypeId key, TypeId value) {
  return Intern(TypeInfo{TypeKind::kMap, value, key, 0});
}

TypeId TypeTable::NewEnum(EnumInfo info) {
  enums_.push_back(std::move(info));
  return Intern(TypeInfo{TypeKind::kEnum, 0, 0, static_cast<uint32_t>(enums_.size() - 1)});
}

std::string TypeTable::Name(TypeId t) const {
  const TypeInfo& i = types_[t];
  switch (i.kind) {
    case TypeKind::kError:
      return "<error>";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kString:
      return "string";
    case TypeKind::kDuration:
      return "duration";
    case TypeKind::kTime:
      return "time";
    case TypeKind::kEnum:
      return enums_[i.enum_id].name;
    case TypeKind::kList:
      return "list<" + Name(i.elem) + ">";
    case TypeKind::kSet:
      return "set<" + Name(i.elem) + ">";
    case TypeKind::kMap:
      return "map<" + Name(i.key) + ", " + Name(i.elem) + ">";
  }
  return "<?>";
}

}  // namespace mixtral
