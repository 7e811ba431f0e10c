// Hand-built policies for tests that need a Policy without compiling source:
// the type table and schemas are filled in directly, so a test of input
// binding does not depend on the parser or the checker.
//
//   Policy p = OneFieldPolicy([](TypeTable& t) { return t.List(t.String()); });
//   // p.request has one required field `x` of type list<string>.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mixtral/compiler/policy.h"

namespace mixtral::testing {

inline FieldInfo Field(std::string name, TypeId type) {
  FieldInfo f;
  f.name = std::move(name);
  f.type = type;
  return f;
}

inline FieldInfo OptionalField(std::string name, TypeId type) {
  FieldInfo f = Field(std::move(name), type);
  f.optional = true;
  return f;
}

inline FieldInfo DefaultField(std::string name, TypeId type, Value default_value) {
  FieldInfo f = Field(std::move(name), type);
  f.default_value = std::move(default_value);
  return f;
}

inline FieldInfo IdField(std::string name, TypeId type) {
  FieldInfo f = Field(std::move(name), type);
  f.is_id = true;
  return f;
}

inline Policy EmptyPolicy() {
  Policy p;
  p.name = "test";
  p.version = "1";
  p.hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  p.routes = {"main"};
  return p;
}

// A policy whose request schema is one required field `x`, of the type that
// `make(types)` returns.
template <typename MakeType>
Policy OneFieldPolicy(MakeType make) {
  Policy p = EmptyPolicy();
  const TypeId type = make(p.types);
  p.request.fields.push_back(Field("x", type));
  return p;
}

// The enums of the route-16 workload (shared/bench/WORKLOAD.md), with their
// members in the order the checker would number them.
struct Route16Types {
  TypeId tier, jurisdiction, data_class, model_family, kind;
};

inline Route16Types AddRoute16Enums(TypeTable& t) {
  Route16Types r;
  r.tier = t.NewEnum(EnumInfo{"tier", {"free", "pro", "premium"}});
  r.jurisdiction = t.NewEnum(EnumInfo{"jurisdiction", {"eu", "us", "ap"}});
  r.data_class = t.NewEnum(EnumInfo{"data_class", {"public", "pii", "phi"}});
  r.model_family = t.NewEnum(EnumInfo{"model_family", {"small", "large", "embed", "vision"}});
  r.kind = t.NewEnum(EnumInfo{"kind", {"edge", "k8s", "gpu_pool", "serverless"}});
  return r;
}

// Route-16's request, attribute and telemetry schemas, with no static
// targets: every target comes from the snapshot's inventory.
inline Policy Route16Policy() {
  Policy p = EmptyPolicy();
  p.name = "route16";
  TypeTable& t = p.types;
  const Route16Types e = AddRoute16Enums(t);
  p.request.fields = {
      IdField("id", t.String()),
      Field("tenant", t.String()),
      Field("tier", e.tier),
      Field("region", t.String()),
      Field("jurisdiction", e.jurisdiction),
      Field("data_class", e.data_class),
      Field("model_family", e.model_family),
      Field("latency_budget_ms", t.Int()),
      Field("tokens", t.Int()),
  };
  p.attributes.fields = {
      Field("kind", e.kind),
      Field("region", t.String()),
      Field("jurisdiction", e.jurisdiction),
      Field("capabilities", t.Set(e.model_family)),
      Field("cost_per_1k", t.Float()),
  };
  p.telemetry.fields = {
      Field("healthy", t.Bool()),
      Field("p95_ms", t.Float()),
      Field("queue_depth", t.Int()),
      Field("gpu_util", t.Float()),
  };
  p.stale_after_ms = 30'000;
  return p;
}

}  // namespace mixtral::testing
