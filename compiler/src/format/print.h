// Pass 2 of the formatter: lay out an annotated token table as canonical text.
//
// The canonical style:
//  - Only whitespace changes. Every token and comment is kept, in order.
//  - Declarations start at column 0. Block bodies (request, target attributes,
//    telemetry, response, route, split, cascade, test, expect) put each item on
//    a line of its own, indented two spaces per block; the block's `{` ends the
//    line that opens it and its `}` stands on a line of its own. An empty block
//    is `{}`.
//  - Everything else stays on the lines it was written on: no wrapping and no
//    joining. A continuation line is indented two spaces past the first line
//    of its item, or past the line that opened a bracket still open (`(`, `[`,
//    an inline `{`); a line that starts by closing such a bracket lines up
//    with the line that opened it. Empty brackets are joined: `[]`, `{}`.
//  - Spaces: one around binary operators, `=`, `?` and the ternary `:`; one
//    after `,`, `:` and `;` and none before; none inside `()`, `[]`, set and map
//    literals and JSON (`{small, large}`, `{"a": 1}`); one inside the braces of
//    a target body or an enum type (`{ kind: edge }`, `enum { eu, us }`); none
//    around `.`, after a unary `-`, in `list<T>`, `map<K, V>`, before a `?`
//    that makes a type optional, around the `-` of a dashed target name, or
//    between a function and its `(` or a value and its index `[`.
//  - Comments keep their place: a trailing comment stays at the end of its
//    line (the align pass lines up runs of them); an own-line comment is
//    indented like the code it precedes. Trailing blanks are removed.
//  - Blank lines: at most one in a row. Between top-level declarations there is
//    exactly one, except that consecutive declarations of the same one-line
//    kind (import, type, let, target, counter, breaker, assert) keep the blank
//    line or its absence. Inside a block, a blank line between items or
//    comments is kept; none after `{`, before `}` or inside an item.
//  - The file ends with exactly one line feed (an empty file stays empty).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "format/layout.h"

namespace mixtral::format {

struct Printed {
  std::string text;
  // Byte offset, in `text`, of the one space before each trailing comment.
  std::vector<size_t> trailing_comments;
};

Printed Print(const TokenTable& tokens);

}  // namespace mixtral::format
