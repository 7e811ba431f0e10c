// The meaning of a parsed file as text: every declaration with its names,
// types, literals and expressions (printed with ast::PrintExpr), and no source
// locations. Two files that differ only in layout have the same ProgramText.
#pragma once

#include <string>

#include "ast/ast.h"

namespace mixtral::testing {

std::string ProgramText(const ast::Program& p);

// JSON text with the whitespace outside strings removed: test blocks keep
// their JSON as written, so layout shows up in the AST there.
std::string CompactJson(const std::string& json);

}  // namespace mixtral::testing
