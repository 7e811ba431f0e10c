// Durability and overflow (contract §11): fdatasync counted through the
// file layer for each durability mode, exact drop counts with `gap`
// records, and nothing lost under a tiny queue in block mode.
#include <doctest/doctest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit_test_support.h"

namespace mixtral {
namespace {

using testing::CountingFiles;
using testing::Gate;
using testing::GateEntry;
using testing::NumberedEntry;
using testing::ReadLines;
using testing::TempDir;
using testing::TestOptions;

TEST_CASE("audit durability: fdatasync calls per mode") {
  struct Case {
    const char* name;
    AuditDurability durability;
  };
  const Case cases[] = {
      {"none", AuditDurability::kNone},
      {"batch", AuditDurability::kBatch},
      {"always", AuditDurability::kAlways},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TempDir dir;
    CountingFiles files;
    AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
    o.durability = c.durability;
    o.sync_interval = std::chrono::milliseconds(50);
    std::string error;
    auto w = AuditWriter::Open(o, &error);
    REQUIRE(w != nullptr);
    constexpr int kRecords = 40;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRecords; ++i) {
      REQUIRE(w->Append(NumberedEntry(i)));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    w->Close();
    const AuditCounters counters = w->counters();
    CHECK(counters.records_written == kRecords);
    CHECK(counters.syncs == files.syncs());  // the writer counts what the layer saw
    switch (c.durability) {
      case AuditDurability::kNone:
        CHECK(files.syncs() == 0);
        CHECK(files.dir_syncs() == 0);
        break;
      case AuditDurability::kAlways:
        CHECK(files.syncs() == kRecords);  // one per record; Close finds nothing left
        break;
      case AuditDurability::kBatch: {
        // About one per 50 ms interval over ~200 ms of appends (and one at
        // Close): far fewer than one per record, and never more than the
        // intervals allow.
        const double intervals = elapsed_ms / 50.0;
        CAPTURE(elapsed_ms);
        CHECK(files.syncs() >= 2);
        CHECK(files.syncs() <= static_cast<uint64_t>(intervals) + 2);
        CHECK(files.syncs() < kRecords / 2);
        break;
      }
    }
  }
}

TEST_CASE("audit durability: batch syncs an idle log within the interval") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.sync_interval = std::chrono::milliseconds(10);
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  REQUIRE(w != nullptr);
  w->Append(NumberedEntry(1));
  // The first record after a quiet spell is synced as soon as it is
  // written, or at the latest one interval later; poll for up to 2 s.
  for (int i = 0; i < 200 && files.syncs() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(files.syncs() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(files.syncs() == 1);  // nothing new: no more syncs
  w->Close();
  CHECK(files.syncs() == 1);
}

TEST_CASE("audit durability: Flush makes appended records durable") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.sync_interval = std::chrono::hours(1);
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  REQUIRE(w != nullptr);
  for (int i = 0; i < 5; ++i) {
    w->Append(NumberedEntry(i));
  }
  REQUIRE(w->Flush());
  CHECK(ReadLines(o.path).size() == 5);
  CHECK(files.syncs() >= 1);
  const uint64_t after_flush = files.syncs();
  w->Close();
  CHECK(files.syncs() == after_flush);  // nothing left to sync
}

TEST_CASE("audit overflow: drop counts exactly and writes gap records") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.overflow = AuditOverflow::kDrop;
  o.queue_capacity = 4;
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  REQUIRE(w != nullptr);

  // While the writer is held, the queue takes 4 and drops the rest.
  auto fill = [&](int from, int to) {
    Gate gate;
    REQUIRE(w->Append(std::make_unique<GateEntry>(&gate)));
    gate.WaitEntered();
    int accepted = 0;
    for (int i = from; i <= to; ++i) {
      accepted += w->Append(NumberedEntry(i)) ? 1 : 0;
    }
    CHECK(accepted == 4);
    gate.open = true;
    REQUIRE(w->Flush());
  };
  fill(1, 11);
  CHECK(w->counters().dropped == 7);
  REQUIRE(w->Append(NumberedEntry(12)));  // the next record that gets through
  fill(13, 18);                           // 17 and 18 dropped, and nothing after them
  w->Close();

  const AuditCounters c = w->counters();
  std::vector<std::string> order;
  uint64_t gap_total = 0;
  for (const std::string& line : ReadLines(o.path)) {
    const nlohmann::json r = nlohmann::json::parse(line);
    if (r["kind"] == "gap") {
      order.push_back("gap:" + std::to_string(r["dropped"].get<uint64_t>()));
      gap_total += r["dropped"].get<uint64_t>();
    } else if (r.contains("n")) {
      order.push_back(std::to_string(r["n"].get<int>()));
    } else {
      order.push_back("gate");
    }
  }
  CHECK(gap_total == c.dropped);
  CHECK(c.gaps ==
        static_cast<uint64_t>(std::count_if(order.begin(), order.end(), [](const std::string& s) {
          return s.rfind("gap:", 0) == 0;
        })));
  CHECK(c.dropped == 9);
  CHECK(order == std::vector<std::string>{"gate", "1", "2", "3", "4", "gap:7", "12", "gate", "13",
                                          "14", "15", "16", "gap:2"});
  CHECK(VerifyAuditLog({o.path}).ok());
}

TEST_CASE("audit overflow: block loses nothing under a tiny queue and two producers") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.overflow = AuditOverflow::kBlock;
  o.queue_capacity = 2;
  o.durability = AuditDurability::kNone;
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  REQUIRE(w != nullptr);
  constexpr int kPerThread = 5000;
  std::atomic<int> refused{0};
  auto produce = [&](int base) {
    for (int i = 0; i < kPerThread; ++i) {
      if (!w->Append(NumberedEntry(base + i))) {
        refused.fetch_add(1);
      }
    }
  };
  std::thread a(produce, 0);
  std::thread b(produce, 100000);
  a.join();
  b.join();
  w->Close();
  CHECK(refused == 0);
  CHECK(w->counters().dropped == 0);
  CHECK(w->counters().records_written == 2 * kPerThread);
  // Each producer's records appear in its own order.
  const auto lines = ReadLines(o.path);
  REQUIRE(lines.size() == 2 * kPerThread);
  int next_a = 0;
  int next_b = 100000;
  for (const std::string& line : lines) {
    const int n = nlohmann::json::parse(line)["n"].get<int>();
    if (n < 100000) {
      CHECK(n == next_a++);
    } else {
      CHECK(n == next_b++);
    }
  }
  CHECK(VerifyAuditLog({o.path}).ok());
}

}  // namespace
}  // namespace mixtral
