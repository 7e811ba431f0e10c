#include "passes/derived.h"

#include <algorithm>
#include <optional>
#include <set>

namespace mixtral::passes {
namespace {

using internal::RefKind;

// What an expression reads, when it reads nothing but request fields and
// decision constants.
struct Reads {
  std::set<uint32_t> fields;
  std::set<uint32_t> lets;
};

class Finder {
 public:
  Finder(const Policy& policy, internal::PolicyIR& ir)
      : policy_(policy), ir_(ir), memo_(ir.program.exprs.size()) {}

  void Run() {
    ir_.derived_slot.assign(ir_.program.exprs.size(), 0);
    for (ast::ExprId id = 0; id < ir_.program.exprs.size(); ++id) {
      const std::optional<Reads>& r = Of(id);
      if (!r || r->fields.empty() || !Recordable(id)) continue;
      ir_.derived_exprs.push_back(internal::DerivedExpr{
          Key(id, *r), std::vector<uint32_t>(r->fields.begin(), r->fields.end())});
      ir_.derived_slot[id] = static_cast<uint32_t>(ir_.derived_exprs.size());
    }
  }

 private:
  // Memoised: nullopt when the expression reads a target, telemetry, a
  // counter, the snapshot, a response or the variant.
  const std::optional<Reads>& Of(ast::ExprId id) {
    auto& m = memo_[id];
    if (m.done) return m.reads;
    m.done = true;
    m.reads = Compute(id);
    return m.reads;
  }

  std::optional<Reads> Compute(ast::ExprId id) {
    const ast::Expr& e = ir_.program.at(id);
    const internal::Ref& ref = ir_.ref[id];
    const bool named =
        std::holds_alternative<ast::Ident>(e.node) || std::holds_alternative<ast::Member>(e.node);
    Reads out;
    if (named && ref.kind != RefKind::kNone) {
      switch (ref.kind) {
        case RefKind::kRequestField:
          out.fields.insert(ref.index);
          return out;
        case RefKind::kLet:
          out.lets.insert(ref.index);
          return out;
        case RefKind::kEnumMember:
        case RefKind::kNow:
        case RefKind::kPolicyName:
        case RefKind::kPolicyVersion:
          return out;
        default:
          return std::nullopt;
      }
    }
    if (std::holds_alternative<ast::Ident>(e.node)) return std::nullopt;
    if (std::holds_alternative<ast::Call>(e.node) && ref.kind != RefKind::kBuiltin &&
        ref.kind != RefKind::kHas)
      return std::nullopt;
    bool pure = true;
    ast::ForEachChild(e, [&](ast::ExprId child) {
      if (!pure) return;
      const std::optional<Reads>& r = Of(child);
      if (!r) {
        pure = false;
        return;
      }
      out.fields.insert(r->fields.begin(), r->fields.end());
      out.lets.insert(r->lets.begin(), r->lets.end());
    });
    if (!pure) return std::nullopt;
    return out;
  }

  // A value the record can hold without repeating the masked text: a
  // scalar that is not a string, computed from the field (not the field).
  bool Recordable(ast::ExprId id) const {
    if (ir_.ref[id].kind == RefKind::kRequestField) return false;
    switch (policy_.types.info(ir_.type[id]).kind) {
      case TypeKind::kBool:
      case TypeKind::kInt:
      case TypeKind::kFloat:
      case TypeKind::kDuration:
      case TypeKind::kTime:
      case TypeKind::kEnum:
        return true;
      default:
        return false;
    }
  }

  // The canonical source, then the definition of every `let` it reads
  // (directly or through other lets), so that a policy that changes what
  // the expression means changes its key.
  std::string Key(ast::ExprId id, const Reads& r) const {
    std::string key = "expr:" + ast::PrintExpr(ir_.program, id);
    std::set<uint32_t> lets = r.lets, done;
    while (!lets.empty()) {
      uint32_t l = *lets.begin();
      lets.erase(lets.begin());
      if (!done.insert(l).second) continue;
      CollectLets(ir_.program.lets[l].value, &lets);
    }
    std::vector<uint32_t> order(done.begin(), done.end());
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return ir_.program.lets[a].name < ir_.program.lets[b].name;
    });
    for (uint32_t l : order)
      key += " where " + ir_.program.lets[l].name + " = " +
             ast::PrintExpr(ir_.program, ir_.program.lets[l].value);
    return key;
  }

  void CollectLets(ast::ExprId id, std::set<uint32_t>* out) const {
    if (ir_.ref[id].kind == RefKind::kLet) out->insert(ir_.ref[id].index);
    ast::ForEachChild(ir_.program.at(id), [&](ast::ExprId c) { CollectLets(c, out); });
  }

  struct Memo {
    bool done = false;
    std::optional<Reads> reads;
  };
  const Policy& policy_;
  internal::PolicyIR& ir_;
  std::vector<Memo> memo_;
};

}  // namespace

void FindDerivedExprs(const Policy& policy, internal::PolicyIR* ir) { Finder(policy, *ir).Run(); }

}  // namespace mixtral::passes
