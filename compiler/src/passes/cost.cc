// The cost pass: a route's worst-case operations per decision.
//
// It mirrors the interpreter step by step (interp/route_eval.cc for route
// selection and the pipeline, interp/expr_eval.cc for expressions), so that
// the figure bounds what one decision does. When the interpreter changes
// what it evaluates, this file must change with it. The operation model (also
// in docs/COST.md):
//
// Expressions, per evaluation
//   - Every AST node evaluated is 1 op. A field, telemetry, let, enum member
//     or `policy.*` reference is one node however it is spelled
//     (`request.tier` is 1 op: the interpreter reads a slot).
//   - `a and b`, `a or b`: 1 + a + b (the worst case does not short-circuit).
//   - `c ? x : y`: 1 + c + the costlier of x and y, term by term.
//   - A call: 1 + its arguments. `matches` adds kMatchesCost (50), a fixed
//     figure for one RE2 search. `has(x)` is 1 + x. `len` reads a stored size
//     and other built-ins run in constant time: nothing more.
//   - `x in C`, `x not in C`: 1 + x + C + size(C), a linear scan.
//     `m[k]` on a map: 1 + m + k + size(m); on a list: 1 + m + k.
//   - `a == b`, `a != b` on collections add the size of the shorter side.
//   - List, set and map literals are built on every evaluation: 1 + items.
//   - Reading `counter.X` also evaluates the counter's key; reading
//     `telemetry.ejected` evaluates every breaker's condition.
//   size(C) is the item count of a literal or of a constant `let`, and
//   L(C) for anything known only at run time, named by C's canonical source
//   text: L(request.tags), L(target.serves).
//
// A decision
//   - Route selection: the `when` of every route tried up to and including
//     this one; a default route pays for every `when`. Nothing with one route.
//   - Per candidate (× T): the selector, every rule, every objective and its
//     weight.
//   - Ranking sorts the survivors: T·⌈log2 T⌉. `affinity` sorts them again.
//   - Route level (× 1): safe-default conditions, the split key, the spread
//     or affinity key, mirrors (condition, key), the cascade pin, charges
//     (counter key and amount), annotations. Each hash (split arm, spread
//     pick, mirror sample) and each pin comparison is 1 op.
//   - A named target (fallback list, mirror, escalation stage, ensemble list,
//     `otherwise degrade`, safe default) is found by name among the
//     candidates (T ops) and re-runs every binding rule: T + B each, where B
//     is the cost of the route's binding rules.
//   - The safe-default branch, the `otherwise` branch and the routed branch
//     (named fallbacks and the cascade) exclude each other: the costliest
//     one counts.
//   - Assertions run for every target the decision names: 1 + fallbacks +
//     mirrors + escalation stages + ensemble members, each found by name
//     (T) and then checked (the condition).
//
// Worst case means the explanation path: every rule of every candidate is
// evaluated, although without an explanation the interpreter stops at a
// target's first failing rule.
#include "passes/cost.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace mixtral {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Costs are never negative, so overflow only ever saturates upward.
int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? kMax : r;
}

int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}

// ⌈log2 n⌉, 0 for n <= 1.
int64_t CeilLog2(int64_t n) {
  int64_t bits = 0;
  while (bits < 63 && (int64_t{1} << bits) < n) ++bits;
  return bits;
}

}  // namespace

std::string RouteCost::Format() const {
  std::string out;
  for (const CostTerm& t : terms) {
    std::string factors;
    auto factor = [&](const std::string& f) {
      if (!factors.empty()) factors += "·";
      factors += f;
    };
    if (t.t_power == 1) factor("T");
    if (t.t_power > 1) factor("T^" + std::to_string(t.t_power));
    if (t.log_t) factor("log2(T)");
    for (const std::string& l : t.lists) factor("L(" + l + ")");
    if (!out.empty()) out += " + ";
    if (factors.empty())
      out += std::to_string(t.coeff);
    else if (t.coeff == 1)
      out += factors;
    else
      out += std::to_string(t.coeff) + "·" + factors;
  }
  return out.empty() ? "0" : out;
}

int64_t RouteCost::Evaluate(int64_t targets, int64_t list_size) const {
  targets = std::max<int64_t>(targets, 0);
  list_size = std::max<int64_t>(list_size, 0);
  const int64_t log_t = CeilLog2(targets);
  int64_t total = 0;
  for (const CostTerm& t : terms) {
    int64_t v = t.coeff;
    for (int i = 0; i < t.t_power; ++i) v = SatMul(v, targets);
    if (t.log_t) v = SatMul(v, log_t);
    for (size_t i = 0; i < t.lists.size(); ++i) v = SatMul(v, list_size);
    total = SatAdd(total, v);
  }
  return total;
}

bool RouteCost::HasLists() const {
  return std::any_of(terms.begin(), terms.end(),
                     [](const CostTerm& t) { return !t.lists.empty(); });
}

std::vector<RouteCost> AnalyzeCost(const Policy& policy) {
  if (!policy.ir) return {};
  return passes::AnalyzeCost(policy, *policy.ir);
}

namespace passes {
namespace {

using internal::RefKind;

// T^t_power · ⌈log2 T⌉^log_t · Π L(lists).
struct Monomial {
  int t_power = 0;
  bool log_t = false;
  std::vector<std::string> lists;  // sorted
};

// The display order: by power of T, then number of lists, then log, then
// the lists' names: 1 + T + T·log2(T) + T·L(a) + T·L(b).
struct MonomialLess {
  bool operator()(const Monomial& a, const Monomial& b) const {
    if (a.t_power != b.t_power) return a.t_power < b.t_power;
    if (a.lists.size() != b.lists.size()) return a.lists.size() < b.lists.size();
    if (a.log_t != b.log_t) return !a.log_t;
    return a.lists < b.lists;
  }
};

// A polynomial with non-negative coefficients, saturating at INT64_MAX. Since
// every variable is non-negative too, the term-by-term maximum of two
// polynomials bounds both.
class Poly {
 public:
  Poly() = default;
  // Implicit, so that a constant reads as one: `cost += 1`.
  Poly(int64_t c) {
    if (c > 0) terms_[Monomial{}] = c;
  }
  static Poly T() { return Of(Monomial{1, false, {}}); }
  static Poly TLogT() { return Of(Monomial{1, true, {}}); }
  static Poly List(std::string name) { return Of(Monomial{0, false, {std::move(name)}}); }

  Poly& operator+=(const Poly& o) {
    for (const auto& [m, c] : o.terms_) terms_[m] = SatAdd(terms_[m], c);
    return *this;
  }
  friend Poly operator+(Poly a, const Poly& b) { return a += b; }

  Poly Times(int64_t k) const {
    Poly out;
    if (k <= 0) return out;
    for (const auto& [m, c] : terms_) out.terms_[m] = SatMul(c, k);
    return out;
  }
  Poly TimesT() const {
    Poly out;
    for (const auto& [m, c] : terms_) {
      Monomial n = m;
      ++n.t_power;
      out.terms_[n] = c;
    }
    return out;
  }
  static Poly Max(const Poly& a, const Poly& b) {
    Poly out = a;
    for (const auto& [m, c] : b.terms_) out.terms_[m] = std::max(out.terms_[m], c);
    return out;
  }

  // The value if the polynomial is a constant.
  std::optional<int64_t> Constant() const {
    if (terms_.empty()) return 0;
    if (terms_.size() == 1 && terms_.begin()->first.t_power == 0 && !terms_.begin()->first.log_t &&
        terms_.begin()->first.lists.empty())
      return terms_.begin()->second;
    return std::nullopt;
  }

  std::vector<CostTerm> Terms() const {
    std::vector<CostTerm> out;
    for (const auto& [m, c] : terms_)
      if (c > 0) out.push_back(CostTerm{c, m.t_power, m.log_t, m.lists});
    return out;
  }

 private:
  static Poly Of(Monomial m) {
    Poly p;
    p.terms_[std::move(m)] = 1;
    return p;
  }
  std::map<Monomial, int64_t, MonomialLess> terms_;
};

class CostModel {
 public:
  CostModel(const Policy& policy, const internal::PolicyIR& ir)
      : policy_(policy), ir_(ir), p_(ir.program) {}

  RouteCost Route(size_t index) {
    const ast::Route& r = p_.routes[index];
    // One named target: found by name among the candidates, then every
    // binding rule (route_eval.cc, Bind).
    Poly bind = Poly::T();
    for (const ast::Rule& rule : r.rules)
      if (rule.binding) bind += Expr(rule.cond);

    Poly total = Selection(index);
    for (const ast::SafeDefault& sd : r.safe_defaults) total += Expr(sd.when);
    if (r.split) total += Expr(r.split->key) + 1;

    Poly per_target;
    for (ast::ExprId sel : r.selectors) per_target += Expr(sel);
    for (const ast::Rule& rule : r.rules) per_target += Expr(rule.cond);
    for (const ast::Objective& o : r.objectives) {
      per_target += Expr(o.value);
      if (o.weight != ast::kNoExpr) per_target += Expr(o.weight);
    }
    total += per_target.TimesT();
    total += Poly::TLogT();  // ranking: a stable sort of the survivors

    if (r.spread)
      total += Expr(r.spread->key) + 1;
    else if (r.affinity)
      total += Expr(r.affinity->key) + Poly::TLogT();

    // Exactly one of: the safe default fires, nothing survives, or routed.
    Poly safe_branch = r.safe_defaults.empty() ? Poly() : bind;
    Poly otherwise_branch = r.otherwise.kind == ast::Otherwise::Kind::kDegrade ? bind : Poly();
    Poly routed_branch;
    if (r.fallback && r.fallback->is_named)
      routed_branch += bind.Times(static_cast<int64_t>(r.fallback->named.size()));
    if (r.cascade) {
      const bool pinned = r.cascade->pin != ast::kNoExpr;
      const Poly pin = pinned ? Expr(r.cascade->pin) : Poly();
      routed_branch += pin;  // on the primary
      for (size_t i = 0; i < r.cascade->stages.size(); ++i) {
        routed_branch += bind + 1;             // the stage's target and its `when` summary
        if (pinned) routed_branch += pin + 1;  // on the stage's target, then compared
      }
    }
    total += Poly::Max(safe_branch, Poly::Max(otherwise_branch, routed_branch));

    for (const ast::MirrorClause& m : r.mirrors) {
      if (m.when != ast::kNoExpr) total += Expr(m.when);
      total += m.key != ast::kNoExpr ? Expr(m.key) : Poly(1);  // else the request's id field
      total += Poly(1) + bind;                                 // the sampling hash, the target
    }
    if (r.ensemble && r.ensemble->is_named)
      total += bind.Times(static_cast<int64_t>(r.ensemble->named.size()));
    for (const ast::ChargeClause& c : r.charges) {
      for (const ast::CounterDecl& counter : p_.counters) {
        if (counter.name != c.counter) continue;
        total += Expr(counter.key) + Expr(c.amount);
        break;
      }
    }
    for (const ast::Annotate& a : r.annotations) total += Expr(a.value);

    if (!p_.asserts.empty()) {
      const int64_t names = TargetsInDecision(r);
      for (const ast::AssertDecl& a : p_.asserts) total += (Poly::T() + Expr(a.cond)).Times(names);
    }
    return RouteCost{r.name, r.range, total.Terms()};
  }

 private:
  // SelectRoute: routes are tried in order until a `when` holds; the default
  // route is taken after every `when` failed.
  Poly Selection(size_t index) {
    Poly c;
    if (p_.routes.size() <= 1) return c;
    const bool is_default = p_.routes[index].is_default;
    for (size_t j = 0; j < p_.routes.size() && (is_default || j <= index); ++j)
      if (p_.routes[j].when != ast::kNoExpr) c += Expr(p_.routes[j].when);
    return c;
  }

  // The most targets a decision of route `r` names (route_eval.cc,
  // CheckAssertions): the primary, fallbacks, mirrors, escalations, ensemble.
  static int64_t TargetsInDecision(const ast::Route& r) {
    int64_t n = 1;
    if (r.fallback)
      n +=
          r.fallback->is_named ? static_cast<int64_t>(r.fallback->named.size()) : r.fallback->count;
    n += static_cast<int64_t>(r.mirrors.size());
    if (r.cascade) n += static_cast<int64_t>(r.cascade->stages.size());
    if (r.ensemble)
      n +=
          r.ensemble->is_named ? static_cast<int64_t>(r.ensemble->named.size()) : r.ensemble->count;
    return n;
  }

  TypeKind Kind(ast::ExprId id) const {
    if (id >= ir_.type.size()) return TypeKind::kError;
    return policy_.types.info(ir_.type[id]).kind;
  }

  static bool IsCollection(TypeKind k) {
    return k == TypeKind::kList || k == TypeKind::kSet || k == TypeKind::kMap;
  }

  // The number of elements a scan of collection `id` visits.
  Poly Size(ast::ExprId id) const {
    const ast::ExprNode& node = p_.at(id).node;
    if (const auto* l = std::get_if<ast::ListLit>(&node))
      return static_cast<int64_t>(l->items.size());
    if (const auto* s = std::get_if<ast::SetLit>(&node))
      return static_cast<int64_t>(s->items.size());
    if (const auto* m = std::get_if<ast::MapLit>(&node))
      return static_cast<int64_t>(m->entries.size());
    if (const auto* t = std::get_if<ast::Ternary>(&node))
      return Poly::Max(Size(t->then_expr), Size(t->else_expr));
    const internal::Ref& ref = ir_.ref[id];
    if (ref.kind == RefKind::kLet && ref.index < ir_.let_values.size()) {
      const Value& v = ir_.let_values[ref.index];
      if (v.kind() == Value::Kind::kList || v.kind() == Value::Kind::kSet)
        return static_cast<int64_t>(v.as_list().size());
      if (v.kind() == Value::Kind::kMap) return static_cast<int64_t>(v.as_map().size());
    }
    return Poly::List(ast::PrintExpr(p_, id));
  }

  // What reading a reference costs beyond its own node.
  Poly ReferenceExtra(const internal::Ref& ref) {
    Poly c;
    if (ref.kind == RefKind::kCounter && ref.index < p_.counters.size()) {
      if (Enter(&counters_active_, ref.index)) {
        c += Expr(p_.counters[ref.index].key);
        counters_active_.erase(ref.index);
      }
    } else if (ref.kind == RefKind::kTelemetryEjected) {
      if (Enter(&breakers_active_, 0)) {
        for (const ast::BreakerDecl& b : p_.breakers) c += Expr(b.cond);
        breakers_active_.erase(0);
      }
    }
    return c;
  }

  // Guards against a key or breaker that (through a bug elsewhere) reads itself.
  static bool Enter(std::set<uint32_t>* active, uint32_t index) {
    return active->insert(index).second;
  }

  Poly Expr(ast::ExprId id) {
    const internal::Ref& ref = ir_.ref[id];
    return std::visit(
        [&](const auto& n) -> Poly {
          using N = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<N, ast::Ident> || std::is_same_v<N, ast::Member>) {
            return Poly(1) + ReferenceExtra(ref);
          } else if constexpr (std::is_same_v<N, ast::Index>) {
            Poly c = Poly(1) + Expr(n.base) + Expr(n.index);
            if (Kind(n.base) == TypeKind::kMap) c += Size(n.base);
            return c;
          } else if constexpr (std::is_same_v<N, ast::Call>) {
            if (ref.kind == RefKind::kHas) return Poly(1) + Expr(n.args[0]);
            Poly c = 1;
            // The interpreter evaluates at most four arguments (expr_eval.cc).
            for (size_t i = 0; i < n.args.size() && i < 4; ++i) c += Expr(n.args[i]);
            if (ref.kind == RefKind::kBuiltin &&
                static_cast<BuiltinId>(ref.index) == BuiltinId::kMatches)
              c += kMatchesCost;
            return c;
          } else if constexpr (std::is_same_v<N, ast::Unary>) {
            return Poly(1) + Expr(n.operand);
          } else if constexpr (std::is_same_v<N, ast::Binary>) {
            Poly c = Poly(1) + Expr(n.lhs) + Expr(n.rhs);
            if ((n.op == ast::BinOp::kIn || n.op == ast::BinOp::kNotIn) &&
                IsCollection(Kind(n.rhs)))
              c += Size(n.rhs);
            if ((n.op == ast::BinOp::kEq || n.op == ast::BinOp::kNe) && IsCollection(Kind(n.lhs)))
              c += Shorter(n.lhs, n.rhs);
            return c;
          } else if constexpr (std::is_same_v<N, ast::Ternary>) {
            return Poly(1) + Expr(n.cond) + Poly::Max(Expr(n.then_expr), Expr(n.else_expr));
          } else if constexpr (std::is_same_v<N, ast::ListLit> || std::is_same_v<N, ast::SetLit>) {
            Poly c = 1;
            for (ast::ExprId item : n.items) c += Expr(item);
            return c;
          } else if constexpr (std::is_same_v<N, ast::MapLit>) {
            Poly c = 1;
            for (const auto& [k, v] : n.entries) c += Expr(k) + Expr(v);
            return c;
          } else {
            return 1;  // a literal
          }
        },
        p_.at(id).node);
  }

  // Comparing two collections stops at a size mismatch, so it visits at most
  // the shorter one: a constant side if there is one.
  Poly Shorter(ast::ExprId a, ast::ExprId b) const {
    Poly sa = Size(a), sb = Size(b);
    std::optional<int64_t> ca = sa.Constant(), cb = sb.Constant();
    if (ca && cb) return std::min(*ca, *cb);
    if (cb) return sb;
    return sa;
  }

  const Policy& policy_;
  const internal::PolicyIR& ir_;
  const ast::Program& p_;
  std::set<uint32_t> counters_active_;
  std::set<uint32_t> breakers_active_;
};

}  // namespace

std::vector<RouteCost> AnalyzeCost(const Policy& policy, const internal::PolicyIR& ir) {
  CostModel model(policy, ir);
  std::vector<RouteCost> out;
  out.reserve(ir.program.routes.size());
  for (size_t i = 0; i < ir.program.routes.size(); ++i) out.push_back(model.Route(i));
  return out;
}

}  // namespace passes
}  // namespace mixtral
