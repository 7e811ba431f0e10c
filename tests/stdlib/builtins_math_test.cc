#include "test_support.h"

namespace mixtral::testing {
namespace {

// 2^53 + 1 is the first int that has no double; it rounds to the even 2^53,
// and 2^53 + 3 rounds up to the even 2^53 + 4.
constexpr int64_t kTwo53 = int64_t{1} << 53;

TEST_CASE("abs saturates ints and clears the sign of floats") {
  const CallCase cases[] = {
      {"abs", {I(5)}, I(5)},
      {"abs", {I(-5)}, I(5)},
      {"abs", {I(0)}, I(0)},
      {"abs", {I(kMaxInt)}, I(kMaxInt)},
      {"abs", {I(kMinInt)}, I(kMaxInt)},
      {"abs", {I(kMinInt + 1)}, I(kMaxInt)},
      {"abs", {F(-1.5)}, F(1.5)},
      {"abs", {F(-0.0)}, F(0.0)},
      {"abs", {F(-kInf)}, F(kInf)},
      {"abs", {F(kNaN)}, F(kNaN)},
  };
  CheckCalls(cases);
}

TEST_CASE("min and max follow IEEE 754-2019 minimum and maximum") {
  const CallCase cases[] = {
      {"min", {I(1), I(2)}, I(1)},
      {"min", {I(-3), I(2)}, I(-3)},
      {"min", {I(kMinInt), I(kMaxInt)}, I(kMinInt)},
      {"min", {I(1), F(2.5)}, F(1.0)},
      {"min", {F(2.5), I(1)}, F(1.0)},
      {"min", {F(kNaN), F(1.0)}, F(kNaN)},
      {"min", {F(1.0), F(kNaN)}, F(kNaN)},
      {"min", {I(1), F(kNaN)}, F(kNaN)},
      {"min", {F(-0.0), F(0.0)}, F(-0.0)},
      {"min", {F(0.0), F(-0.0)}, F(-0.0)},
      {"min", {I(0), F(-0.0)}, F(-0.0)},
      {"min", {F(-kInf), F(1.0)}, F(-kInf)},
      {"min", {I(kTwo53 + 1), F(1e300)}, F(9007199254740992.0)},
      {"max", {I(1), I(2)}, I(2)},
      {"max", {I(kMinInt), I(kMaxInt)}, I(kMaxInt)},
      {"max", {I(3), F(2.5)}, F(3.0)},
      {"max", {F(kNaN), F(1.0)}, F(kNaN)},
      {"max", {F(1.0), F(kNaN)}, F(kNaN)},
      {"max", {F(kNaN), I(1)}, F(kNaN)},
      {"max", {F(-0.0), F(0.0)}, F(0.0)},
      {"max", {F(0.0), F(-0.0)}, F(0.0)},
      {"max", {F(-0.0), I(0)}, F(0.0)},
      {"max", {F(kInf), F(1.0)}, F(kInf)},
      {"max", {I(kTwo53 + 3), F(-1.0)}, F(9007199254740996.0)},
  };
  CheckCalls(cases);
}

TEST_CASE("clamp is min(max(x, lo), hi)") {
  const CallCase cases[] = {
      {"clamp", {I(5), I(0), I(10)}, I(5)},
      {"clamp", {I(-1), I(0), I(10)}, I(0)},
      {"clamp", {I(11), I(0), I(10)}, I(10)},
      {"clamp", {I(5), I(10), I(0)}, I(0)},  // lo > hi gives hi
      {"clamp", {I(5), I(0), F(2.5)}, F(2.5)},
      {"clamp", {I(1), I(0), F(2.5)}, F(1.0)},
      {"clamp", {F(0.5), I(0), I(1)}, F(0.5)},
      {"clamp", {F(kNaN), F(0.0), F(1.0)}, F(kNaN)},
      {"clamp", {F(0.5), F(kNaN), F(1.0)}, F(kNaN)},
      {"clamp", {F(0.5), F(0.0), F(kNaN)}, F(kNaN)},
      {"clamp", {F(-0.0), F(0.0), F(1.0)}, F(0.0)},
      {"clamp", {F(0.0), F(-1.0), F(-0.0)}, F(-0.0)},
      {"clamp", {I(0), F(-0.0), F(0.0)}, F(0.0)},
      {"clamp", {F(-kInf), I(-5), I(5)}, F(-5.0)},
  };
  CheckCalls(cases);
}

TEST_CASE("int truncates toward zero and saturates; float rounds to nearest even") {
  const CallCase cases[] = {
      {"int", {I(7)}, I(7)},
      {"int", {F(2.7)}, I(2)},
      {"int", {F(-2.7)}, I(-2)},
      {"int", {F(-0.5)}, I(0)},
      {"int", {F(-0.0)}, I(0)},
      {"int", {F(kNaN)}, M()},
      {"int", {F(kInf)}, I(kMaxInt)},
      {"int", {F(-kInf)}, I(kMinInt)},
      {"int", {F(1e300)}, I(kMaxInt)},
      {"int", {F(-1e300)}, I(kMinInt)},
      {"int", {F(9223372036854775808.0)}, I(kMaxInt)},              // 2^63
      {"int", {F(-9223372036854775808.0)}, I(kMinInt)},             // -2^63 is exact
      {"int", {F(9223372036854774784.0)}, I(9223372036854774784)},  // largest below 2^63
      {"float", {I(3)}, F(3.0)},
      {"float", {I(-3)}, F(-3.0)},
      {"float", {F(1.5)}, F(1.5)},
      {"float", {F(-0.0)}, F(-0.0)},
      {"float", {I(kTwo53 + 1)}, F(9007199254740992.0)},
      {"float", {I(kTwo53 + 3)}, F(9007199254740996.0)},
      {"float", {I(kMaxInt)}, F(9223372036854775808.0)},
  };
  CheckCalls(cases);
}

}  // namespace
}  // namespace mixtral::testing
