#include "test_support.h"

namespace mixtral::testing {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;
// 2023-11-14T22:13:20Z, a Tuesday.
constexpr int64_t kTuesdayEvening = 1'700'000'000'000;

TEST_CASE("seconds and millis read durations") {
  const CallCase cases[] = {
      {"seconds", {I(1500)}, F(1.5)}, {"seconds", {I(-250)}, F(-0.25)}, {"seconds", {I(0)}, F(0.0)},
      {"seconds", {I(1)}, F(0.001)},  {"millis", {I(2000)}, I(2000)},   {"millis", {I(-1)}, I(-1)},
  };
  CheckCalls(cases);
}

// Expected values come from Python's datetime (years 1 to 9999) and, beyond
// it, from Python's floor divmod by the day.
TEST_CASE("hour_of_day and day_of_week are UTC, before 1970 too") {
  const CallCase cases[] = {
      {"hour_of_day", {I(0)}, I(0)},
      {"hour_of_day", {I(kTuesdayEvening)}, I(22)},
      {"hour_of_day", {I(-1)}, I(23)},
      {"hour_of_day", {I(-kHour)}, I(23)},
      {"hour_of_day", {I(-kHour - 1)}, I(22)},
      {"hour_of_day", {I(-62'135'596'800'000)}, I(0)},   // 0001-01-01
      {"hour_of_day", {I(253'402'300'799'999)}, I(23)},  // 9999-12-31T23:59:59.999
      {"hour_of_day", {I(kMinInt)}, I(16)},
      {"hour_of_day", {I(kMaxInt)}, I(7)},
      {"day_of_week", {I(0)}, I(4)},         // Thursday
      {"day_of_week", {I(-1)}, I(3)},        // Wednesday
      {"day_of_week", {I(3 * kDay)}, I(7)},  // Sunday 1970-01-04
      {"day_of_week", {I(4 * kDay)}, I(1)},  // Monday 1970-01-05
      {"day_of_week", {I(kTuesdayEvening)}, I(2)},
      {"day_of_week", {I(-4 * kDay)}, I(7)},            // Sunday 1969-12-28
      {"day_of_week", {I(-5 * kDay)}, I(6)},            // Saturday 1969-12-27
      {"day_of_week", {I(-5 * kDay - 1)}, I(5)},        // Friday, last ms
      {"day_of_week", {I(-62'135'596'800'000)}, I(1)},  // 0001-01-01, a Monday
      {"day_of_week", {I(253'402'300'799'999)}, I(5)},  // 9999-12-31, a Friday
      {"day_of_week", {I(kMinInt)}, I(7)},
      {"day_of_week", {I(kMaxInt)}, I(7)},
  };
  CheckCalls(cases);
}

TEST_CASE("in_window is start-inclusive, end-exclusive and wraps midnight") {
  auto at = [](int64_t h, int64_t m, int64_t ms = 0) {
    return I(19'000 * kDay + h * kHour + m * 60'000 + ms);
  };
  const CallCase cases[] = {
      {"in_window", {at(9, 0), S("09:00"), S("17:00")}, B(true)},
      {"in_window", {at(16, 59, 59'999), S("09:00"), S("17:00")}, B(true)},
      {"in_window", {at(17, 0), S("09:00"), S("17:00")}, B(false)},
      {"in_window", {at(8, 59, 59'999), S("09:00"), S("17:00")}, B(false)},
      {"in_window", {at(23, 0), S("22:00"), S("06:00")}, B(true)},
      {"in_window", {at(22, 0), S("22:00"), S("06:00")}, B(true)},
      {"in_window", {at(3, 0), S("22:00"), S("06:00")}, B(true)},
      {"in_window", {at(0, 0), S("22:00"), S("06:00")}, B(true)},
      {"in_window", {at(6, 0), S("22:00"), S("06:00")}, B(false)},
      {"in_window", {at(21, 59), S("22:00"), S("06:00")}, B(false)},
      {"in_window", {at(12, 0), S("22:00"), S("06:00")}, B(false)},
      {"in_window", {at(23, 59, 59'999), S("00:00"), S("23:59")}, B(false)},
      {"in_window", {at(0, 0), S("00:00"), S("23:59")}, B(true)},
      {"in_window", {at(10, 0), S("10:00"), S("10:00")}, B(false)},  // empty
      {"in_window", {at(11, 0), S("10:00"), S("10:00")}, B(false)},
      {"in_window", {I(-1), S("23:00"), S("00:00")}, B(true)},  // 1969-12-31T23:59:59.999
      {"in_window", {I(-1), S("00:00"), S("23:00")}, B(false)},
      {"in_window", {at(9, 0), S("9:00"), S("17:00")}, M()},
      {"in_window", {at(9, 0), S("09:00"), S("24:00")}, M()},
      {"in_window", {at(9, 0), S("12:60"), S("17:00")}, M()},
      {"in_window", {at(9, 0), S("ab:cd"), S("17:00")}, M()},
      {"in_window", {at(9, 0), S("09:00 "), S("17:00")}, M()},
      {"in_window", {at(9, 0), S("09-00"), S("17:00")}, M()},
      {"in_window", {at(9, 0), S(""), S("17:00")}, M()},
      {"in_window", {at(9, 0), S("09:00"), S("17:00:00")}, M()},
  };
  CheckCalls(cases);
}

}  // namespace
}  // namespace mixtral::testing
