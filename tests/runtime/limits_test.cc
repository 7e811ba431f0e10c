// The input limits of contract §8, each answered with a located error.
#include <doctest/doctest.h>

#include <string>

#include "mixtral/runtime/inputs.h"
#include "test_policy.h"

namespace mixtral {
namespace {

using testing::Field;
using testing::OptionalField;

Policy LimitsPolicy() {
  Policy p = testing::EmptyPolicy();
  p.request.fields = {OptionalField("s", p.types.String()), OptionalField("n", p.types.Int()),
                      OptionalField("deep", p.types.List(p.types.List(p.types.Int())))};
  return p;
}

std::optional<InputError> Bind(const std::string& json) {
  const Policy p = LimitsPolicy();
  BoundRequest req;
  return BindRequestJson(p, json, {.reject_unknown = false}, &req);
}

// `json` padded with trailing spaces to exactly `size` bytes.
std::string PadTo(std::string json, size_t size) {
  json.resize(size, ' ');
  return json;
}

TEST_CASE("request size limit is 64 KiB") {
  CHECK_FALSE(Bind(PadTo(R"({"n":1})", kMaxRequestBytes)).has_value());
  const auto err = Bind(PadTo(R"({"n":1})", kMaxRequestBytes + 1));
  REQUIRE(err.has_value());
  CHECK(err->code == "E1003");
  CHECK(err->ToString() == "request: request is 65537 bytes; the limit is 65536");
}

TEST_CASE("snapshot size limit is 64 MiB") {
  const Policy p = testing::EmptyPolicy();
  BoundSnapshot snap;
  const std::string ok = PadTo(R"({"targets":[]})", kMaxSnapshotBytes);
  CHECK_FALSE(BindSnapshotJson(p, ok, std::nullopt, &snap).has_value());
  const std::string big = PadTo(R"({"targets":[]})", kMaxSnapshotBytes + 1);
  const auto err = BindSnapshotJson(p, big, std::nullopt, &snap);
  REQUIRE(err.has_value());
  CHECK(err->code == "E1003");
  CHECK(err->path == "snapshot");
  // An oversized --inventory is refused on its own account.
  const auto inv =
      BindSnapshotJson(p, R"({"targets":[]})", PadTo("[]", kMaxSnapshotBytes + 1), &snap);
  REQUIRE(inv.has_value());
  CHECK(inv->code == "E1003");
  CHECK(inv->path == "inventory");
}

TEST_CASE("JSON depth limit is 64, counted before parsing") {
  // The object is level 1, so 63 arrays inside it reach 64 and 64 arrays reach 65.
  const std::string ok = R"({"x":)" + std::string(63, '[') + std::string(63, ']') + "}";
  CHECK_FALSE(Bind(ok).has_value());
  const std::string deep = R"({"x":)" + std::string(64, '[') + std::string(64, ']') + "}";
  const auto err = Bind(deep);
  REQUIRE(err.has_value());
  CHECK(err->code == "E1004");
  CHECK(err->path == "request");
  // `{"x":` is bytes 0..4; the 64th '[' is at 5 + 63.
  CHECK(err->byte_offset == std::optional<size_t>(68));

  // Brackets inside strings are text, not nesting; an escaped quote does not end the string.
  const std::string in_string = R"({"s":"\")" + std::string(100, '[') + R"("})";
  CHECK_FALSE(Bind(in_string).has_value());

  // The check runs before the parser, so unbalanced input is still refused by depth.
  std::string out;
  const auto unbalanced = CanonicalizeJson(std::string(100000, '['), &out);
  REQUIRE(unbalanced.has_value());
  CHECK(unbalanced->code == "E1004");
  CHECK(unbalanced->byte_offset == std::optional<size_t>(64));
}

TEST_CASE("string fields are limited to 4 KiB of UTF-8") {
  struct Case {
    std::string name;
    std::string value;  // JSON text of the string literal
    bool ok;
  };
  std::string e_acute_2048, e_acute_2049, escaped_2048;
  for (int i = 0; i < 2048; ++i) {
    e_acute_2048 += "\xC3\xA9";
  }
  e_acute_2049 = e_acute_2048 + "\xC3\xA9";
  for (int i = 0; i < 2048; ++i) {
    escaped_2048 += "\\u00e9";  // 12288 bytes of text, 4096 decoded
  }
  const Case cases[] = {
      {"4096 ASCII", "\"" + std::string(4096, 'a') + "\"", true},
      {"4097 ASCII", "\"" + std::string(4097, 'a') + "\"", false},
      {"4096 bytes of é", "\"" + e_acute_2048 + "\"", true},
      {"4098 bytes of é", "\"" + e_acute_2049 + "\"", false},
      {"escapes count decoded", "\"" + escaped_2048 + "\"", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto err = Bind(R"({"s":)" + c.value + "}");
    if (c.ok) {
      CHECK_FALSE(err.has_value());
    } else {
      REQUIRE(err.has_value());
      CHECK(err->code == "E1005");
      CHECK(err->path == "request.s");
    }
  }
  const auto err = Bind(R"({"s":")" + std::string(4097, 'a') + R"("})");
  REQUIRE(err.has_value());
  CHECK(err->message == "string too long: 4097 bytes; the limit is 4096");
}

TEST_CASE("invalid UTF-8 is reported at its byte offset") {
  struct Case {
    std::string name;
    std::string json;
    size_t offset;
  };
  const Case cases[] = {
      // {"s":"ab<FF>"}: '{' 0, '"' 1, 's' 2, '"' 3, ':' 4, '"' 5, 'a' 6, 'b' 7.
      {"stray byte", "{\"s\":\"ab\xFF\"}", 8},
      {"overlong NUL", "{\"s\":\"\xC0\x80\"}", 6},
      {"encoded surrogate", "{\"s\":\"x\xED\xA0\x80\"}", 7},
      {"truncated sequence", "{\"s\":\"\xE2\x82\"}", 6},
      {"above U+10FFFF", "{\"s\":\"\xF4\x90\x80\x80\"}", 6},
      {"outside a string", "{\"s\":\"a\"}\xFF", 9},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto err = Bind(c.json);
    REQUIRE(err.has_value());
    CHECK(err->code == "E1002");
    CHECK(err->path == "request");
    CHECK(err->byte_offset == std::optional<size_t>(c.offset));
    CHECK(err->message == "invalid UTF-8 at byte " + std::to_string(c.offset));
  }
}

}  // namespace
}  // namespace mixtral
