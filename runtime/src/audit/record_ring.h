// Internal: one appending thread's records on their way to the writer
// thread, as a single-producer, single-consumer ring of bytes.
//
// Why not the shared queue (entry_queue.h) for decisions: a decision thread
// that fills a pooled entry and pushes it under a lock writes a dozen cache
// lines that the writer's core read last (the entry, its buffers, the queue's
// slots and lock), and each such write waits for the other core. Here the
// producer writes one record after the other into memory that only it
// writes, publishing its position with one store; the writer reads behind
// it. The producer's writes are one sequential stream, and it prefetches the
// lines just ahead of its position after each record.
//
// A record is a Header and a payload, 16-byte aligned (so that a pad record
// always has room for its header). Records never wrap: one that would is
// preceded by a pad record to the end of the buffer. The
// payload of a kBoxed record is an AuditEntry* whose ownership passes to the
// writer (for records too large or too rare for a codec); the codec decodes
// every other type.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

class RecordRing {
 public:
  enum Type : uint32_t { kPad = 0, kBoxed = 1, kCodec = 2 };
  struct Header {
    uint32_t size;  // of the whole record, header included; a multiple of 16
    uint32_t type;
    uint64_t drops;  // the ring's drops before this record, in all
  };

  // Turns the records of its own types back into entries, on the writer
  // thread.
  class Codec {
   public:
    virtual ~Codec() = default;
    // The entry the record describes, valid until the next call.
    virtual const AuditEntry& Decode(uint32_t type, const std::byte* payload, size_t size) = 0;
  };

  // `bytes` is rounded up to a power of two, from 64 KiB to 1 GiB.
  RecordRing(size_t bytes, std::unique_ptr<Codec> codec);
  ~RecordRing();  // recycles the boxed entries never consumed
  RecordRing(const RecordRing&) = delete;
  RecordRing& operator=(const RecordRing&) = delete;

  // The largest payload TryReserve accepts.
  size_t max_payload() const { return capacity_ / 4; }
  size_t capacity_for_test() const { return capacity_; }

  // --- The producer's thread.
  // Room for a payload of at most `max` bytes, contiguous, or null when the
  // ring is full.
  std::byte* TryReserve(size_t max);
  // Publishes the record TryReserve made room for, `used` bytes of payload.
  void Commit(uint32_t type, size_t used);
  // A record that did not get in; the next one to get in says so.
  void CountDrop();
  // The producer is gone: once the writer has drained the ring, it lets go.
  void Detach() { detached_.store(true, std::memory_order_release); }

  // --- Any thread.
  bool detached() const { return detached_.load(std::memory_order_acquire); }
  // Where the producer has published up to (seq_cst, as the writer's
  // sleeping flag: see EntryQueue::WakeIfSleeping).
  uint64_t published() const { return tail_.load(std::memory_order_seq_cst); }
  uint64_t drops_published() const { return drops_published_.load(std::memory_order_seq_cst); }

  // --- The writer's thread.
  uint64_t consumed() const { return head_.load(std::memory_order_relaxed); }
  // Calls fn(header, entry) for each record up to position `until` (from
  // published()), in order, and frees its space; a boxed entry is recycled
  // after fn returns.
  template <typename Fn>
  void Consume(uint64_t until, Fn&& fn);
  // Drops reported through records or gaps so far.
  uint64_t& drops_reported() { return drops_reported_; }

 private:
  static size_t Align(size_t n) { return (n + 15) & ~size_t{15}; }
  Header* At(uint64_t pos) const {
    return reinterpret_cast<Header*>(data_.get() + (pos & (capacity_ - 1)));
  }

  const size_t capacity_;
  std::unique_ptr<std::byte[]> data_;
  std::unique_ptr<Codec> codec_;

  // The producer's line: its position, what it last saw of the writer's.
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t reserved_ = 0;  // where the reserved record starts
  uint64_t head_seen_ = 0;
  uint64_t drops_ = 0;
  std::atomic<uint64_t> drops_published_{0};
  std::atomic<bool> detached_{false};

  // The writer's line.
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t drops_reported_ = 0;
};

template <typename Fn>
void RecordRing::Consume(uint64_t until, Fn&& fn) {
  uint64_t pos = head_.load(std::memory_order_relaxed);
  while (pos < until) {
    const Header* h = At(pos);
    const auto* payload = reinterpret_cast<const std::byte*>(h + 1);
    const size_t size = h->size - sizeof(Header);
    if (h->type == kBoxed) {
      AuditEntry* raw;
      std::memcpy(&raw, payload, sizeof raw);
      struct Recycle {
        void operator()(AuditEntry* e) const { e->Recycle(); }
      };
      std::unique_ptr<AuditEntry, Recycle> entry(raw);  // recycled even if fn throws
      fn(*h, *entry);
    } else if (h->type != kPad) {
      fn(*h, codec_->Decode(h->type, payload, size));
    }
    pos += h->size;
    // Each record's space goes back as soon as it is read: a producer
    // waiting for room waits for one record, not a batch.
    head_.store(pos, std::memory_order_release);
  }
}

}  // namespace mixtral::audit
