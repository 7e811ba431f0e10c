// The closed core AST. Expressions live in one arena and refer to each other
// by id, so that destroying a policy never recurses and side tables (types,
// resolved references) are plain vectors indexed by ExprId.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "mixtral/compiler/diagnostic.h"

namespace mixtral::ast {

using ExprId = uint32_t;
inline constexpr ExprId kNoExpr = UINT32_MAX;

enum class UnOp : uint8_t { kNeg, kNot };
enum class BinOp : uint8_t {
  kOr,
  kAnd,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
};
const char* BinOpText(BinOp op);

struct IntLit {
  int64_t value;
};
struct FloatLit {
  double value;
};
struct StringLit {
  std::string value;
};
struct BoolLit {
  bool value;
};
struct DurationLit {
  int64_t ms;
};
struct Ident {
  std::string name;
};
struct Member {
  ExprId base;
  std::string field;
};
struct Index {
  ExprId base;
  ExprId index;
};
struct Call {
  std::string fn;
  std::vector<ExprId> args;
};
struct Unary {
  UnOp op;
  ExprId operand;
};
struct Binary {
  BinOp op;
  ExprId lhs;
  ExprId rhs;
};
struct Ternary {
  ExprId cond;
  ExprId then_expr;
  ExprId else_expr;
};
struct ListLit {
  std::vector<ExprId> items;
};
struct SetLit {
  std::vector<ExprId> items;
};
struct MapLit {
  std::vector<std::pair<ExprId, ExprId>> entries;
};

using ExprNode = std::variant<IntLit, FloatLit, StringLit, BoolLit, DurationLit, Ident, Member,
                              Index, Call, Unary, Binary, Ternary, ListLit, SetLit, MapLit>;

struct Expr {
  SourceRange range;
  ExprNode node;
};

struct TypeExpr {
  enum class Kind : uint8_t { kNamed, kEnum, kList, kSet, kMap };
  Kind kind = Kind::kNamed;
  std::string name;                  // kNamed
  std::vector<std::string> members;  // kEnum
  std::vector<SourceRange> member_ranges;
  std::vector<TypeExpr> args;  // kList/kSet: 1, kMap: 2
  bool optional = false;
  SourceRange range;
};

struct FieldDecl {
  std::string name;
  SourceRange range;
  TypeExpr type;
  ExprId default_value = kNoExpr;
  bool is_id = false;
  bool sensitive = false;
};

enum class SchemaKind : uint8_t { kRequest, kAttributes, kTelemetry, kResponse };

struct SchemaDecl {
  SchemaKind kind;
  SourceRange range;
  bool closed = false;
  std::vector<FieldDecl> fields;
  std::optional<int64_t> stale_after_ms;
};

struct TypeDecl {
  std::string name;
  SourceRange range;
  TypeExpr type;
};
struct CounterDecl {
  std::string name;
  SourceRange range;
  ExprId key;
  int64_t window_ms;
};
struct BreakerDecl {
  std::string name;
  SourceRange range;
  ExprId cond;
  int64_t cooldown_ms;
};
struct LetDecl {
  std::string name;
  SourceRange range;
  ExprId value;
};

struct TargetAttr {
  std::string name;
  SourceRange range;
  ExprId value;
};
struct TargetDecl {
  std::string name;
  SourceRange range;
  std::vector<TargetAttr> attrs;
};

struct TargetRef {
  std::string name;
  SourceRange range;
  bool quoted = false;  // written as a string: an inventory target
};

struct Rule {
  bool binding = false;
  bool forbid = false;
  std::string name;
  SourceRange range;
  ExprId cond = kNoExpr;
};

struct Objective {
  bool maximize = false;
  std::string name;
  SourceRange range;
  ExprId value = kNoExpr;
  ExprId weight = kNoExpr;
};

struct Spread {
  int64_t top;
  ExprId key;
  SourceRange range;
};
struct Affinity {
  ExprId key;
  SourceRange range;
};
struct Fallback {
  int64_t count = 0;
  std::vector<TargetRef> named;
  bool is_named = false;
  SourceRange range;
};

struct Otherwise {
  enum class Kind : uint8_t { kNone, kReject, kDegrade };
  Kind kind = Kind::kNone;
  int32_t status = 503;
  std::string reason;
  TargetRef target;
  SourceRange range;
};

struct SafeDefault {
  TargetRef target;
  ExprId when;
  std::string reason;
  SourceRange range;
};
struct MirrorClause {
  TargetRef target;
  int32_t rate_bp;
  ExprId key;
  ExprId when;
  SourceRange range;
};
struct SplitArm {
  std::string name;
  int32_t bp;
  SourceRange range;
};
struct Split {
  std::string name;
  ExprId key;
  std::string salt;
  std::vector<SplitArm> arms;
  SourceRange range;
};
struct Escalate {
  TargetRef target;
  ExprId when;
  SourceRange range;
  std::string source;  // the condition's canonical source (lang/SPEC.md §8.11)
};
struct Cascade {
  ExprId pin = kNoExpr;
  std::vector<Escalate> stages;
  SourceRange range;
};
struct EnsembleClause {
  int64_t count = 0;
  bool is_named = false;
  std::vector<TargetRef> named;
  std::string combiner;
  SourceRange range;
};
struct Annotate {
  std::string key;
  ExprId value;
  SourceRange range;
};
struct ChargeClause {
  std::string counter;
  ExprId amount;
  SourceRange range;
};

struct Route {
  std::string name;
  SourceRange range;
  ExprId when = kNoExpr;
  bool is_default = false;
  std::vector<ExprId> selectors;
  std::vector<Rule> rules;
  std::vector<Objective> objectives;
  std::optional<Spread> spread;
  std::optional<Affinity> affinity;
  std::optional<Fallback> fallback;
  Otherwise otherwise;
  std::vector<SafeDefault> safe_defaults;
  std::vector<MirrorClause> mirrors;
  std::optional<Split> split;
  std::optional<Cascade> cascade;
  std::optional<EnsembleClause> ensemble;
  std::vector<Annotate> annotations;
  std::vector<ChargeClause> charges;
  // Clauses that may appear once, and where they were seen first, for E0303.
  std::vector<std::pair<std::string, SourceRange>> duplicate_clauses;
};

struct AssertDecl {
  std::string name;
  SourceRange range;
  ExprId cond;
};

// A policy test block, kept as source text spans until `mixtral test` runs it.
struct TestDecl {
  std::string name;
  SourceRange range;
  // JSON text written inline, or a fixture path relative to the policy file.
  std::optional<std::string> request_json, request_file;
  std::optional<std::string> telemetry_json, telemetry_file;
  std::optional<std::string> now;
  std::optional<std::string> route;
  struct Expect {
    bool removed_form = false;
    std::string target;  // removed_form
    std::string rule;    // removed_form
    ExprId expr = kNoExpr;
    SourceRange range;
  };
  std::vector<Expect> expects;
};

struct ImportDecl {
  std::string path;
  SourceRange range;
};

// All files of one compilation, merged into one namespace.
struct Program {
  std::vector<Expr> exprs;
  ExprId Add(SourceRange range, ExprNode node) {
    exprs.push_back(Expr{range, std::move(node)});
    return static_cast<ExprId>(exprs.size() - 1);
  }
  const Expr& at(ExprId id) const { return exprs[id]; }

  std::optional<std::string> policy_name;
  std::optional<std::string> policy_version;
  SourceRange header_range;

  std::vector<ImportDecl> imports;  // of every file, for diagnostics
  std::vector<TypeDecl> types;
  std::vector<SchemaDecl> schemas;
  std::vector<CounterDecl> counters;
  std::vector<BreakerDecl> breakers;
  std::vector<LetDecl> lets;
  std::vector<TargetDecl> targets;
  std::vector<Route> routes;
  std::vector<AssertDecl> asserts;
  std::vector<TestDecl> tests;
};

// Calls fn(child) for each direct child of an expression, in source order.
template <typename Fn>
void ForEachChild(const Expr& e, Fn&& fn) {
  std::visit(
      [&](const auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, Member>) {
          fn(n.base);
        } else if constexpr (std::is_same_v<N, Index>) {
          fn(n.base);
          fn(n.index);
        } else if constexpr (std::is_same_v<N, Call>) {
          for (ExprId a : n.args) fn(a);
        } else if constexpr (std::is_same_v<N, Unary>) {
          fn(n.operand);
        } else if constexpr (std::is_same_v<N, Binary>) {
          fn(n.lhs);
          fn(n.rhs);
        } else if constexpr (std::is_same_v<N, Ternary>) {
          fn(n.cond);
          fn(n.then_expr);
          fn(n.else_expr);
        } else if constexpr (std::is_same_v<N, ListLit> || std::is_same_v<N, SetLit>) {
          for (ExprId a : n.items) fn(a);
        } else if constexpr (std::is_same_v<N, MapLit>) {
          for (const auto& [k, v] : n.entries) {
            fn(k);
            fn(v);
          }
        }
      },
      e.node);
}

// Canonical source text of an expression, with the fewest parentheses that
// keep its meaning (used for `when.expr`, dumps and the formatter).
std::string PrintExpr(const Program& p, ExprId id);

}  // namespace mixtral::ast
