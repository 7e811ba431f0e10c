// Internal: where an existing log's chain left off, so that a writer opening
// it continues the chain, and recovers from a torn tail (contract §11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mixtral/runtime/audit_files.h"

namespace mixtral::audit {

// Longest line the writer reads back. Records can embed a snapshot
// (64 MiB at most, contract §8), so this is generous.
inline constexpr uint64_t kMaxLineBytes = uint64_t{128} << 20;

struct ChainTail {
  uint64_t last_seq = 0;      // 0: no complete record anywhere
  std::string last_hash;      // SHA-256 of the last complete line, or zeros
  uint64_t append_index = 0;  // the file to continue in
  uint64_t append_size = 0;   // bytes already in it
  // Set when a torn tail lies after the last complete line: the name of the
  // (latest) file that ends in one, and how many bytes the torn line has.
  // The writer then starts append_index with a `recovered` record.
  std::optional<std::string> torn_file;
  uint64_t torn_bytes = 0;
};

// The indices of the log's files that exist (0 for the log itself), sorted.
std::vector<uint64_t> ExistingFileIndices(const std::string& log);

// Reads the tails of the log's files, from the highest down to the one that
// holds the last complete line. Returns an error message naming the file
// when one cannot be read or its last line is not an audit record.
std::optional<std::string> ReadChainTail(AuditFileLayer& files, const std::string& log,
                                         ChainTail* out);

// The last complete line of an open file of `size` bytes, and the length of
// the torn line after it (0 when the file ends with a newline). Returns false
// with *error set when the file cannot be read or a line is too long;
// *found is false when the file holds no complete line.
bool LastCompleteLine(AuditFileLayer& files, int fd, uint64_t size, std::string* line, bool* found,
                      uint64_t* torn_bytes, std::string* error);

// strerror of a -errno: "No such file or directory".
std::string ErrnoText(int negative_errno);

}  // namespace mixtral::audit
