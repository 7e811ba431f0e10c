#include "mixtral/stdlib/value.h"

#include <algorithm>
#include <bit>

namespace mixtral {
namespace {

int Sign(auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); }

// IEEE 754 totalOrder as an unsigned key: negatives are bit-flipped so that a
// larger magnitude sorts lower, positives get their sign bit set so they sort
// above every negative. -NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN.
uint64_t TotalOrderKey(double d) {
  uint64_t bits = std::bit_cast<uint64_t>(d);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

int OrderSequences(const Value::List& a, const Value::List& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = ValueOrder(a[i], b[i])) {
      return c;
    }
  }
  return Sign(a.size(), b.size());
}

int OrderMaps(const Value::Map& a, const Value::Map& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = ValueOrder(a[i].first, b[i].first)) {
      return c;
    }
    if (int c = ValueOrder(a[i].second, b[i].second)) {
      return c;
    }
  }
  return Sign(a.size(), b.size());
}

bool SequencesEqual(const Value::List& a, const Value::List& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), ValueEquals);
}

bool MapsEqual(const Value::Map& a, const Value::Map& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return ValueEquals(x.first, y.first) && ValueEquals(x.second, y.second);
  });
}

// ValueOrder with -0.0 and +0.0 as one key, because `==` says they are one:
// {-0.0, 0.0} must be a set of one element that equals {0.0}. Merging two
// neighbours of the total order keeps it a strict weak order.
int KeyOrder(const Value& a, const Value& b) {
  if (a.kind() == Value::Kind::kFloat && b.kind() == Value::Kind::kFloat &&
      a.as_float() == b.as_float()) {
    return 0;
  }
  return ValueOrder(a, b);
}

bool SameKey(const Value& a, const Value& b) { return KeyOrder(a, b) == 0; }

}  // namespace

Value Value::Str(std::string s) {
  Value v(Kind::kString);
  v.heap_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::ListOf(List items) {
  Value v(Kind::kList);
  v.heap_ = std::make_shared<const List>(std::move(items));
  return v;
}

Value Value::SetOf(List items) {
  // Sorting by the full order first makes the survivor of {0.0, -0.0} the
  // same (-0.0) whatever the input order.
  auto less = [](const Value& a, const Value& b) { return ValueOrder(a, b) < 0; };
  std::sort(items.begin(), items.end(), less);
  items.erase(std::unique(items.begin(), items.end(), SameKey), items.end());
  Value v(Kind::kSet);
  v.heap_ = std::make_shared<const List>(std::move(items));
  return v;
}

Value Value::MapOf(Map entries) {
  // A stable sort keeps duplicates in insertion order, so the last of each run
  // of equal keys is the one written last.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return KeyOrder(a.first, b.first) < 0; });
  Map unique;
  unique.reserve(entries.size());
  for (auto& entry : entries) {
    if (!unique.empty() && SameKey(unique.back().first, entry.first)) {
      unique.back() = std::move(entry);
    } else {
      unique.push_back(std::move(entry));
    }
  }
  Value v(Kind::kMap);
  v.heap_ = std::make_shared<const Map>(std::move(unique));
  return v;
}

// Accessors on the wrong kind return an empty collection rather than crash:
// built-ins promise never to crash, whatever they are handed.
const Value::List& Value::as_list() const {
  static const List kEmpty;
  const bool listy = kind_ == Kind::kList || kind_ == Kind::kSet;
  return listy && heap_ ? *static_cast<const List*>(heap_.get()) : kEmpty;
}

const Value::Map& Value::as_map() const {
  static const Map kEmpty;
  return kind_ == Kind::kMap && heap_ ? *static_cast<const Map*>(heap_.get()) : kEmpty;
}

bool ValueEquals(const Value& a, const Value& b) {
  using K = Value::Kind;
  // The int converts with the current rounding mode, which is never changed
  // from round-to-nearest-even (contract §5).
  if (a.kind() == K::kInt && b.kind() == K::kFloat) {
    return static_cast<double>(a.as_int()) == b.as_float();
  }
  if (a.kind() == K::kFloat && b.kind() == K::kInt) {
    return a.as_float() == static_cast<double>(b.as_int());
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  switch (a.kind()) {
    case K::kMissing:
      return false;  // like NaN: missing is unequal to everything, itself included
    case K::kBool:
      return a.as_bool() == b.as_bool();
    case K::kInt:
      return a.as_int() == b.as_int();
    case K::kFloat:
      return a.as_float() == b.as_float();
    case K::kString:
      return a.as_string() == b.as_string();
    case K::kEnum:
      return a.as_enum() == b.as_enum();
    case K::kList:
    case K::kSet:
      return SequencesEqual(a.as_list(), b.as_list());
    case K::kMap:
      return MapsEqual(a.as_map(), b.as_map());
  }
  return false;
}

int ValueOrder(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.kind() != b.kind()) {
    return Sign(a.kind(), b.kind());
  }
  switch (a.kind()) {
    case K::kMissing:
      return 0;
    case K::kBool:
      return Sign(a.as_bool(), b.as_bool());
    case K::kInt:
      return Sign(a.as_int(), b.as_int());
    case K::kFloat:
      return Sign(TotalOrderKey(a.as_float()), TotalOrderKey(b.as_float()));
    case K::kString:
      // char_traits<char> compares as unsigned char, so UTF-8 sorts by code point.
      return Sign(a.as_string().compare(b.as_string()), 0);
    case K::kEnum:
      return Sign(a.as_enum(), b.as_enum());
    case K::kList:
    case K::kSet:
      return OrderSequences(a.as_list(), b.as_list());
    case K::kMap:
      return OrderMaps(a.as_map(), b.as_map());
  }
  return 0;
}

}  // namespace mixtral
