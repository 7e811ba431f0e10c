// The formatter's view of a policy: its tokens in order, each with the
// comments and line breaks written before it and the layout role that the
// parse tree gives it. The annotate pass builds it from ANTLR's token stream
// and parse tree; the print pass lays it out. No ANTLR types appear here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mixtral::format {

// The kinds of top-level declaration, which decide the blank lines between them.
enum class DeclKind : uint8_t {
  kHeader,
  kImport,
  kType,
  kRequest,
  kAttributes,
  kTelemetry,
  kResponse,
  kCounter,
  kBreaker,
  kLet,
  kTarget,
  kRoute,
  kAssert,
  kTest,
};

// What a token forces at its start.
enum class Starts : uint8_t {
  kNone,
  kItem,  // the first token of an item in a block body: a line of its own
  kDecl,  // the first token of a top-level declaration (or the header)
};

enum class Bracket : uint8_t {
  kNone,
  kOpen,        // `(`, `[` or an inline `{`: its contents stay as written
  kClose,       // the matching `)`, `]` or `}`
  kBlockOpen,   // the `{` of a block body: one item per line inside
  kBlockClose,  // its `}`, on a line of its own
};

// Whitespace (only its line breaks matter) or a comment, between two tokens.
struct Trivia {
  bool is_comment = false;
  int newlines = 0;  // whitespace: how many line feeds it holds
  std::string text;  // comment: its text, without trailing blanks
};

// A comment as the formatter writes it: without trailing blanks.
inline std::string CommentText(std::string raw) {
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\f' ||
                          raw.back() == '\v' || raw.back() == '\r'))
    raw.pop_back();
  return raw;
}

inline constexpr size_t kNoPartner = static_cast<size_t>(-1);

struct Token {
  std::string text;  // empty for the end of file
  bool eof = false;
  std::vector<Trivia> before;  // hidden tokens since the previous token, in order
  Starts starts = Starts::kNone;
  DeclKind decl = DeclKind::kHeader;  // when starts == kDecl
  Bracket bracket = Bracket::kNone;
  size_t partner = kNoPartner;  // index of the matching bracket
  bool glue_before = false;     // no space before this token on its line
  bool glue_after = false;      // no space after it
};

// Every token of a file that parsed, ending with one end-of-file token that
// carries the comments after the last declaration.
using TokenTable = std::vector<Token>;

}  // namespace mixtral::format
