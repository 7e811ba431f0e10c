// audited_decide_bench: what auditing costs a decision (bench/RESULTS.md,
// "Audited decisions"). route16's 20,000 requests, bound once, are decided
// on one thread by three engines in turn, request by request, so that all
// three see the same load: no audit; no audit but timed (an audited
// decision times itself for `eval_ns`, two clock reads); and audited, with an
// AuditWriter. Each Decide is timed with its own steady_clock pair, after a
// warm-up of as many decisions that sizes the buffers (an audited worker
// copies its records into a ring of its own, runtime/src/audit/record_ring.h,
// which the writer drains). The capture and enqueue on the deciding thread
// is, per request, the audited time minus the timed one: its p50 and p99
// over all requests. Measured twice: paced, the deciding thread waiting
// (untimed) every 64 decisions for the writer to catch up, as in a steady
// state the writer keeps up; and unpaced, when the decider outruns the
// writer, so that its buffer fills and it waits for room. End to end:
// a fresh audited engine from the first Decide to Close returning with every
// record written and synced (batch durability), against the same loop
// without audit.
//
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
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

// One engine with route16 loaded, its requests bound, and a worker.
struct Setup {
  std::shared_ptr<mixtral::AuditWriter> writer;
  std::unique_ptr<mixtral::Engine> engine;
  std::vector<std::unique_ptr<mixtral::EngineRequest>> requests;
  std::unique_ptr<mixtral::Worker> worker;
  mixtral::DecideOptions options;
  mixtral::EngineDecision d;

  int64_t DecideNs(size_t i) {
    const auto t0 = Clock::now();
    engine->Decide(*worker, *requests[i], options, &d);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  }
  // Everything written and synced; the engine's records released.
  void Close() {
    worker.reset();
    requests.clear();
    engine.reset();
    if (writer) writer->Close();
  }
};

void Remove(const std::string& log) {
  std::filesystem::remove(log);
  std::filesystem::remove_all(log + ".snapshots");
}

std::unique_ptr<Setup> Load(const std::string& log, bool timed) {
  auto s = std::make_unique<Setup>();
  mixtral::EngineOptions o;
  o.clock = [] { return kNow; };
  o.latency_sample_every = 0;
  if (!log.empty()) {
    Remove(log);
    mixtral::AuditOptions ao;
    ao.path = log;
    std::string error;
    s->writer = mixtral::AuditWriter::Open(ao, &error);
    if (!s->writer) {
      std::fprintf(stderr, "audited_decide_bench: %s\n", error.c_str());
      std::exit(1);
    }
    o.audit = s->writer;
  }
  s->engine = mixtral::Engine::Create(o);
  if (!s->engine->LoadPolicyFile("examples/route16/route16.mxl").ok ||
      s->engine->PublishSnapshot(Read("bench/route16/data/telemetry.json"),
                                 Read("bench/route16/data/targets.json"))) {
    std::fprintf(stderr, "audited_decide_bench: run from the repository root\n");
    std::exit(1);
  }
  std::istringstream lines(Read("bench/route16/data/requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    s->requests.push_back(s->engine->NewRequest());
    s->requests.back()->SetJson(line);
  }
  s->worker = s->engine->NewWorker();
  s->options.timing = timed;
  return s;
}

// Decisions per second from the first Decide to Close returning.
double EndToEnd(const std::string& log, int passes) {
  auto s = Load(log, false);
  const size_t n = s->requests.size();
  const auto start = Clock::now();
  for (int p = 0; p < passes; ++p) {
    for (size_t i = 0; i < n; ++i) s->engine->Decide(*s->worker, *s->requests[i], {}, &s->d);
  }
  s->Close();
  return static_cast<double>(n) * passes /
         std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t Pct(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

struct Times {
  std::vector<int64_t> plain, timed, audited, capture;
};

// Decides every request on the three engines in turn, `passes` times. With
// `pace`, the deciding thread waits (untimed) every `pace` decisions until
// the writer has caught up, as it keeps up in a steady state; without, the
// records in flight pile up to the whole run.
Times Measure(Setup& plain, Setup& timed, Setup& audited, int passes, size_t pace) {
  const size_t n = plain.requests.size();
  Times t;
  for (auto* v : {&t.plain, &t.timed, &t.audited, &t.capture})
    v->reserve(n * static_cast<size_t>(passes));
  uint64_t records = audited.writer->counters().records_written;
  for (int p = 0; p < passes; ++p) {
    for (size_t i = 0; i < n; ++i) {
      t.plain.push_back(plain.DecideNs(i));
      t.timed.push_back(timed.DecideNs(i));
      t.audited.push_back(audited.DecideNs(i));
      t.capture.push_back(t.audited.back() - t.timed.back());
      ++records;
      if (pace != 0 && i % pace == 0) {
        while (audited.writer->counters().records_written < records) std::this_thread::yield();
      }
    }
  }
  return t;
}

void Print(const char* what, const std::vector<int64_t>& ns) {
  std::printf("  %-62s p50 %5lld ns  p99 %6lld ns\n", what, static_cast<long long>(Pct(ns, 0.5)),
              static_cast<long long>(Pct(ns, 0.99)));
}

void Print(const char* what, const Times& t) {
  std::printf("%s:\n", what);
  Print("decide, no audit", t.plain);
  Print("decide, no audit, timed (eval_ns, as audited decisions are)", t.timed);
  Print("decide, audited", t.audited);
  Print("capture + enqueue on the deciding thread (audited - timed)", t.capture);
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
  auto plain = Load("", false);
  auto timed = Load("", true);
  auto audited = Load(log, false);
  const size_t n = plain->requests.size();
  // Warm-up: every engine's buffers, and the audit entry pool sized for as
  // many records in flight as the measured passes will have (the writer is
  // slower than the decider, so nearly all of them).
  for (int p = 0; p < passes; ++p) {
    for (size_t i = 0; i < n; ++i) {
      plain->DecideNs(i);
      timed->DecideNs(i);
      audited->DecideNs(i);
    }
  }
  audited->writer->Flush();
  const Times paced = Measure(*plain, *timed, *audited, passes, 64);
  const Times unpaced = Measure(*plain, *timed, *audited, passes, 0);
  audited->Close();
  std::printf("engine %s, %zu decisions per engine and run\n",
              mixtral::JitAvailable() ? "jit" : "interp", paced.audited.size());
  Print("paced", paced);
  Print("unpaced", unpaced);
  const double plain_rate = EndToEnd("", passes);
  const double audited_rate = EndToEnd(log, passes);
  std::printf("end to end, no audit: %.0f decisions/s\n", plain_rate);
  std::printf("end to end, audited (first decide to Close, synced): %.0f decisions/s (%.2fx)\n",
              audited_rate, audited_rate / plain_rate);
  Remove(log);
  return 0;
}
