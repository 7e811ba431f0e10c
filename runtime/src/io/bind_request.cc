// Contract §8, requests: a JSON object bound field by field to the request
// schema. The first problem found is the answer; a request is either bound
// completely or not at all. RequestBindInfo is filled as far as the request
// could be read, also when binding fails, so that the library's rejected
// decision for an invalid request still carries the client's id.
#include "io/bind_value.h"
#include "io/errors.h"
#include "io/json_doc.h"

namespace mixtral {
namespace {

constexpr std::string_view kRoot = "request";

// The id as the client sent it, read before any field can fail to bind.
std::optional<std::string> DecisionId(const Schema& schema, const io::JsonValue& doc) {
  for (const FieldInfo& field : schema.fields) {
    if (!field.is_id) {
      continue;
    }
    const io::JsonValue* value = doc.Find(field.name);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (auto* s = value->as_string(); s != nullptr && s->size() <= kMaxStringFieldBytes) {
      return *s;
    }
    if (auto* i = value->as_int()) {
      return std::to_string(*i);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<InputError> BindRequestImpl(const Policy& policy, std::string_view json,
                                          const RequestBindOptions& options, BoundRequest* out,
                                          RequestBindInfo& info) {
  io::JsonValue doc;
  if (auto err = io::ParseJson(json, kMaxRequestBytes, kRoot, &doc)) {
    return err;
  }
  const io::PathNode root = io::PathNode::Root(kRoot);
  const io::JsonValue::Object* members = doc.as_object();
  if (members == nullptr) {
    return io::MakeError(io::Err::kWrongType, std::string(kRoot),
                         std::string("expected an object, got ") + doc.KindName());
  }

  const Schema& schema = policy.request;
  info.decision_id = DecisionId(schema, doc);
  // Keys are unique, so members beyond the schema fields found are unknown;
  // only then is it worth looking for which ones they are.
  size_t known = 0;
  for (const FieldInfo& field : schema.fields) {
    known += doc.Find(field.name) != nullptr;
  }
  if (members->size() > known) {
    // Unknown fields before missing ones: a misspelt name explains the
    // "missing required field" that would otherwise be reported instead.
    for (const auto& member : *members) {
      if (schema.Find(member.first) >= 0) {
        continue;
      }
      if (schema.closed || options.reject_unknown) {
        return io::MakeError(io::Err::kUnknownField, root.Member(member.first).Render(),
                             "unknown field");
      }
      ++info.unknown_fields;
    }
  }

  const io::BindLimits limits{kMaxStringFieldBytes};
  BoundRequest bound;
  bound.fields.resize(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldInfo& field = schema.fields[i];
    const io::JsonValue* value = doc.Find(field.name);
    // JSON null reads as absent (contract §4), so a default applies to it too.
    if (value == nullptr || value->is_null()) {
      if (field.default_value) {
        bound.fields[i] = *field.default_value;
      } else if (!field.optional) {
        return io::MakeError(io::Err::kMissingField, root.Member(field.name).Render(),
                             "missing required field");
      }
      continue;
    }
    if (auto err = io::BindValue(policy.types, field.type, *value, root.Member(field.name), limits,
                                 &bound.fields[i])) {
      return err;
    }
  }
  *out = std::move(bound);
  return std::nullopt;
}

}  // namespace

std::optional<InputError> BindRequestJson(const Policy& policy, std::string_view json,
                                          const RequestBindOptions& options, BoundRequest* out,
                                          RequestBindInfo* info) {
  try {
    RequestBindInfo local_info;
    auto err = BindRequestImpl(policy, json, options, out, local_info);
    if (info != nullptr) {
      *info = std::move(local_info);
    }
    return err;
  } catch (...) {
    return io::InternalError(kRoot);
  }
}

}  // namespace mixtral
