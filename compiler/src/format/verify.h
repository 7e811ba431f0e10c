// Pass 4 of the formatter: the proof that it changed only whitespace. The
// output is lexed again and its tokens, comments included, must be the
// input's, in order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mixtral::format {

struct SignificantToken {
  size_t type = 0;   // the lexer's token type
  std::string text;  // comments without trailing blanks
  bool operator==(const SignificantToken&) const = default;
};

// Every token of `text` but whitespace, end of file excluded. nullopt if the
// lexer fails (it should not: the grammar's BAD_CHAR takes any character).
std::optional<std::vector<SignificantToken>> SignificantTokens(std::string_view text);

}  // namespace mixtral::format
