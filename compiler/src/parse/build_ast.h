// Turns an ANTLR parse tree into the arena AST. Internal to the parse stage:
// nothing outside compiler/src/parse sees an ANTLR type.
#pragma once

#include "MixtralParser.h"
#include "ast/ast.h"
#include "mixtral/compiler/diagnostic.h"

namespace mixtral::parse {

void BuildAst(uint32_t file, bool is_root, mixtral_gen::MixtralParser::File_Context* tree,
              antlr4::CharStream* input, ast::Program* program, Diagnostics* diags);

}  // namespace mixtral::parse
