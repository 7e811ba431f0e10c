#include "io/bind_value.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "io/errors.h"

namespace mixtral::io {
namespace {

class Binder {
 public:
  Binder(const TypeTable& types, const BindLimits& limits) : types_(types), limits_(limits) {}

  std::optional<InputError> Bind(TypeId type, const JsonValue& json, const PathNode& path,
                                 Value* out) const {
    const TypeInfo& info = types_.info(type);
    switch (info.kind) {
      case TypeKind::kBool:
        if (auto* b = json.as_bool()) {
          *out = Value::Bool(*b);
          return std::nullopt;
        }
        return WrongType(type, json, path);
      case TypeKind::kInt:
        if (auto* i = json.as_int()) {
          *out = Value::Int(*i);
          return std::nullopt;
        }
        if (json.as_big_int()) {
          return OutOfRange(path, "integer out of range");
        }
        return WrongType(type, json, path);
      case TypeKind::kFloat:
        return BindFloat(type, json, path, out);
      case TypeKind::kString:
        if (auto* s = json.as_string()) {
          if (auto err = CheckLength(*s, path)) {
            return err;
          }
          *out = Value::Str(*s);
          return std::nullopt;
        }
        return WrongType(type, json, path);
      case TypeKind::kDuration:
        return BindDuration(type, json, path, out);
      case TypeKind::kTime:
        return BindTime(type, json, path, out);
      case TypeKind::kEnum:
        if (auto* s = json.as_string()) {
          if (auto err = CheckLength(*s, path)) {
            return err;
          }
          const int ordinal = types_.enum_info(type).Find(*s);
          if (ordinal < 0) {
            return MakeError(Err::kUnknownEnum, path.Render(), "unknown enum value " + Quote(*s));
          }
          *out = Value::Enum(static_cast<uint32_t>(ordinal));
          return std::nullopt;
        }
        return WrongType(type, json, path);
      case TypeKind::kList:
      case TypeKind::kSet:
        return BindSequence(type, info, json, path, out);
      case TypeKind::kMap:
        return BindMap(type, info, json, path, out);
      case TypeKind::kError:
        break;
    }
    return MakeError(Err::kInternal, path.Render(),
                     "internal error: field has no bindable type " + types_.Name(type));
  }

 private:
  std::optional<InputError> WrongType(TypeId type, const JsonValue& json,
                                      const PathNode& path) const {
    return MakeError(Err::kWrongType, path.Render(),
                     "expected " + types_.Name(type) + ", got " + json.KindName());
  }

  static std::optional<InputError> OutOfRange(const PathNode& path, const char* what) {
    return MakeError(Err::kIntOutOfRange, path.Render(), what);
  }

  std::optional<InputError> CheckLength(std::string_view s, const PathNode& path) const {
    if (limits_.max_string_bytes == 0 || s.size() <= limits_.max_string_bytes) {
      return std::nullopt;
    }
    return MakeError(Err::kStringTooLong, path.Render(),
                     "string too long: " + std::to_string(s.size()) + " bytes; the limit is " +
                         std::to_string(limits_.max_string_bytes));
  }

  std::optional<InputError> BindFloat(TypeId type, const JsonValue& json, const PathNode& path,
                                      Value* out) const {
    if (auto d = json.as_number()) {
      *out = Value::Float(*d);
      return std::nullopt;
    }
    // Contract §12: JSON has no literal for these, so they travel as strings.
    if (auto* s = json.as_string()) {
      constexpr double kInf = std::numeric_limits<double>::infinity();
      if (*s == "NaN") {
        *out = Value::Float(std::numeric_limits<double>::quiet_NaN());
      } else if (*s == "Infinity") {
        *out = Value::Float(kInf);
      } else if (*s == "-Infinity") {
        *out = Value::Float(-kInf);
      } else {
        return WrongType(type, json, path);
      }
      return std::nullopt;
    }
    return WrongType(type, json, path);
  }

  std::optional<InputError> BindDuration(TypeId type, const JsonValue& json, const PathNode& path,
                                         Value* out) const {
    if (auto* i = json.as_int()) {
      *out = Value::Int(*i);
      return std::nullopt;
    }
    if (json.as_big_int()) {
      return OutOfRange(path, "duration out of range");
    }
    if (auto* s = json.as_string()) {
      if (auto err = CheckLength(*s, path)) {
        return err;
      }
      bool overflow = false;
      if (auto ms = ParseDuration(*s, &overflow)) {
        *out = Value::Int(*ms);
        return std::nullopt;
      }
      if (overflow) {
        return OutOfRange(path, "duration out of range");
      }
      return MakeError(Err::kWrongType, path.Render(),
                       "invalid duration " + Quote(*s) +
                           " (expected e.g. \"250ms\", \"30s\", \"5m\", \"1h\", \"1d\" or integer "
                           "milliseconds)");
    }
    return WrongType(type, json, path);
  }

  std::optional<InputError> BindTime(TypeId type, const JsonValue& json, const PathNode& path,
                                     Value* out) const {
    if (auto* i = json.as_int()) {
      *out = Value::Int(*i);
      return std::nullopt;
    }
    if (json.as_big_int()) {
      return OutOfRange(path, "time out of range");
    }
    if (auto* s = json.as_string()) {
      if (auto err = CheckLength(*s, path)) {
        return err;
      }
      if (auto ms = ParseTime(*s)) {
        *out = Value::Int(*ms);
        return std::nullopt;
      }
      return MakeError(Err::kInvalidTime, path.Render(),
                       "invalid time " + Quote(*s) + " (expected RFC3339 or epoch milliseconds)");
    }
    return WrongType(type, json, path);
  }

  std::optional<InputError> BindSequence(TypeId type, const TypeInfo& info, const JsonValue& json,
                                         const PathNode& path, Value* out) const {
    const JsonValue::Array* items = json.as_array();
    if (items == nullptr) {
      return WrongType(type, json, path);
    }
    Value::List values(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
      if (auto err = BindElement(info.elem, (*items)[i], path.Index(i), &values[i])) {
        return err;
      }
    }
    *out = info.kind == TypeKind::kSet ? Value::SetOf(std::move(values))
                                       : Value::ListOf(std::move(values));
    return std::nullopt;
  }

  std::optional<InputError> BindMap(TypeId type, const TypeInfo& info, const JsonValue& json,
                                    const PathNode& path, Value* out) const {
    const JsonValue::Object* members = json.as_object();
    if (members == nullptr) {
      return WrongType(type, json, path);
    }
    const TypeKind key_kind = types_.info(info.key).kind;
    if (key_kind != TypeKind::kString && key_kind != TypeKind::kEnum) {
      return MakeError(Err::kWrongType, path.Render(),
                       "a JSON object cannot supply keys of type " + types_.Name(info.key));
    }
    Value::Map entries;
    entries.reserve(members->size());
    for (const auto& [key, member] : *members) {
      const PathNode at = path.Member(key);
      Value k;
      if (key_kind == TypeKind::kString) {
        if (auto err = CheckLength(key, at)) {
          return err;
        }
        k = Value::Str(key);
      } else {
        const int ordinal = types_.enum_info(info.key).Find(key);
        if (ordinal < 0) {
          return MakeError(Err::kUnknownEnum, at.Render(), "unknown enum value " + Quote(key));
        }
        k = Value::Enum(static_cast<uint32_t>(ordinal));
      }
      Value v;
      if (auto err = BindElement(info.elem, member, at, &v)) {
        return err;
      }
      entries.emplace_back(std::move(k), std::move(v));
    }
    *out = Value::MapOf(std::move(entries));
    return std::nullopt;
  }

  // Collections hold present values only: a null inside one is a type error,
  // not a missing element.
  std::optional<InputError> BindElement(TypeId type, const JsonValue& json, const PathNode& path,
                                        Value* out) const {
    if (json.is_null()) {
      return WrongType(type, json, path);
    }
    return Bind(type, json, path, out);
  }

  const TypeTable& types_;
  const BindLimits& limits_;
};

}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text, bool* overflow) {
  *overflow = false;
  const size_t digits_end = text.find_first_not_of("0123456789");
  if (digits_end == 0 || digits_end == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(digits_end);
  int64_t scale;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return std::nullopt;
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits_end, n);
  if (ec != std::errc() || n > std::numeric_limits<int64_t>::max() / scale) {
    *overflow = true;
    return std::nullopt;
  }
  return n * scale;
}

std::optional<InputError> BindValue(const TypeTable& types, TypeId type, const JsonValue& json,
                                    const PathNode& path, const BindLimits& limits, Value* out) {
  if (json.is_null()) {
    return MakeError(Err::kWrongType, path.Render(), "unexpected null");
  }
  return Binder(types, limits).Bind(type, json, path, out);
}

std::optional<InputError> BindObjectFields(const TypeTable& types, const Schema& schema,
                                           const JsonValue& object, const PathNode& root,
                                           const BindLimits& limits, bool reject_unknown,
                                           std::string_view ignore, uint64_t* unknown,
                                           std::vector<Value>* out) {
  const JsonValue::Object* members = object.as_object();
  if (members == nullptr) {
    return MakeError(Err::kWrongType, root.Render(),
                     std::string("expected an object, got ") + object.KindName());
  }
  // Unknown fields before missing ones: a misspelt name explains the
  // "missing required field" that would otherwise be reported instead.
  for (const auto& member : *members) {
    if (schema.Find(member.first) >= 0 || (!ignore.empty() && member.first == ignore)) continue;
    if (reject_unknown)
      return MakeError(Err::kUnknownField, root.Member(member.first).Render(), "unknown field");
    ++*unknown;
  }
  std::vector<Value> values(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldInfo& field = schema.fields[i];
    const JsonValue* value = object.Find(field.name);
    // JSON null reads as absent (contract §4), so a default applies to it too.
    if (value == nullptr || value->is_null()) {
      if (field.default_value) {
        values[i] = *field.default_value;
      } else if (!field.optional) {
        return MakeError(Err::kMissingField, root.Member(field.name).Render(),
                         "missing required field");
      }
      continue;
    }
    if (auto err =
            BindValue(types, field.type, *value, root.Member(field.name), limits, &values[i])) {
      return err;
    }
  }
  *out = std::move(values);
  return std::nullopt;
}

}  // namespace mixtral::io
