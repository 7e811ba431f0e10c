// abs, min, max, clamp, int and float (contract §5).
#include <cmath>
#include <cstdint>
#include <limits>

#include "builtins_impl.h"

namespace mixtral::stdlib_internal {
namespace {

bool IsFloat(const Value& v) { return v.kind() == Value::Kind::kFloat; }

// The conversion rounds to nearest, ties to even: the rounding mode is never
// changed from the default.
double AsDouble(const Value& v) {
  return IsFloat(v) ? v.as_float() : static_cast<double>(v.as_int());
}

// IEEE 754-2019 minimum and maximum. Unlike std::fmin/fmax, NaN propagates;
// unlike std::min/max, -0 orders below +0. The NaN returned is always the
// default quiet NaN, so its bits cannot depend on the operand order.
double Minimum(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (a == b) {
    return std::signbit(a) ? a : b;  // both zero, or truly equal
  }
  return a < b ? a : b;
}

double Maximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (a == b) {
    return std::signbit(a) ? b : a;
  }
  return a > b ? a : b;
}

}  // namespace

Value Abs(const Value& x) {
  if (IsFloat(x)) {
    return Value::Float(std::fabs(x.as_float()));
  }
  const int64_t i = x.as_int();
  if (i == std::numeric_limits<int64_t>::min()) {
    return Value::Int(std::numeric_limits<int64_t>::max());
  }
  return Value::Int(i < 0 ? -i : i);
}

Value Min(const Value& a, const Value& b) {
  if (IsFloat(a) || IsFloat(b)) {
    return Value::Float(Minimum(AsDouble(a), AsDouble(b)));
  }
  return Value::Int(a.as_int() < b.as_int() ? a.as_int() : b.as_int());
}

Value Max(const Value& a, const Value& b) {
  if (IsFloat(a) || IsFloat(b)) {
    return Value::Float(Maximum(AsDouble(a), AsDouble(b)));
  }
  return Value::Int(a.as_int() > b.as_int() ? a.as_int() : b.as_int());
}

Value Clamp(const Value& x, const Value& lo, const Value& hi) {
  // One float argument makes the whole computation float, as for min and max.
  if (IsFloat(x) || IsFloat(lo) || IsFloat(hi)) {
    return Value::Float(Minimum(Maximum(AsDouble(x), AsDouble(lo)), AsDouble(hi)));
  }
  return Min(Max(x, lo), hi);
}

Value ToInt(const Value& x) {
  if (!IsFloat(x)) {
    return x;
  }
  const double f = x.as_float();
  if (std::isnan(f)) {
    return Value::Missing();
  }
  // 2^63 is exact in binary64; every double below it and at or above -2^63
  // truncates into range.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (f >= kTwo63) {
    return Value::Int(std::numeric_limits<int64_t>::max());
  }
  if (f < -kTwo63) {
    return Value::Int(std::numeric_limits<int64_t>::min());
  }
  return Value::Int(static_cast<int64_t>(f));
}

Value ToFloat(const Value& x) { return Value::Float(AsDouble(x)); }

}  // namespace mixtral::stdlib_internal
