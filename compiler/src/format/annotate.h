// Pass 1 of the formatter: lex and parse a policy with ANTLR, and mark each
// token with the layout role its place in the parse tree gives it (which `{`
// opens a block, which `-` is unary, which `<` opens a type argument, ...).
#pragma once

#include <string>
#include <string_view>

#include "format/layout.h"

namespace mixtral::format {

// Fills `out` for a policy that the front end has already parsed without
// errors. Returns false, with a reason in `error`, if ANTLR still rejects it or
// throws: that is a bug, not a fault in the input. Never throws.
bool Annotate(std::string_view text, TokenTable* out, std::string* error);

}  // namespace mixtral::format
