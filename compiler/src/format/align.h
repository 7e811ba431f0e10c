// Pass 3 of the formatter: line up trailing comments. In a paragraph (lines
// of code in a row with the same indent; a blank line, an own-line comment or
// a change of indent ends it) the trailing comments start in one column, one
// space past the longest code among the lines that have one:
//
//   id: string id     # the decision id
//   tenant: string
//   tier: Tier = free # an absent tier is the free tier
#pragma once

#include <string>

#include "format/print.h"

namespace mixtral::format {

std::string AlignTrailingComments(const Printed& printed);

}  // namespace mixtral::format
