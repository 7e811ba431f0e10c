// The C ABI: requests filled by field index or as JSON. Setters return a
// status and keep the message on the handle, so the hot path never builds an
// error object.
#include <cstring>
#include <vector>

#include "capi_internal.h"

using mixtral::capi::Fail;
using mixtral::capi::Guarded;
using mixtral::capi::Keep;

namespace {

// A negative index is as wrong as one past the end.
bool BadIndex(const mixtral_request_t* req, int32_t field) {
  return field < 0 || static_cast<size_t>(field) >= req->request->field_count();
}

template <typename Set>
mixtral_status_t Setter(mixtral_request_t* req, int32_t field, Set set) {
  if (!req) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    if (BadIndex(req, field)) {
      req->error = "request field index " + std::to_string(field) + " is out of range";
      return MIXTRAL_E_INDEX;
    }
    return Keep(set(static_cast<size_t>(field)), &req->error);
  });
}

}  // namespace

extern "C" {

mixtral_status_t mixtral_request_new(const mixtral_engine_t* engine, mixtral_request_t** out,
                                     mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !out) return Fail(err, MIXTRAL_E_NULL, "engine or out is NULL");
    *out = nullptr;
    mixtral::EngineError e;
    auto r = engine->engine->NewRequest(&e);
    if (!r) return Fail(err, mixtral::capi::Status(e.code), e.message);
    *out = new mixtral_request{std::move(r), {}};
    return MIXTRAL_OK;
  });
}

void mixtral_request_free(mixtral_request_t* req) { delete req; }

uint64_t mixtral_request_schema_id(const mixtral_request_t* req) {
  return req ? req->request->schema_id() : 0;
}

int32_t mixtral_request_field_index(const mixtral_request_t* req, const char* name) {
  if (!req || !name) return -1;
  return req->request->FieldIndex(name);
}

const char* mixtral_request_last_error(const mixtral_request_t* req) {
  return req ? req->error.c_str() : "";
}

mixtral_status_t mixtral_request_set_bool(mixtral_request_t* req, int32_t field, int value) {
  return Setter(req, field, [&](size_t i) { return req->request->SetBool(i, value != 0); });
}

mixtral_status_t mixtral_request_set_int(mixtral_request_t* req, int32_t field, int64_t value) {
  return Setter(req, field, [&](size_t i) { return req->request->SetInt(i, value); });
}

mixtral_status_t mixtral_request_set_float(mixtral_request_t* req, int32_t field, double value) {
  return Setter(req, field, [&](size_t i) { return req->request->SetFloat(i, value); });
}

mixtral_status_t mixtral_request_set_string(mixtral_request_t* req, int32_t field,
                                            const char* value, size_t len) {
  if (!value && len) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) {
    return req->request->SetString(i, std::string_view(value ? value : "", len));
  });
}

mixtral_status_t mixtral_request_set_enum(mixtral_request_t* req, int32_t field, uint32_t ordinal) {
  return Setter(req, field, [&](size_t i) { return req->request->SetEnum(i, ordinal); });
}

mixtral_status_t mixtral_request_set_enum_name(mixtral_request_t* req, int32_t field,
                                               const char* name, size_t len) {
  if (!name && len) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) {
    return req->request->SetEnumName(i, std::string_view(name ? name : "", len));
  });
}

mixtral_status_t mixtral_request_set_ints(mixtral_request_t* req, int32_t field,
                                          const int64_t* values, size_t count) {
  if (!values && count) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) { return req->request->SetInts(i, values, count); });
}

mixtral_status_t mixtral_request_set_floats(mixtral_request_t* req, int32_t field,
                                            const double* values, size_t count) {
  if (!values && count) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) { return req->request->SetFloats(i, values, count); });
}

mixtral_status_t mixtral_request_set_strings(mixtral_request_t* req, int32_t field,
                                             const char* const* values, const size_t* lens,
                                             size_t count) {
  if ((!values || !lens) && count) return MIXTRAL_E_NULL;
  for (size_t k = 0; k < count; ++k)
    if (!values[k] && lens[k]) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) {
    std::vector<std::string_view> items;
    items.reserve(count);
    for (size_t k = 0; k < count; ++k) items.emplace_back(values[k] ? values[k] : "", lens[k]);
    return req->request->SetStrings(i, items.data(), items.size());
  });
}

mixtral_status_t mixtral_request_set_enums(mixtral_request_t* req, int32_t field,
                                           const uint32_t* ordinals, size_t count) {
  if (!ordinals && count) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) { return req->request->SetEnums(i, ordinals, count); });
}

mixtral_status_t mixtral_request_set_field_json(mixtral_request_t* req, int32_t field,
                                                const char* json, size_t len) {
  if (!json && len) return MIXTRAL_E_NULL;
  return Setter(req, field, [&](size_t i) {
    return req->request->SetFieldJson(i, std::string_view(json ? json : "", len));
  });
}

mixtral_status_t mixtral_request_set_json(mixtral_request_t* req, const char* json, size_t len) {
  if (!req || (!json && len)) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    return Keep(req->request->SetJson(std::string_view(json ? json : "", len)), &req->error);
  });
}

mixtral_status_t mixtral_request_unset(mixtral_request_t* req, int32_t field) {
  return Setter(req, field, [&](size_t i) { return req->request->Unset(i); });
}

int mixtral_request_is_set(const mixtral_request_t* req, int32_t field) {
  if (!req || BadIndex(req, field)) return -1;
  return req->request->IsSet(static_cast<size_t>(field)) ? 1 : 0;
}

void mixtral_request_clear(mixtral_request_t* req) {
  if (req) req->request->Clear();
}

}  // extern "C"
