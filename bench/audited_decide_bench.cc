// audited_decide_bench: what auditing costs a decision (bench/RESULTS.md,
// "Audited decisions"). route16's 20,000 requests, bound once, are decided
// on one thread with and without an AuditWriter; each Decide is timed with
// its own steady_clock pair. The difference of the medians is the capture
// (the decision record's entry: shared pointers, copies of the decision's
// strings) plus the Append. End to end: from the first Decide to Close
// returning with every record written and synced (batch durability).
//
//   audited_decide_bench [--dir DIR] [--passes N]      (run from the repo root)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/engine.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNow = 1735689600000;  // route16's snapshot time

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  std::vector<int64_t> ns;
  double wall_s = 0;
};

Run Decide(const std::string& log, int passes) {
  mixtral::EngineOptions o;
  o.clock = [] { return kNow; };
  o.latency_sample_every = 0;
  std::shared_ptr<mixtral::AuditWriter> writer;
  if (!log.empty()) {
    mixtral::AuditOptions ao;
    ao.path = log;
    std::string error;
    writer = mixtral::AuditWriter::Open(ao, &error);
    if (!writer) {
      std::fprintf(stderr, "audited_decide_bench: %s\n", error.c_str());
      std::exit(1);
    }
    o.audit = writer;
  }
  auto engine = mixtral::Engine::Create(o);
  if (!engine->LoadPolicyFile("examples/route16/route16.mxl").ok ||
      engine->PublishSnapshot(Read("bench/route16/data/telemetry.json"),
                              Read("bench/route16/data/targets.json"))) {
    std::fprintf(stderr, "audited_decide_bench: run from the repository root\n");
    std::exit(1);
  }
  std::vector<std::unique_ptr<mixtral::EngineRequest>> requests;
  std::istringstream lines(Read("bench/route16/data/requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    requests.push_back(engine->NewRequest());
    requests.back()->SetJson(line);
  }
  auto worker = engine->NewWorker();
  mixtral::EngineDecision d;
  Run r;
  r.ns.reserve(requests.size() * static_cast<size_t>(passes));
  const auto start = Clock::now();
  for (int p = 0; p < passes; ++p) {
    for (auto& req : requests) {
      const auto t0 = Clock::now();
      engine->Decide(*worker, *req, {}, &d);
      r.ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    }
  }
  worker.reset();
  requests.clear();
  engine.reset();
  if (writer) writer->Close();
  r.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

int64_t Pct(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp";
  int passes = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
    if (std::string(argv[i]) == "--passes") passes = std::atoi(argv[i + 1]);
  }
  const std::string log = dir + "/audited_decide_bench.jsonl";
  std::filesystem::remove(log);
  std::filesystem::remove_all(log + ".snapshots");
  Run plain = Decide("", passes);
  Run audited = Decide(log, passes);
  const double n = static_cast<double>(audited.ns.size());
  std::printf("engine %s, %zu decisions per run\n", mixtral::JitAvailable() ? "jit" : "interp",
              audited.ns.size());
  std::printf("decide, no audit:  p50 %lld ns  p99 %lld ns  %.0f decisions/s\n",
              static_cast<long long>(Pct(plain.ns, 0.5)),
              static_cast<long long>(Pct(plain.ns, 0.99)), n / plain.wall_s);
  std::printf("decide, audited:   p50 %lld ns  p99 %lld ns\n",
              static_cast<long long>(Pct(audited.ns, 0.5)),
              static_cast<long long>(Pct(audited.ns, 0.99)));
  std::printf("audit cost on the deciding thread (p50 difference): %lld ns\n",
              static_cast<long long>(Pct(audited.ns, 0.5) - Pct(plain.ns, 0.5)));
  std::printf("audited end to end (first decide to Close, synced): %.0f decisions/s\n",
              n / audited.wall_s);
  std::filesystem::remove(log);
  std::filesystem::remove_all(log + ".snapshots");
  return 0;
}
