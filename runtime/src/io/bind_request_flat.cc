// The common request, a flat object of scalars, bound straight from
// nlohmann's SAX events into the slots, without building a document. It
// only ever answers "bound": anything it does not handle exactly as the
// document binder would (nesting, an unknown or repeated member, a value of
// the wrong type, a missing required field, a malformed text) makes it give
// up, and the caller runs the document binder, which finds and reports the
// problem. So errors, their order and their wording have one source.
#include "io/bind_request_flat.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "io/bind_value.h"
#include "io/json_doc.h"

namespace mixtral::io {
namespace {

using nlohmann::json;

class FlatBinder {
 public:
  FlatBinder(const TypeTable& types, const Schema& schema, size_t max_string_bytes)
      : types_(types),
        schema_(schema),
        max_string_bytes_(max_string_bytes),
        values_(schema.fields.size()) {}

  bool null() {
    return Take([](TypeKind) { return std::optional<Value>(Value::Missing()); });
  }
  bool boolean(bool b) {
    return Take([&](TypeKind k) {
      return k == TypeKind::kBool ? std::optional<Value>(Value::Bool(b)) : std::nullopt;
    });
  }
  bool number_integer(json::number_integer_t i) { return Integer(i); }
  bool number_unsigned(json::number_unsigned_t u) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    return Integer(static_cast<int64_t>(u));
  }
  bool number_float(json::number_float_t d, const json::string_t& literal) {
    // An integer literal beyond int64 arrives here too; only a float field
    // takes it, as the document binder's as_number() would.
    (void)literal;
    return Take([&](TypeKind k) {
      return k == TypeKind::kFloat ? std::optional<Value>(Value::Float(d)) : std::nullopt;
    });
  }
  bool string(json::string_t& s) {
    if (IsId() && s.size() <= max_string_bytes_) id_ = s;
    return Take([&](TypeKind k) -> std::optional<Value> { return FromString(k, s); });
  }
  bool binary(json::binary_t&) { return false; }
  bool start_object(size_t) { return depth_++ == 0; }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(size_t) { return false; }
  bool end_array() { return false; }
  bool key(json::string_t& k) {
    const int slot = schema_.Find(k);
    if (slot < 0 || Seen(static_cast<size_t>(slot))) return false;
    slot_ = slot;
    return true;
  }
  bool parse_error(size_t, const std::string&, const json::exception&) { return false; }

  // Defaults and required fields, once the object is read.
  bool Finish(BoundRequest* out, RequestBindInfo* info) {
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      const FieldInfo& field = schema_.fields[i];
      if (!values_[i].is_missing()) continue;
      if (field.default_value) {
        values_[i] = *field.default_value;
      } else if (!field.optional) {
        return false;
      }
    }
    out->fields = std::move(values_);
    info->decision_id = std::move(id_);
    info->unknown_fields = 0;
    return true;
  }

 private:
  bool Integer(int64_t i) {
    if (IsId()) id_ = std::to_string(i);
    return Take([&](TypeKind k) -> std::optional<Value> {
      switch (k) {
        case TypeKind::kInt:
        case TypeKind::kDuration:
        case TypeKind::kTime:
          return Value::Int(i);
        case TypeKind::kFloat:
          return Value::Float(static_cast<double>(i));
        default:
          return std::nullopt;
      }
    });
  }

  std::optional<Value> FromString(TypeKind k, std::string& s) const {
    if (s.size() > max_string_bytes_) return std::nullopt;
    switch (k) {
      case TypeKind::kString:
        return Value::Str(std::move(s));
      case TypeKind::kEnum: {
        const int ordinal = types_.enum_info(schema_.fields[slot_].type).Find(s);
        if (ordinal < 0) return std::nullopt;
        return Value::Enum(static_cast<uint32_t>(ordinal));
      }
      case TypeKind::kFloat:
        if (s == "NaN") return Value::Float(std::numeric_limits<double>::quiet_NaN());
        if (s == "Infinity") return Value::Float(std::numeric_limits<double>::infinity());
        if (s == "-Infinity") return Value::Float(-std::numeric_limits<double>::infinity());
        return std::nullopt;
      case TypeKind::kDuration: {
        bool overflow = false;
        std::optional<int64_t> ms = ParseDuration(s, &overflow);
        return ms ? std::optional<Value>(Value::Int(*ms)) : std::nullopt;
      }
      case TypeKind::kTime: {
        std::optional<int64_t> ms = ParseTime(s);
        return ms ? std::optional<Value>(Value::Int(*ms)) : std::nullopt;
      }
      default:
        return std::nullopt;
    }
  }

  // A member's value: a top-level scalar for the field named by the last key.
  template <typename Make>
  bool Take(Make make) {
    if (depth_ != 1 || slot_ < 0) return false;
    const FieldInfo& field = schema_.fields[slot_];
    std::optional<Value> v = make(types_.info(field.type).kind);
    if (!v) return false;
    values_[slot_] = std::move(*v);
    slot_ = -1;
    return true;
  }

  // The id as the client sent it, as bind_request.cc's DecisionId reads it:
  // the JSON string, or an integer literal in decimal, whatever the type.
  bool IsId() const { return depth_ == 1 && slot_ >= 0 && schema_.fields[slot_].is_id; }

  // Whether a member was already given (a repeated key), marking it given.
  bool Seen(size_t slot) {
    if (slot < 64) {
      const uint64_t bit = uint64_t{1} << slot;
      const bool seen = seen_low_ & bit;
      seen_low_ |= bit;
      return seen;
    }
    if (seen_high_.empty()) seen_high_.resize(schema_.fields.size());
    const bool seen = seen_high_[slot];
    seen_high_[slot] = true;
    return seen;
  }

  const TypeTable& types_;
  const Schema& schema_;
  const size_t max_string_bytes_;
  std::vector<Value> values_;
  uint64_t seen_low_ = 0;  // requests rarely have more than 64 fields
  std::vector<bool> seen_high_;
  std::optional<std::string> id_;
  int slot_ = -1;
  int depth_ = 0;
};

}  // namespace

bool BindFlatRequest(const Policy& policy, std::string_view json_text, BoundRequest* out,
                     RequestBindInfo* info) {
  // The document binder's checks on the raw text (size, UTF-8, depth) hold
  // here too; a text that fails them is left to it to report.
  if (PrecheckJson(json_text, kMaxRequestBytes, "request")) return false;
  FlatBinder binder(policy.types, policy.request, kMaxStringFieldBytes);
  bool ok = false;
  try {
    ok = json::sax_parse(json_text.begin(), json_text.end(), &binder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception&) {
    return false;
  }
  return ok && binder.Finish(out, info);
}

}  // namespace mixtral::io
