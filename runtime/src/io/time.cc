// Contract §3: times are epoch milliseconds, read from RFC3339 or a plain
// integer and written as RFC3339 UTC with milliseconds. The calendar
// arithmetic is Howard Hinnant's days_from_civil / civil_from_days, which is
// exact over the whole proleptic Gregorian calendar, so no libc time zone or
// time_t range is involved.
#include <charconv>
#include <cstdint>

#include "mixtral/runtime/inputs.h"

namespace mixtral {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;                           // [1, 31]
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;                            // [1, 12]
  return Civil{yoe + era * 400 + (month <= 2), month, day};
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Exactly `n` ASCII digits at text[pos].
bool Digits(std::string_view text, size_t pos, size_t n, int64_t* out) {
  if (pos + n > text.size()) {
    return false;
  }
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

bool Is(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

std::optional<int64_t> ParseEpochMs(std::string_view text) {
  if (text.empty() || (text[0] == '-' && text.size() == 1)) {
    return std::nullopt;
  }
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

// YYYY-MM-DDTHH:MM:SS[.fff...](Z|±HH:MM); 'T' and 'Z' may be lower case (RFC3339 §5.6).
std::optional<int64_t> ParseRfc3339(std::string_view t) {
  int64_t year, month, day, hour, minute, second;
  if (!Digits(t, 0, 4, &year) || !Is(t, 4, '-') || !Digits(t, 5, 2, &month) || !Is(t, 7, '-') ||
      !Digits(t, 8, 2, &day) || !(Is(t, 10, 'T') || Is(t, 10, 't')) || !Digits(t, 11, 2, &hour) ||
      !Is(t, 13, ':') || !Digits(t, 14, 2, &minute) || !Is(t, 16, ':') ||
      !Digits(t, 17, 2, &second)) {
    return std::nullopt;
  }
  // Leap seconds (:60) are rejected: epoch milliseconds cannot name them.
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }

  size_t pos = 19;
  int64_t millis = 0;
  if (Is(t, pos, '.')) {
    ++pos;
    const size_t start = pos;
    for (; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos) {
      // Keep milliseconds; further digits are truncated, not rounded.
      if (pos - start < 3) {
        millis = millis * 10 + (t[pos] - '0');
      }
    }
    if (pos == start) {
      return std::nullopt;
    }
    for (size_t n = pos - start; n < 3; ++n) {
      millis *= 10;
    }
  }

  int64_t offset_min = 0;
  if (Is(t, pos, 'Z') || Is(t, pos, 'z')) {
    ++pos;
  } else if (Is(t, pos, '+') || Is(t, pos, '-')) {
    const int64_t sign = t[pos] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!Digits(t, pos + 1, 2, &oh) || !Is(t, pos + 3, ':') || !Digits(t, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) {
    return std::nullopt;
  }

  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t local_ms = days * kMsPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  return local_ms - offset_min * 60'000;
}

void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = static_cast<int>(end - buf); n < width; ++n) {
    out->push_back('0');
  }
  out->append(buf, end);
}

}  // namespace

std::optional<int64_t> ParseTime(std::string_view text) {
  try {
    if (!text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) &&
        text.find_first_not_of("0123456789", 1) == std::string_view::npos) {
      return ParseEpochMs(text);
    }
    return ParseRfc3339(text);
  } catch (...) {
    return std::nullopt;
  }
}

std::string FormatTime(int64_t epoch_ms) {
  try {
    // Floor division, so that times before 1970 land on the right day.
    int64_t days = epoch_ms / kMsPerDay;
    int64_t ms_of_day = epoch_ms % kMsPerDay;
    if (ms_of_day < 0) {
      ms_of_day += kMsPerDay;
      --days;
    }
    const Civil c = CivilFromDays(days);
    std::string out;
    out.reserve(24);
    // Years outside 0000..9999 are beyond RFC3339; ISO 8601's expanded form
    // (a sign and at least four digits) keeps them readable and ordered.
    if (c.year < 0) {
      out.push_back('-');
      AppendPadded(&out, -c.year, 4);
    } else {
      if (c.year > 9999) {
        out.push_back('+');
      }
      AppendPadded(&out, c.year, 4);
    }
    out.push_back('-');
    AppendPadded(&out, c.month, 2);
    out.push_back('-');
    AppendPadded(&out, c.day, 2);
    out.push_back('T');
    AppendPadded(&out, ms_of_day / 3'600'000, 2);
    out.push_back(':');
    AppendPadded(&out, ms_of_day / 60'000 % 60, 2);
    out.push_back(':');
    AppendPadded(&out, ms_of_day / 1000 % 60, 2);
    out.push_back('.');
    AppendPadded(&out, ms_of_day % 1000, 3);
    out.push_back('Z');
    return out;
  } catch (...) {
    return std::string();  // out of memory; nothing may escape (inputs.h)
  }
}

}  // namespace mixtral
