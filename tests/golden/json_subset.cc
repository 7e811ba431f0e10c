// json_subset: compares the keys of an expected JSON object with the same
// keys of an actual one, strictly, and lists every difference by path.
//
//   json_subset [--decision] [--no-explain] [--line N] EXPECTED ACTUAL
//
//   --decision    EXPECTED must give every decision field (contract §1) and
//                 only those are compared; identity fields such as
//                 policy_hash and snapshot_sha256 are ignored.
//   --no-explain  with --decision: compare every decision field but
//                 `explain`, and require ACTUAL's explain to be null (the
//                 decision with explanation off must be the same decision).
//   --line N      ACTUAL is JSON Lines; compare its line N (1-based).
//
// Without --decision every top-level key of EXPECTED is compared. Values
// compare deeply and strictly: the same JSON types (1 and 1.0 differ), the
// same object keys, arrays in order. Exit 0 when equal, 1 when not, 2 when
// the inputs cannot be read. The golden and CLI test drivers use it, so the
// shell scripts never need python.
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

constexpr const char* kDecisionFields[] = {"outcome", "route",           "target",      "fallbacks",
                                           "mirrors", "variant",         "escalation",  "ensemble",
                                           "reject",  "degraded_reason", "annotations", "explain"};

const char* Kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "float";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "other";
  }
}

bool IsInteger(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

// Appends one line per difference between `want` and `got` under `path`.
void Diff(const std::string& path, const json& want, const json& got,
          std::vector<std::string>* out) {
  auto report = [&](const std::string& what) {
    out->push_back(path + ": " + what + "\n      expected: " + want.dump() +
                   "\n      actual:   " + got.dump());
  };
  if (IsInteger(want) && IsInteger(got)) {
    if (want != got) report("values differ");
    return;
  }
  if (want.type() != got.type()) {
    report(std::string("expected a ") + Kind(want) + ", got a " + Kind(got));
    return;
  }
  if (want.is_object()) {
    for (const auto& [k, v] : want.items()) {
      if (!got.contains(k))
        out->push_back(path + "." + k + ": missing from actual (expected " + v.dump() + ")");
      else
        Diff(path + "." + k, v, got.at(k), out);
    }
    for (const auto& [k, v] : got.items())
      if (!want.contains(k)) out->push_back(path + "." + k + ": unexpected in actual: " + v.dump());
    return;
  }
  if (want.is_array()) {
    if (want.size() != got.size()) {
      report("arrays have " + std::to_string(want.size()) + " vs " + std::to_string(got.size()) +
             " elements");
      return;
    }
    for (size_t i = 0; i < want.size(); ++i)
      Diff(path + "[" + std::to_string(i) + "]", want[i], got[i], out);
    return;
  }
  if (want.is_number_float()) {
    // Bit-exact, except that the writer spells NaN as a string, so plain
    // equality is right for every float it can produce.
    if (want.get<double>() != got.get<double>() ||
        std::signbit(want.get<double>()) != std::signbit(got.get<double>()))
      report("values differ");
    return;
  }
  if (want != got) report("values differ");
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool Parse(const std::string& what, const std::string& text, json* out) {
  try {
    *out = json::parse(text);
    return true;
  } catch (const std::exception& e) {
    std::cerr << "json_subset: " << what << " is not JSON: " << e.what() << "\n";
    return false;
  }
}

int Usage() {
  std::cerr << "usage: json_subset [--decision] [--no-explain] [--line N] EXPECTED ACTUAL\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool decision = false, no_explain = false;
  long line = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--decision")
      decision = true;
    else if (a == "--no-explain")
      no_explain = true;
    else if (a == "--line" && i + 1 < argc)
      line = std::stol(argv[++i]);
    else if (a.rfind("--", 0) == 0)
      return Usage();
    else
      files.push_back(a);
  }
  if (files.size() != 2 || (no_explain && !decision) || line < 0) return Usage();

  std::string want_text, got_text;
  if (!ReadFile(files[0], &want_text)) {
    std::cerr << "json_subset: cannot read " << files[0] << "\n";
    return 2;
  }
  if (!ReadFile(files[1], &got_text)) {
    std::cerr << "json_subset: cannot read " << files[1] << "\n";
    return 2;
  }
  if (line > 0) {
    std::istringstream in(got_text);
    std::string l;
    for (long n = 0; n < line; ++n) {
      if (!std::getline(in, l)) {
        std::cerr << "json_subset: " << files[1] << " has fewer than " << line << " lines\n";
        return 1;
      }
    }
    got_text = l;
  }
  json want, got;
  if (!Parse(files[0], want_text, &want) || !Parse(files[1], got_text, &got)) return 2;
  if (!want.is_object() || !got.is_object()) {
    std::cerr << "json_subset: both documents must be JSON objects\n";
    return 2;
  }

  std::vector<std::string> keys;
  if (decision) {
    for (const char* k : kDecisionFields) {
      if (no_explain && std::string(k) == "explain") continue;
      if (!want.contains(k)) {
        std::cerr << "json_subset: " << files[0] << " lacks the decision field `" << k
                  << "`; a golden must pin every decision field\n";
        return 2;
      }
      keys.push_back(k);
    }
    for (const auto& [k, v] : want.items()) {
      bool known = false;
      for (const char* f : kDecisionFields) known |= k == f;
      if (!known) {
        std::cerr << "json_subset: " << files[0] << " has `" << k
                  << "`, which is not a decision field\n";
        return 2;
      }
    }
  } else {
    for (const auto& [k, v] : want.items()) keys.push_back(k);
  }

  std::vector<std::string> diffs;
  for (const std::string& k : keys) {
    if (!got.contains(k)) {
      diffs.push_back("$." + k + ": missing from actual");
      continue;
    }
    Diff("$." + k, want.at(k), got.at(k), &diffs);
  }
  if (no_explain) {
    if (!got.contains("explain"))
      diffs.push_back("$.explain: missing from actual (expected null)");
    else if (!got.at("explain").is_null())
      diffs.push_back("$.explain: expected null with --no-explain, got " +
                      got.at("explain").dump());
  }
  for (const std::string& d : diffs) std::cerr << "    " << d << "\n";
  return diffs.empty() ? 0 : 1;
}
