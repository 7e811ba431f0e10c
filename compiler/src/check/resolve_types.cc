#include "check/checker.h"

namespace mixtral::check {

void Checker::DeclareTypes() {
  for (const ast::TypeDecl& d : p_.types) {
    if (named_types_.count(d.name)) {
      diags_.Error("E0101", d.range, "type `" + d.name + "` is declared twice");
      continue;
    }
    named_types_[d.name] = ResolveType(d.type, d.name);
  }
}

TypeId Checker::ResolveType(const ast::TypeExpr& t, const std::string& enum_name) {
  // `?` marks a field as optional; inside a collection it would mean a
  // missing element, which JSON inputs cannot express.
  for (const ast::TypeExpr& arg : t.args)
    if (arg.optional)
      diags_.Error("E0104", arg.range, "`?` is allowed only on the outermost type of a field");
  switch (t.kind) {
    case ast::TypeExpr::Kind::kEnum: {
      EnumInfo info;
      info.name = enum_name;
      for (size_t i = 0; i < t.members.size(); ++i) {
        const std::string& m = t.members[i];
        if (info.Find(m) >= 0) {
          diags_.Error("E0101", i < t.member_ranges.size() ? t.member_ranges[i] : t.range,
                       "enum member `" + m + "` is listed twice");
          continue;
        }
        info.members.push_back(m);
      }
      TypeId id = types_.NewEnum(std::move(info));
      for (const std::string& m : types_.enum_info(id).members) enum_members_[m].push_back(id);
      return id;
    }
    case ast::TypeExpr::Kind::kList:
      return types_.List(ResolveType(t.args[0], enum_name));
    case ast::TypeExpr::Kind::kSet:
      return types_.Set(ResolveType(t.args[0], enum_name));
    case ast::TypeExpr::Kind::kMap: {
      TypeId k = ResolveType(t.args[0], enum_name);
      TypeKind kk = types_.info(k).kind;
      if (kk != TypeKind::kString && kk != TypeKind::kEnum && kk != TypeKind::kInt &&
          kk != TypeKind::kError)
        diags_.Error("E0201", t.args[0].range, "map keys must be string, int or an enum");
      return types_.Map(k, ResolveType(t.args[1], enum_name));
    }
    case ast::TypeExpr::Kind::kNamed:
      break;
  }
  if (t.name == "time") {
    diags_.Error("E0104", t.range,
                 "`time` cannot be written in a declaration; it is the type of `now` only");
    return types_.Error();
  }
  static const std::map<std::string, TypeId> kBuiltinTypes = {
      {"bool", 1}, {"int", 2}, {"float", 3}, {"string", 4}, {"duration", 5}};
  if (auto it = kBuiltinTypes.find(t.name); it != kBuiltinTypes.end()) return it->second;
  if (auto it = named_types_.find(t.name); it != named_types_.end()) return it->second;
  std::vector<std::string> known = {"bool", "int", "float", "string", "duration"};
  for (const auto& [name, _] : named_types_) known.push_back(name);
  Unknown("E0104", t.range, "type", t.name, known);
  return types_.Error();
}

Schema Checker::BuildSchema(const ast::SchemaDecl& d) {
  Schema s;
  s.closed = d.closed;
  for (const ast::FieldDecl& f : d.fields) {
    if (s.Find(f.name) >= 0) {
      diags_.Error("E0101", f.range, "field `" + f.name + "` is declared twice");
      continue;
    }
    FieldInfo info;
    info.name = f.name;
    info.type = ResolveType(f.type, f.name);
    info.optional = f.type.optional;
    info.is_id = f.is_id;
    info.sensitive = f.sensitive;
    if (f.is_id && d.kind != ast::SchemaKind::kRequest)
      diags_.Error("E0206", f.range, "only request fields can be marked `id`");
    if (f.is_id && info.type != types_.String())
      diags_.Error("E0201", f.range, "an `id` field must be a string");
    if (f.default_value != ast::kNoExpr) {
      Scope scope;
      scope.constant = true;
      scope.where = "a default value";
      TypeId t = CheckExpr(f.default_value, scope, info.type);
      if (t != types_.Error() && !Assignable(t, info.type)) {
        diags_.Error("E0201", p_.at(f.default_value).range,
                     "default of `" + f.name + "` is " + types_.Name(t) + ", but the field is " +
                         types_.Name(info.type));
      } else if (t != types_.Error()) {
        info.default_value = ConstValue(f.default_value, info.type);
      }
    }
    s.fields.push_back(std::move(info));
  }
  return s;
}

void Checker::DeclareSchemas() {
  bool seen[4] = {false, false, false, false};
  for (const ast::SchemaDecl& d : p_.schemas) {
    int k = static_cast<int>(d.kind);
    static const char* kNames[] = {"request", "target attributes", "telemetry", "response"};
    if (seen[k]) {
      diags_.Error("E0101", d.range,
                   std::string("the `") + kNames[k] + "` schema is declared twice");
      continue;
    }
    seen[k] = true;
    Schema s = BuildSchema(d);
    switch (d.kind) {
      case ast::SchemaKind::kRequest:
        policy_.request = std::move(s);
        break;
      case ast::SchemaKind::kAttributes:
        policy_.attributes = std::move(s);
        break;
      case ast::SchemaKind::kTelemetry:
        policy_.telemetry = std::move(s);
        policy_.stale_after_ms = d.stale_after_ms;
        has_stale_after_ = d.stale_after_ms.has_value();
        break;
      case ast::SchemaKind::kResponse:
        policy_.response = std::move(s);
        break;
    }
  }
  for (size_t i = 0; i < policy_.request.fields.size(); ++i) {
    if (!policy_.request.fields[i].is_id) continue;
    if (ir_.id_field >= 0)
      diags_.Error("E0101", p_.schemas[0].range, "only one request field can be marked `id`");
    ir_.id_field = static_cast<int>(i);
  }
  for (const char* reserved : {"name"}) {
    if (policy_.attributes.Find(reserved) >= 0)
      diags_.Error("E0101", p_.schemas[0].range,
                   "`target.name` is built in; the attributes schema cannot declare `name`");
  }
  for (const char* pseudo : {"age", "stale", "ejected"}) {
    int slot = policy_.telemetry.Find(pseudo);
    if (slot >= 0) {
      for (const ast::SchemaDecl& d : p_.schemas)
        if (d.kind == ast::SchemaKind::kTelemetry)
          diags_.Error("E0101", d.range,
                       std::string("`telemetry.") + pseudo + "` is built in; do not declare it");
    }
  }
  ir_.age_s_slot = policy_.telemetry.Find("age_s");
}

}  // namespace mixtral::check
