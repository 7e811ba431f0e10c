// ParseTime / FormatTime (contract §3). Expected epoch values are worked out
// from day counts: 1970..2024 holds 55 years and 14 leap days, so
// 2025-01-01T00:00:00Z is 20089 days = 1735689600000 ms.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "mixtral/runtime/inputs.h"

namespace mixtral {
namespace {

constexpr int64_t k2025 = 1'735'689'600'000;

TEST_CASE("ParseTime accepts RFC3339 and epoch milliseconds") {
  struct Case {
    std::string text;
    int64_t ms;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00.001Z", 1},
      {"2025-01-01T00:00:00Z", k2025},
      {"2025-01-01t00:00:00z", k2025},  // RFC3339 §5.6 allows lower case
      {"2025-01-01T00:00:00.5Z", k2025 + 500},
      {"2025-01-01T00:00:00.12Z", k2025 + 120},
      {"2025-01-01T00:00:00.123456789Z", k2025 + 123},  // truncated, not rounded
      {"2025-01-01T00:00:00.9999Z", k2025 + 999},
      {"2025-01-01T01:30:00+01:30", k2025},
      {"2024-12-31T19:00:00-05:00", k2025},
      {"2025-01-01T00:00:00+00:00", k2025},
      {"2025-01-01T00:00:00-00:00", k2025},
      // 2026-01-01 is day 20454; Nov 27 is 304 + 26 = 330 days later.
      {"2026-11-27T10:00:00Z", (20454LL + 330) * 86'400'000 + 10LL * 3'600'000},
      {"2024-02-29T00:00:00Z", k2025 - (366LL - 31 - 28) * 86'400'000},
      // 1960..1969 holds 3 leap years: 3653 days before the epoch.
      {"1960-01-01T00:00:00Z", -3653LL * 86'400'000},
      {"1969-12-31T23:59:59.999Z", -1},
      {"1970-01-01T00:30:00+01:00", -1'800'000},
      {"0000-01-01T00:00:00Z", -62'167'219'200'000},
      {"9999-12-31T23:59:59.999Z", 253'402'300'799'999},
      {"0", 0},
      {"-1", -1},
      {"1735689600000", k2025},
      {"-9223372036854775808", std::numeric_limits<int64_t>::min()},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(ParseTime(c.text) == std::optional<int64_t>(c.ms));
  }
}

TEST_CASE("ParseTime rejects malformed times") {
  const std::string cases[] = {
      "",
      "-",
      "+5",
      " 0",
      "1e3",
      "12.5",
      "9223372036854775808",
      "2025-01-01",
      "2025-01-01T00:00:00",   // no zone
      "2025-01-01 00:00:00Z",  // RFC3339 proper needs the T
      "2025-02-29T00:00:00Z",  // not a leap year
      "2100-02-29T00:00:00Z",  // divisible by 100, not by 400
      "2025-13-01T00:00:00Z",
      "2025-00-01T00:00:00Z",
      "2025-04-31T00:00:00Z",
      "2025-01-01T24:00:00Z",
      "2025-01-01T00:60:00Z",
      "2025-01-01T00:00:60Z",  // leap seconds have no epoch millisecond
      "2025-01-01T00:00:00.Z",
      "2025-01-01T00:00:00+0100",
      "2025-01-01T00:00:00+24:00",
      "2025-01-01T00:00:00Zjunk",
      "25-01-01T00:00:00Z",
      "2025-1-01T00:00:00Z",
  };
  for (const std::string& text : cases) {
    CAPTURE(text);
    CHECK_FALSE(ParseTime(text).has_value());
  }
}

TEST_CASE("FormatTime writes UTC with milliseconds") {
  struct Case {
    int64_t ms;
    std::string text;
  };
  const Case cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1, "1970-01-01T00:00:00.001Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {k2025 + 250, "2025-01-01T00:00:00.250Z"},
      {-3653LL * 86'400'000, "1960-01-01T00:00:00.000Z"},
      {-62'167'219'200'000, "0000-01-01T00:00:00.000Z"},
      {253'402'300'799'999, "9999-12-31T23:59:59.999Z"},
      // Beyond RFC3339's years: the extremes as java.time.Instant prints them.
      {std::numeric_limits<int64_t>::max(), "+292278994-08-17T07:12:55.807Z"},
      {std::numeric_limits<int64_t>::min(), "-292275055-05-16T16:47:04.192Z"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.ms);
    CHECK(FormatTime(c.ms) == c.text);
  }
}

TEST_CASE("FormatTime and ParseTime round-trip over years 0000..9999") {
  constexpr int64_t kFirst = -62'167'219'200'000;  // 0000-01-01T00:00:00.000Z
  constexpr int64_t kLast = 253'402'300'799'999;   // 9999-12-31T23:59:59.999Z
  uint64_t state = 0x9e3779b97f4a7c15;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // an LCG
    const int64_t ms =
        kFirst + static_cast<int64_t>(state % static_cast<uint64_t>(kLast - kFirst + 1));
    const std::string text = FormatTime(ms);
    CAPTURE(ms);
    CAPTURE(text);
    REQUIRE(ParseTime(text) == std::optional<int64_t>(ms));
  }
  for (int64_t ms : {kFirst, kLast, int64_t{-1}, int64_t{0}, int64_t{951'782'400'000}}) {
    CHECK(ParseTime(FormatTime(ms)) == std::optional<int64_t>(ms));
  }
}

}  // namespace
}  // namespace mixtral
