// Internal: the content-addressed snapshot store beside a log,
// `<log>.snapshots/<sha256>.json` (contract §11). The writer thread stores
// each snapshot once, before the first record that references it, so a
// record never names a snapshot that a crash could have lost.
#pragma once

#include <string>
#include <unordered_set>

#include "audit/stats.h"
#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

class SnapshotStore {
 public:
  SnapshotStore(AuditFileLayer* files, const std::string& log, bool sync_files, Stats* stats);

  // Stores `snapshot` unless it is stored already. A snapshot that cannot be
  // stored is counted in snapshot_errors and the record is written anyway:
  // losing replayability is better than losing the record.
  void Ensure(const AuditSnapshot& snapshot);

  const std::string& last_error() const { return last_error_; }

 private:
  bool Store(const AuditSnapshot& snapshot);

  AuditFileLayer* files_;
  std::string dir_;
  std::string parent_;  // the log's directory
  bool sync_files_;
  Stats* stats_;
  std::unordered_set<std::string> stored_;
  std::string last_error_;
};

}  // namespace mixtral::audit
