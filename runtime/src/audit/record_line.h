// Internal: one audit record as one line of compact canonical JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mixtral/runtime/audit.h"

namespace mixtral::audit {

// The chain members every record has, added by the writer.
struct ChainMembers {
  std::string_view kind;
  uint64_t seq;
  std::string_view prev_hash;
  std::string_view ts;
};

// Renders `entry_members` and `chain` into *line (without its newline),
// members sorted by key in code-point order. Entry members named like a chain
// member, and repeats of a key, are left out. `order` is scratch space the
// caller keeps to avoid an allocation per record.
void RenderRecordLine(const AuditMembers& entry_members, const ChainMembers& chain,
                      std::vector<uint32_t>* order, std::string* line);

}  // namespace mixtral::audit
