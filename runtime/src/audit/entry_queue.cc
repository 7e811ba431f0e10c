#include "audit/entry_queue.h"

#include <algorithm>

namespace mixtral::audit {

bool EntryQueue::Push(std::unique_ptr<AuditEntry> owned) {
  // A dropped entry is recycled when this goes out of scope, outside the lock.
  EntryPtr entry(owned.release());
  bool wake = false;
  {
    std::unique_lock lock(mu_);
    if (overflow_ == AuditOverflow::kBlock) {
      while (pending_.size() >= capacity_ && !closing_ && !failed_) {
        ++room_waiters_;
        room_cv_.wait(lock);
        --room_waiters_;
      }
    }
    if (closing_ || failed_ || pending_.size() >= capacity_) {
      ++pending_drops_;
      Stats::Bump(stats_->dropped);
    } else {
      pending_.push_back({std::move(entry), pending_drops_});
      pending_drops_ = 0;
    }
    // One wake-up is enough.
    wake = writer_sleeping_.exchange(false, std::memory_order_relaxed);
  }
  if (wake) {
    work_cv_.notify_one();
  }
  return entry == nullptr;
}

void EntryQueue::Attach(std::shared_ptr<RecordRing> ring) {
  std::lock_guard lock(mu_);
  rings_.push_back(std::move(ring));
}

void EntryQueue::WakeIfSleeping() {
  // The ring's position was stored seq_cst, and Take stores the flag so
  // before it looks at the rings: either the writer sees what this thread
  // published, or this thread sees that the writer sleeps.
  if (!writer_sleeping_.load(std::memory_order_seq_cst)) return;
  {
    // Taking the lock waits until the writer is inside wait().
    std::lock_guard lock(mu_);
    writer_sleeping_.store(false, std::memory_order_relaxed);
  }
  work_cv_.notify_one();
}

void EntryQueue::Drop(RecordRing& ring) {
  ring.CountDrop();
  Stats::Bump(stats_->dropped);
  WakeIfSleeping();  // for the `gap` record
}

std::byte* EntryQueue::Reserve(RecordRing& ring, size_t max) {
  if (max > ring.max_payload() || refusing_.load(std::memory_order_relaxed)) {
    Drop(ring);
    return nullptr;
  }
  if (std::byte* room = ring.TryReserve(max)) return room;
  if (overflow_ == AuditOverflow::kDrop) {
    Drop(ring);
    return nullptr;
  }
  std::unique_lock lock(mu_);
  ++room_waiters_;
  for (;;) {
    if (closing_ || failed_) break;
    if (std::byte* room = ring.TryReserve(max)) {
      --room_waiters_;
      return room;
    }
    // The ring is full, so the writer has work: it is not asleep, but it
    // may be lingering.
    work_cv_.notify_one();
    room_cv_.wait(lock);
  }
  --room_waiters_;
  lock.unlock();
  Drop(ring);
  return nullptr;
}

void EntryQueue::Commit(RecordRing& ring, uint32_t type, size_t used) {
  ring.Commit(type, used);
  WakeIfSleeping();
}

bool EntryQueue::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t generation = ++flush_generation_;
  flush_requested_ = generation;
  work_cv_.notify_one();
  while (synced_generation_ < generation && !failed_ && !stopped_) {
    done_cv_.wait(lock);
  }
  return !failed_;
}

bool EntryQueue::RingsReady() const {
  return std::any_of(rings_.begin(), rings_.end(), [](const std::shared_ptr<RecordRing>& r) {
    return r->published() != r->consumed() || r->drops_published() != r->drops_reported() ||
           r->detached();
  });
}

void EntryQueue::Take(Batch* batch, std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mu_);
  auto has_work = [&] {
    return !pending_.empty() || pending_drops_ > 0 || flush_requested_ != 0 || closing_ ||
           RingsReady();
  };
  bool lingered = false;
  while (!has_work()) {
    if (!lingered) {
      // Lingering, the writer is not woken by appends: under a steady flow
      // of records the deciding threads then make no system call to wake it.
      lingered = true;
      auto until = std::chrono::steady_clock::now() + kLinger;
      if (deadline && *deadline < until) until = *deadline;
      work_cv_.wait_until(lock, until);
      if (deadline && std::chrono::steady_clock::now() >= *deadline) break;
      continue;
    }
    writer_sleeping_.store(true, std::memory_order_seq_cst);  // see WakeIfSleeping
    if (has_work()) break;
    if (!deadline) {
      work_cv_.wait(lock);
    } else if (work_cv_.wait_until(lock, *deadline) == std::cv_status::timeout) {
      break;
    }
  }
  writer_sleeping_.store(false, std::memory_order_relaxed);
  batch->items.swap(pending_);
  batch->trailing_drops = pending_drops_;
  pending_drops_ = 0;
  batch->flush = flush_requested_;
  flush_requested_ = 0;
  batch->closing = closing_;
  // After the flush request: every record appended before a Flush call is
  // below the position read here.
  batch->rings.clear();
  for (auto it = rings_.begin(); it != rings_.end();) {
    RecordRing& r = **it;
    const bool gone = r.detached();  // before the position: nothing comes after
    const uint64_t until = r.published();
    const uint64_t drops = r.drops_published();
    if (until != r.consumed() || drops != r.drops_reported()) {
      batch->rings.push_back({&r, until, drops});
    } else if (gone) {
      it = rings_.erase(it);
      continue;
    }
    ++it;
  }
  if (room_waiters_ > 0) {
    room_cv_.notify_all();
  }
}

void EntryQueue::Done(const Batch& batch, bool synced) {
  std::lock_guard lock(mu_);
  if (synced && batch.flush > synced_generation_) {
    synced_generation_ = batch.flush;
  }
  if (batch.closing) {
    stopped_ = true;
  }
  if (synced || batch.closing) {
    done_cv_.notify_all();
  }
  if (room_waiters_ > 0) {
    room_cv_.notify_all();  // ring space came back as records were read
  }
}

void EntryQueue::Fail() {
  std::lock_guard lock(mu_);
  failed_ = true;
  refusing_.store(true, std::memory_order_relaxed);
  room_cv_.notify_all();
  done_cv_.notify_all();
}

void EntryQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    refusing_.store(true, std::memory_order_relaxed);
    room_cv_.notify_all();
  }
  work_cv_.notify_one();
}

}  // namespace mixtral::audit
