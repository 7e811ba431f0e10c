// Parsing with nlohmann/json's SAX interface into JsonValue. Its own DOM
// would overwrite duplicate keys and forget how an out-of-range number was
// written; the SAX events carry both.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/errors.h"
#include "io/json_doc.h"
#include "io/json_path.h"

namespace mixtral::io {
namespace {

using nlohmann::json;

class DomBuilder {
 public:
  explicit DomBuilder(std::string_view root) : root_(root) {}

  bool null() { return Add(JsonValue()); }
  bool boolean(bool b) { return Add(JsonValue(b)); }
  bool number_integer(json::number_integer_t i) { return Add(JsonValue(int64_t{i})); }
  bool number_unsigned(json::number_unsigned_t u) {
    // nlohmann reports every non-negative integer here.
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Add(JsonValue(static_cast<int64_t>(u)));
    }
    return Add(JsonValue(JsonBigInt{static_cast<double>(u)}));
  }
  bool number_float(json::number_float_t d, const json::string_t& literal) {
    // Integer literals beyond uint64 (or below int64) arrive here too.
    if (literal.find_first_of(".eE") == std::string::npos) {
      return Add(JsonValue(JsonBigInt{d}));
    }
    return Add(JsonValue(d));
  }
  bool string(json::string_t& s) { return Add(JsonValue(std::move(s))); }
  bool binary(json::binary_t&) { return false; }  // JSON text has no binary values

  bool start_object(size_t) {
    frames_.push_back(Frame{JsonValue(JsonValue::Object{}), {}});
    return true;
  }
  bool key(json::string_t& k) {
    frames_.back().key = std::move(k);
    return true;
  }
  bool end_object() {
    JsonValue::Object& members = *frames_.back().value.mutable_object();
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    auto dup = std::adjacent_find(members.begin(), members.end(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; });
    if (dup != members.end()) {
      std::string path = PathOfTop();
      AppendPathKey(&path, dup->first);
      error = MakeError(Err::kMalformedJson, std::move(path), "duplicate key " + Quote(dup->first));
      return false;
    }
    return Pop();
  }
  bool start_array(size_t) {
    frames_.push_back(Frame{JsonValue(JsonValue::Array{}), {}});
    return true;
  }
  bool end_array() { return Pop(); }

  bool parse_error(size_t position, const std::string&, const json::exception& ex) {
    // `position` counts characters read, the offending one included.
    const size_t offset = position > 0 ? position - 1 : 0;
    error = MakeError(Err::kMalformedJson, std::string(root_),
                      "malformed JSON at byte " + std::to_string(offset) + ": " + Reason(ex.what()),
                      offset);
    return false;
  }

  std::optional<InputError> error;
  JsonValue root;

 private:
  struct Frame {
    JsonValue value;  // an array or object under construction
    std::string key;  // the pending member name, in an object
  };

  // nlohmann's text is "[json.exception.parse_error.101] parse error at line
  // 1, column 8: syntax error while parsing ..."; the location is ours to give.
  static std::string Reason(std::string_view what) {
    const size_t tag = what.find("] ");
    if (tag != std::string_view::npos) {
      what.remove_prefix(tag + 2);
    }
    const size_t colon = what.find(": ");
    if (colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
    return std::string(what);
  }

  bool Add(JsonValue v) {
    if (frames_.empty()) {
      root = std::move(v);
      return true;
    }
    Frame& top = frames_.back();
    if (auto* array = top.value.mutable_array()) {
      array->push_back(std::move(v));
    } else {
      top.value.mutable_object()->emplace_back(std::move(top.key), std::move(v));
    }
    return true;
  }

  bool Pop() {
    JsonValue done = std::move(frames_.back().value);
    frames_.pop_back();
    return Add(std::move(done));
  }

  // The path of the container on top of the stack.
  std::string PathOfTop() const {
    std::string path(root_);
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      if (auto* array = frames_[i].value.as_array()) {
        AppendPathIndex(&path, array->size());
      } else {
        AppendPathKey(&path, frames_[i].key);
      }
    }
    return path;
  }

  std::string_view root_;
  std::vector<Frame> frames_;
};

// Number literals beyond binary64's range round to ±Infinity (IEEE, SPEC
// §15.1), but nlohmann rejects them. They are rewritten as the strings that
// float fields accept for infinities; nullopt when there are none.
std::optional<std::string> InfinitiesAsStrings(std::string_view text) {
  std::optional<std::string> out;
  bool in_string = false;
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t end = i + 1;
    while (end < text.size() && std::strchr("0123456789.eE+-", text[end])) ++end;
    std::string token(text.substr(i, end - i));
    bool is_float = token.find_first_of(".eE") != std::string::npos;
    double v = is_float ? std::strtod(token.c_str(), nullptr) : 0;
    if (is_float && std::isinf(v)) {
      if (!out) out.emplace();
      out->append(text.substr(copied, i - copied));
      out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      copied = end;
    }
    i = end - 1;
  }
  if (out) out->append(text.substr(copied));
  return out;
}

}  // namespace

std::optional<InputError> ParseJson(std::string_view text, size_t max_bytes, std::string_view root,
                                    JsonValue* out) {
  if (auto err = PrecheckJson(text, max_bytes, root)) {
    return err;
  }
  std::optional<std::string> rewritten = InfinitiesAsStrings(text);
  if (rewritten) text = *rewritten;
  DomBuilder builder(root);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& ex) {
    return MakeError(Err::kMalformedJson, std::string(root),
                     std::string("malformed JSON: ") + ex.what());
  }
  if (builder.error) {
    return builder.error;
  }
  if (!ok) {
    return MakeError(Err::kMalformedJson, std::string(root), "malformed JSON");
  }
  *out = std::move(builder.root);
  return std::nullopt;
}

}  // namespace mixtral::io
