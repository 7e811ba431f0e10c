// The audit writer's chain and files (contract §11): hashes recomputed here
// with libcrypto, seq across rotation, reopening, torn-tail recovery, the
// snapshot store and the one-writer lock.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "audit_test_support.h"

namespace mixtral {
namespace {

using testing::CountingFiles;
using testing::NumberedEntry;
using testing::ReadLines;
using testing::Sha256;
using testing::TempDir;
using testing::TestOptions;

std::unique_ptr<AuditWriter> MustOpen(const AuditOptions& o) {
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  INFO(error);
  REQUIRE(w != nullptr);
  return w;
}

void WriteNumbered(const AuditOptions& o, int from, int count) {
  auto w = MustOpen(o);
  for (int i = from; i < from + count; ++i) {
    REQUIRE(w->Append(NumberedEntry(i)));
  }
  w->Close();
  CHECK(w->counters().dropped == 0);
  CHECK_FALSE(w->error());
}

// Every line of `files`, in order, checked as one chain: seq from 1 and
// prev_hash the SHA-256 of the line before. Returns the parsed records.
std::vector<nlohmann::json> CheckChain(const std::vector<std::string>& files) {
  std::vector<nlohmann::json> records;
  std::string prev(kAuditZeroHash);
  for (const std::string& file : files) {
    for (const std::string& line : ReadLines(file)) {
      CAPTURE(file);
      CAPTURE(line);
      nlohmann::json r = nlohmann::json::parse(line);
      CHECK(r["seq"].get<uint64_t>() == records.size() + 1);
      CHECK(r["prev_hash"].get<std::string>() == prev);
      // Canonical: nlohmann re-serialises sorted and compact, identically
      // for these records (no floats, no control characters).
      CHECK(r.dump() == line);
      prev = Sha256(line);
      records.push_back(std::move(r));
    }
  }
  return records;
}

TEST_CASE("audit: every line chains to the one before by SHA-256") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  auto w = MustOpen(o);
  for (int i = 1; i <= 50; ++i) {
    REQUIRE(w->Append(NumberedEntry(i)));
  }
  REQUIRE(w->Append(std::make_unique<ChargeAdjustEntry>("req-7", "tenant_spend", "acme", 0.25)));
  w->Close();

  const std::vector<std::string> lines = ReadLines(o.path);
  REQUIRE(lines.size() == 51);
  CHECK(lines[0] ==
        "{\"kind\":\"decision\",\"n\":1,\"prev_hash\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\",\"seq\":1,"
        "\"ts\":\"2026-11-27T10:00:00.000Z\"}");
  CHECK(lines[50] ==
        "{\"amount\":0.25,\"counter\":\"tenant_spend\",\"decision_id\":\"req-7\","
        "\"key\":\"acme\",\"kind\":\"charge_adjust\",\"prev_hash\":\"" +
            Sha256(lines[49]) + "\",\"seq\":51,\"ts\":\"2026-11-27T10:00:00.000Z\"}");
  const auto records = CheckChain({o.path});
  REQUIRE(records.size() == 51);
  for (int i = 0; i < 50; ++i) {
    CHECK(records[i]["n"] == i + 1);  // in append order
  }
  const AuditCounters c = w->counters();
  CHECK(c.records_written == 51);
  CHECK(c.dropped == 0);
  CHECK(c.bytes == testing::ReadFile(o.path).size());
  CHECK(w->head() == std::make_pair(uint64_t{51}, Sha256(lines[50])));
}

TEST_CASE("audit: members are sorted by code point; the writer's members win") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  auto w = MustOpen(o);
  w->Append(std::make_unique<PrerenderedEntry>(
      "decision", PrerenderedEntry::Members{{"z", "1"},
                                            {"seq", "99"},
                                            {"\xc3\xa9t\xc3\xa9", "true"},  // "été"
                                            {"a", "\"x\\u000ay\""},
                                            {"z", "2"},
                                            {"T", "null"},
                                            {"empty", ""}}));
  w->Close();
  const auto lines = ReadLines(o.path);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "{\"T\":null,\"a\":\"x\\u000ay\",\"empty\":null,\"kind\":\"decision\",\"prev_hash\":\"" +
            std::string(kAuditZeroHash) +
            "\",\"seq\":1,\"ts\":\"2026-11-27T10:00:00.000Z\",\"z\":1,\"\xc3\xa9t\xc3\xa9\":true}");
}

TEST_CASE("audit: seq and the chain continue across rotated files") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.rotate_bytes = 1000;  // about 7 records a file
  auto w = MustOpen(o);
  for (int i = 1; i <= 40; ++i) {
    REQUIRE(w->Append(NumberedEntry(i)));
  }
  w->Close();
  std::vector<std::string> names;
  for (uint64_t i = 0; std::filesystem::exists(AuditFileName(o.path, i)); ++i) {
    names.push_back(AuditFileName(o.path, i));
    CHECK(std::filesystem::file_size(names.back()) <= 1000);
  }
  CHECK(names.size() >= 5);
  CHECK(names[1] == o.path + ".000001.jsonl");
  CHECK(w->counters().rotations == names.size() - 1);
  CHECK(CheckChain(names).size() == 40);
}

TEST_CASE("audit: reopening a log continues its chain, in the highest file") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  SUBCASE("one file") {
    WriteNumbered(o, 1, 10);
    WriteNumbered(o, 11, 5);
    const auto records = CheckChain({o.path});
    REQUIRE(records.size() == 15);
    CHECK(records[14]["n"] == 15);
  }
  SUBCASE("rotated") {
    o.rotate_bytes = 600;
    WriteNumbered(o, 1, 20);
    WriteNumbered(o, 21, 20);
    std::vector<std::string> names;
    for (uint64_t i = 0; std::filesystem::exists(AuditFileName(o.path, i)); ++i) {
      names.push_back(AuditFileName(o.path, i));
    }
    CHECK(CheckChain(names).size() == 40);
  }
}

TEST_CASE("audit: a torn tail is left alone and recovered in the next file") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  WriteNumbered(o, 1, 3);
  const std::string before = testing::ReadFile(o.path);
  const std::string torn = "{\"kind\":\"decision\",\"n\":4,\"prev";
  { std::ofstream(o.path, std::ios::app | std::ios::binary) << torn; }
  WriteNumbered(o, 4, 2);

  CHECK(testing::ReadFile(o.path) == before + torn);  // untouched
  const std::string next = o.path + ".000001.jsonl";
  const auto lines = ReadLines(next);
  REQUIRE(lines.size() == 3);
  const nlohmann::json recovered = nlohmann::json::parse(lines[0]);
  CHECK(recovered["kind"] == "recovered");
  CHECK(recovered["file"] == "audit.jsonl");
  CHECK(recovered["torn_bytes"] == torn.size());
  CHECK(recovered["seq"] == 4);
  CHECK(recovered["prev_hash"] == Sha256(ReadLines(o.path)[2]));
  CHECK(nlohmann::json::parse(lines[1])["n"] == 4);

  const AuditVerifyResult v = VerifyAuditLog({next, o.path});
  INFO((v.broken ? v.broken->ToString() : ""));
  CHECK(v.ok());
  CHECK(v.last_seq == 6);
  CHECK(v.head_hash == Sha256(lines[2]));
  REQUIRE(v.torn_tails.size() == 1);
  CHECK(v.torn_tails[0].recovered);
  CHECK(VerifyAuditLog({o.path, next}, {.strict = true}).ok());
}

TEST_CASE("audit: a torn line with nothing before it starts the chain at seq 1") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  { std::ofstream(o.path, std::ios::binary) << "{\"kind\":\"dec"; }
  WriteNumbered(o, 1, 1);
  const auto lines = ReadLines(o.path + ".000001.jsonl");
  REQUIRE(lines.size() == 2);
  const nlohmann::json recovered = nlohmann::json::parse(lines[0]);
  CHECK(recovered["seq"] == 1);
  CHECK(recovered["prev_hash"] == std::string(kAuditZeroHash));
  CHECK(recovered["torn_bytes"] == 12);
  CHECK(VerifyAuditLog({o.path, o.path + ".000001.jsonl"}).ok());
}

TEST_CASE("audit: a log whose last line is not a record is not continued") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  { std::ofstream(o.path, std::ios::binary) << "not json at all\n"; }
  std::string error;
  CHECK(AuditWriter::Open(o, &error) == nullptr);
  CHECK(error.find("audit.jsonl is not an audit record") != std::string::npos);
}

TEST_CASE("audit: one writer per log; the lock goes with the writer") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  auto first = MustOpen(o);
  std::string error;
  CHECK(AuditWriter::Open(o, &error) == nullptr);
  CHECK(error ==
        "audit log " + o.path + " is in use: another writer holds its lock (one writer per log)");
  first->Close();
  CHECK(MustOpen(o) != nullptr);
}

TEST_CASE("audit: a snapshot is stored once, before the first record naming it") {
  TempDir dir;
  CountingFiles files;
  const AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  auto text = std::make_shared<const std::string>("{\"targets\":[]}");
  const AuditSnapshot snap{Sha256(*text), text};
  auto entry = [&](std::optional<AuditSnapshot> s) {
    return std::make_unique<PrerenderedEntry>(
        "decision", PrerenderedEntry::Members{{"snapshot_sha256", "\"" + snap.sha256 + "\""}},
        std::move(s));
  };
  auto w = MustOpen(o);
  w->Append(entry(snap));
  w->Append(entry(snap));
  w->Append(entry(AuditSnapshot{std::string(64, 'a'), text}));  // does not hash to its name
  w->Append(entry(AuditSnapshot{"../../etc/passwd", text}));
  w->Close();
  const std::string stored = o.path + ".snapshots/" + snap.sha256 + ".json";
  CHECK(testing::ReadFile(stored) == *text);
  CHECK(testing::ListFiles(o.path + ".snapshots").size() == 1);
  const AuditCounters c = w->counters();
  CHECK(c.snapshots_written == 1);
  CHECK(c.snapshot_errors == 2);
  CHECK(c.records_written == 4);  // the records go out regardless
  CHECK(files.renames() == 1);

  auto again = MustOpen(o);  // a later writer finds it stored
  again->Append(entry(snap));
  again->Close();
  CHECK(again->counters().snapshots_written == 0);
  CHECK(again->counters().snapshot_errors == 0);
}

TEST_CASE("audit: a failed write stops the writer, says why and counts what is lost") {
  TempDir dir;
  CountingFiles files;
  AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
  o.durability = AuditDurability::kAlways;
  auto w = MustOpen(o);
  REQUIRE(w->Append(NumberedEntry(1)));
  REQUIRE(w->Flush());
  files.FailWritesAfter(0);
  w->Append(NumberedEntry(2));
  CHECK_FALSE(w->Flush());
  CHECK_FALSE(w->Append(NumberedEntry(3)));
  w->Close();
  REQUIRE(w->error());
  CHECK(w->error()->find("cannot write " + o.path + ": No space left on device") == 0);
  CHECK(w->counters().records_written == 1);
  CHECK(w->counters().dropped == 2);  // #2 failed to write, #3 came after the failure
  CHECK(ReadLines(o.path).size() == 1);
}

}  // namespace
}  // namespace mixtral
