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
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

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
  struct Batch {
    std::vector<Item> items;
    uint64_t trailing_drops = 0;  // dropped after the last item
    bool flush = false;           // someone waits in Flush: sync after this batch
    bool closing = false;         // nothing more will come
  };

  EntryQueue(size_t capacity, AuditOverflow overflow, Stats* stats)
      : capacity_(capacity), overflow_(overflow), stats_(stats) {}

  // Appending threads.
  bool Push(std::unique_ptr<AuditEntry> entry);
  // Waits until every entry pushed before the call is done and synced.
  bool Flush();

  // The writer thread. Waits until there is work or `deadline` passes, then
  // moves everything queued into *batch (whose items must be empty).
  void Take(Batch* batch, std::optional<std::chrono::steady_clock::time_point> deadline);
  // `count` items of the last batch are done; `synced` when the writer
  // synced after them.
  void Done(uint64_t count, bool synced);
  // The writer can write no more: refuse new entries, release every waiter.
  void Fail();
  // No more entries: the writer drains what is queued and stops.
  void Close();

 private:
  const size_t capacity_;
  const AuditOverflow overflow_;
  Stats* const stats_;

  std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for entries
  std::condition_variable room_cv_;  // blocked appenders wait for room
  std::condition_variable done_cv_;  // Flush waits for the writer
  std::vector<Item> pending_;
  uint64_t pending_drops_ = 0;
  uint64_t accepted_ = 0;   // entries ever queued
  uint64_t completed_ = 0;  // of those, done by the writer
  uint64_t synced_ = 0;     // of those, done and synced
  bool writer_waiting_ = false;
  bool flush_requested_ = false;
  bool closing_ = false;
  bool failed_ = false;
  int room_waiters_ = 0;
};

}  // namespace mixtral::audit
