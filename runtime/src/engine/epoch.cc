#include "engine/epoch.h"

#include <algorithm>

namespace mixtral::engine {

EpochDomain::~EpochDomain() {
  for (Retired& r : retired_) r.free();
}

EpochDomain::Slot* EpochDomain::Register() {
  std::lock_guard lock(mu_);
  for (auto& s : slots_) {
    if (!s->in_use) {
      s->in_use = true;
      return s.get();
    }
  }
  slots_.push_back(std::make_unique<Slot>());
  slots_.back()->in_use = true;
  return slots_.back().get();
}

void EpochDomain::Unregister(Slot* slot) {
  std::lock_guard lock(mu_);
  slot->epoch.store(0, std::memory_order_release);
  slot->in_use = false;
}

void EpochDomain::Retire(std::function<void()> free) {
  // The swap that unpublished the object happened before this increment, so
  // a reader announcing the new epoch or later can no longer load it.
  uint64_t epoch = global_.fetch_add(1, std::memory_order_seq_cst) + 1;
  {
    std::lock_guard lock(mu_);
    retired_.push_back(Retired{epoch, std::move(free)});
  }
  Reclaim();
}

size_t EpochDomain::Reclaim() {
  std::vector<Retired> ready;
  {
    std::lock_guard lock(mu_);
    uint64_t oldest = UINT64_MAX;
    for (auto& s : slots_) {
      uint64_t e = s->epoch.load(std::memory_order_seq_cst);
      if (e != 0) oldest = std::min(oldest, e);
    }
    auto keep = std::stable_partition(retired_.begin(), retired_.end(),
                                      [&](const Retired& r) { return r.epoch > oldest; });
    std::move(keep, retired_.end(), std::back_inserter(ready));
    retired_.erase(keep, retired_.end());
  }
  // Freed outside the lock: a destructor may be slow (JIT code, big snapshots).
  for (Retired& r : ready) r.free();
  reclaimed_.fetch_add(ready.size(), std::memory_order_relaxed);
  return ready.size();
}

size_t EpochDomain::retired() const {
  std::lock_guard lock(mu_);
  return retired_.size();
}

}  // namespace mixtral::engine
