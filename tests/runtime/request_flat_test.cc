// The flat fast path of request binding against the document binder: on
// every text, valid or not, both must give the same fields, id and unknown
// count, or the same error (code, path, message and offset).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mixtral/runtime/inputs.h"
#include "test_policy.h"

namespace mixtral {
namespace {

using testing::DefaultField;
using testing::Field;
using testing::IdField;
using testing::OptionalField;

Policy MixedPolicy() {
  Policy p = testing::EmptyPolicy();
  TypeTable& t = p.types;
  const TypeId tier = t.NewEnum(EnumInfo{"tier", {"free", "pro", "premium"}});
  p.request.fields = {IdField("id", t.String()),
                      Field("tier", tier),
                      Field("tokens", t.Int()),
                      Field("budget", t.Float()),
                      OptionalField("region", t.String()),
                      DefaultField("stream", t.Bool(), Value::Bool(false)),
                      OptionalField("timeout", t.Duration()),
                      OptionalField("deadline", t.Time()),
                      OptionalField("tags", t.List(t.String()))};
  return p;
}

// Same kind and same value; NaN equals NaN, and -0.0 differs from 0.0.
bool Same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == Value::Kind::kFloat) {
    const double x = a.as_float(), y = b.as_float();
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    return x == y && std::signbit(x) == std::signbit(y);
  }
  return a.is_missing() || ValueEquals(a, b);
}

// Binds `text` both ways and compares the answers.
void CheckSame(const Policy& p, const std::string& text, bool reject_unknown) {
  CAPTURE(text);
  CAPTURE(reject_unknown);
  RequestBindOptions fast, dom;
  fast.reject_unknown = dom.reject_unknown = reject_unknown;
  dom.flat_fast_path = false;
  BoundRequest a, b;
  RequestBindInfo ia, ib;
  auto ea = BindRequestJson(p, text, fast, &a, &ia);
  auto eb = BindRequestJson(p, text, dom, &b, &ib);
  REQUIRE(ea.has_value() == eb.has_value());
  CHECK(ia.decision_id == ib.decision_id);
  CHECK(ia.unknown_fields == ib.unknown_fields);
  if (ea) {
    CHECK(ea->ToString() == eb->ToString());
    CHECK(ea->code == eb->code);
    CHECK(ea->byte_offset == eb->byte_offset);
    return;
  }
  REQUIRE(a.fields.size() == b.fields.size());
  for (size_t i = 0; i < a.fields.size(); ++i) {
    CAPTURE(i);
    CHECK(Same(a.fields[i], b.fields[i]));
  }
}

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> texts = {
      R"({"id":"r1","tier":"pro","tokens":12,"budget":0.5})",
      R"({"tier":"free","id":"r2","budget":3,"tokens":-9223372036854775808,"stream":true})",
      R"({"id":"r3","tier":"premium","tokens":0,"budget":"NaN","region":"eu-west"})",
      R"({"id":"r4","tier":"pro","tokens":1,"budget":"-Infinity","timeout":"250ms"})",
      R"({"id":"r5","tier":"pro","tokens":1,"budget":-0.0,"deadline":"2026-01-01T00:00:00Z"})",
      R"({"id":"r6","tier":"pro","tokens":1,"budget":1e308,"timeout":1500,"deadline":17})",
      R"({"id":"r7","tier":"pro","tokens":1,"budget":18446744073709551616})",
      R"({"id":"r8","tier":"pro","tokens":1,"budget":1,"region":null,"stream":null})",
      R"({"id":"r9","tier":"pro","tokens":1,"budget":1,"tags":["a","b"]})",
      R"({"id":"ré","tier":"pro","tokens":1,"budget":1,"region":"東京"})",
      R"({"id":17,"tier":"pro","tokens":1,"budget":1})",
      R"({"id":null,"tier":"pro","tokens":1,"budget":1})",
      R"( { "id" : "sp" , "tier" : "pro" , "tokens" : 1 , "budget" : 1 } )",
      // Each of these is an error, or leaves the fast path.
      R"({"id":"e1","tier":"Pro","tokens":1,"budget":1})",
      R"({"id":"e2","tier":"pro","tokens":1.5,"budget":1})",
      R"({"id":"e3","tier":"pro","tokens":9223372036854775808,"budget":1})",
      R"({"id":"e4","tier":"pro","tokens":1})",
      R"({"id":"e5","tier":"pro","tokens":1,"budget":1,"tokens":2})",
      R"({"id":"e6","tier":"pro","tokens":1,"budget":1,"colour":"red"})",
      R"({"id":"e7","tier":"pro","tokens":1,"budget":"1"})",
      R"({"id":"e8","tier":"pro","tokens":1,"budget":1,"timeout":"5 s"})",
      R"({"id":"e9","tier":"pro","tokens":1,"budget":1,"deadline":"yesterday"})",
      R"({"id":"e10","tier":"pro","tokens":1,"budget":1e999})",
      R"({"id":"e11","tier":"pro","tokens":1,"budget":1,"stream":1})",
      R"({"id":"e12","tier":"pro","tokens":1,"budget":1,"region":{"a":1}})",
      R"({"id":"e13","tier":"pro","tokens":1,"budget":1} trailing)",
      R"({"id":"e14","tier":"pro","tokens":1,"budget":1,})",
      R"(["id","e15"])",
      R"("e16")",
      R"()",
      R"({"id":"e18","tier":"pro","tokens":1,"budget":1,"timeout":"99999999999999999999d"})",
      R"({"id":"e19","tier":"pro","tokens":1,"budget":1,"tags":[null]})",
      "{\"id\":\"e20\xff\",\"tier\":\"pro\",\"tokens\":1,\"budget\":1}",
      R"({"id":"e21","tier":"pro","tokens":-1e2,"budget":1})",
  };
  return texts;
}

TEST_CASE("the flat fast path binds exactly as the document binder, errors included") {
  const Policy p = MixedPolicy();
  for (const std::string& text : Corpus()) {
    CheckSame(p, text, true);
    CheckSame(p, text, false);
  }
  // A string at the length limit binds; one byte more is an error.
  const std::string at_limit(kMaxStringFieldBytes, 'x');
  for (const std::string& region : {at_limit, at_limit + "x"})
    CheckSame(p, R"({"id":"l","tier":"pro","tokens":1,"budget":1,"region":")" + region + "\"}",
              true);
  // An id too long to be reported fails binding either way.
  CheckSame(p, R"({"id":")" + at_limit + "x\",\"tier\":\"pro\",\"tokens\":1,\"budget\":1}", false);
}

TEST_CASE("the flat fast path agrees on mutated texts") {
  // Single-byte edits of valid requests reach most corners of the grammar.
  const Policy p = MixedPolicy();
  std::mt19937_64 rng(7);
  const std::string alphabet = "{}[],:\"\\ 0123456789.eE+-ntfalsruNIy\x01\xc3\xa9";
  size_t checked = 0;
  for (size_t k = 0; k < 13; ++k) {
    const std::string& base = Corpus()[k];
    for (int round = 0; round < 300; ++round) {
      std::string text = base;
      const size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(pos, 1);
          break;
        default:
          text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
      CheckSame(p, text, (round & 1) != 0);
      ++checked;
    }
  }
  CHECK(checked == 13 * 300);
}

TEST_CASE("a flat request binds every field, defaults included") {
  const Policy p = MixedPolicy();
  BoundRequest r;
  RequestBindInfo info;
  REQUIRE_FALSE(
      BindRequestJson(p, R"({"id":"x","tier":"pro","tokens":3,"budget":2})", {}, &r, &info));
  REQUIRE(r.fields.size() == 9);
  CHECK(r.fields[1].as_enum() == 1u);
  CHECK(r.fields[2].as_int() == 3);
  CHECK(r.fields[3].as_float() == 2.0);
  CHECK(r.fields[4].is_missing());
  CHECK(r.fields[5].kind() == Value::Kind::kBool);
  CHECK(info.decision_id == std::optional<std::string>("x"));
}

}  // namespace
}  // namespace mixtral
