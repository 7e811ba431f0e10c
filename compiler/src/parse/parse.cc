// The exception firewall around ANTLR: pre-checks first, our own error
// listener, bail out at the first syntax error, and catch (...) at the end.
#include "parse/parse.h"

#include <exception>
#include <functional>

#include "MixtralLexer.h"
#include "MixtralParser.h"
#include "antlr4-runtime.h"
#include "parse/build_ast.h"
#include "parse/large_stack.h"
#include "parse/two_stage.h"

namespace mixtral::parse {
namespace {

// Thrown by the listener to stop at the first syntax error: ANTLR's recovery
// on hostile input can cascade into thousands of follow-on errors.
struct StopParsing {};

class Listener : public antlr4::BaseErrorListener {
 public:
  Listener(uint32_t file, Diagnostics* diags) : file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    SourceLoc at{static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1)};
    SourceRange r{file_, at, at};
    std::string message = msg;
    if (offending && offending->getType() == mixtral_gen::MixtralLexer::BAD_CHAR) {
      diags_->Error("E0002", r, "invalid character `" + offending->getText() + "`");
      throw StopParsing{};
    }
    if (offending && offending->getType() != antlr4::Token::EOF) {
      std::string text = offending->getText();
      size_t width = 0;
      for (unsigned char c : text) width += (c & 0xC0) != 0x80;
      if (width > 1) r.end.col = r.begin.col + static_cast<uint32_t>(width - 1);
    }
    diags_->Error("E0001", r, Reword(message, offending));
    throw StopParsing{};
  }

 private:
  // ANTLR lists every token it could accept; past a handful that list is
  // noise, so say what was found and only name short alternatives.
  static std::string Reword(const std::string& msg, antlr4::Token* offending) {
    std::string found = "end of file";
    if (offending && offending->getType() != antlr4::Token::EOF)
      found = "`" + offending->getText() + "`";
    size_t open = msg.find("expecting {");
    size_t single = msg.find("expecting ");
    if (open != std::string::npos) {
      std::string set = msg.substr(open + 11, msg.rfind('}') - open - 11);
      size_t items = 1;
      for (char c : set) items += c == ',';
      if (items <= 6) return "unexpected " + found + "; expected one of " + set;
      return "unexpected " + found;
    }
    if (single != std::string::npos)
      return "unexpected " + found + "; expected " + msg.substr(single + 10);
    if (msg.rfind("missing ", 0) == 0) {
      size_t at = msg.find(" at ");
      return "expected " + msg.substr(8, at == std::string::npos ? std::string::npos : at - 8) +
             " before " + found;
    }
    if (msg.rfind("extraneous input", 0) == 0 || msg.rfind("mismatched input", 0) == 0 ||
        msg.rfind("no viable alternative", 0) == 0)
      return "unexpected " + found;
    return "syntax error: " + msg;
  }

  uint32_t file_;
  Diagnostics* diags_;
};

// What is wrong with a string literal that the lexer could not take: a bad
// escape, or no closing quote on its line.
std::string StringProblem(std::string_view text, antlr4::Token* quote) {
  size_t line_start = 0;
  for (size_t line = 1; line < quote->getLine(); ++line)
    line_start = text.find('\n', line_start) + 1;
  size_t pos = line_start;
  for (size_t col = 0; col < quote->getCharPositionInLine() && pos < text.size(); ++pos)
    if ((static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) ++col;
  for (size_t i = pos + 1; i < text.size() && text[i] != '\n'; ++i) {
    if (text[i] == '"') break;
    if (text[i] != '\\') continue;
    char e = i + 1 < text.size() ? text[i + 1] : '\n';
    if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
      ++i;
      continue;
    }
    if (e == 'u') return "malformed literal: `\\u` needs four hex digits";
    return std::string("malformed literal: invalid escape `\\") + e + "` in a string";
  }
  return "malformed literal: unterminated string";
}

bool ParseImpl(uint32_t file, std::string_view text, bool is_root, ast::Program* program,
               Diagnostics* diags) {
  size_t errors_before = diags->error_count();
  antlr4::ANTLRInputStream input(std::string{text});
  mixtral_gen::MixtralLexer lexer(&input);
  Listener listener(file, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  try {
    tokens.fill();
  } catch (const StopParsing&) {
    return false;
  }
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getStopIndex() + 1 - t->getStartIndex() > kMaxTokenBytes / 4 &&
        t->getText().size() > kMaxTokenBytes) {
      SourceLoc at{static_cast<uint32_t>(t->getLine()),
                   static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
      diags->Error(
          "E0005", SourceRange{file, at, at},
          "token is longer than 64 KiB (" + std::to_string(t->getText().size()) + " bytes)");
      return false;
    }
    if (t->getType() == mixtral_gen::MixtralLexer::BAD_CHAR) {
      SourceLoc at{static_cast<uint32_t>(t->getLine()),
                   static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
      if (t->getText() == "\"") {
        diags->Error("E0008", SourceRange{file, at, at}, StringProblem(text, t));
      } else {
        diags->Error("E0002", SourceRange{file, at, at},
                     "invalid character `" + t->getText() + "`");
      }
      return false;
    }
  }
  mixtral_gen::MixtralParser parser(&tokens);
  mixtral_gen::MixtralParser::File_Context* tree = nullptr;
  try {
    tree = ParseTwoStage(parser, tokens, &listener);
  } catch (const StopParsing&) {
    return false;
  }
  BuildAst(file, is_root, tree, &input, program, diags);
  return diags->error_count() == errors_before;
}

}  // namespace

bool ParseFile(uint32_t file, std::string_view text, bool is_root, ast::Program* program,
               Diagnostics* diags) {
  if (!Precheck(file, text, diags)) return false;
  bool ok = false;
  RunWithLargeStack([&] {
    try {
      ok = ParseImpl(file, text, is_root, program, diags);
    } catch (const std::exception& e) {
      diags->Error("E0001", SourceRange{file, {1, 1}, {1, 1}},
                   std::string("the parser gave up on this input: ") + e.what());
    } catch (...) {
      diags->Error("E0001", SourceRange{file, {1, 1}, {1, 1}}, "the parser gave up on this input");
    }
  });
  return ok;
}

}  // namespace mixtral::parse
