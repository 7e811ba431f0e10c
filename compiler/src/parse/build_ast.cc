#include "parse/build_ast.h"

#include <algorithm>

#include "parse/literals.h"
#include "parse/parse.h"

namespace mixtral::parse {
namespace {

using P = mixtral_gen::MixtralParser;
using ast::ExprId;

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class Builder {
 public:
  Builder(uint32_t file, antlr4::CharStream* input, ast::Program* p, Diagnostics* d)
      : file_(file), input_(input), p_(p), diags_(d) {}

  void File(P::File_Context* ctx, bool is_root) {
    if (auto* h = ctx->header()) {
      if (!is_root) {
        diags_->Error("E0107", Range(h), "an imported file cannot have a `policy` header");
      } else {
        p_->policy_name = h->name->getText();
        p_->policy_version = Str(h->STRING()->getSymbol());
        p_->header_range = Range(h);
      }
    } else if (is_root) {
      SourceRange r{file_, {1, 1}, {1, 1}};
      diags_->Error("E0108", r,
                    "a policy file must start with `policy NAME version \"V\"` (files without "
                    "a header can only be imported)");
    }
    for (auto* item : ctx->item()) Item(item);
  }

 private:
  // ---- locations -----------------------------------------------------------
  SourceRange TokRange(antlr4::Token* t) {
    SourceLoc b{static_cast<uint32_t>(t->getLine()),
                static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
    SourceLoc e = b;
    size_t n = CodePoints(t->getText());
    if (n > 1) e.col += static_cast<uint32_t>(n - 1);
    return SourceRange{file_, b, e};
  }
  SourceRange Range(antlr4::ParserRuleContext* ctx) {
    SourceRange r = TokRange(ctx->getStart());
    antlr4::Token* stop = ctx->getStop();
    if (stop && stop->getType() != antlr4::Token::EOF &&
        stop->getTokenIndex() >= ctx->getStart()->getTokenIndex()) {
      SourceRange s = TokRange(stop);
      if (s.end.line == r.begin.line) r.end = s.end;
    }
    return r;
  }

  // ---- literals ----------------------------------------------------------------
  std::string Str(antlr4::Token* t) {
    std::string err;
    auto s = DecodeString(t->getText(), &err);
    if (!s) {
      diags_->Error("E0008", TokRange(t), err);
      return "";
    }
    return *s;
  }
  int32_t Rate(P::RateContext* ctx) {
    std::string err;
    auto bp = DecodeRateBp(ctx->getText(), &err);
    if (!bp) {
      diags_->Error("E0304", Range(ctx), err);
      return 0;
    }
    return *bp;
  }
  int64_t IntTok(antlr4::tree::TerminalNode* n) {
    std::string err;
    auto v = DecodeInt(n->getText(), false, &err);
    if (!v) diags_->Error("E0007", TokRange(n->getSymbol()), err);
    return v.value_or(0);
  }
  int64_t Duration(antlr4::tree::TerminalNode* n) {
    std::string err;
    auto v = DecodeDurationMs(n->getText(), &err);
    if (!v) diags_->Error("E0007", TokRange(n->getSymbol()), err);
    return v.value_or(0);
  }

  ast::TargetRef TargetRef(P::TargetRefContext* ctx) {
    if (ctx->STRING()) return ast::TargetRef{Str(ctx->STRING()->getSymbol()), Range(ctx), true};
    return ast::TargetRef{TargetName(ctx->targetName()), Range(ctx)};
  }
  std::string TargetName(P::TargetNameContext* ctx) {
    // `gpu - eu` would read as subtraction elsewhere, so a dashed name must be
    // written without spaces.
    std::string name;
    size_t expect = ctx->getStart()->getStartIndex();
    for (size_t i = ctx->getStart()->getTokenIndex(); i <= ctx->getStop()->getTokenIndex(); ++i) {
      antlr4::Token* t = tokens_at(ctx, i);
      if (!t || t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      if (t->getStartIndex() != expect) {
        diags_->Error("E0009", Range(ctx),
                      "a dashed target name cannot contain spaces; write `" + Compact(ctx) + "`");
        break;
      }
      expect = t->getStopIndex() + 1;
    }
    for (auto* child : ctx->children) name += child->getText();
    return name;
  }
  std::string Compact(P::TargetNameContext* ctx) {
    std::string s;
    for (auto* child : ctx->children) s += child->getText();
    return s;
  }
  antlr4::Token* tokens_at(P::TargetNameContext* ctx, size_t token_index) {
    for (auto* child : ctx->children) {
      if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        if (term->getSymbol()->getTokenIndex() == token_index) return term->getSymbol();
      } else if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child)) {
        if (rule->getStart()->getTokenIndex() == token_index) return rule->getStart();
      }
    }
    return nullptr;
  }
  std::vector<ast::TargetRef> TargetList(P::TargetListContext* ctx) {
    std::vector<ast::TargetRef> out;
    for (auto* r : ctx->targetRef()) out.push_back(TargetRef(r));
    return out;
  }

  // ---- declarations --------------------------------------------------------
  void Item(P::ItemContext* item) {
    if (auto* c = item->importDecl()) {
      p_->imports.push_back(ast::ImportDecl{Str(c->STRING()->getSymbol()), Range(c)});
    } else if (auto* c = item->typeDecl()) {
      p_->types.push_back(
          ast::TypeDecl{c->ident()->getText(), Range(c->ident()), Type(c->typeExpr())});
    } else if (auto* c = item->requestDecl()) {
      ast::SchemaDecl s{
          ast::SchemaKind::kRequest, Range(c), c->CLOSED() != nullptr, Fields(c->fieldDecl()), {}};
      p_->schemas.push_back(std::move(s));
    } else if (auto* c = item->attributesDecl()) {
      p_->schemas.push_back(ast::SchemaDecl{
          ast::SchemaKind::kAttributes, Range(c), false, Fields(c->fieldDecl()), {}});
    } else if (auto* c = item->telemetryDecl()) {
      ast::SchemaDecl s{ast::SchemaKind::kTelemetry, Range(c), false, Fields(c->fieldDecl()), {}};
      if (c->DURATION()) s.stale_after_ms = Duration(c->DURATION());
      p_->schemas.push_back(std::move(s));
    } else if (auto* c = item->responseDecl()) {
      p_->schemas.push_back(
          ast::SchemaDecl{ast::SchemaKind::kResponse, Range(c), false, Fields(c->fieldDecl()), {}});
    } else if (auto* c = item->counterDecl()) {
      p_->counters.push_back(ast::CounterDecl{c->ident()->getText(), Range(c->ident()),
                                              Expr(c->expr()), Duration(c->DURATION())});
    } else if (auto* c = item->breakerDecl()) {
      p_->breakers.push_back(ast::BreakerDecl{c->ident()->getText(), Range(c->ident()),
                                              Expr(c->expr()), Duration(c->DURATION())});
    } else if (auto* c = item->letDecl()) {
      p_->lets.push_back(ast::LetDecl{c->ident()->getText(), Range(c->ident()), Expr(c->expr())});
    } else if (auto* c = item->targetDecl()) {
      ast::TargetDecl t{TargetName(c->targetName()), Range(c->targetName()), {}};
      auto idents = c->ident();
      auto exprs = c->expr();
      for (size_t i = 0; i < idents.size() && i < exprs.size(); ++i)
        t.attrs.push_back(ast::TargetAttr{idents[i]->getText(), Range(idents[i]), Expr(exprs[i])});
      p_->targets.push_back(std::move(t));
    } else if (auto* c = item->routeDecl()) {
      Route(c);
    } else if (auto* c = item->assertDecl()) {
      p_->asserts.push_back(
          ast::AssertDecl{c->ident()->getText(), Range(c->ident()), Expr(c->expr())});
    } else if (auto* c = item->testDecl()) {
      Test(c);
    }
  }

  ast::TypeExpr Type(P::TypeExprContext* ctx) {
    ast::TypeExpr t;
    t.range = Range(ctx);
    t.optional = ctx->children.size() > 1;
    auto* base = ctx->baseType();
    if (auto* e = dynamic_cast<P::EnumTypeContext*>(base)) {
      t.kind = ast::TypeExpr::Kind::kEnum;
      for (auto* id : e->ident()) {
        t.members.push_back(id->getText());
        t.member_ranges.push_back(Range(id));
      }
    } else if (auto* l = dynamic_cast<P::ListTypeContext*>(base)) {
      t.kind = ast::TypeExpr::Kind::kList;
      t.args.push_back(Type(l->typeExpr()));
    } else if (auto* s = dynamic_cast<P::SetTypeContext*>(base)) {
      t.kind = ast::TypeExpr::Kind::kSet;
      t.args.push_back(Type(s->typeExpr()));
    } else if (auto* m = dynamic_cast<P::MapTypeContext*>(base)) {
      t.kind = ast::TypeExpr::Kind::kMap;
      t.args.push_back(Type(m->typeExpr(0)));
      t.args.push_back(Type(m->typeExpr(1)));
    } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(base)) {
      t.kind = ast::TypeExpr::Kind::kNamed;
      t.name = n->ident()->getText();
    }
    return t;
  }

  std::vector<ast::FieldDecl> Fields(const std::vector<P::FieldDeclContext*>& ctxs) {
    std::vector<ast::FieldDecl> out;
    for (auto* f : ctxs) {
      ast::FieldDecl d;
      d.name = f->ident()->getText();
      d.range = Range(f->ident());
      d.type = Type(f->typeExpr());
      if (f->expr()) d.default_value = Expr(f->expr());
      for (auto* flag : f->fieldFlag()) {
        if (flag->ID()) d.is_id = true;
        if (flag->SENSITIVE()) d.sensitive = true;
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  template <typename T>
  void Once(ast::Route& r, std::optional<T>& slot, T value, const char* what) {
    if (slot) r.duplicate_clauses.emplace_back(what, value.range);
    slot = std::move(value);
  }

  void Route(P::RouteDeclContext* c) {
    ast::Route r;
    r.name = c->ident()->getText();
    r.range = Range(c->ident());
    if (c->WHEN()) r.when = Expr(c->expr());
    r.is_default = c->DEFAULT() != nullptr;
    for (auto* item : c->routeItem()) {
      if (auto* x = dynamic_cast<P::SelectClauseContext*>(item)) {
        r.selectors.push_back(Expr(x->expr()));
      } else if (auto* x = dynamic_cast<P::RuleClauseContext*>(item)) {
        r.rules.push_back(ast::Rule{x->BINDING() != nullptr, x->kind->getType() == P::FORBID,
                                    x->ident()->getText(), Range(x->ident()), Expr(x->expr())});
      } else if (auto* x = dynamic_cast<P::ObjectiveClauseContext*>(item)) {
        ast::Objective o{x->dir->getType() == P::MAXIMIZE, x->ident()->getText(), Range(x->ident()),
                         Expr(x->expr(0)), ast::kNoExpr};
        if (x->expr().size() > 1) o.weight = Expr(x->expr(1));
        r.objectives.push_back(o);
      } else if (auto* x = dynamic_cast<P::SpreadClauseContext*>(item)) {
        Once(r, r.spread, ast::Spread{IntTok(x->INT()), Expr(x->expr()), Range(x)}, "spread");
      } else if (auto* x = dynamic_cast<P::AffinityClauseContext*>(item)) {
        Once(r, r.affinity, ast::Affinity{Expr(x->expr()), Range(x)}, "affinity");
      } else if (auto* x = dynamic_cast<P::FallbackClauseContext*>(item)) {
        ast::Fallback f;
        f.range = Range(x);
        if (x->INT()) {
          f.count = IntTok(x->INT());
        } else {
          f.is_named = true;
          f.named = TargetList(x->targetList());
        }
        Once(r, r.fallback, std::move(f), "fallback");
      } else if (auto* x = dynamic_cast<P::OtherwiseRejectContext*>(item)) {
        if (r.otherwise.kind != ast::Otherwise::Kind::kNone)
          r.duplicate_clauses.emplace_back("otherwise", Range(x));
        int64_t status = IntTok(x->INT());
        if (status < 100 || status > 599)
          diags_->Error("E0008", Range(x), "reject status must be an HTTP status (100-599)");
        ast::Otherwise o;
        o.kind = ast::Otherwise::Kind::kReject;
        o.status = static_cast<int32_t>(status);
        o.reason = Str(x->STRING()->getSymbol());
        o.range = Range(x);
        r.otherwise = std::move(o);
      } else if (auto* x = dynamic_cast<P::OtherwiseDegradeContext*>(item)) {
        if (r.otherwise.kind != ast::Otherwise::Kind::kNone)
          r.duplicate_clauses.emplace_back("otherwise", Range(x));
        ast::Otherwise o;
        o.kind = ast::Otherwise::Kind::kDegrade;
        o.reason = Str(x->STRING()->getSymbol());
        o.target = TargetRef(x->targetRef());
        o.range = Range(x);
        r.otherwise = std::move(o);
      } else if (auto* x = dynamic_cast<P::SafeDefaultClauseContext*>(item)) {
        r.safe_defaults.push_back(ast::SafeDefault{TargetRef(x->targetRef()), Expr(x->expr()),
                                                   Str(x->STRING()->getSymbol()), Range(x)});
      } else if (auto* x = dynamic_cast<P::MirrorClauseContext*>(item)) {
        ast::MirrorClause m{TargetRef(x->targetRef()), Rate(x->rate()), ast::kNoExpr, ast::kNoExpr,
                            Range(x)};
        size_t next = 0;
        if (x->BY()) m.key = Expr(x->expr(next++));
        if (x->WHEN()) m.when = Expr(x->expr(next++));
        r.mirrors.push_back(m);
      } else if (auto* x = dynamic_cast<P::SplitClauseContext*>(item)) {
        ast::Split s;
        s.name = x->ident()->getText();
        s.key = Expr(x->expr());
        s.salt = x->SALT() ? Str(x->STRING()->getSymbol()) : s.name;
        s.range = Range(x->ident());
        for (auto* arm : x->splitArm())
          s.arms.push_back(
              ast::SplitArm{arm->ident()->getText(), Rate(arm->rate()), Range(arm->ident())});
        Once(r, r.split, std::move(s), "split");
      } else if (auto* x = dynamic_cast<P::CascadeClauseContext*>(item)) {
        ast::Cascade k;
        k.range = Range(x);
        if (x->PIN()) k.pin = Expr(x->expr());
        for (auto* st : x->escalateStage())
          k.stages.push_back(ast::Escalate{TargetRef(st->targetRef()), Expr(st->expr()), Range(st),
                                           CanonicalSource(st->expr())});
        Once(r, r.cascade, std::move(k), "cascade");
      } else if (auto* x = dynamic_cast<P::EnsembleClauseContext*>(item)) {
        ast::EnsembleClause e;
        e.range = Range(x);
        e.combiner = x->ident()->getText();
        if (x->INT()) {
          e.count = IntTok(x->INT());
        } else {
          e.is_named = true;
          e.named = TargetList(x->targetList());
        }
        Once(r, r.ensemble, std::move(e), "ensemble");
      } else if (auto* x = dynamic_cast<P::AnnotateClauseContext*>(item)) {
        r.annotations.push_back(
            ast::Annotate{Str(x->STRING()->getSymbol()), Expr(x->expr()), Range(x)});
      } else if (auto* x = dynamic_cast<P::ChargeClauseContext*>(item)) {
        r.charges.push_back(
            ast::ChargeClause{x->ident()->getText(), Expr(x->expr()), Range(x->ident())});
      }
    }
    p_->routes.push_back(std::move(r));
  }

  void Test(P::TestDeclContext* c) {
    ast::TestDecl t;
    t.name = Str(c->STRING()->getSymbol());
    t.range = Range(c);
    for (auto* item : c->testItem()) {
      if (auto* x = dynamic_cast<P::TestRequestContext*>(item)) {
        if (x->jsonValue()->STRING() && x->jsonValue()->children.size() == 1)
          t.request_file = Str(x->jsonValue()->STRING()->getSymbol());
        else
          t.request_json = Json(x->jsonValue());
      } else if (auto* x = dynamic_cast<P::TestTelemetryContext*>(item)) {
        if (x->jsonValue()->STRING() && x->jsonValue()->children.size() == 1)
          t.telemetry_file = Str(x->jsonValue()->STRING()->getSymbol());
        else
          t.telemetry_json = Json(x->jsonValue());
      } else if (auto* x = dynamic_cast<P::TestNowContext*>(item)) {
        t.now = Str(x->STRING()->getSymbol());
      } else if (auto* x = dynamic_cast<P::TestRouteContext*>(item)) {
        t.route = x->ident()->getText();
      } else if (auto* x = dynamic_cast<P::TestExpectContext*>(item)) {
        for (auto* e : x->expectItem()) {
          ast::TestDecl::Expect ex;
          ex.range = Range(e);
          if (auto* rm = dynamic_cast<P::ExpectRemovedContext*>(e)) {
            ex.removed_form = true;
            ex.target = Str(rm->STRING()->getSymbol());
            ex.rule = rm->ident()->getText();
          } else if (auto* ee = dynamic_cast<P::ExpectExprContext*>(e)) {
            ex.expr = Expr(ee->expr());
          }
          t.expects.push_back(std::move(ex));
        }
      }
    }
    p_->tests.push_back(std::move(t));
  }

  // Tokens as written, comments dropped, one space around binary operators,
  // `?` and `:`, after `,` and after `not`; nothing else (SPEC §8.11).
  static std::string CanonicalSource(antlr4::ParserRuleContext* root) {
    std::vector<antlr4::tree::TerminalNode*> tokens;
    std::vector<antlr4::tree::ParseTree*> pending{root};
    while (!pending.empty()) {
      antlr4::tree::ParseTree* node = pending.back();
      pending.pop_back();
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(node)) {
        tokens.push_back(t);
        continue;
      }
      for (auto it = node->children.rbegin(); it != node->children.rend(); ++it)
        pending.push_back(*it);
    }
    std::string out;
    for (auto* t : tokens) {
      std::string text = t->getText();
      auto* parent = t->parent;
      bool unary_minus = text == "-" && dynamic_cast<P::UnaryExprContext*>(parent);
      bool prefix_not = text == "not" && dynamic_cast<P::NotExprContext*>(parent);
      bool binary =
          !unary_minus && !prefix_not &&
          (dynamic_cast<P::CmpOpContext*>(parent) || dynamic_cast<P::AddOpContext*>(parent) ||
           dynamic_cast<P::MulOpContext*>(parent) || text == "and" || text == "or" ||
           ((text == "?" || text == ":") && dynamic_cast<P::ExprContext*>(parent)));
      if (binary) {
        // `not in` is one operator: a single space between its words.
        if (text == "in" && out.size() >= 4 && out.compare(out.size() - 4, 4, "not ") == 0) {
          out += "in ";
          continue;
        }
        if (!out.empty() && out.back() != ' ') out += ' ';
        out += text + " ";
      } else if (prefix_not) {
        out += "not ";
      } else if (text == ",") {
        out += ", ";
      } else {
        out += text;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  // JSON text of a test's inline value; bare keys (`tier: "pro"`) get quoted.
  std::string Json(P::JsonValueContext* ctx) {
    std::string out;
    for (size_t i = 0; i < ctx->children.size(); ++i) {
      auto* child = ctx->children[i];
      // Trailing commas are allowed in policies but not in JSON.
      if (child->getText() == "," && i + 1 < ctx->children.size() &&
          (ctx->children[i + 1]->getText() == "}" || ctx->children[i + 1]->getText() == "]"))
        continue;
      if (auto* m = dynamic_cast<P::JsonMemberContext*>(child)) {
        if (m->STRING()) {
          out += m->STRING()->getText();
        } else {
          out += '"';
          out += m->ident()->getText();
          out += '"';
        }
        out += ":" + Json(m->jsonValue());
      } else if (auto* v = dynamic_cast<P::JsonValueContext*>(child)) {
        out += Json(v);
      } else {
        out += child->getText();
      }
    }
    return out;
  }

  // ---- expressions ---------------------------------------------------------
  // Every node records its depth so that a long operator chain, flat in the
  // parse tree, cannot build an AST deep enough to overflow a later pass.
  ExprId Make(SourceRange range, ast::ExprNode node, std::initializer_list<ExprId> children) {
    uint32_t d = 0;
    for (ExprId c : children) d = std::max(d, c < depth_.size() ? depth_[c] : 0u);
    return MakeWithDepth(range, std::move(node), d + 1);
  }
  ExprId MakeWithDepth(SourceRange range, ast::ExprNode node, uint32_t depth) {
    if (depth > static_cast<uint32_t>(kMaxNesting) && !depth_error_) {
      depth_error_ = true;
      diags_->Error("E0006", range,
                    "expression nests deeper than " + std::to_string(kMaxNesting) +
                        " levels (split long operator chains with `let` or parentheses)");
    }
    ExprId id = p_->Add(range, std::move(node));
    if (depth_.size() <= id) depth_.resize(id + 1, 0);
    depth_[id] = depth;
    return id;
  }
  uint32_t Depth(ExprId id) const { return id < depth_.size() ? depth_[id] : 0; }
  ExprId MakeN(SourceRange range, ast::ExprNode node, const std::vector<ExprId>& children) {
    uint32_t d = 0;
    for (ExprId c : children) d = std::max(d, Depth(c));
    return MakeWithDepth(range, std::move(node), d + 1);
  }

  static SourceRange Span(SourceRange a, SourceRange b) {
    if (b.end.line == a.begin.line) a.end = b.end;
    return a;
  }

  ExprId Expr(P::ExprContext* ctx) {
    auto ors = ctx->orExpr();
    std::vector<ExprId> parts;
    for (auto* o : ors) parts.push_back(Or(o));
    ExprId acc = parts.back();
    for (size_t j = (parts.size() - 1) / 2; j-- > 0;) {
      ExprId cond = parts[2 * j], then_e = parts[2 * j + 1];
      acc = Make(Span(p_->at(cond).range, p_->at(acc).range), ast::Ternary{cond, then_e, acc},
                 {cond, then_e, acc});
    }
    return acc;
  }
  ExprId Or(P::OrExprContext* ctx) {
    auto xs = ctx->andExpr();
    ExprId acc = And(xs[0]);
    for (size_t i = 1; i < xs.size(); ++i) {
      ExprId rhs = And(xs[i]);
      acc = Make(Span(p_->at(acc).range, p_->at(rhs).range), ast::Binary{ast::BinOp::kOr, acc, rhs},
                 {acc, rhs});
    }
    return acc;
  }
  ExprId And(P::AndExprContext* ctx) {
    auto xs = ctx->notExpr();
    ExprId acc = Not(xs[0]);
    for (size_t i = 1; i < xs.size(); ++i) {
      ExprId rhs = Not(xs[i]);
      acc = Make(Span(p_->at(acc).range, p_->at(rhs).range),
                 ast::Binary{ast::BinOp::kAnd, acc, rhs}, {acc, rhs});
    }
    return acc;
  }
  ExprId Not(P::NotExprContext* ctx) {
    ExprId e = Cmp(ctx->cmpExpr());
    auto nots = ctx->NOT();
    for (size_t i = nots.size(); i-- > 0;)
      e = Make(Span(TokRange(nots[i]->getSymbol()), p_->at(e).range),
               ast::Unary{ast::UnOp::kNot, e}, {e});
    return e;
  }
  ExprId Cmp(P::CmpExprContext* ctx) {
    ExprId lhs = Add(ctx->addExpr(0));
    if (!ctx->cmpOp()) return lhs;
    ExprId rhs = Add(ctx->addExpr(1));
    auto* op = ctx->cmpOp();
    std::string t = op->getText();
    ast::BinOp b = t == "=="   ? ast::BinOp::kEq
                   : t == "!=" ? ast::BinOp::kNe
                   : t == "<"  ? ast::BinOp::kLt
                   : t == "<=" ? ast::BinOp::kLe
                   : t == ">"  ? ast::BinOp::kGt
                   : t == ">=" ? ast::BinOp::kGe
                   : t == "in" ? ast::BinOp::kIn
                               : ast::BinOp::kNotIn;
    return Make(Span(p_->at(lhs).range, p_->at(rhs).range), ast::Binary{b, lhs, rhs}, {lhs, rhs});
  }
  ExprId Add(P::AddExprContext* ctx) {
    auto xs = ctx->mulExpr();
    auto ops = ctx->addOp();
    ExprId acc = Mul(xs[0]);
    for (size_t i = 1; i < xs.size(); ++i) {
      ExprId rhs = Mul(xs[i]);
      ast::BinOp b = ops[i - 1]->getText() == "+" ? ast::BinOp::kAdd : ast::BinOp::kSub;
      acc = Make(Span(p_->at(acc).range, p_->at(rhs).range), ast::Binary{b, acc, rhs}, {acc, rhs});
    }
    return acc;
  }
  ExprId Mul(P::MulExprContext* ctx) {
    auto xs = ctx->unaryExpr();
    auto ops = ctx->mulOp();
    ExprId acc = Unary(xs[0]);
    for (size_t i = 1; i < xs.size(); ++i) {
      ExprId rhs = Unary(xs[i]);
      std::string t = ops[i - 1]->getText();
      ast::BinOp b = t == "*" ? ast::BinOp::kMul : t == "/" ? ast::BinOp::kDiv : ast::BinOp::kMod;
      acc = Make(Span(p_->at(acc).range, p_->at(rhs).range), ast::Binary{b, acc, rhs}, {acc, rhs});
    }
    return acc;
  }
  ExprId Unary(P::UnaryExprContext* ctx) {
    size_t negs = ctx->children.size() - 1;
    P::PostfixExprContext* post = ctx->postfixExpr();
    ExprId e;
    // Fold one minus into a bare numeric literal so that INT64_MIN is writable.
    auto* lit = post->postfixOp().empty() ? post->primary() : nullptr;
    if (negs > 0 && lit &&
        (dynamic_cast<P::IntLitContext*>(lit) || dynamic_cast<P::FloatLitContext*>(lit))) {
      SourceRange r = Span(TokRange(ctx->getStart()), Range(lit));
      std::string err;
      if (dynamic_cast<P::IntLitContext*>(lit)) {
        auto v = DecodeInt(lit->getText(), true, &err);
        if (!v) diags_->Error("E0007", r, err);
        e = Make(r, ast::IntLit{v.value_or(0)}, {});
      } else {
        auto v = DecodeFloat(lit->getText(), &err);
        if (!v) diags_->Error("E0007", r, err);
        e = Make(r, ast::FloatLit{-v.value_or(0)}, {});
      }
      --negs;
    } else {
      e = Postfix(post);
    }
    for (size_t i = negs; i-- > 0;) {
      antlr4::Token* minus =
          dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[i])->getSymbol();
      e = Make(Span(TokRange(minus), p_->at(e).range), ast::Unary{ast::UnOp::kNeg, e}, {e});
    }
    return e;
  }
  ExprId Postfix(P::PostfixExprContext* ctx) {
    ExprId e = Primary(ctx->primary());
    for (auto* op : ctx->postfixOp()) {
      if (auto* m = dynamic_cast<P::MemberOpContext*>(op)) {
        e = Make(Span(p_->at(e).range, Range(m)), ast::Member{e, m->ident()->getText()}, {e});
      } else if (auto* ix = dynamic_cast<P::IndexOpContext*>(op)) {
        ExprId idx = Expr(ix->expr());
        e = Make(Span(p_->at(e).range, Range(ix)), ast::Index{e, idx}, {e, idx});
      }
    }
    return e;
  }
  ExprId Primary(P::PrimaryContext* ctx) {
    SourceRange r = Range(ctx);
    std::string err;
    if (auto* x = dynamic_cast<P::IntLitContext*>(ctx)) {
      auto v = DecodeInt(x->getText(), false, &err);
      if (!v) diags_->Error("E0007", r, err);
      return Make(r, ast::IntLit{v.value_or(0)}, {});
    }
    if (auto* x = dynamic_cast<P::FloatLitContext*>(ctx)) {
      auto v = DecodeFloat(x->getText(), &err);
      if (!v) diags_->Error("E0007", r, err);
      return Make(r, ast::FloatLit{v.value_or(0)}, {});
    }
    if (auto* x = dynamic_cast<P::StringLitContext*>(ctx))
      return Make(r, ast::StringLit{Str(x->STRING()->getSymbol())}, {});
    if (auto* x = dynamic_cast<P::DurationLitContext*>(ctx))
      return Make(r, ast::DurationLit{Duration(x->DURATION())}, {});
    if (auto* x = dynamic_cast<P::BoolLitContext*>(ctx))
      return Make(r, ast::BoolLit{x->TRUE_LIT() != nullptr}, {});
    if (auto* x = dynamic_cast<P::CallExprContext*>(ctx)) {
      std::vector<ExprId> args;
      for (auto* a : x->expr()) args.push_back(Expr(a));
      return MakeN(r, ast::Call{x->ident()->getText(), args}, args);
    }
    if (auto* x = dynamic_cast<P::IdentExprContext*>(ctx))
      return Make(r, ast::Ident{x->ident()->getText()}, {});
    if (auto* x = dynamic_cast<P::ParenExprContext*>(ctx)) return Expr(x->expr());
    if (auto* x = dynamic_cast<P::ListLitContext*>(ctx)) {
      std::vector<ExprId> items;
      for (auto* a : x->expr()) items.push_back(Expr(a));
      return MakeN(r, ast::ListLit{items}, items);
    }
    if (auto* x = dynamic_cast<P::SetLitContext*>(ctx)) {
      std::vector<ExprId> items;
      for (auto* a : x->expr()) items.push_back(Expr(a));
      return MakeN(r, ast::SetLit{items}, items);
    }
    if (auto* x = dynamic_cast<P::MapLitContext*>(ctx)) {
      ast::MapLit m;
      std::vector<ExprId> all;
      for (auto* e : x->mapEntry()) {
        ExprId k = Expr(e->expr(0)), v = Expr(e->expr(1));
        m.entries.emplace_back(k, v);
        all.push_back(k);
        all.push_back(v);
      }
      return MakeN(r, std::move(m), all);
    }
    return Make(r, ast::BoolLit{false}, {});
  }

  uint32_t file_;
  antlr4::CharStream* input_;
  ast::Program* p_;
  Diagnostics* diags_;
  std::vector<uint32_t> depth_;
  bool depth_error_ = false;
};

}  // namespace

void BuildAst(uint32_t file, bool is_root, P::File_Context* tree, antlr4::CharStream* input,
              ast::Program* program, Diagnostics* diags) {
  Builder(file, input, program, diags).File(tree, is_root);
}

}  // namespace mixtral::parse
