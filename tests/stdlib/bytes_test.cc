#include "mixtral/stdlib/bytes.h"

#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("FindInvalidUtf8 reports the offset of the first bad sequence") {
  struct Case {
    std::string_view what;
    std::string_view bytes;
    std::optional<size_t> want;
  };
  const Case cases[] = {
      {"empty", "", std::nullopt},
      {"ascii", "abc", std::nullopt},
      {"U+0080, smallest 2-byte", "\xC2\x80", std::nullopt},
      {"U+07FF", "\xDF\xBF", std::nullopt},
      {"U+0800, smallest 3-byte", "\xE0\xA0\x80", std::nullopt},
      {"U+D7FF, below the surrogates", "\xED\x9F\xBF", std::nullopt},
      {"U+E000, above the surrogates", "\xEE\x80\x80", std::nullopt},
      {"U+10000, smallest 4-byte", "\xF0\x90\x80\x80", std::nullopt},
      {"U+1F600, emoji", "x\xF0\x9F\x98\x80y", std::nullopt},
      {"U+10FFFF, largest", "\xF4\x8F\xBF\xBF", std::nullopt},
      {"NUL is valid", std::string_view("a\0b", 3), std::nullopt},
      {"overlong NUL", "\xC0\x80", 0},
      {"overlong 2-byte", "ab\xC1\xBF", 2},
      {"overlong 3-byte", "a\xE0\x80\x80", 1},
      {"overlong 3-byte, U+07FF", "\xE0\x9F\xBF", 0},
      {"overlong 4-byte", "\xF0\x80\x80\x80", 0},
      {"overlong 4-byte, U+FFFF", "\xF0\x8F\xBF\xBF", 0},
      {"surrogate U+D800", "\xED\xA0\x80", 0},
      {"surrogate U+DFFF", "ab\xED\xBF\xBF", 2},
      {"above U+10FFFF", "\xF4\x90\x80\x80", 0},
      {"F5 lead byte", "\xF5\x80\x80\x80", 0},
      {"FF byte", "\xFF", 0},
      {"lone continuation", "a\x80", 1},
      {"truncated 2-byte at end", "\xC3", 0},
      {"truncated 3-byte at end", "abc\xE2\x82", 3},
      {"truncated 4-byte at end", "\xF0\x9F\x98", 0},
      {"truncated 3-byte before ASCII", "\xE2\x82z", 0},
      {"bad second byte", "\xE2\x28\xA1", 0},
      {"bad third byte", "\xE2\x82\x28", 0},
      {"bad fourth byte", "\xF0\x9F\x98\x28", 0},
      {"error after valid text", "h\xC3\xA9llo\xFF", 6},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(FindInvalidUtf8(c.bytes) == c.want);
  }
}

TEST_CASE("CountCodePoints counts characters, not bytes") {
  struct Case {
    std::string_view text;
    size_t want;
  };
  const Case cases[] = {
      {"", 0},
      {"abc", 3},
      {"h\xC3\xA9llo", 5},
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 3},
      {"\xF0\x9F\x98\x80"
       "a",
       2},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(CountCodePoints(c.text) == c.want);
  }
}

TEST_CASE("Sha256Hex matches FIPS 180-2 vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
}  // namespace mixtral::testing
