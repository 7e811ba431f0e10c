#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("len counts code points and elements") {
  const CallCase cases[] = {
      {"len", {S("")}, I(0)},
      {"len", {S("hello")}, I(5)},
      {"len", {S("h\xC3\xA9llo")}, I(5)},              // héllo
      {"len", {S("\xE6\x97\xA5\xE6\x9C\xAC")}, I(2)},  // 日本
      {"len", {S("\xF0\x9F\x98\x80")}, I(1)},          // U+1F600
      {"len", {Value::ListOf({I(1), I(1), I(2)})}, I(3)},
      {"len", {Value::SetOf({I(1), I(1), I(2)})}, I(2)},
      {"len", {Value::MapOf({{S("a"), I(1)}, {S("b"), I(2)}})}, I(2)},
      {"len", {Value::ListOf({})}, I(0)},
  };
  CheckCalls(cases);
}

TEST_CASE("lower and upper change ASCII letters only") {
  const CallCase cases[] = {
      {"lower", {S("HeLLo 123_Z")}, S("hello 123_z")},
      {"lower",
       {S("\xC3\x89"
          "COLE")},
       S("\xC3\x89"
         "cole")},  // École: É stays
      {"lower", {S("")}, S("")},
      {"lower", {S("@AZ[`az{")}, S("@az[`az{")},
      {"upper", {S("hello @[`{")}, S("HELLO @[`{")},
      {"upper",
       {S("stra\xC3\x9F"
          "e")},
       S("STRA\xC3\x9F"
         "E")},  // ß stays
  };
  CheckCalls(cases);
}

TEST_CASE("starts_with, ends_with and contains compare bytes") {
  const CallCase cases[] = {
      {"starts_with", {S("hello"), S("he")}, B(true)},
      {"starts_with", {S("hello"), S("lo")}, B(false)},
      {"starts_with", {S("hello"), S("")}, B(true)},
      {"starts_with", {S(""), S("a")}, B(false)},
      {"starts_with", {S("hello"), S("He")}, B(false)},
      {"starts_with", {S("he"), S("hello")}, B(false)},
      {"ends_with", {S("hello"), S("lo")}, B(true)},
      {"ends_with", {S("hello"), S("he")}, B(false)},
      {"ends_with", {S("hello"), S("")}, B(true)},
      {"ends_with", {S("lo"), S("hello")}, B(false)},
      {"contains", {S("hello"), S("ell")}, B(true)},
      {"contains", {S("hello"), S("")}, B(true)},
      {"contains", {S(""), S("")}, B(true)},
      {"contains", {S("hello"), S("L")}, B(false)},
      {"contains", {S("hello"), S("hello!")}, B(false)},
  };
  CheckCalls(cases);
}

TEST_CASE("matches is an unanchored RE2 search") {
  struct Case {
    std::string_view s;
    std::string_view pattern;
    bool want;
  };
  const Case cases[] = {
      {"abc123", "[0-9]+", true},
      {"abc", "^b", false},
      {"abc", "b", true},
      {"abc", "^abc$", true},
      {"abcd", "^abc$", false},
      {"gpt-4o-mini", "^gpt-4", true},
      {"h\xC3\xA9", "^h.$", true},  // UTF-8 mode: é is one character
      {"", "^$", true},
      {"ABC", "(?i)abc", true},
  };
  std::vector<std::shared_ptr<const PreparedArg>> prepared;
  for (const Case& c : cases) {
    std::string error;
    prepared.push_back(PrepareLiteral(BuiltinId::kMatches, S(c.pattern), &error));
    CAPTURE(c.pattern);
    REQUIRE(prepared.back() != nullptr);
    CHECK(error.empty());
  }
  // Both paths must agree: the pattern prepared once and the one compiled per call.
  auto check_all = [&](bool use_prepared) {
    for (size_t i = 0; i < std::size(cases); ++i) {
      const Case& c = cases[i];
      CAPTURE(c.s);
      CAPTURE(c.pattern);
      const PreparedArg* arg = use_prepared ? prepared[i].get() : nullptr;
      CHECK(DescribeValue(Call("matches", {S(c.s), S(c.pattern)}, arg)) ==
            DescribeValue(B(c.want)));
    }
  };
  SUBCASE("prepared") { check_all(true); }
  SUBCASE("compiled per call") { check_all(false); }
}

TEST_CASE("matches rejects an invalid pattern") {
  std::string error;
  CHECK(PrepareLiteral(BuiltinId::kMatches, S("(ab"), &error) == nullptr);
  CHECK(error.starts_with("invalid regex: "));
  CHECK(error.find("missing )") != std::string::npos);
  // Unprepared, the same pattern cannot match anything: missing, not a crash.
  CHECK(Call("matches", {S("ab"), S("(ab")}).is_missing());

  error.clear();
  CHECK(PrepareLiteral(BuiltinId::kMatches, I(3), &error) == nullptr);
  CHECK(error == "the literal argument must be a string");
  CHECK(PrepareLiteral(BuiltinId::kMatches, S("("), nullptr) == nullptr);  // no error sink
}

}  // namespace
}  // namespace mixtral::testing
