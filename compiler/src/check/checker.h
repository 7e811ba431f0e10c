// Name resolution and type checking: turns a parsed Program into a Policy
// with its checked IR. One Checker per compilation; nothing global.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/policy_ir.h"
#include "mixtral/compiler/diagnostic.h"
#include "mixtral/compiler/policy.h"

namespace mixtral::check {

// What an expression may read where it stands.
struct Scope {
  bool request = true;
  bool target = false;    // target.*, telemetry.*
  bool response = false;  // response.* (escalation conditions)
  bool variant = false;
  bool constant = false;  // lets, target attributes, defaults
  int route = -1;
  size_t lets_visible = SIZE_MAX;  // lets declared before a constant
  const char* where = "here";
};

class Checker {
 public:
  Checker(Policy* policy, internal::PolicyIR* ir, Diagnostics* diags)
      : policy_(*policy), ir_(*ir), p_(ir->program), diags_(*diags) {}

  void Run();

  // Type of an expression; TypeTable::Error() after reporting a diagnostic.
  TypeId CheckExpr(ast::ExprId id, const Scope& scope, TypeId hint = 0);

 private:
  // resolve_types.cc
  void DeclareTypes();
  TypeId ResolveType(const ast::TypeExpr& t, const std::string& enum_name);
  void DeclareSchemas();
  Schema BuildSchema(const ast::SchemaDecl& d);

  // expr_check.cc
  TypeId Record(ast::ExprId id, TypeId t, internal::Ref ref = {});
  TypeId CheckIdent(ast::ExprId id, const ast::Ident& n, const Scope& s, TypeId hint);
  TypeId CheckMember(ast::ExprId id, const ast::Member& n, const Scope& s);
  TypeId CheckCall(ast::ExprId id, const ast::Call& n, const Scope& s);
  TypeId CheckBinary(ast::ExprId id, const ast::Binary& n, const Scope& s);
  TypeId CheckCollection(ast::ExprId id, const std::vector<ast::ExprId>& items, bool is_set,
                         const Scope& s, TypeId hint);
  TypeId Unify(TypeId a, TypeId b, SourceRange where, const char* what);
  bool IsBareIdent(ast::ExprId id) const;
  bool IsNumeric(TypeId t) const;
  bool Assignable(TypeId from, TypeId to) const;
  TypeId ExpectBool(ast::ExprId id, const Scope& s);
  void Unknown(const std::string& code, SourceRange r, const std::string& what,
               const std::string& name, const std::vector<std::string>& known);

  // decl_check.cc
  void CheckLets();
  void CheckCounters();
  void CheckTargets();
  void CheckRoutes();
  void CheckRoute(size_t index);
  void CheckAsserts();
  internal::ResolvedTarget ResolveTarget(const ast::TargetRef& ref);
  Value ConstValue(ast::ExprId id, TypeId declared);

  Policy& policy_;
  internal::PolicyIR& ir_;
  ast::Program& p_;
  Diagnostics& diags_;
  TypeTable& types_ = policy_.types;
  std::map<std::string, TypeId> named_types_;
  std::map<std::string, std::vector<TypeId>> enum_members_;  // member -> enums holding it
  std::map<std::string, size_t> let_index_;
  std::map<std::string, size_t> counter_index_;
  bool has_stale_after_ = false;
};

// Converts an int constant to float where the declared type asks for float,
// recursively through collections.
Value CoerceConst(const Value& v, TypeId declared, const TypeTable& types);

}  // namespace mixtral::check
