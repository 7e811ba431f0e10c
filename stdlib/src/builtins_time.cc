// seconds, millis, hour_of_day, day_of_week and in_window. Times are int
// epoch milliseconds in UTC; every function is plain integer arithmetic, with
// floor division so that times before 1970 land on the right day and hour.
#include <cstdint>
#include <optional>

#include "builtins_impl.h"

namespace mixtral::stdlib_internal {
namespace {

constexpr int64_t kMsPerMinute = int64_t{60} * 1000;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

struct DayAndTime {
  int64_t days;  // since 1970-01-01
  int64_t ms;    // into that day, in [0, kMsPerDay)
};

// Floor division, written so that it cannot overflow even at INT64_MIN.
DayAndTime SplitDay(int64_t time_ms) {
  int64_t days = time_ms / kMsPerDay;
  int64_t ms = time_ms % kMsPerDay;
  if (ms < 0) {
    ms += kMsPerDay;
    --days;
  }
  return {days, ms};
}

// Howard Hinnant's weekday_from_days ("chrono-Compatible Low-Level Date
// Algorithms"): 0 is Sunday. 1970-01-01 was a Thursday (4); the second branch
// keeps the dividend non-negative for days before it.
int64_t WeekdayFromDays(int64_t days) { return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6; }

// "HH:MM" from 00:00 to 23:59, as milliseconds into the day.
std::optional<int64_t> ParseHhMm(std::string_view s) {
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 5 || !digit(0) || !digit(1) || s[2] != ':' || !digit(3) || !digit(4)) {
    return std::nullopt;
  }
  const int hours = (s[0] - '0') * 10 + (s[1] - '0');
  const int minutes = (s[3] - '0') * 10 + (s[4] - '0');
  if (hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  return hours * kMsPerHour + minutes * kMsPerMinute;
}

}  // namespace

Value Seconds(int64_t duration_ms) {
  return Value::Float(static_cast<double>(duration_ms) / 1000.0);
}

Value Millis(int64_t duration_ms) { return Value::Int(duration_ms); }

Value HourOfDay(int64_t time_ms) { return Value::Int(SplitDay(time_ms).ms / kMsPerHour); }

Value DayOfWeek(int64_t time_ms) {
  const int64_t weekday = WeekdayFromDays(SplitDay(time_ms).days);
  return Value::Int(weekday == 0 ? 7 : weekday);  // ISO: Sunday is 7
}

Value InWindow(int64_t time_ms, std::string_view start, std::string_view end) {
  const std::optional<int64_t> from = ParseHhMm(start);
  const std::optional<int64_t> to = ParseHhMm(end);
  if (!from || !to) {
    return Value::Missing();
  }
  const int64_t ms = SplitDay(time_ms).ms;
  if (*from <= *to) {
    return Value::Bool(*from <= ms && ms < *to);
  }
  return Value::Bool(ms >= *from || ms < *to);  // wraps past midnight
}

}  // namespace mixtral::stdlib_internal
