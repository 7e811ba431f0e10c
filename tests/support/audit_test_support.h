// Shared setup for the audit log's tests: a temporary directory, a file layer
// that counts the calls the writer makes (and can be told to fail writes),
// and an independent SHA-256 straight from libcrypto, so that a chain test
// does not check the writer's hashing against itself.
//
//   TempDir dir;
//   CountingFiles files;
//   AuditOptions o = TestOptions(dir.path("audit.jsonl"), &files);
//   auto w = AuditWriter::Open(o, &error);
//   ... files.syncs() ...
//   std::vector<std::string> lines = ReadLines(dir.path("audit.jsonl"));
#pragma once

#include <openssl/sha.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "mixtral/runtime/audit.h"
#include "test_files.h"

namespace mixtral::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/mixtral-audit.XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    dir_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Forwards to the POSIX layer, counting the calls. fdatasync counts log and
// snapshot files alike; directory syncs are counted apart.
class CountingFiles final : public AuditFileLayer {
 public:
  int Open(const char* path, int flags, unsigned mode) override {
    opens_.fetch_add(1);
    return real().Open(path, flags, mode);
  }
  long Write(int fd, const char* data, size_t size) override {
    writes_.fetch_add(1);
    if (fail_writes_after_.load() == 0) {
      return -28;  // ENOSPC
    }
    fail_writes_after_.fetch_sub(1);
    return real().Write(fd, data, size);
  }
  long ReadAt(int fd, char* buf, size_t size, uint64_t offset) override {
    return real().ReadAt(fd, buf, size, offset);
  }
  int64_t Size(int fd) override { return real().Size(fd); }
  int Fdatasync(int fd) override {
    syncs_.fetch_add(1);
    return real().Fdatasync(fd);
  }
  int SyncDir(const char* path) override {
    dir_syncs_.fetch_add(1);
    return real().SyncDir(path);
  }
  int Flock(int fd, int operation) override {
    flocks_.fetch_add(1);
    return real().Flock(fd, operation);
  }
  int Close(int fd) override { return real().Close(fd); }
  int Rename(const char* from, const char* to) override {
    renames_.fetch_add(1);
    return real().Rename(from, to);
  }
  int MakeDir(const char* path, unsigned mode) override { return real().MakeDir(path, mode); }

  uint64_t syncs() const { return syncs_.load(); }
  uint64_t dir_syncs() const { return dir_syncs_.load(); }
  uint64_t writes() const { return writes_.load(); }
  uint64_t flocks() const { return flocks_.load(); }
  uint64_t renames() const { return renames_.load(); }
  // Every write after the next `n` fails with ENOSPC.
  void FailWritesAfter(int64_t n) { fail_writes_after_.store(n); }

 private:
  static AuditFileLayer& real() { return PosixAuditFiles(); }
  std::atomic<uint64_t> opens_{0}, writes_{0}, syncs_{0}, dir_syncs_{0}, flocks_{0}, renames_{0};
  std::atomic<int64_t> fail_writes_after_{-1};
};

inline std::string Sha256(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  return SplitLines(ReadFile(path));
}

// Options with a fixed clock, so lines are reproducible.
inline AuditOptions TestOptions(const std::string& path, AuditFileLayer* files) {
  AuditOptions o;
  o.path = path;
  o.files = files;
  o.clock_ms = [] { return int64_t{1795773600000}; };  // 2026-11-27T10:00:00.000Z
  return o;
}

// A `decision`-kind record with one member, `n`, for counting.
inline std::unique_ptr<AuditEntry> NumberedEntry(int64_t n) {
  return std::make_unique<PrerenderedEntry>("decision",
                                            PrerenderedEntry::Members{{"n", std::to_string(n)}});
}

// An entry that holds the writer thread in Render until released, so a test
// can fill the queue deterministically.
struct Gate {
  std::atomic<bool> entered{false};
  std::atomic<bool> open{false};
  void WaitEntered() const {
    while (!entered.load()) {
      std::this_thread::yield();
    }
  }
};

class GateEntry final : public AuditEntry {
 public:
  explicit GateEntry(Gate* gate) : gate_(gate) {}
  std::string_view kind() const override { return "decision"; }
  void Render(AuditMembers& out) const override {
    gate_->entered = true;
    while (!gate_->open.load()) {
      std::this_thread::yield();
    }
    out.AddString("gate", "passed");
  }

 private:
  Gate* gate_;
};

}  // namespace mixtral::testing
