// VerifyAuditLog against tampered logs: each case damages a fresh rotated
// log and names the record verify must report, exactly.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>

#include "audit_test_support.h"

namespace mixtral {
namespace {

using testing::CountingFiles;
using testing::NumberedEntry;
using testing::ReadFile;
using testing::ReadLines;
using testing::Sha256;
using testing::TempDir;
using testing::TestOptions;

constexpr int kRecords = 30;

// A log of kRecords records over several files; returns the file names.
std::vector<std::string> WriteRotatedLog(const std::string& log) {
  CountingFiles files;
  AuditOptions o = TestOptions(log, &files);
  o.rotate_bytes = 1000;
  o.durability = AuditDurability::kNone;
  std::string error;
  auto w = AuditWriter::Open(o, &error);
  REQUIRE(w != nullptr);
  for (int i = 1; i <= kRecords; ++i) {
    w->Append(NumberedEntry(i));
  }
  w->Close();
  std::vector<std::string> names;
  for (uint64_t i = 0; std::filesystem::exists(AuditFileName(log, i)); ++i) {
    names.push_back(AuditFileName(log, i));
  }
  return names;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Replaces line `n` (1-based) of `path`; nullopt deletes it.
void EditLine(const std::string& path, size_t n, std::optional<std::string> text) {
  std::vector<std::string> lines = ReadLines(path);
  REQUIRE(n <= lines.size());
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 == n) {
      if (text) out += *text + "\n";
    } else {
      out += lines[i] + "\n";
    }
  }
  WriteFile(path, out);
}

struct Case {
  const char* name;
  // Damages the log; may change the argument list.
  std::function<void(std::vector<std::string>& files, std::vector<std::string>& args)> damage;
  bool strict = false;
  // Expected problem: which file (index into the original files; -1 for
  // none), its line and seq (0: none) and a phrase of the message.
  int file = -1;
  uint64_t line = 0;
  uint64_t seq = 0;
  const char* message = "";
};

TEST_CASE("audit verify: tampering is caught and names the record") {
  const std::vector<Case> cases = {
      {"intact", [](auto&, auto&) {}},
      {"arguments in any order", [](auto&, auto& args) { std::reverse(args.begin(), args.end()); }},
      {"snapshot directory among the arguments",
       [](auto& files, auto& args) {
         std::filesystem::create_directory(files[0] + ".snapshots");
         args.push_back(files[0] + ".snapshots");
       }},
      {"one byte changed",
       [](auto& files, auto&) {
         std::string line = ReadLines(files[1])[1];
         line[line.find("\"n\":") + 4] ^= 1;  // the record's number: 9 -> 8
         EditLine(files[1], 2, line);
       },
       false, 1, 3, 0, "prev_hash is not the SHA-256 of the previous line"},
      {"a record line deleted", [](auto& files, auto&) { EditLine(files[1], 2, std::nullopt); },
       false, 1, 2, 0, "record(s) missing after"},
      {"a whole rotated file deleted",
       [](auto& files, auto& args) {
         std::filesystem::remove(files[2]);
         args.erase(args.begin() + 2);
       },
       false, 3, 1, 0, "record(s) missing after"},
      {"the first file deleted",
       [](auto& files, auto& args) {
         std::filesystem::remove(files[0]);
         args.erase(args.begin());
       },
       false, 1, 1, 0, "missing at the start"},
      {"two lines swapped",
       [](auto& files, auto&) {
         const auto lines = ReadLines(files[1]);
         EditLine(files[1], 1, lines[1]);
         EditLine(files[1], 2, lines[0]);
       },
       false, 1, 1, 0, "missing after"},
      {"a file given twice", [](auto& files, auto& args) { args.push_back(files[1]); }, false, 1, 1,
       0, "repeated or out of order"},
      {"garbage bytes", [](auto& files, auto&) { EditLine(files[1], 3, "\xff\xfe garbage"); },
       false, 1, 3, 0, "invalid UTF-8 at byte 1"},
      {"not JSON", [](auto& files, auto&) { EditLine(files[1], 3, "{\"seq\": 1"); }, false, 1, 3, 0,
       "not valid JSON at byte"},
      {"a NUL byte",
       [](auto& files, auto&) { EditLine(files[1], 3, std::string("{\"a\":1}\0x", 9)); }, false, 1,
       3, 0, "raw control character at byte 8"},
      {"nested a million deep",
       [](auto& files, auto&) { EditLine(files[1], 3, std::string(1000000, '[')); }, false, 1, 3, 0,
       "nested deeper than 256 levels"},
      {"an empty line", [](auto& files, auto&) { EditLine(files[1], 3, ""); }, false, 1, 3, 0,
       "empty line"},
      {"not an object", [](auto& files, auto&) { EditLine(files[1], 3, "[1,2]"); }, false, 1, 3, 0,
       "not a JSON object"},
      {"unknown kind",
       [](auto& files, auto&) {
         std::string line = ReadLines(files[1])[2];
         line.replace(line.find("decision"), 8, "decisive");
         EditLine(files[1], 3, line);
       },
       false, 1, 3, 0, "kind is not one of"},
      {"torn tail: warning only",
       [](auto& files, auto&) {
         const std::string text = ReadFile(files.back());
         WriteFile(files.back(), text.substr(0, text.size() - 10));
       }},
      {"torn tail under --strict",
       [](auto& files, auto&) {
         const std::string text = ReadFile(files.back());
         WriteFile(files.back(), text.substr(0, text.size() - 10));
       },
       true, -2, 0, 0, "torn tail of"},
      {"missing file", [](auto& files, auto& args) { args.push_back(files[0] + ".999999.jsonl"); },
       false, -3, 0, 0, "cannot read"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TempDir dir;
    std::vector<std::string> files = WriteRotatedLog(dir.path("audit.jsonl"));
    REQUIRE(files.size() >= 4);
    std::vector<std::string> args = files;
    c.damage(files, args);
    const AuditVerifyResult r = VerifyAuditLog(args, {.strict = c.strict});
    if (c.file == -1) {
      INFO((r.broken ? r.broken->ToString() : ""));
      CHECK(r.ok());
      CHECK(r.records <= kRecords);
      if (r.torn_tails.empty()) {
        CHECK(r.records == kRecords);
        CHECK(r.head_hash == Sha256(ReadLines(files.back()).back()));
      }
      continue;
    }
    REQUIRE(r.broken);
    CHECK_FALSE(r.ok());
    const std::string expected_file = c.file == -2   ? files.back()
                                      : c.file == -3 ? args.back()
                                                     : files[c.file];
    CHECK(r.broken->file == expected_file);
    CHECK(r.broken->line == c.line);
    if (c.seq != 0) {
      CHECK(r.broken->seq == c.seq);
    }
    CHECK(r.broken->message.find(c.message) != std::string::npos);
    CAPTURE(r.broken->ToString());
    if (c.line > 0) {
      CHECK(r.broken->ToString().find(expected_file + ":" + std::to_string(c.line) + ": ") == 0);
    }
  }
}

TEST_CASE("audit verify: an empty log verifies, with the zero hash as its head") {
  TempDir dir;
  WriteFile(dir.path("audit.jsonl"), "");
  const AuditVerifyResult r = VerifyAuditLog({dir.path("audit.jsonl")});
  CHECK(r.ok());
  CHECK(r.records == 0);
  CHECK(r.head_hash == kAuditZeroHash);
}

TEST_CASE("audit verify: a tampered line names the seq after it, and the line before") {
  TempDir dir;
  const std::vector<std::string> files = WriteRotatedLog(dir.path("audit.jsonl"));
  const auto lines = ReadLines(files[0]);
  std::string line = lines[1];
  line.replace(line.find("\"n\":2"), 5, "\"n\":3");
  EditLine(files[0], 2, line);
  const AuditVerifyResult r = VerifyAuditLog(files);
  REQUIRE(r.broken);
  CHECK(r.broken->ToString() ==
        files[0] + ":3: seq 3: prev_hash is not the SHA-256 of the previous line, " + files[0] +
            ":2 (seq 2): that line or this one was altered");
}

}  // namespace
}  // namespace mixtral
