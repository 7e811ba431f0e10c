// The limits of contract §8, enforced on raw bytes. nlohmann/json throws on
// hostile input and its DOM destructor recurses, so nothing reaches it until
// the text is known to be bounded in size and depth and to be valid UTF-8.
#include <string>

#include "io/errors.h"
#include "io/json_doc.h"

namespace mixtral::io {
namespace {

// The offset of the first '[' or '{' that opens level max_depth + 1, counting
// only brackets outside string literals.
std::optional<size_t> FindTooDeep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return i;
        }
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's to report.
        if (depth > 0) {
          --depth;
        }
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<InputError> PrecheckJson(std::string_view text, size_t max_bytes,
                                       std::string_view root) {
  if (text.size() > max_bytes) {
    return MakeError(Err::kTooLarge, std::string(root),
                     std::string(root) + " is " + std::to_string(text.size()) +
                         " bytes; the limit is " + std::to_string(max_bytes));
  }
  if (auto at = FindInvalidUtf8(text)) {
    return MakeError(Err::kInvalidUtf8, std::string(root),
                     "invalid UTF-8 at byte " + std::to_string(*at), *at);
  }
  // JSON allows no raw control characters but whitespace; nlohmann would
  // also stop reading at a NUL byte and silently ignore what follows.
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return MakeError(Err::kMalformedJson, std::string(root),
                       "malformed JSON at byte " + std::to_string(i) +
                           ": raw control character 0x" + "0123456789abcdef"[c >> 4] +
                           "0123456789abcdef"[c & 15],
                       i);
    }
  }
  if (auto at = FindTooDeep(text, kMaxJsonDepth)) {
    return MakeError(Err::kTooDeep, std::string(root),
                     "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " +
                         std::to_string(*at),
                     *at);
  }
  return std::nullopt;
}

}  // namespace mixtral::io
