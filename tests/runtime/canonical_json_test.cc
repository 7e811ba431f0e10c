// The canonical form (contract §12).
#include <doctest/doctest.h>

#include <string>

#include "mixtral/runtime/inputs.h"

namespace mixtral {
namespace {

TEST_CASE("CanonicalizeJson") {
  struct Case {
    std::string name;
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"whitespace goes", " { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { } } ", R"({"a":[1,2],"b":{}})"},
      {"keys sorted", R"({"b":1,"a":2,"ab":3,"B":4})", R"({"B":4,"a":2,"ab":3,"b":1})"},
      {"nested keys sorted", R"([{"z":{"y":1,"x":2}}])", R"([{"z":{"x":2,"y":1}}])"},
      // a U+0061 < z U+007A < é U+00E9 < € U+20AC < 😀 U+1F600
      {"non-ASCII keys by code point", R"({"😀":5,"€":4,"é":1,"z":2,"a":3})",
       R"({"a":3,"z":2,"é":1,"€":4,"😀":5})"},
      // UTF-16 order would put 😀 (D83D DE00) before ｡ (FF61).
      {"astral after BMP", R"({"😀":1,"｡":2})", R"({"｡":2,"😀":1})"},
      {"literals", "[true,false,null]", "[true,false,null]"},
      {"int", "42", "42"},
      {"negative int", "-7", "-7"},
      {"integer -0 is the int 0", "-0", "0"},
      {"int64 max", "9223372036854775807", "9223372036854775807"},
      {"int64 min", "-9223372036854775808", "-9223372036854775808"},
      // Beyond int64 an integer literal is read as the nearest double, 2^63.
      {"beyond int64", "9223372036854775808", "9223372036854775808.0"},
      {"float keeps .0", "1.0", "1.0"},
      {"float 1.5", "1.50", "1.5"},
      {"0.1", "0.1", "0.1"},
      {"-0.0", "-0.0", "-0.0"},
      {"exponent integral", "1E3", "1000.0"},
      {"1e300", "1e300", "1e+300"},
      {"1e21", "1e21", "1e+21"},
      {"small exponent", "1e-7", "1e-07"},
      {"fixed is shorter", "2.5e-3", "0.0025"},
      {"smallest subnormal", "5e-324", "5e-324"},
      // Fixed and exponent forms tie at 21 characters for the shortest digits;
      // to_chars then prefers the representation closest to the value, which
      // is the double's exact value, 7535204407491802 * 2^14.
      {"large fixed", "123456789012345680000.0", "123456789012345683968.0"},
      {"shortest round trip", "0.30000000000000004", "0.30000000000000004"},
      {"escapes", R"("q\"b\\s\/")", R"("q\"b\\s/")"},
      {"control characters", R"("a\nb\tc\u0001\u001F")", R"("a\u000ab\u0009c\u0001\u001f")"},
      {"DEL is escaped", R"("\u007f")", R"("\u007f")"},
      {"é stays raw", R"("\u00e9")", "\"\xC3\xA9\""},
      {"surrogate pair to raw UTF-8", R"("\ud83d\ude00")", "\"\xF0\x9F\x98\x80\""},
      {"NaN is only a string", R"(["NaN",1])", R"(["NaN",1])"},
      {"escaped keys sort by value", R"({"\u0062":1,"a":2})", R"({"a":2,"b":1})"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string out;
    const auto err = CanonicalizeJson(c.in, &out);
    REQUIRE_FALSE(err.has_value());
    CHECK(out == c.out);
    // The canonical form is a fixed point.
    std::string again;
    REQUIRE_FALSE(CanonicalizeJson(out, &again).has_value());
    CHECK(again == out);
  }
}

TEST_CASE("CanonicalizeJson errors are located") {
  struct Case {
    std::string name;
    std::string in;
    std::string code;
    std::string path;
    std::optional<size_t> offset;
  };
  const Case cases[] = {
      {"trailing comma", R"({"a":1,})", "E1001", "json", 7},
      // The offset is the last byte the parser read: the end of the bad token.
      {"missing comma", "[1 2]", "E1001", "json", 3},
      {"trailing garbage", R"({"a":1} x)", "E1001", "json", 8},
      {"empty", "", "E1001", "json", 0},
      {"unterminated string", "\"abc", "E1001", "json", 4},
      {"lone surrogate escape", R"(["\ud800"])", "E1001", "json", std::nullopt},
      {"duplicate key", R"({"a":{"b":1,"c":[{"d":1,"d":2}]}})", "E1001", "json.a.c[0].d",
       std::nullopt},
      {"invalid UTF-8", "[\"ab\xFF\"]", "E1002", "json", 4},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string out = "untouched";
    const auto err = CanonicalizeJson(c.in, &out);
    REQUIRE(err.has_value());
    CHECK(err->code == c.code);
    CHECK(err->path == c.path);
    if (c.offset) {
      CHECK(err->byte_offset == c.offset);
    }
    CHECK(out == "untouched");
  }
}

TEST_CASE("duplicate keys are named in the message") {
  std::string out;
  const auto err = CanonicalizeJson(R"({"tier":"free","tier":"premium"})", &out);
  REQUIRE(err.has_value());
  CHECK(err->ToString() == "json.tier: duplicate key \"tier\"");
}

}  // namespace
TEST_CASE("numbers beyond binary64 round to the infinities (SPEC §15.1)") {
  // IEEE rounding of 1e400 is +Infinity; canonical form writes it as a string.
  std::string out;
  REQUIRE_FALSE(CanonicalizeJson("[1e400,-1e400,1e300]", &out));
  CHECK(out == R"(["Infinity","-Infinity",1e+300])");
}

}  // namespace mixtral
