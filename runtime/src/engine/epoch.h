// Epoch-based reclamation for the engine's published state.
//
// Readers (decision threads) announce the global epoch in their own slot
// before loading a published pointer and clear it when the call ends; a
// writer that unpublishes an object retires it with the epoch that follows
// its swap, and frees it once no slot announces an older epoch. The reader
// side is two uncontended stores to the reader's own cache line: no lock, no
// shared reference count. (liburcu does the same, but its per-thread
// registration does not fit handles that move between threads, and its
// uninstrumented code blinds ThreadSanitizer.)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace mixtral::engine {

class EpochDomain {
 public:
  struct alignas(64) Slot {
    std::atomic<uint64_t> epoch{0};  // 0: quiescent
    bool in_use = false;             // guarded by the domain's mutex
  };

  EpochDomain() = default;
  ~EpochDomain();  // frees everything still retired
  EpochDomain(const EpochDomain&) = delete;
  EpochDomain& operator=(const EpochDomain&) = delete;

  Slot* Register();
  void Unregister(Slot* slot);

  // Reader side. Must bracket every load of a published pointer.
  void Enter(Slot* slot) {
    slot->epoch.store(global_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  }
  static void Leave(Slot* slot) { slot->epoch.store(0, std::memory_order_release); }

  // Writer side: call after the pointer that reached `free` was swapped out.
  void Retire(std::function<void()> free);
  // Frees what no reader can still see; returns how many were freed.
  size_t Reclaim();
  size_t retired() const;
  uint64_t reclaimed_total() const { return reclaimed_.load(std::memory_order_relaxed); }

 private:
  struct Retired {
    uint64_t epoch;
    std::function<void()> free;
  };
  std::atomic<uint64_t> global_{1};
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Retired> retired_;
  std::atomic<uint64_t> reclaimed_{0};
};

// Keeps a reader inside the domain for one scope.
class EpochGuard {
 public:
  EpochGuard(EpochDomain& d, EpochDomain::Slot* s) : slot_(s) { d.Enter(s); }
  ~EpochGuard() { EpochDomain::Leave(slot_); }
  EpochGuard(const EpochGuard&) = delete;
  EpochGuard& operator=(const EpochGuard&) = delete;

 private:
  EpochDomain::Slot* slot_;
};

}  // namespace mixtral::engine
