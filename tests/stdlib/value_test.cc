#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("constructors and accessors") {
  CHECK(M().is_missing());
  CHECK(Value().kind() == Value::Kind::kMissing);
  CHECK(I(-3).as_int() == -3);
  CHECK(F(2.5).as_float() == 2.5);
  CHECK(B(true).as_bool());
  CHECK(Value::Enum(4).as_enum() == 4);
  CHECK(S("hé").as_string() == "h\xC3\xA9");
  CHECK(Value::ListOf({I(2), I(1), I(2)}).as_list().size() == 3);  // lists keep order
  // Wrong-kind accessors give empty values, not crashes.
  CHECK(I(1).as_list().empty());
  CHECK(I(1).as_map().empty());
  CHECK(I(1).as_string().empty());
  // Copies share their payload.
  const Value s = S("shared");
  const Value t = s;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
  CHECK(s.as_string().data() == t.as_string().data());
}

TEST_CASE("SetOf sorts and removes duplicates") {
  struct Case {
    std::string_view what;
    Value::List items;
    std::string want;
  };
  const Case cases[] = {
      {"ints", {I(3), I(1), I(2), I(1)}, "set{int:1,int:2,int:3}"},
      {"strings by code point",
       {S("b"), S("\xC3\xA9"), S("a"), S("B")},
       "set{str:B,str:a,str:b,str:\xC3\xA9}"},
      {"empty", {}, "set{}"},
      {"-0 and +0 are one element", {F(0.0), F(-0.0)}, "set{float:-0}"},
      {"-0 first either way", {F(-0.0), F(0.0)}, "set{float:-0}"},
      {"floats in total order",
       {F(1.0), F(-kInf), F(kInf), F(-1.0)},
       "set{float:-inf,float:-1,float:1,float:inf}"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const Value set = Value::SetOf(c.items);
    CHECK(set.kind() == Value::Kind::kSet);
    CHECK(DescribeValue(set) == c.want);
  }
  CHECK(ValueEquals(Value::SetOf({I(2), I(1)}), Value::SetOf({I(1), I(2), I(2)})));
  CHECK(ValueEquals(Value::SetOf({F(-0.0), F(0.0)}), Value::SetOf({F(0.0)})));
}

TEST_CASE("MapOf sorts by key and keeps the last duplicate") {
  const Value m = Value::MapOf({{S("b"), I(1)}, {S("a"), I(2)}, {S("b"), I(3)}, {S("c"), I(4)}});
  CHECK(m.kind() == Value::Kind::kMap);
  CHECK(DescribeValue(m) == "map{str:a=int:2,str:b=int:3,str:c=int:4}");
  CHECK(DescribeValue(Value::MapOf({{F(0.0), I(1)}, {F(-0.0), I(2)}})) == "map{float:-0=int:2}");
  CHECK(DescribeValue(Value::MapOf({{F(-0.0), I(1)}, {F(0.0), I(2)}})) == "map{float:0=int:2}");
}

TEST_CASE("ValueEquals") {
  struct Case {
    std::string_view what;
    Value a, b;
    bool want;
  };
  const int64_t two53 = int64_t{1} << 53;
  const Case cases[] = {
      {"ints", I(3), I(3), true},
      {"different ints", I(3), I(4), false},
      {"int and float by value", I(1), F(1.0), true},
      {"float and int by value", F(1.5), I(1), false},
      {"int rounds to the nearest double", I(two53 + 1), F(9007199254740992.0), true},
      {"NaN is unequal to itself", F(kNaN), F(kNaN), false},
      {"-0 == +0", F(-0.0), F(0.0), true},
      {"strings", S("a"), S("a"), true},
      {"strings differ", S("a"), S("A"), false},
      {"bools", B(true), B(true), true},
      {"enums", Value::Enum(1), Value::Enum(2), false},
      {"bool is not int", B(true), I(1), false},
      {"string is not int", S("1"), I(1), false},
      {"missing is unequal to itself", M(), M(), false},
      {"lists", Value::ListOf({I(1), S("x")}), Value::ListOf({I(1), S("x")}), true},
      {"lists by element value", Value::ListOf({I(1)}), Value::ListOf({F(1.0)}), true},
      {"list lengths", Value::ListOf({I(1)}), Value::ListOf({I(1), I(1)}), false},
      {"list order", Value::ListOf({I(1), I(2)}), Value::ListOf({I(2), I(1)}), false},
      {"list is not set", Value::ListOf({I(1)}), Value::SetOf({I(1)}), false},
      {"sets", Value::SetOf({I(1), I(2)}), Value::SetOf({I(2), I(1)}), true},
      {"maps", Value::MapOf({{S("k"), I(1)}}), Value::MapOf({{S("k"), I(1)}}), true},
      {"map values", Value::MapOf({{S("k"), I(1)}}), Value::MapOf({{S("k"), I(2)}}), false},
      {"map keys", Value::MapOf({{S("k"), I(1)}}), Value::MapOf({{S("j"), I(1)}}), false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(ValueEquals(c.a, c.b) == c.want);
    CHECK(ValueEquals(c.b, c.a) == c.want);
  }
}

TEST_CASE("ValueOrder is a total order: kind first, then value") {
  // Strictly increasing.
  const Value chain[] = {
      M(),
      B(false),
      B(true),
      I(kMinInt),
      I(-1),
      I(0),
      I(kMaxInt),
      F(-kNaN),
      F(-kInf),
      F(-1.0),
      F(-0.0),
      F(0.0),
      F(1.0),
      F(kInf),
      F(kNaN),
      S(""),
      S("B"),
      S("a"),
      S("ab"),
      S("b"),
      S("\xC3\xA9"),
      Value::Enum(0),
      Value::Enum(1),
      Value::ListOf({}),
      Value::ListOf({I(1)}),
      Value::ListOf({I(1), I(2)}),
      Value::ListOf({I(2)}),
      Value::SetOf({I(1)}),
      Value::MapOf({{S("a"), I(1)}}),
      Value::MapOf({{S("a"), I(2)}}),
      Value::MapOf({{S("b"), I(0)}}),
  };
  const size_t n = std::size(chain);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      CAPTURE(DescribeValue(chain[i]));
      CAPTURE(DescribeValue(chain[j]));
      const int want = i < j ? -1 : (i > j ? 1 : 0);
      CHECK(ValueOrder(chain[i], chain[j]) == want);
    }
  }
}

}  // namespace
}  // namespace mixtral::testing
