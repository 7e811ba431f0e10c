// The record ring between a deciding thread and the audit writer
// (runtime/src/audit/record_ring.h): records of every size come out in
// order and intact across wrap-arounds, a full ring refuses until the
// consumer frees space, drops are carried by the next record, and unread
// boxed entries are recycled when the ring goes. The `stress:` case runs a
// producer and a consumer thread at once, under TSan in CI.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "audit/record_ring.h"

namespace mixtral::audit {
namespace {

// Decodes a record into its bytes.
class BytesEntry final : public AuditEntry {
 public:
  std::string_view kind() const override { return "test"; }
  void Render(AuditMembers&) const override {}
  std::string bytes;
};

class BytesCodec final : public RecordRing::Codec {
 public:
  const AuditEntry& Decode(uint32_t type, const std::byte* payload, size_t size) override {
    CHECK(type == RecordRing::kCodec);
    entry_.bytes.assign(reinterpret_cast<const char*>(payload), size);
    return entry_;
  }

 private:
  BytesEntry entry_;
};

// Record i: its number, then i % 251 bytes of (i + k) & 0xff, padded by the
// ring to 16 bytes (so the payload read back may be longer).
std::string Payload(uint32_t i, size_t size) {
  std::string s(sizeof i + size, '\0');
  std::memcpy(s.data(), &i, sizeof i);
  for (size_t k = 0; k < size; ++k) s[sizeof i + k] = static_cast<char>((i + k) & 0xff);
  return s;
}

bool Put(RecordRing& ring, uint32_t i, size_t size) {
  const std::string p = Payload(i, size);
  std::byte* room = ring.TryReserve(p.size());
  if (!room) return false;
  std::memcpy(room, p.data(), p.size());
  ring.Commit(RecordRing::kCodec, p.size());
  return true;
}

// Checks that the next records are next, next+1, ...; returns how many.
size_t Drain(RecordRing& ring, uint32_t* next, std::vector<uint64_t>* drops = nullptr) {
  size_t n = 0;
  ring.Consume(ring.published(), [&](const RecordRing::Header& h, const AuditEntry& e) {
    const std::string& got = static_cast<const BytesEntry&>(e).bytes;
    uint32_t i = 0;
    REQUIRE(got.size() >= sizeof i);
    std::memcpy(&i, got.data(), sizeof i);
    CHECK(i == *next);
    const std::string want = Payload(i, i % 251);
    CHECK(got.size() >= want.size());
    CHECK(got.compare(0, want.size(), want) == 0);
    if (drops) drops->push_back(h.drops);
    ++*next;
    ++n;
  });
  return n;
}

TEST_CASE("record ring: records come out in order and intact across wrap-arounds") {
  RecordRing ring(1, std::make_unique<BytesCodec>());  // rounded up to 64 KiB
  CHECK(ring.max_payload() == 16 * 1024);
  uint32_t produced = 0, consumed = 0;
  // Fill to the brim, drain, five times over: about 1.4 MiB through 64 KiB.
  for (int round = 0; round < 5; ++round) {
    size_t in = 0;
    while (Put(ring, produced, produced % 251)) {
      ++produced;
      ++in;
    }
    CHECK(in > 100);  // a full ring refuses; it held a few hundred records
    CHECK(ring.TryReserve(ring.max_payload()) == nullptr);  // full: this cannot fit
    CHECK(Drain(ring, &consumed) == in);
    CHECK(ring.consumed() == ring.published());
  }
  // Interleaved, so that records straddle the end at every offset.
  for (int k = 0; k < 20000; ++k) {
    REQUIRE(Put(ring, produced, produced % 251));
    ++produced;
    if (k % 7 == 0) Drain(ring, &consumed);
  }
  Drain(ring, &consumed);
  CHECK(consumed == produced);
  // Larger than a quarter of the ring: refused outright, never waited for.
  CHECK(ring.TryReserve(ring.max_payload()) != nullptr);
  CHECK(ring.TryReserve(ring.capacity_for_test()) == nullptr);
}

TEST_CASE("record ring: drops are carried by the next record that gets in") {
  RecordRing ring(1, std::make_unique<BytesCodec>());
  uint32_t produced = 0, consumed = 0;
  REQUIRE(Put(ring, produced++, 0));
  ring.CountDrop();
  ring.CountDrop();
  CHECK(ring.drops_published() == 2);
  REQUIRE(Put(ring, produced++, 1));
  REQUIRE(Put(ring, produced++, 2));
  ring.CountDrop();
  std::vector<uint64_t> drops;
  Drain(ring, &consumed, &drops);
  CHECK(drops == std::vector<uint64_t>{0, 2, 2});
  CHECK(ring.drops_published() == 3);  // the third, after the last record
}

TEST_CASE("record ring: boxed entries never read are recycled with the ring") {
  struct Counted final : AuditEntry {
    explicit Counted(int* recycled) : recycled_(recycled) {}
    std::string_view kind() const override { return "test"; }
    void Render(AuditMembers&) const override {}
    void Recycle() override {
      ++*recycled_;
      delete this;
    }
    int* recycled_;
  };
  int recycled = 0;
  {
    RecordRing ring(1, std::make_unique<BytesCodec>());
    for (int i = 0; i < 3; ++i) {
      AuditEntry* e = new Counted(&recycled);
      std::byte* room = ring.TryReserve(sizeof e);
      REQUIRE(room != nullptr);
      std::memcpy(room, &e, sizeof e);
      ring.Commit(RecordRing::kBoxed, sizeof e);
    }
    int read = 0;
    // Read the first only.
    const uint64_t first_end = 16 + 16;  // one header and one aligned pointer
    ring.Consume(first_end, [&](const RecordRing::Header& h, const AuditEntry&) {
      CHECK(h.type == RecordRing::kBoxed);
      ++read;
    });
    CHECK(read == 1);
    CHECK(recycled == 1);  // after fn returned
  }
  CHECK(recycled == 3);
}

TEST_CASE("stress: record ring with a producer and a consumer thread") {
  RecordRing ring(1, std::make_unique<BytesCodec>());
  constexpr uint32_t kRecords = 200000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (uint32_t i = 0; i < kRecords; ++i) {
      while (!Put(ring, i, i % 251)) std::this_thread::yield();
    }
    done = true;
  });
  uint32_t consumed = 0;
  while (!done.load() || ring.consumed() != ring.published()) {
    if (Drain(ring, &consumed) == 0) std::this_thread::yield();
  }
  producer.join();
  CHECK(consumed == kRecords);
}

}  // namespace
}  // namespace mixtral::audit
