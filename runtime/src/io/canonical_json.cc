// Contract §12: the canonical form hashed into snapshot_sha256 and compared
// byte for byte in goldens. nlohmann's dump() is not it: it writes \n and \t
// as short escapes, NaN as null, and picks between fixed and exponent notation
// by its own rule rather than to_chars's.
#include "io/errors.h"
#include "io/json_doc.h"
#include "io/json_text.h"

namespace mixtral {
namespace io {
namespace {

void Write(const JsonValue& value, JsonWriter* w) {
  struct Visitor {
    JsonWriter* w;
    void operator()(std::nullptr_t) const { w->Null(); }
    void operator()(bool b) const { w->Bool(b); }
    void operator()(int64_t i) const { w->Int(i); }
    void operator()(double d) const { w->Double(d); }
    void operator()(const JsonBigInt& b) const { w->Double(b.value); }
    void operator()(const std::string& s) const { w->String(s); }
    void operator()(const JsonValue::Array& items) const {
      w->BeginArray();
      for (const JsonValue& item : items) {
        Write(item, w);
      }
      w->EndArray();
    }
    void operator()(const JsonValue::Object& members) const {
      w->BeginObject();
      for (const auto& [key, member] : members) {
        w->Key(key);
        Write(member, w);
      }
      w->EndObject();
    }
  };
  std::visit(Visitor{w}, value.data());
}

}  // namespace

void WriteCanonical(const JsonValue& value, std::string* out) {
  JsonWriter w(out, /*pretty=*/false);
  Write(value, &w);
}

}  // namespace io

std::optional<InputError> CanonicalizeJson(std::string_view json, std::string* out) {
  try {
    io::JsonValue doc;
    if (auto err = io::ParseJson(json, kMaxSnapshotBytes, "json", &doc)) {
      return err;
    }
    std::string text;
    io::WriteCanonical(doc, &text);
    *out = std::move(text);
    return std::nullopt;
  } catch (...) {
    return io::InternalError("json");
  }
}

}  // namespace mixtral
