// The tamper-evident audit log, AuditRecordV1 (contract §11, SPEC §19.1).
//
// An AuditWriter owns one log. Decision threads hand it entries; a writer
// thread of its own renders each entry into one line of compact canonical
// JSON, adds the members every record has (`kind`, `seq`, `prev_hash`, `ts`),
// chains the line to the one before by SHA-256 and appends it. The decision
// thread pays for the entry and one short critical section; rendering,
// hashing, writing and syncing all happen on the writer thread. An entry can
// come from a pool of reusable ones (Recycle), so that capturing a record
// allocates nothing once the pool is warm. An Engine's workers do not go
// through Append: each copies its decision records into a buffer of its own
// that the writer thread drains, without a lock (worker_buffer_bytes).
//
//   mixtral::AuditOptions options;
//   options.path = "/var/log/mixtral/audit.jsonl";
//   options.durability = mixtral::AuditDurability::kBatch;  // fdatasync every 10 ms
//   std::string error;
//   std::unique_ptr<mixtral::AuditWriter> log = mixtral::AuditWriter::Open(options, &error);
//   if (!log) { std::cerr << error << "\n"; return 1; }   // e.g. another writer holds it
//   log->Append(std::make_unique<mixtral::ChargeAdjustEntry>("req-1", "tenant_spend", "acme",
//   0.25)); log->Close();   // drains, syncs, releases the lock; the destructor does the same
//
//   mixtral::AuditVerifyResult r = mixtral::VerifyAuditLog({"audit.jsonl"});
//   if (r.broken) std::cerr << r.broken->ToString() << "\n";
//   else std::cout << r.head_hash << "\n";
//
// A new kind of record is a subclass of AuditEntry whose Render adds its
// members as (key, JSON text) pairs; the writer sorts them with its own by
// key (code-point order) and concatenates, so the line is canonical as long
// as each value is.
//
// Files. The log is `path`; with rotation on, it continues in
// `path.000001.jsonl`, `path.000002.jsonl`, ... and the chain and `seq` go on
// across files. Opening an existing log continues its chain from the last
// complete line of its highest file. A torn tail (a last line without its
// newline, left by a crash) is left as it is, and writing continues in the
// next file with a `recovered` record naming the torn file. The writer holds
// an exclusive flock on `path` for its lifetime, so a second writer fails to
// open. Snapshots that records reference are stored once each in
// `path.snapshots/<sha256>.json` before the first record that references
// them.
//
// Threading. Open, Close and the destructor must not race with each other;
// Append, Flush, counters() and error() are safe from any number of threads
// at once, until Close begins. Entries are rendered and recycled on the
// writer thread (or, when dropped, on the appending thread), so an entry must
// not share unsynchronised mutable state with its creator. The same holds for
// an Engine's decisions: a decision made after Close began is dropped and
// counted, but one that races with Close may be neither written nor counted,
// so close the writer after the engine's last decision.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mixtral/runtime/audit_files.h"

namespace mixtral {

// The `prev_hash` of `seq` 1, and the head hash of an empty log.
inline constexpr std::string_view kAuditZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

enum class AuditDurability {
  kNone,    // write(2) only: the OS decides when lines reach the disk
  kBatch,   // fdatasync at most every `sync_interval` while there are unsynced lines
  kAlways,  // fdatasync after every record, before the next is written
};

enum class AuditOverflow {
  kBlock,  // Append waits for room: nothing is lost, the decision thread may stall
  kDrop,   // Append drops the entry and counts it; a `gap` record says how many
};

struct AuditOptions {
  std::string path;  // the log file; its directory must exist
  AuditDurability durability = AuditDurability::kBatch;
  std::chrono::milliseconds sync_interval{10};  // for kBatch
  AuditOverflow overflow = AuditOverflow::kBlock;
  size_t queue_capacity = 65536;  // Append()ed entries waiting for the writer thread
  // An engine's decision records wait in a buffer of this many bytes per
  // worker (rounded up to a power of two, from 64 KiB to 1 GiB); the overflow
  // rules hold for each buffer.
  size_t worker_buffer_bytes = size_t{1} << 20;
  uint64_t rotate_bytes = 0;          // start a new file before one would pass this; 0: never
  AuditFileLayer* files = nullptr;    // null: PosixAuditFiles(); must outlive the writer
  std::function<int64_t()> clock_ms;  // epoch ms for `ts`; empty: the system clock
};

// What a writer has done. `dropped` reads 0 in normal operation.
struct AuditCounters {
  uint64_t records_written = 0;  // lines written, `gap` and `recovered` included
  uint64_t dropped = 0;          // entries lost: the drop mode's, and any after a write failure
  uint64_t gaps = 0;             // `gap` records written
  uint64_t syncs = 0;            // fdatasync calls on log files
  uint64_t bytes = 0;            // bytes written to log files, newlines included
  uint64_t rotations = 0;        // new files started because of rotate_bytes
  uint64_t snapshots_written = 0;
  uint64_t snapshot_errors = 0;  // snapshots not stored (bad sha, text not matching it, I/O)
};

// The members of one record, as an entry renders them: (key, JSON text).
// Values must be compact canonical JSON (contract §12); the Add* helpers
// write canonical scalars.
class AuditMembers {
 public:
  void AddRaw(std::string_view key, std::string_view json);  // "" is written as null
  void AddString(std::string_view key, std::string_view value);
  void AddInt(std::string_view key, int64_t value);
  void AddDouble(std::string_view key, double value);  // NaN and infinities as strings
  void AddBool(std::string_view key, bool value);

  void Clear();
  size_t size() const { return members_.size(); }
  std::string_view key(size_t i) const { return members_[i].key; }
  std::string_view value(size_t i) const;

 private:
  struct Member {
    std::string key;
    size_t begin;
    size_t end;
  };
  std::vector<Member> members_;
  std::string values_;  // every value's text, back to back
};

// A snapshot a record references: stored as `<log>.snapshots/<sha256>.json`
// the first time a record references it. The writer checks that `sha256` is
// the SHA-256 of `canonical_json` before storing it.
struct AuditSnapshot {
  std::string sha256;  // lowercase hex
  std::shared_ptr<const std::string> canonical_json;
};

// One record waiting to be written.
class AuditEntry {
 public:
  virtual ~AuditEntry() = default;
  // `decision`, `charge_adjust`, ...; must outlive the entry.
  virtual std::string_view kind() const = 0;
  // Adds this record's own members. `kind`, `seq`, `prev_hash` and `ts` are
  // the writer's: members of those names are ignored, as is any key after
  // its first occurrence.
  virtual void Render(AuditMembers& out) const = 0;
  // The snapshot the record references, if any.
  virtual const AuditSnapshot* snapshot() const { return nullptr; }
  // The writer is done with the entry (written, dropped or lost): it is
  // deleted, unless it belongs to a pool and returns itself to it.
  virtual void Recycle() { delete this; }
};

// `charge_adjust`: a correction to an earlier charge (SPEC §19.1).
class ChargeAdjustEntry final : public AuditEntry {
 public:
  ChargeAdjustEntry(std::string decision_id, std::string counter, std::string key, double amount)
      : decision_id_(std::move(decision_id)),
        counter_(std::move(counter)),
        key_(std::move(key)),
        amount_(amount) {}
  std::string_view kind() const override { return "charge_adjust"; }
  void Render(AuditMembers& out) const override;

 private:
  std::string decision_id_;
  std::string counter_;
  std::string key_;
  double amount_;
};

// Any record whose members the caller has already rendered to canonical JSON.
class PrerenderedEntry final : public AuditEntry {
 public:
  using Members = std::vector<std::pair<std::string, std::string>>;  // (key, JSON text)
  PrerenderedEntry(std::string kind, Members members,
                   std::optional<AuditSnapshot> snapshot = std::nullopt)
      : kind_(std::move(kind)), members_(std::move(members)), snapshot_(std::move(snapshot)) {}
  std::string_view kind() const override { return kind_; }
  void Render(AuditMembers& out) const override;
  const AuditSnapshot* snapshot() const override { return snapshot_ ? &*snapshot_ : nullptr; }

 private:
  std::string kind_;
  Members members_;
  std::optional<AuditSnapshot> snapshot_;
};

namespace audit {
class WriterAccess;  // the engine's way to its writer's queue
}  // namespace audit

class AuditWriter {
 public:
  // Locks the log, continues its chain (writing a `recovered` record after a
  // torn tail) and starts the writer thread. On failure returns null and
  // sets *error to a message that names the file.
  static std::unique_ptr<AuditWriter> Open(AuditOptions options, std::string* error);

  ~AuditWriter();  // Close()
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues one record. Returns false when the entry was dropped: the queue
  // was full in kDrop mode, or the writer has failed or is closing. In kBlock
  // mode it waits for room instead.
  bool Append(std::unique_ptr<AuditEntry> entry);

  // Waits until every entry appended before the call is written and, unless
  // the durability is kNone, synced. False when the writer has failed.
  bool Flush();

  // Writes what is queued, syncs (unless kNone), stops the writer thread,
  // closes the files and releases the lock. Idempotent.
  void Close();

  AuditCounters counters() const;
  // Why the writer stopped writing, once a write or sync has failed.
  std::optional<std::string> error() const;
  // The last record written: its seq and the SHA-256 of its line.
  std::pair<uint64_t, std::string> head() const;

 private:
  friend class audit::WriterAccess;
  class Impl;
  explicit AuditWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Verifying a log's chain (`mixtral audit verify`).
struct AuditVerifyOptions {
  bool strict = false;  // a torn tail that no `recovered` record accounts for is an error
};

struct AuditProblem {
  std::string file;
  uint64_t line = 0;            // 1-based; 0 when it concerns the file as a whole
  std::optional<uint64_t> seq;  // when the line had a readable seq
  std::string message;
  // "audit.jsonl:17: seq 17: prev_hash is not the SHA-256 of the previous line (seq 16)"
  std::string ToString() const;
};

struct AuditTornTail {
  std::string file;
  uint64_t bytes = 0;
  bool recovered = false;  // a later `recovered` record accounts for it
};

struct AuditVerifyResult {
  std::optional<AuditProblem> broken;  // the first broken record; nothing else is checked after it
  std::string head_hash;               // SHA-256 of the last complete line (zeros when none)
  uint64_t records = 0;                // complete lines checked
  uint64_t last_seq = 0;
  std::vector<std::string> files;  // in chain order
  std::vector<AuditTornTail> torn_tails;
  // Holds when the chain is intact and, under `strict`, no torn tail is unrecovered.
  bool ok() const;
};

// Orders `files` by the seq of their first record, whatever the argument
// order, and checks every line: valid JSON object, a known kind, seq one more
// than the previous, prev_hash the SHA-256 of the previous line. The chain
// must start at seq 1. Never throws; unreadable files and garbage are
// problems, not crashes.
AuditVerifyResult VerifyAuditLog(const std::vector<std::string>& files,
                                 const AuditVerifyOptions& options = {});

// The name of rotated file `index` of a log: the log itself for 0, else
// `<log>.000001.jsonl` and so on.
std::string AuditFileName(const std::string& log, uint64_t index);

}  // namespace mixtral
