// Internal: the bounded queue between appending threads and the writer
// thread. Appenders push under one short critical section; the writer takes
// everything queued at once by swapping vectors, so the two rarely contend
// and an appender makes a system call only to wake an idle writer.
//
// Before it sleeps until woken, an idle writer lingers for kLinger, polling
// on a timer: records appended meanwhile wait at most that long, and their
// appenders do not pay for a wake-up.
//
// In the drop mode a full queue drops the entry and counts it against the
// next entry that gets in (or against the end of the batch), so that the
// writer can put a `gap` record exactly where the records went missing.
//
// Besides the shared queue, the writer drains the record rings of threads
// that append often (record_ring.h): a ring's producer reserves and commits
// without a lock, and looks at a flag the writer sets only before it sleeps
// (seq_cst on both sides, so that one of them sees the other). The
// same overflow rules hold per ring, and Flush covers the rings too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "audit/record_ring.h"
#include "audit/stats.h"
#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

// Whoever ends a queued entry's life (the writer, a dropping Push, a batch
// abandoned by an exception) hands it back to its owner.
struct EntryRecycler {
  void operator()(AuditEntry* entry) const { entry->Recycle(); }
};
using EntryPtr = std::unique_ptr<AuditEntry, EntryRecycler>;

class EntryQueue {
 public:
  static constexpr std::chrono::microseconds kLinger{200};

  struct Item {
    EntryPtr entry;
    uint64_t dropped_before = 0;  // entries dropped between the previous item and this one
  };
  // A ring's records up to `until`; `drops`: its drops so far.
  struct RingWork {
    RecordRing* ring;
    uint64_t until;
    uint64_t drops;
  };
  struct Batch {
    std::vector<Item> items;
    std::vector<RingWork> rings;
    uint64_t trailing_drops = 0;  // dropped after the last item
    uint64_t flush = 0;           // a Flush waits for this generation: sync after this batch
    bool closing = false;         // nothing more will come
  };

  EntryQueue(size_t capacity, AuditOverflow overflow, Stats* stats)
      : capacity_(capacity), overflow_(overflow), stats_(stats) {}

  // Appending threads.
  bool Push(std::unique_ptr<AuditEntry> entry);
  // A ring's producer: Attach once, then for each record Reserve (null: the
  // record is dropped, and counted) and Commit. `max` must not exceed the
  // ring's max_payload().
  void Attach(std::shared_ptr<RecordRing> ring);
  std::byte* Reserve(RecordRing& ring, size_t max);
  void Commit(RecordRing& ring, uint32_t type, size_t used);
  // Waits until every entry pushed before the call is done and synced.
  bool Flush();

  // The writer thread. Waits until there is work or `deadline` passes, then
  // moves everything queued into *batch (whose items must be empty) and
  // notes how far each ring's records go.
  void Take(Batch* batch, std::optional<std::chrono::steady_clock::time_point> deadline);
  // The last batch is done; `synced` when the writer synced after it.
  void Done(const Batch& batch, bool synced);
  // The writer can write no more: refuse new entries, release every waiter.
  void Fail();
  // No more entries: the writer drains what is queued and stops.
  void Close();

 private:
  const size_t capacity_;
  const AuditOverflow overflow_;
  Stats* const stats_;

  void Drop(RecordRing& ring);
  void WakeIfSleeping();
  bool RingsReady() const;

  std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for entries
  std::condition_variable room_cv_;  // blocked appenders wait for room
  std::condition_variable done_cv_;  // Flush waits for the writer
  std::vector<Item> pending_;
  std::vector<std::shared_ptr<RecordRing>> rings_;
  uint64_t pending_drops_ = 0;
  uint64_t flush_generation_ = 0;   // Flush calls so far
  uint64_t flush_requested_ = 0;    // the newest generation the writer has yet to take
  uint64_t synced_generation_ = 0;  // the newest generation done and synced
  bool closing_ = false;
  bool failed_ = false;
  bool stopped_ = false;  // the writer has done its last batch
  int room_waiters_ = 0;
  // Read without the lock by ring producers.
  std::atomic<bool> writer_sleeping_{false};
  std::atomic<bool> refusing_{false};  // closing or failed
};

}  // namespace mixtral::audit
