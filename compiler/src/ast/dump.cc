#include <charconv>
#include <string>

#include "ast/ast.h"

namespace mixtral::ast {
namespace {

// Binding strength, loosest first; mirrors the grammar's expression rules.
enum Prec : int { kTernary = 1, kOr, kAnd, kNot, kCmp, kAdd, kMul, kNeg, kPostfix };

int PrecOf(BinOp op) {
  switch (op) {
    case BinOp::kOr:
      return kOr;
    case BinOp::kAnd:
      return kAnd;
    case BinOp::kAdd:
    case BinOp::kSub:
      return kAdd;
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
      return kMul;
    default:
      return kCmp;
  }
}

std::string FloatText(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string DurationText(int64_t ms) {
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (const Unit& u : kUnits)
    if (ms != 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.suffix;
  return std::to_string(ms) + "ms";
}

class Printer {
 public:
  explicit Printer(const Program& p) : p_(p) {}

  std::string Print(ExprId id, int min_prec) {
    int prec = kPostfix;
    std::string s = std::visit([&](const auto& n) { return Node(n, &prec); }, p_.at(id).node);
    return prec < min_prec ? "(" + s + ")" : s;
  }

 private:
  std::string List(const std::vector<ExprId>& items) {
    std::string s;
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + Print(items[i], kTernary);
    return s;
  }

  std::string Node(const IntLit& n, int*) { return std::to_string(n.value); }
  std::string Node(const FloatLit& n, int*) { return FloatText(n.value); }
  std::string Node(const StringLit& n, int*) { return Quote(n.value); }
  std::string Node(const BoolLit& n, int*) { return n.value ? "true" : "false"; }
  std::string Node(const DurationLit& n, int*) { return DurationText(n.ms); }
  std::string Node(const Ident& n, int*) { return n.name; }
  std::string Node(const Member& n, int*) { return Print(n.base, kPostfix) + "." + n.field; }
  std::string Node(const Index& n, int*) {
    return Print(n.base, kPostfix) + "[" + Print(n.index, kTernary) + "]";
  }
  std::string Node(const Call& n, int*) { return n.fn + "(" + List(n.args) + ")"; }
  std::string Node(const Unary& n, int* prec) {
    if (n.op == UnOp::kNeg) {
      *prec = kNeg;
      return "-" + Print(n.operand, kNeg);
    }
    *prec = kNot;
    return "not " + Print(n.operand, kNot);
  }
  std::string Node(const Binary& n, int* prec) {
    *prec = PrecOf(n.op);
    // Comparisons do not chain, so both sides must bind tighter.
    int lhs_min = *prec == kCmp ? kCmp + 1 : *prec;
    return Print(n.lhs, lhs_min) + " " + BinOpText(n.op) + " " + Print(n.rhs, *prec + 1);
  }
  std::string Node(const Ternary& n, int* prec) {
    *prec = kTernary;
    return Print(n.cond, kOr) + " ? " + Print(n.then_expr, kTernary) + " : " +
           Print(n.else_expr, kTernary);
  }
  std::string Node(const ListLit& n, int*) { return "[" + List(n.items) + "]"; }
  std::string Node(const SetLit& n, int*) { return "{" + List(n.items) + "}"; }
  std::string Node(const MapLit& n, int*) {
    std::string s = "{";
    for (size_t i = 0; i < n.entries.size(); ++i)
      s += (i ? ", " : "") + Print(n.entries[i].first, kTernary) + ": " +
           Print(n.entries[i].second, kTernary);
    return s + "}";
  }

  static std::string Quote(const std::string& v) {
    std::string s = "\"";
    for (unsigned char c : v) {
      switch (c) {
        case '"':
          s += "\\\"";
          break;
        case '\\':
          s += "\\\\";
          break;
        case '\n':
          s += "\\n";
          break;
        case '\t':
          s += "\\t";
          break;
        case '\r':
          s += "\\r";
          break;
        default:
          if (c < 0x20) {
            static const char* kHex = "0123456789abcdef";
            s += "\\u00";
            s += kHex[c >> 4];
            s += kHex[c & 15];
          } else {
            s += static_cast<char>(c);
          }
      }
    }
    return s + "\"";
  }

  const Program& p_;
};

}  // namespace

std::string PrintExpr(const Program& p, ExprId id) { return Printer(p).Print(id, kTernary); }

}  // namespace mixtral::ast
