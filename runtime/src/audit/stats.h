// Internal: the counters behind AuditCounters. The writer thread and
// appending threads bump them; any thread reads them.
#pragma once

#include <atomic>
#include <cstdint>

#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

struct Stats {
  std::atomic<uint64_t> records_written{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> gaps{0};
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> rotations{0};
  std::atomic<uint64_t> snapshots_written{0};
  std::atomic<uint64_t> snapshot_errors{0};

  static void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  AuditCounters Read() const {
    AuditCounters c;
    c.records_written = records_written.load(std::memory_order_relaxed);
    c.dropped = dropped.load(std::memory_order_relaxed);
    c.gaps = gaps.load(std::memory_order_relaxed);
    c.syncs = syncs.load(std::memory_order_relaxed);
    c.bytes = bytes.load(std::memory_order_relaxed);
    c.rotations = rotations.load(std::memory_order_relaxed);
    c.snapshots_written = snapshots_written.load(std::memory_order_relaxed);
    c.snapshot_errors = snapshot_errors.load(std::memory_order_relaxed);
    return c;
  }
};

}  // namespace mixtral::audit
