// Binding snapshots and inventories (contract §4, §8) and their hash (§12).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "mixtral/runtime/inputs.h"
#include "test_policy.h"
#include "test_values.h"

namespace mixtral {
namespace {

using testing::DescribeValue;
using testing::Field;

// Route-16 schemas with every attribute optional, so that inventory entries
// in these tests can stay short (a required attribute is E1010: see below).
Policy OptionalAttributes(Policy p) {
  for (FieldInfo& f : p.attributes.fields) f.optional = true;
  return p;
}

// Route-16 schemas plus one static target declared in the policy.
Policy SnapshotPolicy() {
  Policy p = OptionalAttributes(testing::Route16Policy());
  p.static_targets = {"static-a"};
  p.static_attributes = {{Value::Enum(0), Value::Str("eu-west"), Value::Missing(), Value::Missing(),
                          Value::Float(0.5)}};
  return p;
}

std::string Describe(const std::vector<Value>& values) {
  std::string s;
  for (const Value& v : values) {
    s += (s.empty() ? "" : " ") + DescribeValue(v);
  }
  return s;
}

constexpr const char* kSnapshot = R"({
  "taken_at": "2025-01-01T00:00:00Z",
  "version": 7,
  "inventory": [
    {"name": "edge-eu-west", "kind": "edge", "region": "eu-west", "jurisdiction": "eu",
     "capabilities": ["small", "embed"], "cost_per_1k": 0.0865},
    {"name": "k8s-eu-west", "kind": "k8s", "region": "eu-west", "jurisdiction": "eu",
     "capabilities": ["small"], "owner": "team-a"}
  ],
  "targets": [
    {"name": "edge-eu-west", "healthy": true, "p95_ms": 85.47, "queue_depth": 18,
     "gpu_util": 0.086, "age_s": 3.09},
    {"name": "k8s-eu-west", "healthy": "yes", "p95_ms": 391.72, "queue_depth": 47.5,
     "gpu_util": 0.467, "age_s": 10.19, "ejected_until": "2025-01-01T00:01:00Z", "extra": 1},
    {"name": "nowhere", "healthy": true}
  ],
  "counters": {"spend": {"tenant-1": 12.5, "tenant-2": 3}}
})";

TEST_CASE("a snapshot binds static targets, then inventory, then joins telemetry") {
  const Policy p = SnapshotPolicy();
  BoundSnapshot snap;
  const auto err = BindSnapshotJson(p, kSnapshot, std::nullopt, &snap);
  if (err) {
    FAIL(err->ToString());
  }

  CHECK(snap.taken_at_ms == std::optional<int64_t>(1'735'689'600'000));
  REQUIRE(snap.version.has_value());
  CHECK(*snap.version == Scalar(int64_t{7}));
  CHECK(snap.static_count == 1);
  REQUIRE(snap.targets.size() == 3);

  const BoundTarget& s = snap.targets[0];
  CHECK(s.name == "static-a");
  CHECK(Describe(s.attributes) == "enum:0 str:eu-west missing missing float:0.5");
  CHECK_FALSE(s.has_telemetry);
  CHECK(Describe(s.telemetry) == "missing missing missing missing");
  CHECK_FALSE(s.age_s.has_value());

  const BoundTarget& edge = snap.targets[1];
  CHECK(edge.name == "edge-eu-west");
  // capabilities is set<model_family>: small = 0, embed = 2.
  CHECK(Describe(edge.attributes) == "enum:0 str:eu-west enum:0 set{enum:0,enum:2} float:0.0865");
  CHECK(edge.has_telemetry);
  CHECK(Describe(edge.telemetry) == "bool:true float:85.47 int:18 float:0.086");
  CHECK(edge.age_s == std::optional<double>(3.09));
  CHECK_FALSE(edge.ejected_until_ms.has_value());

  // Inventory attributes bind strictly (SPEC §15.5): an absent optional one is
  // missing and an unknown one ("owner") is ignored. Wrong-typed telemetry
  // values become missing and are counted; the rest of the entry is kept.
  const BoundTarget& k8s = snap.targets[2];
  CHECK(k8s.name == "k8s-eu-west");
  CHECK(Describe(k8s.attributes) == "enum:1 str:eu-west enum:0 set{enum:0} missing");
  CHECK(k8s.has_telemetry);
  CHECK(Describe(k8s.telemetry) == "missing float:391.72 missing float:0.467");
  CHECK(k8s.age_s == std::optional<double>(10.19));
  CHECK(k8s.ejected_until_ms == std::optional<int64_t>(1'735'689'660'000));

  // Telemetry "yes" and 47.5.
  CHECK(snap.wrong_type_fields == 2);
  // "nowhere" is ignored and counted.
  CHECK(snap.unknown_targets == 1);

  REQUIRE(snap.counters.count("spend") == 1);
  CHECK(snap.counters["spend"]["tenant-1"] == 12.5);
  CHECK(snap.counters["spend"]["tenant-2"] == 3.0);
  CHECK(snap.sha256.size() == 64);
}

TEST_CASE("the snapshot hash is the SHA-256 of the canonical form") {
  const Policy p = OptionalAttributes(testing::Route16Policy());
  const std::string canonical =
      R"({"inventory":[{"kind":"edge","name":"e\u0001","tags":{"z":2,"é":1}}],)"
      R"("taken_at":"2025-01-01T00:00:00Z","targets":[{"name":"e\u0001","p95_ms":1.0}],)"
      R"("version":"v1"})";
  const char* variants[] = {
      canonical.c_str(),
      // Reordered keys, whitespace, escapes and an equal number written differently.
      "{ \"version\" : \"v1\", \"targets\" : [ { \"p95_ms\" : 1.00, \"name\" : \"e\\u0001\" } ],\n"
      "  \"taken_at\" : \"2025-01-01T00:00:00Z\",\n"
      "  \"inventory\" : [ { \"tags\" : { \"z\" : 2, \"\\u00e9\" : 1 }, \"name\" : \"e\\u0001\","
      " \"kind\" : \"\\u0065dge\" } ] }",
  };
  const std::string expected = Sha256Hex(canonical);
  for (const char* text : variants) {
    CAPTURE(text);
    BoundSnapshot snap;
    const auto err = BindSnapshotJson(p, text, std::nullopt, &snap);
    if (err) {
      FAIL(err->ToString());
    }
    CHECK(snap.sha256 == expected);
  }

  // --inventory replaces the snapshot's own inventory before hashing.
  BoundSnapshot snap;
  const auto err = BindSnapshotJson(
      p,
      R"({"inventory":[{"name":"old"}],"version":"v1","taken_at":"2025-01-01T00:00:00Z","targets":[{"name":"e\u0001","p95_ms":1.0}]})",
      R"([{"name":"e\u0001","kind":"edge","tags":{"z":2,"é":1}}])", &snap);
  if (err) {
    FAIL(err->ToString());
  }
  CHECK(snap.sha256 == expected);
  REQUIRE(snap.targets.size() == 1);
  CHECK(snap.targets[0].name == "e\x01");

  // A different value is a different hash.
  BoundSnapshot other;
  REQUIRE_FALSE(BindSnapshotJson(p, R"({"version":"v2","targets":[]})", std::nullopt, &other));
  CHECK(other.sha256 != expected);
}

TEST_CASE("snapshot errors") {
  struct Case {
    std::string name;
    std::string snapshot;
    const char* inventory;  // nullptr: none given
    std::string code;
    std::string error;
  };
  const Case cases[] = {
      {"two inventory targets with one name",
       R"({"inventory":[{"name":"a"},{"name":"b"},{"name":"a"}],"targets":[]})", nullptr, "E1020",
       R"(snapshot.inventory[2].name: duplicate target name "a")"},
      {"inventory repeats a static target", R"({"inventory":[{"name":"static-a"}],"targets":[]})",
       nullptr, "E1020", R"(snapshot.inventory[0].name: duplicate target name "static-a")"},
      {"duplicate in an --inventory file", R"({"targets":[]})", R"([{"name":"a"},{"name":"a"}])",
       "E1020", R"(inventory[1].name: duplicate target name "a")"},
      {"two telemetry entries for one target",
       R"({"targets":[{"name":"static-a"},{"name":"static-a","healthy":true}]})", nullptr, "E1020",
       R"(snapshot.targets[1].name: duplicate target name "static-a")"},
      {"two telemetry entries for an unknown target", R"({"targets":[{"name":"x"},{"name":"x"}]})",
       nullptr, "E1020", R"(snapshot.targets[1].name: duplicate target name "x")"},
      {"malformed taken_at", R"({"taken_at":"2025-01-01","targets":[]})", nullptr, "E1021",
       "snapshot.taken_at: invalid time (expected RFC3339 or epoch milliseconds)"},
      {"taken_at of the wrong type", R"({"taken_at":1.5,"targets":[]})", nullptr, "E1021", ""},
      {"not an object", "[]", nullptr, "E1022", "snapshot: expected an object, got array"},
      {"no targets", R"({"target":[]})", nullptr, "E1022",
       R"(snapshot.targets: missing required field "targets")"},
      {"targets not an array", R"({"targets":{}})", nullptr, "E1022",
       "snapshot.targets: expected an array, got object"},
      {"telemetry entry not an object", R"({"targets":[1]})", nullptr, "E1022",
       "snapshot.targets[0]: expected an object, got int"},
      {"telemetry entry without a name", R"({"targets":[{"healthy":true}]})", nullptr, "E1022",
       "snapshot.targets[0].name: missing target name"},
      {"inventory entry without a name", R"({"inventory":[{"kind":"edge"}],"targets":[]})", nullptr,
       "E1010", "snapshot.inventory[0].name: missing target name"},
      {"inventory attribute of the wrong type",
       R"({"inventory":[{"name":"a","cost_per_1k":"cheap"}],"targets":[]})", nullptr, "E1012", ""},
      {"inventory enum value unknown", R"({"inventory":[{"name":"a","kind":"k8s8"}],"targets":[]})",
       nullptr, "E1013", R"(snapshot.inventory[0].kind: unknown enum value "k8s8")"},
      {"inventory name not a string", R"({"inventory":[{"name":5}],"targets":[]})", nullptr,
       "E1022", "snapshot.inventory[0].name: expected a string, got int"},
      {"inventory not an array", R"({"inventory":{},"targets":[]})", nullptr, "E1022",
       "snapshot.inventory: expected an array, got object"},
      {"--inventory not an array", R"({"targets":[]})", R"({"name":"a"})", "E1022",
       "inventory: expected an array, got object"},
      {"version of the wrong type", R"({"version":true,"targets":[]})", nullptr, "E1022",
       "snapshot.version: expected a number or a string, got bool"},
      {"counter not a number", R"({"targets":[],"counters":{"spend":{"t1":"x"}}})", nullptr,
       "E1022", "snapshot.counters.spend.t1: expected a number, got string"},
      {"counters not nested", R"({"targets":[],"counters":{"spend":1}})", nullptr, "E1022",
       "snapshot.counters.spend: expected an object, got int"},
      {"syntax error", R"({"targets":[})", nullptr, "E1001", ""},
      {"syntax error in --inventory", R"({"targets":[]})", "[{]", "E1001", ""},
      {"bad UTF-8", "{\"targets\":[],\"x\":\"\xFE\"}", nullptr, "E1002",
       "snapshot: invalid UTF-8 at byte 19"},
  };
  const Policy p = SnapshotPolicy();
  for (const Case& c : cases) {
    CAPTURE(c.name);
    BoundSnapshot snap;
    snap.sha256 = "untouched";
    const auto err = BindSnapshotJson(
        p, c.snapshot, c.inventory ? std::optional<std::string_view>(c.inventory) : std::nullopt,
        &snap);
    REQUIRE(err.has_value());
    CHECK(err->code == c.code);
    if (!c.error.empty()) {
      CHECK(err->ToString() == c.error);
    }
    CHECK(snap.sha256 == "untouched");
  }
}

TEST_CASE("snapshot header forms") {
  struct Case {
    std::string name;
    std::string snapshot;
    std::optional<int64_t> taken_at;
    std::optional<Scalar> version;
  };
  const Case cases[] = {
      {"nothing", R"({"targets":[]})", std::nullopt, std::nullopt},
      {"nulls", R"({"taken_at":null,"version":null,"targets":[]})", std::nullopt, std::nullopt},
      {"epoch ms", R"({"taken_at":-1000,"targets":[]})", -1000, std::nullopt},
      {"offset", R"({"taken_at":"2025-01-01T02:00:00+02:00","targets":[]})", 1'735'689'600'000,
       std::nullopt},
      {"string version", R"({"version":"v3","targets":[]})", std::nullopt, Scalar("v3")},
      {"float version", R"({"version":1.5,"targets":[]})", std::nullopt, Scalar(1.5)},
  };
  const Policy p = SnapshotPolicy();
  for (const Case& c : cases) {
    CAPTURE(c.name);
    BoundSnapshot snap;
    const auto err = BindSnapshotJson(p, c.snapshot, std::nullopt, &snap);
    if (err) {
      FAIL(err->ToString());
    }
    CHECK(snap.taken_at_ms == c.taken_at);
    CHECK(snap.version == c.version);
    CHECK(snap.targets.size() == 1);
  }
}

TEST_CASE("age_s, ejected_until and telemetry defaults") {
  Policy p = testing::EmptyPolicy();
  TypeTable& t = p.types;
  p.telemetry.fields = {testing::DefaultField("queue_depth", t.Int(), Value::Int(0)),
                        Field("age_s", t.Float())};
  p.static_targets = {"a", "b", "c", "d"};
  p.static_attributes = {{}, {}, {}, {}};
  const char* snapshot = R"({"targets":[
      {"name":"a","age_s":2.5,"ejected_until":1000},
      {"name":"b","age_s":"old","queue_depth":"deep"},
      {"name":"c","age_s":3}
  ]})";
  BoundSnapshot snap;
  const auto err = BindSnapshotJson(p, snapshot, std::nullopt, &snap);
  if (err) {
    FAIL(err->ToString());
  }
  REQUIRE(snap.targets.size() == 4);
  // Declared age_s fills both the slot and BoundTarget::age_s.
  CHECK(Describe(snap.targets[0].telemetry) == "int:0 float:2.5");
  CHECK(snap.targets[0].age_s == std::optional<double>(2.5));
  CHECK(snap.targets[0].ejected_until_ms == std::optional<int64_t>(1000));
  // A mistyped declared field is counted once, not again for age_s.
  CHECK(Describe(snap.targets[1].telemetry) == "missing missing");
  CHECK_FALSE(snap.targets[1].age_s.has_value());
  CHECK(Describe(snap.targets[2].telemetry) == "int:0 float:3");
  CHECK(snap.targets[2].age_s == std::optional<double>(3.0));
  // No entry at all: nothing is known, defaults included.
  CHECK_FALSE(snap.targets[3].has_telemetry);
  CHECK(Describe(snap.targets[3].telemetry) == "missing missing");
  CHECK(snap.wrong_type_fields == 2);

  // Undeclared, age_s still reaches BoundTarget::age_s; a mistyped one is counted.
  Policy bare = testing::EmptyPolicy();
  bare.static_targets = {"a", "b"};
  bare.static_attributes = {{}, {}};
  BoundSnapshot s2;
  const auto err2 = BindSnapshotJson(
      bare,
      R"({"targets":[{"name":"a","age_s":"NaN"},{"name":"b","age_s":"old","ejected_until":"soon"}]})",
      std::nullopt, &s2);
  if (err2) {
    FAIL(err2->ToString());
  }
  REQUIRE(s2.targets[0].age_s.has_value());
  CHECK(std::isnan(*s2.targets[0].age_s));
  CHECK(s2.targets[0].telemetry.empty());
  CHECK_FALSE(s2.targets[1].age_s.has_value());
  CHECK_FALSE(s2.targets[1].ejected_until_ms.has_value());
  CHECK(s2.wrong_type_fields == 2);
}

}  // namespace
}  // namespace mixtral
