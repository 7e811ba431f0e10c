// len, lower, upper, starts_with, ends_with, contains and matches (RE2).
#include <re2/re2.h>

#include <string>

#include "builtins_impl.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral::stdlib_internal {
namespace {

// A compiled pattern. RE2 objects are safe for concurrent use, so one
// instance serves every thread that evaluates the policy.
class RegexArg final : public PreparedArg {
 public:
  explicit RegexArg(std::string_view pattern) : re_(pattern, Options()) {}
  const RE2& re() const { return re_; }

 private:
  static RE2::Options Options() {
    RE2::Options options;
    options.set_log_errors(false);    // errors become diagnostics, not stderr noise
    options.set_never_capture(true);  // only match/no-match is ever asked
    return options;
  }
  RE2 re_;
};

}  // namespace

Value Len(const Value& coll) {
  switch (coll.kind()) {
    case Value::Kind::kString:
      return Value::Int(static_cast<int64_t>(CountCodePoints(coll.as_string())));
    case Value::Kind::kList:
    case Value::Kind::kSet:
      return Value::Int(static_cast<int64_t>(coll.as_list().size()));
    case Value::Kind::kMap:
      return Value::Int(static_cast<int64_t>(coll.as_map().size()));
    default:
      return Value::Missing();
  }
}

// ASCII only, on purpose: full Unicode case mapping depends on the ICU or libc
// version, and a policy must decide the same way on every host.
Value Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return Value::Str(std::move(out));
}

Value Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return Value::Str(std::move(out));
}

Value StartsWith(std::string_view s, std::string_view prefix) {
  return Value::Bool(s.starts_with(prefix));
}

Value EndsWith(std::string_view s, std::string_view suffix) {
  return Value::Bool(s.ends_with(suffix));
}

Value Contains(std::string_view s, std::string_view part) {
  return Value::Bool(s.find(part) != std::string_view::npos);
}

Value Matches(std::string_view s, std::string_view pattern, const PreparedArg* prepared) {
  if (const auto* regex = dynamic_cast<const RegexArg*>(prepared)) {
    return Value::Bool(RE2::PartialMatch(s, regex->re()));
  }
  const RegexArg local(pattern);
  if (!local.re().ok()) {
    return Value::Missing();
  }
  return Value::Bool(RE2::PartialMatch(s, local.re()));
}

std::shared_ptr<const PreparedArg> PrepareRegex(std::string_view pattern, std::string* error) {
  auto regex = std::make_shared<const RegexArg>(pattern);
  if (!regex->re().ok()) {
    if (error != nullptr) {
      *error = "invalid regex: " + regex->re().error();
    }
    return nullptr;
  }
  return regex;
}

}  // namespace mixtral::stdlib_internal
