#include "audit/record_ring.h"

#include <algorithm>
#include <bit>

namespace mixtral::audit {

namespace {

constexpr size_t kMinBytes = size_t{64} << 10;
constexpr size_t kMaxBytes = size_t{1} << 30;
constexpr size_t kLine = 64;
// How far ahead of its position the producer asks for its next lines: the
// writer's core read them last, and a write waits for them to come back.
constexpr size_t kPrefetchBytes = 8 * kLine;

}  // namespace

RecordRing::RecordRing(size_t bytes, std::unique_ptr<Codec> codec)
    : capacity_(std::bit_ceil(std::clamp(bytes, kMinBytes, kMaxBytes))),
      data_(new std::byte[capacity_]),
      codec_(std::move(codec)) {
  static_assert(sizeof(Header) == 16);
}

RecordRing::~RecordRing() {
  const uint64_t end = tail_.load(std::memory_order_acquire);
  for (uint64_t pos = head_.load(std::memory_order_relaxed); pos < end;) {
    const Header* h = At(pos);
    if (h->type == kBoxed) {
      AuditEntry* entry;
      std::memcpy(&entry, h + 1, sizeof entry);
      entry->Recycle();
    }
    pos += h->size;
  }
}

std::byte* RecordRing::TryReserve(size_t max) {
  const size_t need = sizeof(Header) + Align(max);
  if (need > capacity_ / 2) return nullptr;
  uint64_t pos = tail_.load(std::memory_order_relaxed);  // this thread's own
  const size_t off = pos & (capacity_ - 1);
  const size_t pad = off + need > capacity_ ? capacity_ - off : 0;
  if (pos + pad + need - head_seen_ > capacity_) {
    head_seen_ = head_.load(std::memory_order_acquire);
    if (pos + pad + need - head_seen_ > capacity_) return nullptr;
  }
  if (pad != 0) {
    Header* h = At(pos);
    h->size = static_cast<uint32_t>(pad);
    h->type = kPad;
    h->drops = drops_;
    pos += pad;
  }
  reserved_ = pos;
  return reinterpret_cast<std::byte*>(At(pos) + 1);
}

void RecordRing::Commit(uint32_t type, size_t used) {
  Header* h = At(reserved_);
  h->size = static_cast<uint32_t>(sizeof(Header) + Align(used));
  h->type = type;
  h->drops = drops_;
  const uint64_t end = reserved_ + h->size;
  // seq_cst, as the load of the writer's sleeping flag after it
  // (EntryQueue::WakeIfSleeping): one of the two threads sees the other.
  tail_.store(end, std::memory_order_seq_cst);
  for (size_t off = 0; off < kPrefetchBytes; off += kLine)
    __builtin_prefetch(data_.get() + ((end + off) & (capacity_ - 1)), 1);
}

void RecordRing::CountDrop() {
  ++drops_;
  drops_published_.store(drops_, std::memory_order_seq_cst);
}

}  // namespace mixtral::audit
