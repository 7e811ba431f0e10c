// The checked IR: the AST plus side tables keyed by ExprId (type, resolved
// reference, prepared literal). Both engines consume exactly this.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "mixtral/compiler/schema.h"
#include "mixtral/stdlib/builtins.h"
#include "mixtral/stdlib/value.h"

namespace mixtral::internal {

enum class RefKind : uint8_t {
  kNone,
  kRequestField,  // index: request schema slot
  kAttribute,     // index: attribute schema slot
  kTargetName,
  kTelemetry,  // index: telemetry schema slot
  kTelemetryAge,
  kTelemetryStale,
  kTelemetryEjected,
  kResponseField,  // index: response schema slot
  kCounter,        // index: counter declaration
  kSnapshotAge,
  kSnapshotStale,
  kNow,
  kVariant,
  kPolicyName,
  kPolicyVersion,
  kLet,         // index: let declaration
  kEnumMember,  // index: ordinal
  kBuiltin,     // index: BuiltinId
  kHas,
};

struct Ref {
  RefKind kind = RefKind::kNone;
  uint32_t index = 0;
};

// A named target reference resolved at compile time when it is static.
struct ResolvedTarget {
  std::string name;
  int static_index = -1;  // -1: looked up in the inventory at evaluation
};

struct RouteInfo {
  TypeId variant_type = 0;            // enum of the split's arms, if any
  std::vector<int> cascade_cond_ids;  // per escalate stage
};

struct CounterInfo {
  bool target_keyed = false;  // the key reads target.*: only readable per target
};

// An expression whose value the audit record carries when every request field
// it reads is masked, so that replay can use the value in place of the
// fields (lang/SPEC.md §19.1).
struct DerivedExpr {
  std::string key;               // "expr:" + canonical source (see passes/derived.h)
  std::vector<uint32_t> fields;  // the request slots it reads, sorted
};

struct PolicyIR {
  ast::Program program;
  std::vector<TypeId> type;                                            // by ExprId
  std::vector<Ref> ref;                                                // by ExprId
  std::map<ast::ExprId, std::shared_ptr<const PreparedArg>> prepared;  // calls with literal args
  std::vector<Value> let_values;
  std::vector<TypeId> let_types;
  std::vector<RouteInfo> routes;
  std::vector<CounterInfo> counters;
  std::vector<std::string> cascade_sources;  // canonical `when` source by condition id
  std::map<std::string, int> static_index;   // static target name -> index
  int id_field = -1;                         // request slot marked `id`
  int age_s_slot = -1;                       // telemetry slot named age_s, if declared
  std::vector<uint32_t> derived_slot;        // by ExprId: 0, or 1 + its derived_exprs index
  std::vector<DerivedExpr> derived_exprs;
};

}  // namespace mixtral::internal
