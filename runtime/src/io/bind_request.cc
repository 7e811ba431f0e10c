// Contract §8, requests: a JSON object bound field by field to the request
// schema. The first problem found is the answer; a request is either bound
// completely or not at all. RequestBindInfo is filled as far as the request
// could be read, also when binding fails, so that the library's rejected
// decision for an invalid request still carries the client's id.
#include "io/bind_request_flat.h"
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
  if (options.flat_fast_path && io::BindFlatRequest(policy, json, out, &info)) return std::nullopt;
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
  BoundRequest bound;
  if (auto err = io::BindObjectFields(
          policy.types, schema, doc, root, io::BindLimits{kMaxStringFieldBytes},
          schema.closed || options.reject_unknown, {}, &info.unknown_fields, &bound.fields)) {
    return err;
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
