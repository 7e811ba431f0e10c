// Requests filled by field index (the C ABI's path) or as JSON. Each setter
// checks the value against the field's declared type, so that what reaches
// the engines is exactly what BindRequestJson would have produced.
#include "engine/internal.h"
#include "io/bind_value.h"
#include "io/errors.h"
#include "io/json_doc.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral {
namespace {

EngineError Fail(ErrorCode code, std::string message) {
  return EngineError{code, std::move(message)};
}

std::string FieldPath(const FieldInfo& f) { return "request." + f.name; }

EngineError CheckString(const FieldInfo& f, std::string_view v) {
  if (v.size() > kMaxStringFieldBytes)
    return Fail(ErrorCode::kTooLong, FieldPath(f) + ": string longer than " +
                                         std::to_string(kMaxStringFieldBytes) + " bytes");
  if (auto bad = FindInvalidUtf8(v))
    return Fail(ErrorCode::kInvalidUtf8,
                FieldPath(f) + ": invalid UTF-8 at byte " + std::to_string(*bad));
  return {};
}

}  // namespace

EngineRequest::EngineRequest() : impl(std::make_unique<Impl>()) {}
EngineRequest::~EngineRequest() = default;

uint64_t EngineRequest::schema_id() const { return impl->schema_id; }
size_t EngineRequest::field_count() const { return impl->policy->request.fields.size(); }
int EngineRequest::FieldIndex(std::string_view name) const {
  return impl->policy->request.Find(name);
}
const FieldInfo* EngineRequest::field(size_t index) const {
  const auto& fields = impl->policy->request.fields;
  return index < fields.size() ? &fields[index] : nullptr;
}
const Policy& EngineRequest::policy() const { return *impl->policy; }
bool EngineRequest::IsSet(size_t index) const {
  return index < impl->state.size() && impl->state[index] != Impl::kUnset;
}

namespace {

// The field at `index` if it exists and its type is one of `kinds`.
struct Target {
  const FieldInfo* field = nullptr;
  TypeKind kind = TypeKind::kError;
  TypeKind elem = TypeKind::kError;
};

EngineError Resolve(const EngineRequest& r, size_t index, Target* out) {
  const FieldInfo* f = r.field(index);
  if (!f)
    return Fail(ErrorCode::kBadIndex, "request field index " + std::to_string(index) +
                                          " is out of range (the schema has " +
                                          std::to_string(r.field_count()) + " fields)");
  const TypeTable& types = r.policy().types;
  out->field = f;
  out->kind = types.info(f->type).kind;
  if (out->kind == TypeKind::kList || out->kind == TypeKind::kSet)
    out->elem = types.info(types.info(f->type).elem).kind;
  return {};
}

EngineError WrongType(const EngineRequest& r, const Target& t, const char* given) {
  return Fail(ErrorCode::kWrongType, FieldPath(*t.field) + ": expected " +
                                         r.policy().types.Name(t.field->type) + ", got " + given);
}

}  // namespace

#define MIXTRAL_RESOLVE(index, t) \
  Target t;                       \
  if (EngineError e = Resolve(*this, index, &t); e.code != ErrorCode::kOk) return e

EngineError EngineRequest::SetBool(size_t index, bool v) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind != TypeKind::kBool) return WrongType(*this, t, "bool");
  impl->values[index] = Value::Bool(v);
  impl->state[index] = Impl::kValue;
  return {};
}

EngineError EngineRequest::SetInt(size_t index, int64_t v) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind == TypeKind::kFloat) {
    impl->values[index] = Value::Float(static_cast<double>(v));  // JSON would accept 3 for 3.0
  } else if (t.kind == TypeKind::kInt || t.kind == TypeKind::kDuration ||
             t.kind == TypeKind::kTime) {
    impl->values[index] = Value::Int(v);
  } else {
    return WrongType(*this, t, "int");
  }
  impl->state[index] = Impl::kValue;
  return {};
}

EngineError EngineRequest::SetFloat(size_t index, double v) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind != TypeKind::kFloat) return WrongType(*this, t, "float");
  impl->values[index] = Value::Float(v);
  impl->state[index] = Impl::kValue;
  return {};
}

EngineError EngineRequest::SetString(size_t index, std::string_view v) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind == TypeKind::kEnum) return SetEnumName(index, v);
  if (t.kind != TypeKind::kString) return WrongType(*this, t, "string");
  if (EngineError e = CheckString(*t.field, v); e.code != ErrorCode::kOk) return e;
  impl->strings[index].assign(v.data(), v.size());  // reuses the buffer
  impl->state[index] = Impl::kStringBuffer;
  return {};
}

EngineError EngineRequest::SetEnum(size_t index, uint32_t ordinal) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind != TypeKind::kEnum) return WrongType(*this, t, "enum");
  const EnumInfo& e = policy().types.enum_info(t.field->type);
  if (ordinal >= e.members.size())
    return Fail(ErrorCode::kUnknownEnum, FieldPath(*t.field) + ": enum ordinal " +
                                             std::to_string(ordinal) + " is out of range (" +
                                             std::to_string(e.members.size()) + " members)");
  impl->values[index] = Value::Enum(ordinal);
  impl->state[index] = Impl::kValue;
  return {};
}

EngineError EngineRequest::SetEnumName(size_t index, std::string_view name) {
  MIXTRAL_RESOLVE(index, t);
  if (t.kind != TypeKind::kEnum) return WrongType(*this, t, "enum");
  int ordinal = policy().types.enum_info(t.field->type).Find(name);
  if (ordinal < 0) {
    if (EngineError e = CheckString(*t.field, name); e.code != ErrorCode::kOk) return e;
    return Fail(ErrorCode::kUnknownEnum,
                FieldPath(*t.field) + ": unknown enum value " + io::Quote(name));
  }
  impl->values[index] = Value::Enum(static_cast<uint32_t>(ordinal));
  impl->state[index] = Impl::kValue;
  return {};
}

namespace {

template <typename T, typename Make>
EngineError SetCollection(EngineRequest& r, size_t index, const T* v, size_t n, TypeKind want,
                          const char* given, Make make) {
  Target t;
  if (EngineError e = Resolve(r, index, &t); e.code != ErrorCode::kOk) return e;
  if (t.kind != TypeKind::kList && t.kind != TypeKind::kSet) return WrongType(r, t, given);
  if (n > 0 && v == nullptr) return Fail(ErrorCode::kNullArgument, "items are NULL");
  const bool float_from_int = want == TypeKind::kInt && t.elem == TypeKind::kFloat;
  const bool int_like =
      want == TypeKind::kInt && (t.elem == TypeKind::kDuration || t.elem == TypeKind::kTime);
  if (t.elem != want && !float_from_int && !int_like) return WrongType(r, t, given);
  Value::List items;
  items.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Value item;
    if (EngineError e = make(*t.field, v[i], float_from_int, &item); e.code != ErrorCode::kOk)
      return e;
    items.push_back(std::move(item));
  }
  r.impl->values[index] =
      t.kind == TypeKind::kSet ? Value::SetOf(std::move(items)) : Value::ListOf(std::move(items));
  r.impl->state[index] = EngineRequest::Impl::kValue;
  return {};
}

}  // namespace

EngineError EngineRequest::SetInts(size_t index, const int64_t* v, size_t n) {
  return SetCollection(*this, index, v, n, TypeKind::kInt, "list of int",
                       [](const FieldInfo&, int64_t x, bool as_float, Value* out) {
                         *out = as_float ? Value::Float(static_cast<double>(x)) : Value::Int(x);
                         return EngineError{};
                       });
}

EngineError EngineRequest::SetFloats(size_t index, const double* v, size_t n) {
  return SetCollection(*this, index, v, n, TypeKind::kFloat, "list of float",
                       [](const FieldInfo&, double x, bool, Value* out) {
                         *out = Value::Float(x);
                         return EngineError{};
                       });
}

EngineError EngineRequest::SetStrings(size_t index, const std::string_view* v, size_t n) {
  return SetCollection(*this, index, v, n, TypeKind::kString, "list of string",
                       [](const FieldInfo& f, std::string_view x, bool, Value* out) {
                         if (EngineError e = CheckString(f, x); e.code != ErrorCode::kOk) return e;
                         *out = Value::Str(std::string(x));
                         return EngineError{};
                       });
}

EngineError EngineRequest::SetEnums(size_t index, const uint32_t* ordinals, size_t n) {
  Target t;
  if (EngineError e = Resolve(*this, index, &t); e.code != ErrorCode::kOk) return e;
  const TypeTable& types = policy().types;
  if ((t.kind != TypeKind::kList && t.kind != TypeKind::kSet) || t.elem != TypeKind::kEnum)
    return WrongType(*this, t, "list of enum");
  size_t members = types.enum_info(types.info(t.field->type).elem).members.size();
  return SetCollection(
      *this, index, ordinals, n, TypeKind::kEnum, "list of enum",
      [members](const FieldInfo& f, uint32_t x, bool, Value* out) {
        if (x >= members)
          return Fail(ErrorCode::kUnknownEnum,
                      FieldPath(f) + ": enum ordinal " + std::to_string(x) + " is out of range");
        *out = Value::Enum(x);
        return EngineError{};
      });
}

EngineError EngineRequest::SetFieldJson(size_t index, std::string_view json) {
  MIXTRAL_RESOLVE(index, t);
  try {
    const std::string path = FieldPath(*t.field);
    io::JsonValue doc;
    if (auto err = io::ParseJson(json, kMaxRequestBytes, path, &doc))
      return Fail(ErrorCode::kInvalidInput, err->ToString());
    if (doc.is_null()) return Unset(index);
    Value v;
    io::PathNode root = io::PathNode::Root(path);
    if (auto err = io::BindValue(policy().types, t.field->type, doc, root,
                                 io::BindLimits{kMaxStringFieldBytes}, &v)) {
      ErrorCode code = err->code == "E1013"   ? ErrorCode::kUnknownEnum
                       : err->code == "E1005" ? ErrorCode::kTooLong
                       : err->code == "E1002" ? ErrorCode::kInvalidUtf8
                       : err->code == "E1012" ? ErrorCode::kWrongType
                                              : ErrorCode::kInvalidInput;
      return Fail(code, err->ToString());
    }
    impl->values[index] = std::move(v);
    impl->state[index] = Impl::kValue;
    return {};
  } catch (...) {
    return Fail(ErrorCode::kInternal, "internal error while binding a field");
  }
}

EngineError EngineRequest::SetJson(std::string_view json) {
  return SetJsonWith(json, false);  // counted instead, unless the schema is closed
}

EngineError EngineRequest::SetJsonStrict(std::string_view json) { return SetJsonWith(json, true); }

EngineError EngineRequest::SetJsonWith(std::string_view json, bool reject_unknown) {
  Clear();
  BoundRequest bound;
  RequestBindInfo info;
  RequestBindOptions options;
  options.reject_unknown = reject_unknown;
  auto err = BindRequestJson(*impl->policy, json, options, &bound, &info);
  impl->unknown_fields = info.unknown_fields;
  impl->json_id = info.decision_id;
  if (err) {
    impl->invalid = std::move(*err);
    return {};  // decided as rejected 400, as the contract requires
  }
  for (size_t i = 0; i < bound.fields.size(); ++i) {
    impl->values[i] = std::move(bound.fields[i]);
    impl->state[i] = Impl::kValue;
  }
  return {};
}

EngineError EngineRequest::Unset(size_t index) {
  MIXTRAL_RESOLVE(index, t);
  impl->values[index] = Value::Missing();
  impl->state[index] = Impl::kUnset;
  return {};
}

#undef MIXTRAL_RESOLVE

void EngineRequest::Clear() {
  for (size_t i = 0; i < impl->values.size(); ++i) {
    impl->values[i] = Value::Missing();
    impl->state[i] = Impl::kUnset;
  }
  impl->invalid.reset();
  impl->json_id.reset();
  impl->unknown_fields = 0;
}

std::optional<InputError> EngineRequest::Impl::Materialize(const CompiledVersion& version,
                                                           BoundRequest* out) const {
  if (invalid) return invalid;
  const Schema& schema = policy->request;
  out->fields.resize(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldInfo& f = schema.fields[i];
    switch (state[i]) {
      case kValue:
        out->fields[i] = values[i];
        break;
      case kStringBuffer:
        // Boxing costs an allocation; a field the policy never reads keeps
        // its bytes here, for the decision id and the audit record.
        out->fields[i] = version.reads_request_field[i] ? Value::Str(strings[i]) : Value();
        break;
      default:
        if (f.default_value) {
          out->fields[i] = *f.default_value;
        } else if (!f.optional) {
          return io::MakeError(io::Err::kMissingField, FieldPath(f), "missing required field");
        } else {
          out->fields[i] = Value();
        }
    }
  }
  return std::nullopt;
}

bool EngineRequest::Impl::DecisionId(std::string* out) const {
  if (invalid) {
    if (!json_id) return false;
    *out = *json_id;
    return true;
  }
  const auto& fields = policy->request.fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].is_id) continue;
    if (state[i] == kStringBuffer) {
      out->assign(strings[i]);
      return true;
    }
    if (state[i] != kValue) return false;
    const Value& v = values[i];
    if (v.kind() == Value::Kind::kString) {
      out->assign(v.as_string());
      return true;
    }
    if (v.kind() == Value::Kind::kInt) {
      char buf[24];
      int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v.as_int()));
      out->assign(buf, static_cast<size_t>(n));
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace mixtral
