// Internal: what the engine reaches inside an AuditWriter, its queue (to
// attach its workers' record rings) and their size.
#pragma once

#include <cstddef>

#include "audit/entry_queue.h"
#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

class WriterAccess {
 public:
  static EntryQueue& Queue(AuditWriter& writer);
  static size_t WorkerBufferBytes(const AuditWriter& writer);
};

}  // namespace mixtral::audit
