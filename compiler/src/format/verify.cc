#include "format/verify.h"

#include <exception>

#include "MixtralLexer.h"
#include "antlr4-runtime.h"
#include "format/layout.h"

namespace mixtral::format {
namespace {

struct LexError {};

class Listener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    throw LexError{};
  }
};

}  // namespace

std::optional<std::vector<SignificantToken>> SignificantTokens(std::string_view text) {
  // The lexer is a loop, not a recursion, so it needs no large stack.
  try {
    antlr4::ANTLRInputStream input(std::string{text});
    mixtral_gen::MixtralLexer lexer(&input);
    Listener listener;
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    std::vector<SignificantToken> out;
    for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
      if (t->getType() == mixtral_gen::MixtralLexer::WS) continue;
      std::string s = t->getText();
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) s = CommentText(std::move(s));
      out.push_back(SignificantToken{t->getType(), std::move(s)});
    }
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace mixtral::format
