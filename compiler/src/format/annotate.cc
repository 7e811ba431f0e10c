// The formatter's side of the ANTLR boundary. It runs only on text that
// parse::ParseFile accepted, behind the same firewall: our own error listener,
// SLL then LL, a thread with a large stack, and catch (...) at the end.
#include "format/annotate.h"

#include <exception>
#include <functional>

#include "MixtralLexer.h"
#include "MixtralParser.h"
#include "antlr4-runtime.h"
#include "parse/large_stack.h"
#include "parse/two_stage.h"

namespace mixtral::format {
namespace {

using P = mixtral_gen::MixtralParser;
using L = mixtral_gen::MixtralLexer;

// Thrown by the listener: the input was accepted by the front end, so any
// syntax error here means the formatter and the front end disagree.
struct Rejected {
  std::string message;
};

class Listener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    throw Rejected{std::to_string(line) + ":" + std::to_string(col + 1) + ": " + msg};
  }
};

// Walks the parse tree and writes each token's role into the table.
class Marker {
 public:
  Marker(TokenTable* table, const std::vector<size_t>* code_index)
      : table_(*table), code_index_(*code_index) {}

  void Run(antlr4::tree::ParseTree* root) {
    // Iterative, so that the walk's depth does not follow the tree's.
    std::vector<antlr4::tree::ParseTree*> pending{root};
    while (!pending.empty()) {
      auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(pending.back());
      pending.pop_back();
      if (!ctx) continue;
      Mark(ctx);
      for (auto* child : ctx->children) pending.push_back(child);
    }
  }

 private:
  Token& At(antlr4::Token* t) { return table_[code_index_[t->getTokenIndex()]]; }

  static bool OwnsBlock(antlr4::ParserRuleContext* c) {
    return dynamic_cast<P::RequestDeclContext*>(c) || dynamic_cast<P::AttributesDeclContext*>(c) ||
           dynamic_cast<P::TelemetryDeclContext*>(c) || dynamic_cast<P::ResponseDeclContext*>(c) ||
           dynamic_cast<P::RouteDeclContext*>(c) || dynamic_cast<P::SplitClauseContext*>(c) ||
           dynamic_cast<P::CascadeClauseContext*>(c) || dynamic_cast<P::TestDeclContext*>(c) ||
           dynamic_cast<P::TestExpectContext*>(c);
  }
  static bool IsItem(antlr4::ParserRuleContext* c) {
    return dynamic_cast<P::FieldDeclContext*>(c) || dynamic_cast<P::RouteItemContext*>(c) ||
           dynamic_cast<P::SplitArmContext*>(c) || dynamic_cast<P::EscalateStageContext*>(c) ||
           dynamic_cast<P::TestItemContext*>(c) || dynamic_cast<P::ExpectItemContext*>(c);
  }
  static DeclKind KindOf(P::ItemContext* c) {
    if (c->importDecl()) return DeclKind::kImport;
    if (c->typeDecl()) return DeclKind::kType;
    if (c->requestDecl()) return DeclKind::kRequest;
    if (c->attributesDecl()) return DeclKind::kAttributes;
    if (c->telemetryDecl()) return DeclKind::kTelemetry;
    if (c->responseDecl()) return DeclKind::kResponse;
    if (c->counterDecl()) return DeclKind::kCounter;
    if (c->breakerDecl()) return DeclKind::kBreaker;
    if (c->letDecl()) return DeclKind::kLet;
    if (c->targetDecl()) return DeclKind::kTarget;
    if (c->routeDecl()) return DeclKind::kRoute;
    if (c->assertDecl()) return DeclKind::kAssert;
    return DeclKind::kTest;
  }

  void Mark(antlr4::ParserRuleContext* ctx) {
    if (dynamic_cast<P::HeaderContext*>(ctx)) {
      Token& t = At(ctx->getStart());
      t.starts = Starts::kDecl;
      t.decl = DeclKind::kHeader;
    } else if (auto* item = dynamic_cast<P::ItemContext*>(ctx)) {
      Token& t = At(ctx->getStart());
      t.starts = Starts::kDecl;
      t.decl = KindOf(item);
    } else if (IsItem(ctx)) {
      At(ctx->getStart()).starts = Starts::kItem;
    }
    bool block = OwnsBlock(ctx);
    // Padded braces: `{ a: 1 }`. Target bodies, enums and the JSON objects
    // of test blocks; an empty one stays `{}`.
    bool padded = dynamic_cast<P::TargetDeclContext*>(ctx) ||
                  dynamic_cast<P::EnumTypeContext*>(ctx) || dynamic_cast<P::JsonValueContext*>(ctx);
    bool type_args = dynamic_cast<P::ListTypeContext*>(ctx) ||
                     dynamic_cast<P::SetTypeContext*>(ctx) || dynamic_cast<P::MapTypeContext*>(ctx);
    bool ternary = dynamic_cast<P::ExprContext*>(ctx) != nullptr;
    bool optional_mark = dynamic_cast<P::TypeExprContext*>(ctx) != nullptr;
    bool dashed_name = dynamic_cast<P::TargetNameContext*>(ctx) != nullptr;
    bool sign = dynamic_cast<P::UnaryExprContext*>(ctx) || dynamic_cast<P::JsonValueContext*>(ctx);
    bool call = dynamic_cast<P::CallExprContext*>(ctx) != nullptr;
    bool index = dynamic_cast<P::IndexOpContext*>(ctx) != nullptr;
    for (auto* child : ctx->children) {
      auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (!term || term->getSymbol()->getType() == antlr4::Token::EOF) continue;
      Token& t = At(term->getSymbol());
      const std::string& s = t.text;
      if (s == "{" && (block || padded)) {
        if (block) t.bracket = Bracket::kBlockOpen;
        t.glue_after = false;
      } else if (s == "}" && (block || padded)) {
        if (block) t.bracket = Bracket::kBlockClose;
        t.glue_before = false;
      } else if (s == ":" && ternary) {
        t.glue_before = false;
      } else if (s == "?" && optional_mark) {
        t.glue_before = true;
      } else if (s == "<" && type_args) {
        t.glue_before = t.glue_after = true;
      } else if (s == ">" && type_args) {
        t.glue_before = true;
      } else if (s == "-" && dashed_name) {
        t.glue_before = t.glue_after = true;
      } else if (s == "-" && sign) {
        t.glue_after = true;
      } else if (s == "(" && call) {
        t.glue_before = true;
      } else if (s == "[" && index) {
        t.glue_before = true;
      }
    }
  }

  TokenTable& table_;
  const std::vector<size_t>& code_index_;
};

// Roles that follow from a token's text alone; the tree refines them.
void MarkPunctuation(TokenTable* table) {
  std::vector<size_t> open;
  for (size_t i = 0; i < table->size(); ++i) {
    Token& t = (*table)[i];
    const std::string& s = t.text;
    if (t.eof) continue;
    if (s == "(" || s == "[" || s == "{") {
      t.bracket = Bracket::kOpen;
      t.glue_after = true;
      open.push_back(i);
    } else if (s == ")" || s == "]" || s == "}") {
      t.bracket = Bracket::kClose;
      t.glue_before = true;
      if (!open.empty()) {
        t.partner = open.back();
        (*table)[open.back()].partner = i;
        open.pop_back();
      }
    } else if (s == "," || s == ";" || s == ":") {
      t.glue_before = true;
    } else if (s == ".") {
      t.glue_before = t.glue_after = true;
    }
  }
}

void AnnotateImpl(std::string_view text, TokenTable* out) {
  antlr4::ANTLRInputStream input(std::string{text});
  L lexer(&input);
  Listener listener;
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  // The table: default-channel tokens, each with the hidden ones before it.
  const std::vector<antlr4::Token*>& all = tokens.getTokens();
  std::vector<size_t> code_index(all.size(), 0);
  std::vector<Trivia> pending;
  for (antlr4::Token* t : all) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) {
      Trivia tv;
      if (t->getType() == L::WS) {
        for (char c : t->getText()) tv.newlines += c == '\n';
      } else {
        tv.is_comment = true;
        tv.text = CommentText(t->getText());
      }
      pending.push_back(std::move(tv));
      continue;
    }
    if (t->getType() == L::BAD_CHAR) throw Rejected{"invalid character"};
    code_index[t->getTokenIndex()] = out->size();
    Token tok;
    tok.eof = t->getType() == antlr4::Token::EOF;
    if (!tok.eof) tok.text = t->getText();
    tok.before = std::move(pending);
    pending.clear();
    out->push_back(std::move(tok));
  }
  MarkPunctuation(out);

  P parser(&tokens);
  P::File_Context* tree = parse::ParseTwoStage(parser, tokens, &listener);
  Marker(out, &code_index).Run(tree);
}

}  // namespace

bool Annotate(std::string_view text, TokenTable* out, std::string* error) {
  bool ok = false;
  parse::RunWithLargeStack([&] {
    try {
      out->clear();
      AnnotateImpl(text, out);
      ok = !out->empty() && out->back().eof;
      if (!ok) *error = "the token stream has no end";
    } catch (const Rejected& r) {
      *error = "ANTLR rejected a policy that the front end accepted: " + r.message;
    } catch (const std::exception& e) {
      *error = std::string("ANTLR failed: ") + e.what();
    } catch (...) {
      *error = "ANTLR failed";
    }
  });
  return ok;
}

}  // namespace mixtral::format
