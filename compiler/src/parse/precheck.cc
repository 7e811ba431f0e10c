#include <cctype>
#include <string>
#include <vector>

#include "mixtral/stdlib/bytes.h"
#include "parse/parse.h"

namespace mixtral::parse {

SourceLoc LocOfByte(std::string_view text, size_t offset) {
  SourceLoc loc{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++loc.line;
      loc.col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.col;
    }
  }
  return loc;
}

namespace {

SourceRange At(uint32_t file, std::string_view text, size_t offset) {
  SourceLoc l = LocOfByte(text, offset);
  return SourceRange{file, l, l};
}

}  // namespace

bool Precheck(uint32_t file, std::string_view text, Diagnostics* diags) {
  if (text.size() > kMaxPolicyBytes) {
    diags->Error("E0004", At(file, text, 0),
                 "policy is " + std::to_string(text.size()) + " bytes; the limit is 1 MiB (" +
                     std::to_string(kMaxPolicyBytes) + " bytes)");
    return false;
  }
  if (auto bad = FindInvalidUtf8(text)) {
    diags->Error("E0003", At(file, text, *bad),
                 "invalid UTF-8 at byte offset " + std::to_string(*bad));
    return false;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    diags->Error("E0002", At(file, text, 0),
                 "invalid character: a UTF-8 byte order mark (save the file without it)");
    return false;
  }
  // Only brackets make the parser recurse (operator chains are loops in the
  // grammar), so counting them bounds its stack.
  std::vector<char> closers;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {  // skip the string; an unterminated one is the lexer's to report
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\') ++i;
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    // `<` opens a type argument after list, set or map, and recurses too.
    bool type_open = false;
    if (c == '<') {
      size_t j = i;
      while (j > 0 && (text[j - 1] == ' ' || text[j - 1] == '\t')) --j;
      size_t k = j;
      while (k > 0 && (std::isalnum(static_cast<unsigned char>(text[k - 1])) || text[k - 1] == '_'))
        --k;
      std::string_view word = text.substr(k, j - k);
      type_open = word == "list" || word == "set" || word == "map";
    }
    if (c == '(' || c == '[' || c == '{' || type_open) {
      closers.push_back(c == '(' ? ')' : c == '[' ? ']' : c == '{' ? '}' : '>');
      if (closers.size() > static_cast<size_t>(kMaxNesting)) {
        diags->Error("E0006", At(file, text, i),
                     "nesting is deeper than " + std::to_string(kMaxNesting) + " levels");
        return false;
      }
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && !closers.empty() &&
               closers.back() == c) {
      closers.pop_back();  // unbalanced closers are the parser's to report
    }
  }
  return true;
}

}  // namespace mixtral::parse
