#include "parse/literals.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace mixtral::parse {
namespace {

std::string StripSeparators(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '_') s += c;
  return s;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::optional<int64_t> DecodeInt(std::string_view text, bool negated, std::string* error) {
  std::string digits = StripSeparators(text);
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (ec != std::errc() || ptr != digits.data() + digits.size() || v > kMax + (negated ? 1 : 0)) {
    *error = "integer literal " + std::string(text) + " is out of range for int (64-bit)";
    return std::nullopt;
  }
  if (negated)
    return v == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

std::optional<double> DecodeFloat(std::string_view text, std::string* error) {
  std::string digits = StripSeparators(text);
  double v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || std::isinf(v)) {
    *error = "float literal " + std::string(text) + " is out of range";
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> DecodeDurationMs(std::string_view text, std::string* error) {
  size_t unit_at = text.find_first_not_of("0123456789_");
  std::string_view unit = text.substr(unit_at);
  int64_t scale = unit == "ms"  ? 1
                  : unit == "s" ? 1000
                  : unit == "m" ? 60000
                  : unit == "h" ? 3600000
                                : 86400000;
  auto n = DecodeInt(text.substr(0, unit_at), false, error);
  int64_t ms = 0;
  if (!n || __builtin_mul_overflow(*n, scale, &ms)) {
    *error = "duration " + std::string(text) + " is out of range";
    return std::nullopt;
  }
  return ms;
}

std::optional<int32_t> DecodeRateBp(std::string_view text, std::string* error) {
  if (text.ends_with("bp")) {
    auto n = DecodeInt(text.substr(0, text.size() - 2), false, error);
    if (!n || *n > 10000) {
      *error = "rate " + std::string(text) + " is over 10000bp (100%)";
      return std::nullopt;
    }
    return static_cast<int32_t>(*n);
  }
  std::string s = StripSeparators(text.substr(0, text.size() - 1));
  size_t dot = s.find('.');
  std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  // Basis points are hundredths of a percent: more digits must be zeros.
  for (size_t i = 2; i < frac.size(); ++i) {
    if (frac[i] != '0') {
      *error = "rate " + std::string(text) + " is finer than 1bp (0.01%)";
      return std::nullopt;
    }
  }
  frac.resize(2, '0');
  frac.resize(2);
  if (whole.size() > 5) {
    *error = "rate " + std::string(text) + " is over 100%";
    return std::nullopt;
  }
  int64_t bp = std::stoll(whole) * 100 + std::stoll(frac);
  if (bp > 10000) {
    *error = "rate " + std::string(text) + " is over 100%";
    return std::nullopt;
  }
  return static_cast<int32_t>(bp);
}

std::optional<std::string> DecodeString(std::string_view text, std::string* error) {
  std::string out;
  std::string_view body = text.substr(1, text.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0;
        std::from_chars(body.data() + i + 1, body.data() + i + 5, cp, 16);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          *error = "string escape \\u" + std::string(body.substr(i - 3, 4)) +
                   " is a surrogate, not a character";
          return std::nullopt;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        out += e;  // \" \\ \/
    }
  }
  return out;
}

}  // namespace mixtral::parse
