#include "program_text.h"

#include <sstream>

namespace mixtral::testing {
namespace {

class Writer {
 public:
  explicit Writer(const ast::Program& p) : p_(p) {}

  std::string Run() {
    out_ << "policy " << p_.policy_name.value_or("-") << " " << p_.policy_version.value_or("-")
         << "\n";
    for (const auto& d : p_.imports) out_ << "import " << d.path << "\n";
    for (const auto& d : p_.types) out_ << "type " << d.name << " = " << Type(d.type) << "\n";
    for (const auto& s : p_.schemas) {
      out_ << "schema " << static_cast<int>(s.kind) << (s.closed ? " closed" : "") << " stale "
           << (s.stale_after_ms ? std::to_string(*s.stale_after_ms) : "-") << "\n";
      for (const auto& f : s.fields)
        out_ << "  " << f.name << ": " << Type(f.type) << " = " << E(f.default_value)
             << (f.is_id ? " id" : "") << (f.sensitive ? " sensitive" : "") << "\n";
    }
    for (const auto& d : p_.counters)
      out_ << "counter " << d.name << " by " << E(d.key) << " window " << d.window_ms << "\n";
    for (const auto& d : p_.breakers)
      out_ << "breaker " << d.name << ": " << E(d.cond) << " cooldown " << d.cooldown_ms << "\n";
    for (const auto& d : p_.lets) out_ << "let " << d.name << " = " << E(d.value) << "\n";
    for (const auto& t : p_.targets) {
      out_ << "target " << t.name << "\n";
      for (const auto& a : t.attrs) out_ << "  " << a.name << ": " << E(a.value) << "\n";
    }
    for (const auto& r : p_.routes) Route(r);
    for (const auto& d : p_.asserts) out_ << "assert " << d.name << ": " << E(d.cond) << "\n";
    for (const auto& t : p_.tests) Test(t);
    return out_.str();
  }

 private:
  std::string E(ast::ExprId id) {
    return id == ast::kNoExpr ? "-" : "(" + ast::PrintExpr(p_, id) + ")";
  }

  static std::string Type(const ast::TypeExpr& t) {
    std::string s = std::to_string(static_cast<int>(t.kind)) + ":" + t.name;
    for (const auto& m : t.members) s += " " + m;
    for (const auto& a : t.args) s += " <" + Type(a) + ">";
    return s + (t.optional ? "?" : "");
  }

  static std::string Refs(const std::vector<ast::TargetRef>& refs) {
    std::string s = "[";
    for (const auto& r : refs) s += r.name + ";";
    return s + "]";
  }

  void Route(const ast::Route& r) {
    out_ << "route " << r.name << " when " << E(r.when) << (r.is_default ? " default" : "") << "\n";
    for (ast::ExprId s : r.selectors) out_ << "  candidates " << E(s) << "\n";
    for (const auto& x : r.rules)
      out_ << "  " << (x.binding ? "binding " : "") << (x.forbid ? "forbid " : "require ") << x.name
           << ": " << E(x.cond) << "\n";
    for (const auto& x : r.objectives)
      out_ << "  " << (x.maximize ? "maximize " : "minimize ") << x.name << ": " << E(x.value)
           << " weight " << E(x.weight) << "\n";
    if (r.spread) out_ << "  spread " << r.spread->top << " " << E(r.spread->key) << "\n";
    if (r.affinity) out_ << "  affinity " << E(r.affinity->key) << "\n";
    if (r.fallback)
      out_ << "  fallback " << r.fallback->count << " " << r.fallback->is_named << " "
           << Refs(r.fallback->named) << "\n";
    out_ << "  otherwise " << static_cast<int>(r.otherwise.kind) << " " << r.otherwise.status << " "
         << r.otherwise.reason << " " << r.otherwise.target.name << "\n";
    for (const auto& x : r.safe_defaults)
      out_ << "  safe " << x.target.name << " " << E(x.when) << " " << x.reason << "\n";
    for (const auto& x : r.mirrors)
      out_ << "  mirror " << x.target.name << " " << x.rate_bp << " " << E(x.key) << " "
           << E(x.when) << "\n";
    if (r.split) {
      out_ << "  split " << r.split->name << " " << E(r.split->key) << " " << r.split->salt << "\n";
      for (const auto& a : r.split->arms) out_ << "    " << a.name << " " << a.bp << "\n";
    }
    if (r.cascade) {
      out_ << "  cascade " << E(r.cascade->pin) << "\n";
      for (const auto& s : r.cascade->stages)
        out_ << "    " << s.target.name << " " << E(s.when) << "\n";
    }
    if (r.ensemble)
      out_ << "  ensemble " << r.ensemble->count << " " << r.ensemble->is_named << " "
           << Refs(r.ensemble->named) << " " << r.ensemble->combiner << "\n";
    for (const auto& x : r.annotations) out_ << "  annotate " << x.key << " " << E(x.value) << "\n";
    for (const auto& x : r.charges) out_ << "  charge " << x.counter << " " << E(x.amount) << "\n";
    for (const auto& x : r.duplicate_clauses) out_ << "  duplicate " << x.first << "\n";
  }

  void Test(const ast::TestDecl& t) {
    auto opt = [](const std::optional<std::string>& s) { return s ? *s : std::string("-"); };
    out_ << "test " << t.name << "\n"
         << "  request " << (t.request_json ? CompactJson(*t.request_json) : "-") << " "
         << opt(t.request_file) << "\n"
         << "  telemetry " << (t.telemetry_json ? CompactJson(*t.telemetry_json) : "-") << " "
         << opt(t.telemetry_file) << "\n"
         << "  now " << opt(t.now) << " route " << opt(t.route) << "\n";
    for (const auto& e : t.expects)
      out_ << "  expect " << e.removed_form << " " << e.target << " " << e.rule << " " << E(e.expr)
           << "\n";
  }

  const ast::Program& p_;
  std::ostringstream out_;
};

}  // namespace

std::string ProgramText(const ast::Program& p) { return Writer(p).Run(); }

std::string CompactJson(const std::string& json) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      out += c;
    }
  }
  return out;
}

}  // namespace mixtral::testing
