// Binding requests (contract §8): every type's accepted and rejected forms,
// with the exact error code, path and message.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>

#include "mixtral/runtime/inputs.h"
#include "test_policy.h"
#include "test_values.h"

namespace mixtral {
namespace {

using testing::DescribeValue;
using testing::Field;
using MakeType = std::function<TypeId(TypeTable&)>;

TypeId Tier(TypeTable& t) { return t.NewEnum(EnumInfo{"tier", {"free", "pro", "premium"}}); }

const MakeType kBool = [](TypeTable& t) { return t.Bool(); };
const MakeType kInt = [](TypeTable& t) { return t.Int(); };
const MakeType kFloat = [](TypeTable& t) { return t.Float(); };
const MakeType kString = [](TypeTable& t) { return t.String(); };
const MakeType kDuration = [](TypeTable& t) { return t.Duration(); };
const MakeType kTime = [](TypeTable& t) { return t.Time(); };
const MakeType kTier = [](TypeTable& t) { return Tier(t); };
const MakeType kListString = [](TypeTable& t) { return t.List(t.String()); };
const MakeType kSetInt = [](TypeTable& t) { return t.Set(t.Int()); };
const MakeType kMapFloat = [](TypeTable& t) { return t.Map(t.String(), t.Float()); };
const MakeType kMapTierInt = [](TypeTable& t) { return t.Map(Tier(t), t.Int()); };
const MakeType kListMapInt = [](TypeTable& t) { return t.List(t.Map(t.String(), t.Int())); };

// Binds {"x": <value>} against a policy whose only field is `x`.
std::optional<InputError> BindX(const MakeType& make, const std::string& value, Value* out) {
  const Policy p = testing::OneFieldPolicy(make);
  BoundRequest req;
  auto err = BindRequestJson(p, R"({"x":)" + value + "}", {}, &req);
  if (!err) {
    *out = req.fields.at(0);
  }
  return err;
}

TEST_CASE("each type accepts its JSON forms") {
  struct Case {
    std::string type;
    MakeType make;
    std::string json;
    std::string expected;
  };
  const Case cases[] = {
      {"bool", kBool, "true", "bool:true"},
      {"bool", kBool, "false", "bool:false"},
      {"int", kInt, "42", "int:42"},
      {"int", kInt, "-7", "int:-7"},
      {"int", kInt, "-0", "int:0"},
      {"int", kInt, "9223372036854775807", "int:9223372036854775807"},
      {"int", kInt, "-9223372036854775808", "int:-9223372036854775808"},
      {"float", kFloat, "1.5", "float:1.5"},
      {"float", kFloat, "2", "float:2"},
      {"float", kFloat, "-0.0", "float:-0"},
      {"float", kFloat, "1e308", "float:1e+308"},
      {"float", kFloat, "9223372036854775808", "float:9223372036854775808"},
      {"float", kFloat, R"("NaN")", "float:nan"},
      {"float", kFloat, R"("Infinity")", "float:inf"},
      {"float", kFloat, R"("-Infinity")", "float:-inf"},
      {"string", kString, R"("abc")", "str:abc"},
      {"string", kString, R"("")", "str:"},
      {"string", kString, R"("\u00e9\n")", "str:\xC3\xA9\n"},
      {"duration", kDuration, R"("250ms")", "int:250"},
      {"duration", kDuration, R"("30s")", "int:30000"},
      {"duration", kDuration, R"("5m")", "int:300000"},
      {"duration", kDuration, R"("1h")", "int:3600000"},
      {"duration", kDuration, R"("1d")", "int:86400000"},
      {"duration", kDuration, R"("0s")", "int:0"},
      {"duration", kDuration, "1500", "int:1500"},
      {"time", kTime, R"("2025-01-01T00:00:00Z")", "int:1735689600000"},
      {"time", kTime, R"("2025-01-01T01:00:00.250+01:00")", "int:1735689600250"},
      {"time", kTime, "1735689600000", "int:1735689600000"},
      {"time", kTime, R"("-1")", "int:-1"},
      {"enum", kTier, R"("free")", "enum:0"},
      {"enum", kTier, R"("premium")", "enum:2"},
      {"list<string>", kListString, R"(["b","a","b"])", "list[str:b,str:a,str:b]"},
      {"list<string>", kListString, "[]", "list[]"},
      {"set<int>", kSetInt, "[3,1,3]", "set{int:1,int:3}"},
      {"map<string,float>", kMapFloat, R"({"gpu":2,"cpu":0.5})",
       "map{str:cpu=float:0.5,str:gpu=float:2}"},
      {"map<tier,int>", kMapTierInt, R"({"pro":1,"free":2})", "map{enum:0=int:2,enum:1=int:1}"},
      {"list<map<string,int>>", kListMapInt, R"([{"a":1},{}])", "list[map{str:a=int:1},map{}]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.type);
    CAPTURE(c.json);
    Value v;
    const auto err = BindX(c.make, c.json, &v);
    if (err) {
      FAIL_CHECK(err->ToString());
    }
    CHECK(DescribeValue(v) == c.expected);
  }
}

TEST_CASE("each type rejects other JSON with a located error") {
  struct Case {
    std::string type;
    MakeType make;
    std::string json;
    std::string code;
    std::string error;  // InputError::ToString(), or empty to check the code only
  };
  const Case cases[] = {
      {"bool", kBool, "1", "E1012", "request.x: expected bool, got int"},
      {"bool", kBool, R"("true")", "E1012", "request.x: expected bool, got string"},
      {"int", kInt, "1.0", "E1012", "request.x: expected int, got float"},
      {"int", kInt, "1e3", "E1012", "request.x: expected int, got float"},
      {"int", kInt, R"("5")", "E1012", "request.x: expected int, got string"},
      {"int", kInt, "true", "E1012", "request.x: expected int, got bool"},
      {"int", kInt, "9223372036854775808", "E1014", "request.x: integer out of range"},
      {"int", kInt, "-9223372036854775809", "E1014", "request.x: integer out of range"},
      {"int", kInt, "100000000000000000000000", "E1014", "request.x: integer out of range"},
      {"float", kFloat, R"("nan")", "E1012", "request.x: expected float, got string"},
      {"float", kFloat, R"("1.5")", "E1012", "request.x: expected float, got string"},
      {"float", kFloat, "[1.5]", "E1012", "request.x: expected float, got array"},
      {"string", kString, "5", "E1012", "request.x: expected string, got int"},
      {"string", kString, "{}", "E1012", "request.x: expected string, got object"},
      {"duration", kDuration, R"("5x")", "E1012",
       R"(request.x: invalid duration "5x" (expected e.g. "250ms", "30s", "5m", "1h", "1d" or integer milliseconds))"},
      {"duration", kDuration, R"("1.5s")", "E1012", ""},
      {"duration", kDuration, R"("-5s")", "E1012", ""},
      {"duration", kDuration, R"("s")", "E1012", ""},
      {"duration", kDuration, R"("30")", "E1012", ""},
      {"duration", kDuration, R"("30 s")", "E1012", ""},
      {"duration", kDuration, "1.5", "E1012", "request.x: expected duration, got float"},
      {"duration", kDuration, R"("9223372036854775807d")", "E1014",
       "request.x: duration out of range"},
      {"duration", kDuration, R"("99999999999999999999ms")", "E1014",
       "request.x: duration out of range"},
      {"time", kTime, R"("2025-13-01T00:00:00Z")", "E1021",
       R"(request.x: invalid time "2025-13-01T00:00:00Z" (expected RFC3339 or epoch milliseconds))"},
      {"time", kTime, "1.5", "E1012", "request.x: expected time, got float"},
      {"enum", kTier, R"("gold")", "E1013", R"(request.x: unknown enum value "gold")"},
      {"enum", kTier, R"("Pro")", "E1013", R"(request.x: unknown enum value "Pro")"},
      {"enum", kTier, "1", "E1012", "request.x: expected tier, got int"},
      {"list<string>", kListString, R"(["a",2,"c"])", "E1012",
       "request.x[1]: expected string, got int"},
      {"list<string>", kListString, R"(["a",null])", "E1012",
       "request.x[1]: expected string, got null"},
      {"list<string>", kListString, R"({"a":"b"})", "E1012",
       "request.x: expected list<string>, got object"},
      {"set<int>", kSetInt, "[1,2.5]", "E1012", "request.x[1]: expected int, got float"},
      {"map<string,float>", kMapFloat, R"({"gpu":"fast"})", "E1012",
       "request.x.gpu: expected float, got string"},
      {"map<string,float>", kMapFloat, R"({"a.b":true})", "E1012",
       R"(request.x["a.b"]: expected float, got bool)"},
      {"map<string,float>", kMapFloat, "[]", "E1012",
       "request.x: expected map<string, float>, got array"},
      {"map<tier,int>", kMapTierInt, R"({"gold":1})", "E1013",
       R"(request.x.gold: unknown enum value "gold")"},
      {"list<map<string,int>>", kListMapInt, R"([{"a":1},{"b":"x"}])", "E1012",
       "request.x[1].b: expected int, got string"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.type);
    CAPTURE(c.json);
    Value v;
    const auto err = BindX(c.make, c.json, &v);
    REQUIRE(err.has_value());
    CHECK(err->code == c.code);
    if (!c.error.empty()) {
      CHECK(err->ToString() == c.error);
    }
    CHECK(err->path.rfind("request.x", 0) == 0);
  }
}

// A request line of the route-16 workload (shared/bench/data/requests.jsonl).
constexpr const char* kR00000 =
    R"({"id":"r00000","tenant":"tenant-039","tier":"pro","region":"eu-west","jurisdiction":"eu",)"
    R"("data_class":"phi","model_family":"embed","latency_budget_ms":300,"tokens":2859})";

TEST_CASE("a route-16 request binds in schema order") {
  const Policy p = testing::Route16Policy();
  BoundRequest req;
  RequestBindInfo info;
  const auto err = BindRequestJson(p, kR00000, {}, &req, &info);
  REQUIRE_FALSE(err.has_value());
  REQUIRE(req.fields.size() == 9);
  const char* expected[] = {"str:r00000", "str:tenant-039", "enum:1",  "str:eu-west", "enum:0",
                            "enum:2",     "enum:2",         "int:300", "int:2859"};
  for (size_t i = 0; i < 9; ++i) {
    CAPTURE(p.request.fields[i].name);
    CHECK(DescribeValue(req.fields[i]) == expected[i]);
  }
  CHECK(info.decision_id == std::optional<std::string>("r00000"));
  CHECK(info.unknown_fields == 0);
}

Policy FieldsPolicy() {
  Policy p = testing::EmptyPolicy();
  TypeTable& t = p.types;
  FieldInfo id = testing::IdField("id", t.String());
  id.optional = true;
  p.request.fields = {
      id,
      Field("tier", Tier(t)),
      testing::OptionalField("note", t.String()),
      testing::DefaultField("region", t.String(), Value::Str("eu-west")),
      testing::DefaultField("budget", t.Int(), Value::Int(300)),
  };
  return p;
}

TEST_CASE("required, optional and default fields") {
  struct Case {
    std::string name;
    std::string json;
    std::string fields;       // DescribeValue of each field, joined by " "
    std::string decision_id;  // empty: none
  };
  const Case cases[] = {
      {"all present", R"({"id":"a","tier":"pro","note":"n","region":"us-east","budget":5})",
       "str:a enum:1 str:n str:us-east int:5", "a"},
      {"optional absent is missing, defaults apply", R"({"tier":"free"})",
       "missing enum:0 missing str:eu-west int:300", ""},
      {"null reads as absent", R"({"id":null,"tier":"free","note":null,"region":null})",
       "missing enum:0 missing str:eu-west int:300", ""},
  };
  const Policy p = FieldsPolicy();
  for (const Case& c : cases) {
    CAPTURE(c.name);
    BoundRequest req;
    RequestBindInfo info;
    const auto err = BindRequestJson(p, c.json, {}, &req, &info);
    REQUIRE_FALSE(err.has_value());
    std::string got;
    for (const Value& v : req.fields) {
      got += (got.empty() ? "" : " ") + DescribeValue(v);
    }
    CHECK(got == c.fields);
    CHECK(info.decision_id == (c.decision_id.empty() ? std::optional<std::string>()
                                                     : std::optional<std::string>(c.decision_id)));
  }
}

TEST_CASE("request-level errors") {
  struct Case {
    std::string name;
    std::string json;
    bool reject_unknown;
    bool closed;
    std::string code;
    std::string error;
  };
  const Case cases[] = {
      {"missing required", R"({"id":"a"})", true, false, "E1010",
       "request.tier: missing required field"},
      {"null required", R"({"tier":null})", true, false, "E1010",
       "request.tier: missing required field"},
      // The misspelling is reported, not the missing field it causes.
      {"unknown field", R"({"teir":"pro"})", true, false, "E1011", "request.teir: unknown field"},
      {"unknown odd key", R"({"tier":"pro","a b":1})", true, false, "E1011",
       R"(request["a b"]: unknown field)"},
      {"closed schema rejects in the library too", R"({"tier":"pro","extra":1})", false, true,
       "E1011", "request.extra: unknown field"},
      {"not an object", R"(["tier"])", true, false, "E1012",
       "request: expected an object, got array"},
      {"duplicate key", R"({"tier":"free","tier":"premium"})", true, false, "E1001",
       R"(request.tier: duplicate key "tier")"},
      {"syntax", R"({"tier":"free",})", true, false, "E1001", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Policy p = FieldsPolicy();
    p.request.closed = c.closed;
    BoundRequest req;
    req.fields = {Value::Int(99)};  // must be left as it was
    const auto err = BindRequestJson(p, c.json, {.reject_unknown = c.reject_unknown}, &req);
    REQUIRE(err.has_value());
    CHECK(err->code == c.code);
    if (!c.error.empty()) {
      CHECK(err->ToString() == c.error);
    }
    REQUIRE(req.fields.size() == 1);
    CHECK(DescribeValue(req.fields[0]) == "int:99");
  }
}

TEST_CASE("the library counts unknown fields instead of rejecting them") {
  const Policy p = FieldsPolicy();
  BoundRequest req;
  RequestBindInfo info;
  const auto err = BindRequestJson(p, R"({"tier":"pro","v2_field":1,"other":{"a":[1]}})",
                                   {.reject_unknown = false}, &req, &info);
  REQUIRE_FALSE(err.has_value());
  CHECK(info.unknown_fields == 2);
  CHECK(DescribeValue(req.fields[1]) == "enum:1");
}

TEST_CASE("the decision id is reported even when the request is rejected") {
  const Policy p = FieldsPolicy();
  BoundRequest req;
  RequestBindInfo info;
  const auto err = BindRequestJson(p, R"({"id":"abc","tier":"gold","x":1})",
                                   {.reject_unknown = false}, &req, &info);
  REQUIRE(err.has_value());
  CHECK(err->code == "E1013");
  CHECK(info.decision_id == std::optional<std::string>("abc"));
  CHECK(info.unknown_fields == 1);
}

TEST_CASE("an int id becomes the decision id") {
  Policy p = testing::EmptyPolicy();
  p.request.fields = {testing::IdField("seq", p.types.Int())};
  BoundRequest req;
  RequestBindInfo info;
  REQUIRE_FALSE(BindRequestJson(p, R"({"seq":-12})", {}, &req, &info).has_value());
  CHECK(info.decision_id == std::optional<std::string>("-12"));
}

}  // namespace
}  // namespace mixtral
