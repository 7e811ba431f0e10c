// The floor for route16 (contract §10): the same decision hand-written over
// pre-parsed structs. Strings become enums and bitmasks; the timed loop has
// no string compares, maps or allocation. Built -O2 like the rest.
//
//   route16_floor DATA_DIR [--json]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

enum Kind : uint8_t { kEdge, kK8s, kGpuPool, kServerless };
enum Jur : uint8_t { kEu, kUs, kAp };
enum Class : uint8_t { kPublic, kPii, kPhi };
enum Tier : uint8_t { kFree, kPro, kPremium };
enum Family : uint8_t { kSmall, kLarge, kVision, kEmbed };

struct Target {
  Kind kind;
  Jur jur;
  uint8_t caps;  // bit per Family
  double cost_per_1k;
  bool healthy;
  double p95_ms;
  int64_t queue_depth;
  double gpu_util;
  double age_s;
};

struct Request {
  Tier tier;
  Jur jur;
  Class data_class;
  Family family;
  int64_t latency_budget_ms;
  int64_t tokens;
};

struct Decision {
  uint8_t count;  // 0 = rejected; else target + count-1 fallbacks
  uint8_t picks[3];
};

constexpr int kTargets = 16;

inline void Decide(const Target* t, const Request& r, Decision* out) {
  double score[kTargets];
  uint8_t pass[kTargets];
  int n = 0;
  const double m = r.tier == kPremium ? 0.2 : 1.0;
  const double w = r.tier == kPremium ? 0.01 : 0.002;
  const bool resident_only = r.data_class != kPublic;
  for (int i = 0; i < kTargets; ++i) {
    const Target& x = t[i];
    if (!x.healthy || !(x.age_s < 30) || !(x.caps >> r.family & 1)) continue;
    if (resident_only && x.jur != r.jur) continue;
    if (r.data_class == kPhi && x.kind == kServerless) continue;
    if (r.tier == kFree && x.kind == kGpuPool && r.family != kLarge) continue;
    if (!(x.p95_ms <= static_cast<double>(r.latency_budget_ms)) || !(x.queue_depth < 64)) continue;
    double cost = (x.cost_per_1k * static_cast<double>(r.tokens)) / 1000;
    score[i] = ((cost * m) + (x.p95_ms * w)) + (x.gpu_util * 0.5);
    pass[n++] = static_cast<uint8_t>(i);
  }
  // Partial selection of the best three by (score, index).
  out->count = static_cast<uint8_t>(std::min(n, 3));
  for (int k = 0; k < out->count; ++k) {
    int best = k;
    for (int j = k + 1; j < n; ++j) {
      double a = score[pass[j]], b = score[pass[best]];
      if (a < b || (a == b && pass[j] < pass[best])) best = j;
    }
    std::swap(pass[k], pass[best]);
    out->picks[k] = pass[k];
  }
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename E, size_t N>
E Lookup(const std::string& s, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  throw std::runtime_error("unknown value " + s);
}

const char* const kKinds[] = {"edge", "k8s", "gpu_pool", "serverless"};
const char* const kJurs[] = {"eu", "us", "ap"};
const char* const kClasses[] = {"public", "pii", "phi"};
const char* const kTiers[] = {"free", "pro", "premium"};
const char* const kFamilies[] = {"small", "large", "vision", "embed"};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: route16_floor DATA_DIR [--json]\n";
    return 2;
  }
  std::string dir = argv[1];
  bool as_json = argc > 2 && std::string(argv[2]) == "--json";
  json targets = json::parse(Slurp(dir + "/targets.json"));
  json telemetry = json::parse(Slurp(dir + "/telemetry.json"));
  std::vector<Target> t(kTargets);
  std::vector<std::string> names;
  for (int i = 0; i < kTargets; ++i) {
    const json& a = targets[i];
    names.push_back(a["name"]);
    t[i].kind = Lookup<Kind>(a["kind"], kKinds);
    t[i].jur = Lookup<Jur>(a["jurisdiction"], kJurs);
    t[i].caps = 0;
    for (const auto& c : a["capabilities"]) t[i].caps |= 1 << Lookup<Family>(c, kFamilies);
    t[i].cost_per_1k = a["cost_per_1k"];
    for (const json& e : telemetry["targets"]) {
      if (e["name"] != a["name"]) continue;
      t[i].healthy = e["healthy"];
      t[i].p95_ms = e["p95_ms"];
      t[i].queue_depth = e["queue_depth"];
      t[i].gpu_util = e["gpu_util"];
      t[i].age_s = e["age_s"];
    }
  }
  std::vector<Request> reqs;
  std::istringstream lines(Slurp(dir + "/requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    json r = json::parse(line);
    reqs.push_back(Request{Lookup<Tier>(r["tier"], kTiers), Lookup<Jur>(r["jurisdiction"], kJurs),
                           Lookup<Class>(r["data_class"], kClasses),
                           Lookup<Family>(r["model_family"], kFamilies), r["latency_budget_ms"],
                           r["tokens"]});
  }
  // Verify against the reference answers before timing anything.
  size_t mismatches = 0, i = 0;
  std::istringstream expected(Slurp(dir + "/expected.jsonl"));
  for (std::string line; std::getline(expected, line) && i < reqs.size(); ++i) {
    json e = json::parse(line);
    Decision d;
    Decide(t.data(), reqs[i], &d);
    std::vector<std::string> picks;
    for (int k = 0; k < d.count; ++k) picks.push_back(names[d.picks[k]]);
    bool ok = e["outcome"] == (d.count ? "routed" : "rejected");
    if (d.count)
      ok = ok && e["target"] == picks[0] &&
           e["fallbacks"] == std::vector<std::string>(picks.begin() + 1, picks.end());
    mismatches += !ok;
  }
  const size_t n = reqs.size();
  Decision sink{};
  auto pass = [&] {
    for (size_t k = 0; k < n; ++k) {
      Decide(t.data(), reqs[k], &sink);
      asm volatile("" : : "r"(&sink) : "memory");
    }
  };
  auto start = Clock::now();
  do pass();
  while (Clock::now() - start < std::chrono::seconds(1));
  size_t decided = 0;
  start = Clock::now();
  do {
    pass();
    decided += n;
  } while (Clock::now() - start < std::chrono::seconds(2));
  double per_s = decided / std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> batch;
  for (size_t b = 0; b + 100 <= n; b += 100) {
    auto a = Clock::now();
    for (size_t k = b; k < b + 100; ++k) {
      Decide(t.data(), reqs[k], &sink);
      asm volatile("" : : "r"(&sink) : "memory");
    }
    batch.push_back(std::chrono::duration<double, std::nano>(Clock::now() - a).count() / 100.0);
  }
  if (as_json) {
    std::printf(
        "{\"engine\":\"floor\",\"decisions\":%zu,\"mismatches\":%zu,\"batch100_median_ns\":%.1f,"
        "\"decisions_per_s\":%.0f}\n",
        n, mismatches, Median(batch), per_s);
  } else {
    std::printf("floor: %zu decisions, %zu mismatches, batch100 median %.1f ns, %.0f decisions/s\n",
                n, mismatches, Median(batch), per_s);
  }
  return mismatches ? 1 : 0;
}
