#include "audit/entry_queue.h"

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
      wake = writer_waiting_;
    } else {
      pending_.push_back({std::move(entry), pending_drops_});
      pending_drops_ = 0;
      ++accepted_;
      wake = writer_waiting_;
      writer_waiting_ = false;  // one wake-up is enough
    }
  }
  if (wake) {
    work_cv_.notify_one();
  }
  return entry == nullptr;
}

bool EntryQueue::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = accepted_;
  while (synced_ < target && !failed_) {
    flush_requested_ = true;
    work_cv_.notify_one();
    done_cv_.wait(lock);
  }
  return !failed_;
}

void EntryQueue::Take(Batch* batch, std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mu_);
  auto has_work = [&] {
    return !pending_.empty() || pending_drops_ > 0 || flush_requested_ || closing_;
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
    writer_waiting_ = true;
    if (!deadline) {
      work_cv_.wait(lock);
    } else if (work_cv_.wait_until(lock, *deadline) == std::cv_status::timeout) {
      break;
    }
  }
  writer_waiting_ = false;
  batch->items.swap(pending_);
  batch->trailing_drops = pending_drops_;
  pending_drops_ = 0;
  batch->flush = flush_requested_;
  flush_requested_ = false;
  batch->closing = closing_;
  if (room_waiters_ > 0) {
    room_cv_.notify_all();
  }
}

void EntryQueue::Done(uint64_t count, bool synced) {
  std::lock_guard lock(mu_);
  completed_ += count;
  if (synced) {
    synced_ = completed_;
    done_cv_.notify_all();
  }
}

void EntryQueue::Fail() {
  std::lock_guard lock(mu_);
  failed_ = true;
  room_cv_.notify_all();
  done_cv_.notify_all();
}

void EntryQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    room_cv_.notify_all();
  }
  work_cv_.notify_one();
}

}  // namespace mixtral::audit
