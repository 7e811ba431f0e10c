// audit_bench: what the audit log costs the deciding thread, and how many
// records per second its writer thread sustains (bench/RESULTS.md, "Audit
// log"). A harness rather than Google Benchmark, because the figure that
// matters is the median of single Append calls, not a mean over a loop.
//
//   audit_bench [--dir DIR] [--records N]
//
// DIR must be on a local disk; the log is written there and removed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mixtral/runtime/audit.h"

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<mixtral::AuditEntry> Entry(uint64_t i) {
  return std::make_unique<mixtral::ChargeAdjustEntry>("req-" + std::to_string(i), "tenant_spend",
                                                      "acme", 0.125);
}

std::unique_ptr<mixtral::AuditWriter> OpenLog(const std::string& path, size_t queue) {
  mixtral::AuditOptions o;
  o.path = path;
  o.durability = mixtral::AuditDurability::kBatch;
  o.queue_capacity = queue;
  std::string error;
  auto w = mixtral::AuditWriter::Open(o, &error);
  if (!w) {
    std::fprintf(stderr, "audit_bench: %s\n", error.c_str());
    std::exit(1);
  }
  return w;
}

double Percentile(std::vector<double>& v, double p) {
  const size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp";
  uint64_t records = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir") {
      dir = argv[i + 1];
    } else if (flag == "--records") {
      records = std::strtoull(argv[i + 1], nullptr, 10);
    }
  }
  const std::string base = dir + "/audit_bench." + std::to_string(::getpid());
  std::filesystem::create_directories(base);

  // 1. Append latency on the deciding thread. The queue is big enough that
  // no call waits for the writer, which runs meanwhile on the other core.
  constexpr size_t kSamples = 200000;
  std::vector<double> append_ns;
  std::vector<double> build_append_ns;
  {
    auto w = OpenLog(base + "/latency.jsonl", 2 * kSamples + 1);
    std::vector<std::unique_ptr<mixtral::AuditEntry>> ready;
    ready.reserve(kSamples);
    for (size_t i = 0; i < kSamples; ++i) ready.push_back(Entry(i));
    append_ns.reserve(kSamples);
    for (size_t i = 0; i < kSamples; ++i) {
      const auto t0 = Clock::now();
      w->Append(std::move(ready[i]));
      const auto t1 = Clock::now();
      append_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    build_append_ns.reserve(kSamples);
    for (size_t i = 0; i < kSamples; ++i) {
      const auto t0 = Clock::now();
      w->Append(Entry(i));
      const auto t1 = Clock::now();
      build_append_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    w->Close();
    if (w->counters().dropped != 0) std::fprintf(stderr, "audit_bench: records dropped\n");
  }
  std::vector<double> clock_ns(kSamples);
  for (double& d : clock_ns) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    d = std::chrono::duration<double, std::nano>(t1 - t0).count();
  }

  // 2. Writer throughput, batch durability: from the first Append to Close
  // returning with everything written and synced.
  double per_s = 0;
  uint64_t syncs = 0;
  uint64_t bytes = 0;
  {
    auto w = OpenLog(base + "/throughput.jsonl", 65536);
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < records; ++i) w->Append(Entry(i));
    w->Close();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    per_s = static_cast<double>(records) / s;
    syncs = w->counters().syncs;
    bytes = w->counters().bytes;
    if (w->counters().records_written != records) {
      std::fprintf(stderr, "audit_bench: wrote %llu of %llu\n",
                   static_cast<unsigned long long>(w->counters().records_written),
                   static_cast<unsigned long long>(records));
    }
  }
  std::filesystem::remove_all(base);

  std::printf("append (entry built beforehand): p50 %.0f ns, p99 %.0f ns\n",
              Percentile(append_ns, 0.5), Percentile(append_ns, 0.99));
  std::printf("build entry + append:            p50 %.0f ns, p99 %.0f ns\n",
              Percentile(build_append_ns, 0.5), Percentile(build_append_ns, 0.99));
  std::printf("steady_clock pair alone:         p50 %.0f ns (included above)\n",
              Percentile(clock_ns, 0.5));
  std::printf(
      "writer, batch durability:        %.0f records/s (%llu records, %llu bytes, %llu "
      "fdatasyncs)\n",
      per_s, static_cast<unsigned long long>(records), static_cast<unsigned long long>(bytes),
      static_cast<unsigned long long>(syncs));
  return 0;
}
