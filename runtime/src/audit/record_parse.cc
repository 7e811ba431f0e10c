#include "audit/record_parse.h"

#include "mixtral/stdlib/bytes.h"

namespace mixtral::audit {
namespace {

// The byte offset of a raw control character or of the bracket that nests
// too deep, outside string literals; npos when there is none.
size_t FindBadByte(std::string_view text, std::string* what) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\r') {
      *what = "raw control character";
      return i;
    }
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxRecordDepth) {
        *what = "nested deeper than " + std::to_string(kMaxRecordDepth) + " levels";
        return i;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

bool ParseRecordLine(std::string_view line, nlohmann::json* out, std::string* error) {
  if (line.empty()) {
    *error = "empty line";
    return false;
  }
  if (auto at = FindInvalidUtf8(line)) {
    *error = "invalid UTF-8 at byte " + std::to_string(*at + 1);
    return false;
  }
  std::string what;
  if (const size_t at = FindBadByte(line, &what); at != std::string_view::npos) {
    *error = "not valid JSON: " + what + " at byte " + std::to_string(at + 1);
    return false;
  }
  try {
    *out = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    *error = "not valid JSON at byte " + std::to_string(e.byte);
    return false;
  } catch (...) {
    *error = "not valid JSON";
    return false;
  }
  if (!out->is_object()) {
    *error = "not a JSON object";
    return false;
  }
  return true;
}

}  // namespace mixtral::audit
