#include "bench_compare.h"

#include <nlohmann/json.hpp>

#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {

bool MatchesExpected(const Decision& d, const std::string& expected_json_line) {
  nlohmann::json expected = nlohmann::json::parse(expected_json_line, nullptr, false);
  if (!expected.is_object()) return false;
  nlohmann::json got = nlohmann::json::parse(DecisionToJson(d), nullptr, false);
  for (const auto& [key, value] : expected.items()) {
    if (key == "id") continue;
    if (key == "first_reason") {
      const nlohmann::json& removed = got["explain"]["removed"];
      if (!removed.is_object() || removed.size() != value.size()) return false;
      for (const auto& [target, rule] : value.items()) {
        if (!removed.contains(target) || removed[target].empty() || removed[target][0] != rule)
          return false;
      }
      continue;
    }
    if (!got.contains(key) || got[key] != value) return false;
  }
  return true;
}

}  // namespace mixtral::cli
