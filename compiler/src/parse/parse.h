// The front end's entry: source bytes in, AST out, nothing thrown.
#pragma once

#include <cstdint>
#include <string_view>

#include "ast/ast.h"
#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/diagnostic.h"

namespace mixtral::parse {

// Limits from contract §8.
inline constexpr size_t kMaxPolicyBytes = mixtral::kMaxPolicyBytes;
inline constexpr size_t kMaxTokenBytes = 64 * 1024;
inline constexpr int kMaxNesting = 256;

// Checks size, UTF-8 and bracket nesting before ANTLR sees the text; ANTLR's
// runtime throws on bad UTF-8 and recurses once per bracket.
bool Precheck(uint32_t file, std::string_view text, Diagnostics* diags);

// Parses one file and appends its declarations to `program`. `is_root` says
// whether this is the policy file (which needs a header) or an import.
// Returns false when the file had errors.
bool ParseFile(uint32_t file, std::string_view text, bool is_root, ast::Program* program,
               Diagnostics* diags);

// Code-point column (1-based) of byte `offset`, and its 1-based line.
SourceLoc LocOfByte(std::string_view text, size_t offset);

}  // namespace mixtral::parse
